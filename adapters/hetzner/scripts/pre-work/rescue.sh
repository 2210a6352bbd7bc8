#!/usr/bin/env bash
# Boot the servers of the platform that need an OS install into the Hetzner Cloud rescue system,
# reachable over SSH with a key made for this platform, so that the OS installer (the talos adapter) can
# write the disk from there. Each server is asked what it runs, live, before anything is done to it;
# local files (machine facts, receipts) are never the authority for a reboot:
#   - the Hetzner API says whether it is running; a server that is off is powered on from its own disk
#     first (never straight into rescue), then asked;
#   - over SSH with the platform's key: the rescue system accepts it (nothing to do); a general-purpose OS
#     answers and refuses it (a stock image or a recycled server: it gets the rescue system); a machine
#     that refuses SSH altogether runs an installed OS without sshd (Talos has none) and is never
#     rebooted; one that does not answer is left alone with a warning;
#   - only servers that get the rescue system need hetzner.rescue_mode_confirm: true;
#   - server ids are looked up by public IPv4 and cached in $ZTC_STATE_DIR/hetzner/servers.json;
#   - the SSH key pair lives in the private dir; its public half is registered in the project.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/hcloud.sh
. "$ZTC_LIB_DIR/hcloud.sh"

KEY_FILE=''
KEY_ID=''

# refuse_unconfirmed IP...: rebooting these servers into rescue needs hetzner.rescue_mode_confirm.
refuse_unconfirmed() {
  [[ $(ztc::ctx .rescue_mode_confirm) == true ]] && return
  local list
  printf -v list '%s, ' "$@"
  ztc::error "hetzner.rescue_mode_confirm is not true in platforms/$ZTC_PLATFORM/platform.yaml, and the servers ${list%, } run no installed OS that this platform knows and would be rebooted into the rescue system (the OS install that follows erases their disks). If that is intended, set rescue_mode_confirm: true, run \"ztc render $ZTC_PLATFORM\" and bootstrap again; if not, remove them from hetzner.server_ips"
}

