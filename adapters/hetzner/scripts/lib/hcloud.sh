# shellcheck shell=bash
# hcloud.sh: the Hetzner Cloud API as the hetzner adapter's scripts use it. Sourced after ztc.sh; defines
# functions only. The API base is $HCLOUD_ENDPOINT (the variable the hcloud CLI reads too), else the
# public API; the token is $HCLOUD_TOKEN, sent only through ztc::api (never on a command line).

# hcloud::api METHOD PATH [BODY]: one API call, the response body on stdout. Any failure ends the script
# with an ERROR saying what to do (a busy server, 423, is retried by ztc::api).
hcloud::api() {
  local api=${HCLOUD_ENDPOINT:-https://api.hetzner.cloud/v1} rc=0
  ztc::api -t HCLOUD_TOKEN "$1" "$api$2" "${3-}" || rc=$?
  ((rc != 0)) || return 0
  ztc::http_fail "$(ztc::http_status "$rc")" \
    "404=the Hetzner Cloud API has no $2 (404 not found): was it deleted meanwhile? Check the project in the Hetzner Cloud Console and hetzner.server_ips in platforms/$ZTC_PLATFORM/platform.yaml, then run ztc bootstrap again" \
    "409=the Hetzner Cloud API refused $1 $2 (409 conflict, see the line above): the project already holds this resource under another name (e.g. this SSH key after the platform was renamed); remove or rename it in the Hetzner Cloud Console, then run ztc bootstrap again" \
    "401=the Hetzner Cloud API rejected HCLOUD_TOKEN (401 unauthorized): create a Read & Write API token in the Hetzner Cloud Console (your project > Security > API tokens), export it as HCLOUD_TOKEN and run ztc bootstrap again" \
    "403=HCLOUD_TOKEN may not do this (403 forbidden): it is probably a Read-only token; create a Read & Write token and export it as HCLOUD_TOKEN" \
    "000=the Hetzner Cloud API at $api did not answer (see the attempts above): check https://status.hetzner.com and this machine's network, then run ztc bootstrap again" \
    "*=the Hetzner Cloud API refused $1 $2 (see the line above); this is a bug in the hetzner adapter or an API change: report it with the step's log"
}

# hcloud::servers: every server of the token's project, as one JSON array (all pages).
hcloud::servers() {
  local page=1 all='[]' response
  while [[ -n $page ]]; do
    response=$(hcloud::api GET "/servers?page=$page&per_page=50") || return
    all=$(jq -c --argjson acc "$all" '$acc + .servers' <<<"$response")
    page=$(jq -r '.meta.pagination.next_page // empty' <<<"$response")
  done
  printf '%s\n' "$all"
}

# hcloud::match_servers SERVERS_JSON: the servers whose public IPv4 is one of the context's server_ips,
# as {ip: {id, name, status}}; IPs without a server are left out.
hcloud::match_servers() {
  local ips
  ips=$(ztc::ctx_json .server_ips)
  jq -c --argjson ips "$ips" '
    (map({ key: .public_net.ipv4.ip, value: { id, name, status } }) | from_entries) as $by_ip
    | [ $ips[] | select($by_ip[.]) | { key: ., value: $by_ip[.] } ] | from_entries' <<<"$1"
}

# hcloud::wait_action ID WHAT: wait until the action succeeded; an ERROR with the API's reason if it failed.
hcloud::wait_action() {
  local __hcloud_action='' # the action's last state, set by hcloud::_action_settled
  ztc::wait_until "$2 (Hetzner action $1)" hcloud::_action_settled "$1" \
    || ztc::error "$2 is still running (Hetzner action $1): check the server in the Hetzner Cloud Console, then run ztc bootstrap again"
  [[ $(jq -r '.action.status' <<<"$__hcloud_action") == success ]] \
    || ztc::error "$2 failed: $(jq -r '.action.error | "\(.code): \(.message)"' <<<"$__hcloud_action"). Fix the cause in the Hetzner Cloud Console, then run ztc bootstrap again"
}

hcloud::_action_settled() {
  __hcloud_action=$(hcloud::api GET "/actions/$1") || exit 1
  [[ $(jq -r '.action.status' <<<"$__hcloud_action") != running ]]
}
