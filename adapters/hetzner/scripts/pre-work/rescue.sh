#!/usr/bin/env bash
# Boot every server of the platform into the Hetzner Cloud rescue system, reachable over SSH with a key
# made for this platform, so that the OS installer (the talos adapter) can write the disk from there.
#   - refuses unless hetzner.rescue_mode_confirm is true: rebooting into rescue interrupts the server;
#   - server ids are looked up by public IPv4 and kept in $ZTC_STATE_DIR/hetzner/servers.json;
#   - the SSH key pair lives in the private dir; its public half is registered in the project;
#   - a server that already runs an installed OS ($ZTC_STATE_DIR/machines/<ip>.json) is left alone, and
#     one already answering in rescue is not reset again, so the step can be resumed or re-run safely.
set -euo pipefail
# shellcheck source=../../../../tools/ztc/scripts/ztc.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../../../../tools/ztc/scripts}/ztc.sh"
# shellcheck source=../lib/hcloud.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../lib}/hcloud.sh"

KEY_FILE=''
KEY_ID=''

check_confirmed() {
  local confirmed servers
  confirmed=$(ztc::ctx .rescue_mode_confirm)
  [[ $confirmed == true ]] && return
  servers=$(ztc::ctx '.server_ips | join(", ")')
  ztc::error "hetzner.rescue_mode_confirm is not true in platforms/$ZTC_PLATFORM/platform.yaml. Booting the rescue system reboots the servers $servers, and the OS install that follows erases their disks. If that is intended, set rescue_mode_confirm: true, run \"ztc render $ZTC_PLATFORM\" and bootstrap again"
}

# The platform's rescue key pair (made once; kept in the private dir) and its id in the project.
ensure_key() {
  local rel comment
  rel=$(ztc::ctx .ssh_key_file)
  comment=$(ztc::ctx .ssh_key_name)
  KEY_FILE=$(ztc::private_file "$rel")
  if [[ ! -s $KEY_FILE ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "$comment" -f "$KEY_FILE"
    ztc::info "made the rescue SSH key (private half in the private dir)"
  fi
  [[ -s $KEY_FILE.pub ]] || ssh-keygen -y -f "$KEY_FILE" >"$KEY_FILE.pub"
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

in_rescue() {
  ztc::ssh "$KEY_FILE" "root@$1" true 2>/dev/null
}

main() {
  check_confirmed
  ensure_key
  local servers ip id name status action_id
  servers=$(hcloud::match_servers "$(hcloud::servers)")
  [[ $(jq length <<<"$servers") == $(ztc::ctx '.server_ips | length') ]] \
    || ztc::error "some servers of hetzner.server_ips are missing from the project (the pre-flight check names them); fix platform.yaml or HCLOUD_TOKEN"
  jq 'map_values(.id)' <<<"$servers" | ztc::write_file "$(ztc::state_file hetzner/servers.json)" 644

  local -a ips waiting=()
  ztc::ctx_array ips .server_ips
  for ip in "${ips[@]}"; do
    id=$(jq -r --arg ip "$ip" '.[$ip].id' <<<"$servers")
    name=$(jq -r --arg ip "$ip" '.[$ip].name' <<<"$servers")
    status=$(jq -r --arg ip "$ip" '.[$ip].status' <<<"$servers")
    if [[ -f $ZTC_STATE_DIR/machines/$ip.json ]]; then
      ztc::info "$ip ($name): runs $(jq -r '.os' "$ZTC_STATE_DIR/machines/$ip.json") already; not rebooted"
      continue
    fi
    if [[ $status == running ]] && in_rescue "$ip"; then
      ztc::info "$ip ($name): already in the rescue system"
      continue
    fi
    ztc::info "$ip ($name): enabling rescue mode and rebooting"
    action_id=$(hcloud::api POST "/servers/$id/actions/enable_rescue" "$(jq -nc --argjson k "$KEY_ID" '{type: "linux64", ssh_keys: [$k]}')" | jq -r '.action.id')
    hcloud::wait_action "$action_id" "enabling rescue mode on $name"
    if [[ $status == off ]]; then
      action_id=$(hcloud::api POST "/servers/$id/actions/poweron" | jq -r '.action.id')
    else
      action_id=$(hcloud::api POST "/servers/$id/actions/reset" | jq -r '.action.id')
    fi
    hcloud::wait_action "$action_id" "rebooting $name"
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
