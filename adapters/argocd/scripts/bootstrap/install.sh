#!/usr/bin/env bash
# Install Argo CD: the rendered kustomization (upstream install.yaml of the pinned version with the KSOPS
# wiring), applied server-side into its namespace, then wait until its CRDs are established. Applying
# again changes nothing that is already in place.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns dir crd
  ns=$(ztc::ctx .namespace)
  dir=$ZTC_GENERATED_DIR/$(ztc::ctx .kustomization)
  ztc::k8s::ensure_namespace "$ns"
  ztc::info "applying $(ztc::ctx .kustomization) into namespace $ns (server-side)"
  ztc::retry 3 ztc::k8s::apply --force-conflicts -k "$dir" >/dev/null \
    || ztc::error "kubectl could not apply $dir (see above): check that this machine reaches raw.githubusercontent.com (the install manifest) and the cluster, then run ztc bootstrap again"
  for crd in applications.argoproj.io appprojects.argoproj.io applicationsets.argoproj.io; do
    ztc::wait_until "CRD $crd" ztc::k8s::crd_established "$crd" \
      || ztc::error "CRD $crd was not established: see \"kubectl describe crd $crd\", then run ztc bootstrap again"
  done
  ztc::info "Argo CD installed in $ns"
}

main "$@"
