#!/usr/bin/env bash
# Teardown: let Crossplane release the external resources it manages, then remove Crossplane. First every
# Argo CD application stops syncing automatically (so nothing is re-created from git while it
# is deleted); then every claim, composite resource and managed resource is deleted (kinds found by their
# CRDs' categories: claim, composite, managed) and the step waits until the providers have deleted them
# (their finalizers release the external resources); then the Crossplane applications are deleted with
# Argo CD's cascading finalizer: the providers, then Crossplane itself. Every wait is bounded by the
# step's deadline. A done release is recorded in the state dir for this cluster (its CA certificate's digest), so a
# later run of destroy that finds the cluster gone passes over it; a cluster whose API does not answer
# before that is an ERROR: the external resources may still exist and cost money.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

readonly FINALIZER=resources-finalizer.argocd.argoproj.io
GITOPS_NS=''

# "crd-name" of every CRD in CATEGORY, one a line.
crds_in() {
  kubectl get crd -o json | jq -r --arg c "$1" '.items[] | select(any(.spec.names.categories[]?; . == $c)) | .metadata.name'
}

# "crd-name namespace name" of every object of the CRDs in CATEGORY (namespace "-" when cluster-scoped).
objects_in() {
  local crd crds
  crds=$(crds_in "$1") || return 1
  for crd in $crds; do
    kubectl get "$crd" --all-namespaces -o json | jq -r --arg crd "$crd" '.items[] | "\($crd) \(.metadata.namespace // "-") \(.metadata.name)"' || return 1
  done
}

none_in() {
  local left
  left=$(objects_in "$1" 2>/dev/null) || return 1
  [[ -z $left ]]
}

delete_category() {
  local category=$1 crd ns name list
  list=$(objects_in "$category") || ztc::error "could not list the $category resources (see above): check the cluster (KUBECONFIG in the private dir), then run ztc destroy $ZTC_PLATFORM again"
  [[ -n $list ]] || return 0
  while read -r crd ns name; do
    local -a where=()
    [[ $ns == - ]] || where=(--namespace "$ns")
    kubectl delete "$crd" "$name" "${where[@]}" --ignore-not-found --wait=false >/dev/null \
      || ztc::error "could not delete $crd $name (see above): check the cluster, then run ztc destroy $ZTC_PLATFORM again"
  done <<<"$list"
  ztc::info "deleting $(wc -l <<<"$list") $category resource(s): $(awk '{ print $1 "/" $3 }' <<<"$list" | tr '\n' ' ')"
  ztc::wait_until "the $category resources to be deleted (their external resources released)" none_in "$category" \
    || ztc::error "$category resources still there: $(objects_in "$category" 2>/dev/null | awk '{ print $1 "/" $3 }' | tr '\n' ' ')- their providers have not released the external resources. See \"kubectl describe <kind> <name>\" (conditions, events) and the provider's logs; fix what stops them (credentials, a resource the provider cannot delete), then run ztc destroy $ZTC_PLATFORM again"
}

# Cascading delete of Argo CD application NAME (finalizer added, automated sync off), not waited for.
delete_app() {
  local app body
  app=$(kubectl --namespace "$GITOPS_NS" get applications.argoproj.io "$1" -o json 2>/dev/null) || return 0
  body=$(jq -c --arg f "$FINALIZER" '{metadata: {finalizers: ((.metadata.finalizers // []) + [$f] | unique)}, spec: {syncPolicy: {automated: null}}}' <<<"$app")
  {
    kubectl --namespace "$GITOPS_NS" patch applications.argoproj.io "$1" --type merge -p "$body" >/dev/null \
      && kubectl --namespace "$GITOPS_NS" delete applications.argoproj.io "$1" --ignore-not-found --wait=false >/dev/null
  } || ztc::error "could not delete application $GITOPS_NS/$1 (see above): check the cluster and Argo CD, then run ztc destroy $ZTC_PLATFORM again"
}

# Application NAME is gone (kubectl failing for another reason than NotFound is not "gone").
app_gone() {
  local out
  out=$(kubectl --namespace "$GITOPS_NS" get applications.argoproj.io "$1" -o name 2>&1) && return 1
  [[ $out == *NotFound* || $out == *"not found"* ]]
}

# cluster_id: which cluster $KUBECONFIG is for, as the digest of its cluster CA certificate. The CA is
# public and unique to a cluster; the kubeconfig itself holds the admin's client key, so not even a plain
# hash of it may reach the state dir (it travels to the state backend). Empty without a CA.
cluster_id() {
  local ca
  ca=$(awk '$1 == "certificate-authority-data:" { print $2; exit }' "$KUBECONFIG")
  [[ -z $ca ]] || ztc::sha256 <(printf '%s' "$ca")
}

main() {
  ztc::init
  local marker cluster name app providers
  providers=$(ztc::ctx '.providers | join(", ")')
  GITOPS_NS=$(ztc::ctx .gitops_namespace)
  local -a apps
  ztc::ctx_array apps .applications
  marker=$(ztc::state_file crossplane/released)
  cluster=''
  [[ ! -r ${KUBECONFIG:-} ]] || cluster=$(cluster_id)
  if ! ztc::k8s::api_answers; then
    if [[ -n $cluster && -f $marker && $(<"$marker") == "$cluster" ]]; then
      ztc::warn "the cluster's API does not answer (KUBECONFIG $KUBECONFIG), but an earlier run of destroy released Crossplane's resources in this cluster: nothing left to do here"
      return 0
    fi
    ztc::error "the cluster's API does not answer (KUBECONFIG ${KUBECONFIG:-unset}), so Crossplane cannot release the external resources its managed resources hold (providers: $providers). If the cluster still runs, make it reachable and run ztc destroy $ZTC_PLATFORM again. If it is gone for good, delete those resources in the providers' accounts by hand, then remove crossplane from platforms/$ZTC_PLATFORM/platform.yaml, render, and run ztc destroy again"
  fi
  # Nothing may re-create what is deleted below: every application stops syncing automatically (not only
  # the platform's own: an application of the operator's from git with self-heal would bring a claim back).
  if kubectl get crd applications.argoproj.io >/dev/null 2>&1; then
    while read -r name; do
      [[ -n $name ]] || continue
      kubectl --namespace "$GITOPS_NS" patch applications.argoproj.io "$name" --type merge -p '{"spec":{"syncPolicy":{"automated":null}}}' >/dev/null \
        || ztc::error "could not turn off automated sync of application $GITOPS_NS/$name (see above): check the cluster, then run ztc destroy $ZTC_PLATFORM again"
    done < <(kubectl --namespace "$GITOPS_NS" get applications.argoproj.io -o json | jq -r '.items[].metadata.name')
  fi
  if kubectl get crd providers.pkg.crossplane.io >/dev/null 2>&1; then
    delete_category claim
    delete_category composite
    delete_category managed
  else
    ztc::info "Crossplane is not installed (no Provider CRD): no managed resources to release"
  fi
  # The providers' application first (Crossplane still runs to remove their revisions), then Crossplane's.
  for app in "${apps[@]}"; do
    delete_app "$app"
    ztc::wait_until "Argo CD to delete application $app and what it deployed" app_gone "$app" \
      || ztc::error "application $GITOPS_NS/$app is still there: see \"kubectl -n $GITOPS_NS get application $app -o yaml\" (status, conditions) and the application controller's logs, fix what holds it, then run ztc destroy $ZTC_PLATFORM again"
  done
  [[ -z $cluster ]] || printf '%s\n' "$cluster" | ztc::write_file "$marker" 644
  ztc::info "Crossplane's resources released; Crossplane and its providers removed"
}

main "$@"
