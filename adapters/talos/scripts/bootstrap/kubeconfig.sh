#!/usr/bin/env bash
# Fetch the cluster's admin kubeconfig into $KUBECONFIG (the platform's private dir) and wait until the
# Kubernetes API server answers. Nodes stay NotReady until the CNI is installed in post-work.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

main() {
  ztc::init
  talos::init
  local name ip
  ztc::require_env KUBECONFIG
  read -r name ip _ < <(talos::nodes controlplane)
  if [[ -s $KUBECONFIG ]] && talos::api_ready; then
    ztc::info "the kubeconfig in the private dir works already"
    return
  fi
  talos::ensure_kubeconfig "$name" "$ip"
  ztc::info "Kubernetes API server ready; kubeconfig in the private dir"
}

main "$@"