# The platform's rescue key pair (made once; kept in the private dir): ssh offers it to every server.
make_key() {
  local rel comment
  rel=$(ztc::ctx .ssh_key_file)
  comment=$(ztc::ctx .ssh_key_name)
  KEY_FILE=$(ztc::private_file "$rel")
  if [[ ! -s $KEY_FILE ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$KEY_FILE"
    ztc::info "made the rescue SSH key (private half in the private dir)"
  fi
  [[ -s $KEY_FILE.pub ]] || ssh-keygen -y -f "$KEY_FILE" >"$KEY_FILE.pub"
}

# Its public half registered in the project (KEY_ID), needed only to boot a server into rescue.
register_key() {
  local name public existing
  name=$(ztc::ctx .ssh_key_name)
  public=$(<"$KEY_FILE.pub")
  existing=$(hcloud::api GET "/ssh_keys?name=$name")
  if [[ $(jq -r '.ssh_keys[0].public_key // empty' <<<"$existing") == "$public" ]]; then
    KEY_ID=$(jq -r '.ssh_keys[0].id' <<<"$existing")
    return
  fi
  if [[ -n $(jq -r '.ssh_keys[0].id // empty' <<<"$existing") ]]; then
    # Same name, other key: this platform's key was made again (e.g. a lost private dir). Replace it.
    hcloud::api DELETE "/ssh_keys/$(jq -r '.ssh_keys[0].id' <<<"$existing")" >/dev/null
  fi
  KEY_ID=$(hcloud::api POST /ssh_keys "$(jq -nc --arg n "$name" --arg k "$public" '{name: $n, public_key: $k, labels: {"managed-by": "ztc"}}')" | jq -r '.ssh_key.id')
  ztc::info "registered SSH key $name (id $KEY_ID) in the Hetzner Cloud project"
}

# ssh_probe IP: what the server answers on SSH with the platform's key, asked live:
#   rescue       the rescue system, booted with our key
#   os           an OS whose sshd refuses our key (a stock image, a recycled server, an old rescue boot)
#   no-ssh       the connection is refused: an installed OS without sshd, such as Talos
#   unreachable  no answer (off, booting, or filtered)
ssh_probe() {
  local out
  if out=$(ztc::ssh "$KEY_FILE" "root@$1" true 2>&1); then
    printf 'rescue\n'
  elif grep -q 'Permission denied' <<<"$out"; then
    printf 'os\n'
  elif grep -q 'Connection refused' <<<"$out"; then
    printf 'no-ssh\n'
  else
    printf 'unreachable\n'
  fi
}

answers() {
  [[ $(ssh_probe "$1") != unreachable ]]
}

in_rescue() {
  [[ $(ssh_probe "$1") == rescue ]]
}

# reboot_into_rescue ID NAME: enable rescue with the platform's key, then reset the (running) server.
reboot_into_rescue() {
  local id=$1 name=$2 action_id
  action_id=$(hcloud::api POST "/servers/$id/actions/enable_rescue" "$(jq -nc --argjson k "$KEY_ID" '{type: "linux64", ssh_keys: [$k]}')" | jq -r '.action.id')
  hcloud::wait_action "$action_id" "enabling rescue mode on $name"
  action_id=$(hcloud::api POST "/servers/$id/actions/reset" | jq -r '.action.id')
  hcloud::wait_action "$action_id" "rebooting $name"
}

main() {
  ztc::init
  make_key
  local servers ip id name action_id state
  servers=$(hcloud::match_servers "$(hcloud::servers)")
  [[ $(jq length <<<"$servers") == $(ztc::ctx '.server_ips | length') ]] \
    || ztc::error "some servers of hetzner.server_ips are missing from the project (the pre-flight check names them); fix platform.yaml or HCLOUD_TOKEN"
  jq 'map_values(.id)' <<<"$servers" | ztc::write_file "$(ztc::state_file hetzner/servers.json)" 644

  local -a ips powered=() rescue=() waiting=()
  ztc::ctx_array ips .server_ips
  # A server that is off may hold an installed OS (a powered-off node): boot it from its disk and ask it.
  for ip in "${ips[@]}"; do
    [[ $(jq -r --arg ip "$ip" '.[$ip].status' <<<"$servers") == off ]] || continue
    id=$(jq -r --arg ip "$ip" '.[$ip].id' <<<"$servers")
    name=$(jq -r --arg ip "$ip" '.[$ip].name' <<<"$servers")
    ztc::info "$ip ($name): powered off; powering it on from its own disk to see what it runs"
    action_id=$(hcloud::api POST "/servers/$id/actions/poweron" | jq -r '.action.id')
    hcloud::wait_action "$action_id" "powering on $name"
    powered+=("$ip")
  done
  for ip in "${powered[@]}"; do
    ztc::wait_until "$ip to answer after power-on" answers "$ip" \
      || ztc::warn "$ip did not answer on port 22 after power-on"
  done

  for ip in "${ips[@]}"; do
    name=$(jq -r --arg ip "$ip" '.[$ip].name' <<<"$servers")
    state=$(ssh_probe "$ip")
    case $state in
      rescue) ztc::info "$ip ($name): already in the rescue system" ;;
      no-ssh) ztc::info "$ip ($name): refuses SSH, so it runs an installed OS without sshd (Talos runs none): not rebooted" ;;
      unreachable) ztc::warn "$ip ($name): does not answer on port 22 (down, still booting, or filtered): not rebooted. If it needs an OS install, check it in the Hetzner Cloud Console (Servers > $name > Console), then run ztc bootstrap again" ;;
      os)
        ztc::info "$ip ($name): answers SSH but not with the platform's key: a general-purpose OS (a stock image or a recycled server)"
        rescue+=("$ip")
        ;;
    esac
  done
  ((${#rescue[@]} > 0)) || return 0
  refuse_unconfirmed "${rescue[@]}"
  register_key

  for ip in "${rescue[@]}"; do
    id=$(jq -r --arg ip "$ip" '.[$ip].id' <<<"$servers")
    name=$(jq -r --arg ip "$ip" '.[$ip].name' <<<"$servers")
    ztc::info "$ip ($name): enabling rescue mode and rebooting"
    reboot_into_rescue "$id" "$name"
    waiting+=("$ip")
  done

  for ip in "${waiting[@]}"; do
    name=$(jq -r --arg ip "$ip" '.[$ip].name' <<<"$servers")
    ztc::wait_until "the rescue system on $ip" in_rescue "$ip" \
      || ztc::error "$ip ($name) did not answer over SSH in the rescue system. Open its console in the Hetzner Cloud Console (Servers > $name > Console) to see why, power-cycle it if it hangs, then run ztc bootstrap again"
    ztc::info "$ip ($name): rescue system is up"
  done
}

main "$@"
