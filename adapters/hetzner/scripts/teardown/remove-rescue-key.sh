#!/usr/bin/env bash
# ztc destroy: delete the platform's rescue SSH key (registered by hetzner/rescue) from the Hetzner Cloud
# project, if the project has it (asked by name; absent is fine). Servers are never deleted or powered off
# here; the key pair's private half stays in the private dir (purging it is ztc destroy --purge-private's).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/hcloud.sh
. "$ZTC_LIB_DIR/hcloud.sh"

main() {
  ztc::init
  ztc::require_env HCLOUD_TOKEN
  local name found id
  name=$(ztc::ctx .ssh_key_name)
  found=$(hcloud::api GET "/ssh_keys?name=$name")
  id=$(jq -r '.ssh_keys[0].id // empty' <<<"$found")
  if [[ -z $id ]]; then
    ztc::info "the Hetzner Cloud project has no SSH key $name: nothing to remove"
    return
  fi
  hcloud::api DELETE "/ssh_keys/$id" >/dev/null
  ztc::info "removed the rescue SSH key $name (id $id) from the Hetzner Cloud project; servers are kept"
}

main "$@"
