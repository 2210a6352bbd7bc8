#!/usr/bin/env bash
# Wait for Crossplane (installed by Argo CD from the platform's repository) to run and for every
# configured provider to be Installed and Healthy. The ERROR names the providers that are not, with what
# Crossplane says about them.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

NS=''
WANT='[]'

# "name: reason" for every configured provider that is not Installed and Healthy.
unhealthy() {
  local have
  have=$(kubectl get providers.pkg.crossplane.io -o json 2>/dev/null || echo '{"items": []}')
  jq -r --argjson want "$WANT" '
    (.items | map({key: .metadata.name, value: .}) | from_entries) as $by
    | $want[] | . as $n | $by[$n] as $p
    | if $p == null then "\($n): not created yet (is the crossplane-providers application synced?)"
      else ([$p.status.conditions[]? | select((.type == "Installed" or .type == "Healthy") and .status != "True") | "\(.type)=\(.status) \(.message // .reason // "")"] | join("; ")) as $bad
      | if ([$p.status.conditions[]? | select((.type == "Installed" or .type == "Healthy") and .status == "True")] | length) == 2 then empty
        else "\($n): \(if $bad == "" then "no status yet" else $bad end)" end
      end' <<<"$have"
}

providers_healthy() {
  [[ -z $(unhealthy) ]]
}

main() {
  ztc::init
  NS=$(ztc::ctx .namespace)
  WANT=$(ztc::ctx_json '[.providers[].name]') # read once: a failure inside a wait would only spin it
  ztc::k8s::wait_rollout "$NS" deployment/crossplane "the Crossplane operator (deployment/crossplane in $NS)" \
    || ztc::error "Crossplane did not come up in $NS: see the crossplane application in Argo CD (kubectl -n argocd get application crossplane -o yaml) and \"kubectl -n $NS get pods\", then run ztc bootstrap again"
  ztc::wait_until "every provider Installed and Healthy" providers_healthy \
    || ztc::error "providers not Healthy: $(unhealthy | tr '\n' ';') See \"kubectl get providers.pkg.crossplane.io\" and \"kubectl describe providerrevisions\", fix what they show, then run ztc bootstrap again"
  ztc::info "Crossplane runs; providers Healthy: $(jq -r 'join(", ")' <<<"$WANT")"
}

main "$@"
