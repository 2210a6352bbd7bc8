#!/usr/bin/env bash
# Pre-flight (changes nothing): HCLOUD_TOKEN is accepted by the Hetzner Cloud API, and every server of
# hetzner.server_ips exists in the token's project.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=lib/hcloud.sh
. "$ZTC_LIB_DIR/hcloud.sh"

main() {
  ztc::init
  local servers matched missing ips
  ips=$(ztc::ctx_json .server_ips)
  servers=$(hcloud::servers)
  matched=$(hcloud::match_servers "$servers")
  missing=$(jq -r --argjson m "$matched" '[.[] | select($m[.] | not)] | join(", ")' <<<"$ips")
  if [[ -n $missing ]]; then
    ztc::error "no server of this Hetzner Cloud project has the public IPv4 address $missing. Check hetzner.server_ips in platforms/$ZTC_PLATFORM/platform.yaml, or export the HCLOUD_TOKEN of the project that owns these servers"
  fi
  jq -r 'to_entries[] | "\(.key): server \(.value.id) (\(.value.name), \(.value.status))"' <<<"$matched"
  ztc::info "Hetzner Cloud API token accepted; all $(jq length <<<"$matched") servers found"
}

main "$@"
