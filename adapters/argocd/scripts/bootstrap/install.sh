#!/usr/bin/env bash
# Install Argo CD: the rendered kustomization (upstream install.yaml of the pinned version with the KSOPS
# wiring), applied server-side into its namespace, then wait until its CRDs are established. Applying
# again changes nothing that is already in place.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

established() {
  kubectl get crd "$1" -o json 2>/dev/null | jq -e 'any(.status.conditions[]?; .type == "Established" and .status == "True")' >/dev/null
}

main() {
  local ns dir crd
  ns=$(ztc::ctx .namespace)
  dir=$ZTC_GENERATED_DIR/$(ztc::ctx .kustomization)
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply --server-side --field-manager=ztc -f - >/dev/null
  ztc::info "applying $(ztc::ctx .kustomization) into namespace $ns (server-side)"
  ztc::retry 3 kubectl apply --server-side --force-conflicts --field-manager=ztc -k "$dir" >/dev/null \
    || ztc::error "kubectl could not apply $dir (see above): check that this machine reaches raw.githubusercontent.com (the install manifest) and the cluster, then run ztc bootstrap again"
  for crd in applications.argoproj.io appprojects.argoproj.io applicationsets.argoproj.io; do
    ztc::wait_until "CRD $crd" established "$crd" || ztc::error "CRD $crd was not established: see \"kubectl describe crd $crd\""
  done
  ztc::info "Argo CD installed in $ns"
}

main "$@"
