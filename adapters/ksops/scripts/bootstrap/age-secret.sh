#!/usr/bin/env bash
# The platform's Age private key as a Secret in the cluster (namespace and name from the context), for
# KSOPS in Argo CD's repo-server. The manifest goes to kubectl through a pipe, never through a file
# in the workspace or the state dir; applying it again changes nothing.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local key ns name field
  key=$ZTC_PRIVATE_DIR/ksops/age.key
  [[ -s $key ]] || ztc::error "the Age key is missing from the private dir ($key): run the pre-work stage (ztc bootstrap $ZTC_PLATFORM --stage pre-work), or restore the private dir from its backup"
  ns=$(ztc::ctx .secret.namespace)
  name=$(ztc::ctx .secret.name)
  field=$(ztc::ctx .secret.key)
  ztc::k8s::ensure_namespace "$ns"
  kubectl create secret generic "$name" --namespace "$ns" --from-file="$field=$key" --dry-run=client -o yaml \
    | ztc::k8s::apply -f - >/dev/null \
    || ztc::error "could not create Secret $ns/$name (see above); check the cluster (KUBECONFIG in the private dir) and run ztc bootstrap again"
  ztc::info "Secret $ns/$name holds the Age private key"
}

main "$@"
