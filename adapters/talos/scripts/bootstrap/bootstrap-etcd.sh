#!/usr/bin/env bash
# Bootstrap etcd, once, on the first control-plane node, and wait until etcd runs there. A cluster
# whose etcd is already bootstrapped is recognised and left alone (never bootstrapped twice).
set -euo pipefail
# shellcheck source=../../../../tools/ztc/scripts/ztc.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../../../../tools/ztc/scripts}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../lib}/talos.sh"

etcd_state() {
  talosctl --nodes "$1" service etcd 2>/dev/null | awk '$1 == "STATE" { print $2 }'
}

etcd_running() {
  [[ $(etcd_state "$1") == Running ]]
}

main() {
  local name ip out
  read -r name ip _ < <(talos::nodes controlplane)
  talos::configured "$ip" || ztc::error "$name ($ip) does not answer with its config: run the talos/apply-controlplane step first"
  if etcd_running "$ip"; then
    ztc::info "etcd already runs on $name ($ip): not bootstrapped again"
    return
  fi
  ztc::info "bootstrapping etcd on $name ($ip)"
  if ! out=$(talosctl --nodes "$ip" bootstrap 2>&1); then
    grep -q 'AlreadyExists' <<<"$out" || ztc::error "talosctl bootstrap on $name ($ip) failed: $out"
    ztc::info "etcd was bootstrapped already"
  fi
  ztc::wait_until "etcd on $name ($ip)" etcd_running "$ip" \
    || ztc::error "etcd did not start on $name ($ip) (state: $(etcd_state "$ip")). See \"talosctl --nodes $ip logs etcd\" (talosconfig in the private dir), then run ztc bootstrap again"
  ztc::info "etcd runs on $name ($ip)"
}

main "$@"
