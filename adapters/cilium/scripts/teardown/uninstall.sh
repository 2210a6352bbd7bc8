#!/usr/bin/env bash
# Teardown: uninstall the Cilium release (its agents, operator and configuration; Helm keeps the CRDs).
# No release is fine. A cluster whose API does not answer is passed over with a WARNING: Cilium lives only
# in the cluster and goes with it when its nodes are reset.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns release out
  ns=$(ztc::ctx .namespace)
  release=$(ztc::ctx .chart)
  if ! ztc::k8s::api_answers; then
    ztc::warn "the cluster's API does not answer (KUBECONFIG ${KUBECONFIG:-unset}): nothing to uninstall here, Cilium lives only in the cluster and goes with it. If the cluster still runs, make it reachable and run ztc destroy $ZTC_PLATFORM again"
    return 0
  fi
  if ! out=$(helm status "$release" --namespace "$ns" -o json 2>&1); then
    [[ $out == *"not found"* ]] \
      || ztc::error "helm could not read the release $ns/$release: ${out##*$'\n'}. Check the cluster (KUBECONFIG in the private dir), then run ztc destroy $ZTC_PLATFORM again"
    ztc::info "no Cilium release in $ns: nothing to uninstall"
    return 0
  fi
  helm uninstall "$release" --namespace "$ns" >/dev/null \
    || ztc::error "helm could not uninstall $ns/$release (see above): run \"helm uninstall $release -n $ns\" by hand, or check the cluster, then run ztc destroy $ZTC_PLATFORM again"
  ztc::info "Cilium ($ns/$release) uninstalled"
}

main "$@"
