#!/usr/bin/env bash
# Teardown: remove the Argo CD install by deleting its namespace (its workloads, ConfigMaps, Secrets,
# repository credentials), waiting, bounded by the step's deadline, until it is gone. An absent namespace
# is fine. Runs after delete-apps: an application left with its finalizer would hold the namespace. A
# cluster whose API does not answer is passed over with a WARNING: Argo CD lives only in the cluster.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

NS=''

namespace_gone() {
  local out
  out=$(kubectl get namespace "$NS" -o name 2>&1) && return 1
  [[ $out == *NotFound* || $out == *"not found"* ]]
}

main() {
  ztc::init
  NS=$(ztc::ctx .namespace)
  if ! ztc::k8s::api_answers; then
    ztc::warn "the cluster's API does not answer (KUBECONFIG ${KUBECONFIG:-unset}): Argo CD lives only in the cluster and goes with it. If the cluster still runs, make it reachable and run ztc destroy $ZTC_PLATFORM again"
    return 0
  fi
  if namespace_gone; then
    ztc::info "namespace $NS is gone already: Argo CD is not installed"
    return 0
  fi
  kubectl delete namespace "$NS" --wait=false >/dev/null \
    || ztc::error "could not delete namespace $NS (see above): check the cluster (KUBECONFIG in the private dir), then run ztc destroy $ZTC_PLATFORM again"
  ztc::wait_until "namespace $NS to be deleted" namespace_gone \
    || ztc::error "namespace $NS is still terminating: see \"kubectl get namespace $NS -o yaml\" (status.conditions name what holds it, e.g. an application with a finalizer: run the argocd/delete-apps step first), then run ztc destroy $ZTC_PLATFORM again"
  ztc::info "Argo CD uninstalled (namespace $NS deleted)"
}

main "$@"
