#!/usr/bin/env bash
# Teardown: delete the platform's Age private key from the cluster (the Secret KSOPS reads). An absent
# Secret (or namespace) is fine. A cluster whose API does not answer is passed over with a WARNING: the
# Secret lives only in the cluster and goes with it. The key itself stays in the private dir and in its S3
# backup (the purge step deletes the backup, under --purge-private only).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns name
  ns=$(ztc::ctx .secret.namespace)
  name=$(ztc::ctx .secret.name)
  if ! ztc::k8s::api_answers; then
    ztc::warn "the cluster's API does not answer (KUBECONFIG ${KUBECONFIG:-unset}): the Secret $ns/$name lives only in the cluster and goes with it. If the cluster still runs, make it reachable and run ztc destroy $ZTC_PLATFORM again"
    return 0
  fi
  kubectl delete secret "$name" --namespace "$ns" --ignore-not-found >/dev/null \
    || ztc::error "could not delete Secret $ns/$name (see above): check the cluster (KUBECONFIG in the private dir), then run ztc destroy $ZTC_PLATFORM again"
  ztc::info "Secret $ns/$name (the Age private key) is not in the cluster any more"
}

main "$@"
