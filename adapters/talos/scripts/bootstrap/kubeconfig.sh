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
  ztc::wait_until "the admin kubeconfig from $name ($ip)" talos::fetch_kubeconfig "$ip" \
    || ztc::error "could not fetch the kubeconfig from $name ($ip): is etcd bootstrapped (talos/bootstrap-etcd)? Then run ztc bootstrap again"
  ztc::wait_until "the Kubernetes API server at $(ztc::ctx .cluster_endpoint)" talos::api_ready \
    || ztc::error "the Kubernetes API server at $(ztc::ctx .cluster_endpoint) did not become ready. See \"talosctl --nodes $ip service\" and \"talosctl --nodes $ip logs kubelet\", then run ztc bootstrap again"
  ztc::info "Kubernetes API server ready; kubeconfig in the private dir"
}

main "$@"
