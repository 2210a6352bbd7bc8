#!/usr/bin/env bash
# Apply each worker's machine config and wait until it has joined: registered as a Kubernetes node
# (NotReady until the CNI is installed in post-work).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

registered() {
  kubectl get node "$1" >/dev/null 2>&1
}

main() {
  ztc::init
  talos::init
  local name ip _role count=0
  while read -r name ip _role; do
    talos::apply "$name" "$ip"
    ztc::wait_until "$name to register with the Kubernetes API" registered "$name" \
      || ztc::error "$name ($ip) runs its config but did not register as a Kubernetes node. See \"talosctl --nodes $ip logs kubelet\", then run ztc bootstrap again"
    ztc::info "$name ($ip): joined the cluster"
    count=$((count + 1))
  done < <(talos::nodes worker)
  ((count > 0)) || ztc::info "no worker nodes configured"
}

main "$@"
