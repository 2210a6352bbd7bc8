#!/usr/bin/env bash
# The platform's AppProject and its root application (app of apps): from here on Argo CD syncs the
# platform from the control-plane repository.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local manifest
  local -a manifests
  ztc::ctx_array manifests .manifests
  for manifest in "${manifests[@]}"; do
    ztc::k8s::apply --force-conflicts -f "$ZTC_GENERATED_DIR/$manifest" \
      || ztc::error "could not apply $manifest (see above): check the cluster (KUBECONFIG in the private dir) and that Argo CD's CRDs exist (the argocd/install step), then run ztc bootstrap again"
  done
}

main "$@"
