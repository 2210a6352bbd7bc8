#!/usr/bin/env bash
# Write the Talos disk image from the Image Factory to each node's install disk, from the rescue system
# the cloud provider booted (pre-work), then reboot it into Talos maintenance mode. Each node is asked
# first (its Talos API, live): one that runs Talos already is left alone (its facts are refreshed from
# its answer), one that runs Talos for another cluster or cannot be checked stops the step with an
# ERROR, and only a machine without Talos that answers in the rescue system gets the image. Local
# records never decide: a stale one is corrected and said.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

main() {
  ztc::init
  talos::init
  local key user url disk name ip _role remote
  key=$ZTC_PRIVATE_DIR/$(ztc::ctx .rescue.private_key_file)
  user=$(ztc::ctx .rescue.user)
  url=$(ztc::ctx .image_url)
  disk=$(ztc::ctx .install_disk)
  local -a rebooted=()
  local state
  while read -r name ip _role; do
    state=$(talos::probe "$ip")
    case $state in
      ours)
        ztc::info "$name ($ip): already runs Talos as a node of this cluster; disk not written"
        talos::record "$ip"
        continue
        ;;
      maintenance)
        ztc::info "$name ($ip): already runs Talos (maintenance mode); disk not written"
        talos::record "$ip" --insecure
        continue
        ;;
      none) talos::forget "$ip" "$name" ;;
      *) talos::refuse_unknown "$name" "$ip" "$state" ;;
    esac
    [[ -s $key ]] || ztc::error "the rescue SSH key $key is missing: run the pre-work stage first (ztc bootstrap $ZTC_PLATFORM --stage pre-work), or restore the private dir from its backup"
    ztc::ssh "$key" "$user@$ip" true 2>/dev/null \
      || ztc::error "$name ($ip) neither runs Talos nor answers in the rescue system: run the pre-work stage again (ztc bootstrap $ZTC_PLATFORM --fresh --stage pre-work; it asks each server what it runs and reboots only those without Talos) or check the server's console"
    ztc::info "$name ($ip): writing $url to $disk"
    printf -v remote 'set -euo pipefail; curl -fsSL %q | xz -d | dd of=%q bs=4M conv=fsync status=none; sync' "$url" "$disk"
    ztc::ssh "$key" "$user@$ip" "$remote" \
      || ztc::error "writing the Talos image on $name ($ip) failed (see above); check the install_disk ($disk) and that the rescue system reaches factory.talos.dev, then run ztc bootstrap again"
    # The rescue system boots only once: this reboot starts Talos from the disk. ssh ends with the link.
    ztc::ssh "$key" "$user@$ip" reboot 2>/dev/null || true
    rebooted+=("$name $ip")
  done < <(talos::nodes all)

  local entry
  for entry in "${rebooted[@]}"; do
    read -r name ip <<<"$entry"
    ztc::wait_until "Talos on $name ($ip)" talos::running "$ip" \
      || ztc::error "$name ($ip) did not boot Talos from $disk. Check its console: a wrong install_disk or a firmware that still boots the old disk are the usual causes; then run ztc bootstrap again"
    talos::record "$ip" --insecure
    ztc::info "$name ($ip): Talos $(jq -r .version "$(ztc::machine_fact_file "$ip")") is up in maintenance mode"
  done
}

main "$@"
