#!/usr/bin/env bash
# Teardown: delete Argo CD's applications with everything they deployed. Every application in the
# namespace gets Argo CD's resources finalizer (cascading delete) and loses automated sync (so that the
# root app does not bring its children back), then the root app is deleted, then any other; the step
# waits, bounded by its deadline, until Argo CD has deleted their resources and none is left. A cluster
# whose API does not answer is passed over with a WARNING: the applications and what they deployed live
# only in the cluster.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

readonly FINALIZER=resources-finalizer.argocd.argoproj.io
NS=''

# Names of the applications in the namespace, one a line; fails when kubectl does.
apps() {
  kubectl --namespace "$NS" get applications.argoproj.io -o json | jq -r '.items[].metadata.name'
}

none_left() {
  local left
  left=$(apps 2>/dev/null) || return 1
  [[ -z $left ]]
}

main() {
  ztc::init
  local root name body app
  NS=$(ztc::ctx .namespace)
  root=$(ztc::ctx .root_app)
  if ! ztc::k8s::api_answers; then
    ztc::warn "the cluster's API does not answer (KUBECONFIG ${KUBECONFIG:-unset}): the applications and what they deployed live only in the cluster and go with it. If the cluster still runs, make it reachable and run ztc destroy $ZTC_PLATFORM again"
    return 0
  fi
  if ! kubectl get crd applications.argoproj.io >/dev/null 2>&1; then
    ztc::info "Argo CD's Application CRD is not installed: no applications to delete"
    return 0
  fi
  local list
  list=$(apps) || ztc::error "could not list the applications in $NS (see above): check the cluster (KUBECONFIG in the private dir), then run ztc destroy $ZTC_PLATFORM again"
  if [[ -z $list ]]; then
    ztc::info "no applications in $NS"
    return 0
  fi
  # The root first: with its automated sync off it no longer re-creates the children.
  local -a names=()
  ! grep -qxF "$root" <<<"$list" || names=("$root")
  mapfile -t -O "${#names[@]}" names < <(grep -vxF "$root" <<<"$list" || true)
  for name in "${names[@]}"; do
    app=$(kubectl --namespace "$NS" get application "$name" -o json 2>/dev/null) || continue
    body=$(jq -c --arg f "$FINALIZER" '{metadata: {finalizers: ((.metadata.finalizers // []) + [$f] | unique)}, spec: {syncPolicy: {automated: null}}}' <<<"$app")
    kubectl --namespace "$NS" patch application "$name" --type merge -p "$body" >/dev/null \
      || ztc::error "could not set the cascading-delete finalizer on application $NS/$name (see above): check the cluster, then run ztc destroy $ZTC_PLATFORM again"
  done
  for name in "${names[@]}"; do
    kubectl --namespace "$NS" delete application "$name" --ignore-not-found --wait=false >/dev/null \
      || ztc::error "could not delete application $NS/$name (see above): check the cluster, then run ztc destroy $ZTC_PLATFORM again"
  done
  ztc::wait_until "Argo CD to delete the applications and what they deployed" none_left \
    || ztc::error "applications still there: $(apps 2>/dev/null | tr '\n' ' ')- Argo CD has not finished deleting their resources. See \"kubectl -n $NS get applications\" (status, conditions) and the application controller's logs; fix what holds them (a resource that cannot be deleted), then run ztc destroy $ZTC_PLATFORM again"
  ztc::info "deleted the applications and what they deployed: ${names[*]}"
}

main "$@"
