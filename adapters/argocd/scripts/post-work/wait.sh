#!/usr/bin/env bash
# Wait until Argo CD's components run and every application (the root app and what it created) is Synced
# and Healthy. The ERROR names the applications that are not, with what Argo CD says about them.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

NS=''
ROOT_APP=''

# "name sync health message" for every application not yet Synced and Healthy.
unsettled() {
  kubectl --namespace "$NS" get applications.argoproj.io -o json \
    | jq -r '.items[] | select(.status.sync.status != "Synced" or .status.health.status != "Healthy")
        | "\(.metadata.name) \(.status.sync.status // "Unknown")/\(.status.health.status // "Unknown") \((.status.conditions // [])[0].message // .status.operationState.message // "")"'
}

# Settled only when kubectl answered: a failing kubectl (API down, no permission) is not "nothing unsettled".
all_settled() {
  local out
  kubectl --namespace "$NS" get application "$ROOT_APP" >/dev/null 2>&1 || return 1
  out=$(unsettled 2>/dev/null) || return 1
  [[ -z $out ]]
}

main() {
  ztc::init
  local kind name
  NS=$(ztc::ctx .namespace)
  ROOT_APP=$(ztc::ctx .root_app) # read once: a failure inside a wait would only spin it
  ztc::ctx_require .components
  for kind in deployments statefulsets; do
    while read -r name; do
      ztc::k8s::wait_rollout "$NS" "${kind%s}/$name" "$kind/$name" \
        || ztc::error "Argo CD's $name did not become ready: see \"kubectl -n $NS describe ${kind%s} $name\" and its pods' logs, then run ztc bootstrap again"
    done < <(jq -r --arg kind "$kind" '.components[$kind][]' "$ZTC_CONTEXT_FILE")
  done
  ztc::info "Argo CD's components are ready"
  ztc::wait_until "every application to be Synced and Healthy" all_settled \
    || ztc::error "applications not Synced/Healthy: $(unsettled | tr '\n' ';'). See \"kubectl -n $NS get applications\" or the Argo CD UI, fix what they show, then run ztc bootstrap again"
  ztc::info "all applications Synced and Healthy: $(kubectl --namespace "$NS" get applications.argoproj.io -o json | jq -r '[.items[].metadata.name] | join(", ")')"
}

main "$@"
