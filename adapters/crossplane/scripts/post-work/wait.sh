#!/usr/bin/env bash
# Wait for Crossplane (installed by Argo CD from the platform's repository: the crossplane application's
# chart version, so a version change in platform.yaml reaches the cluster as a chart upgrade) to run the
# configured version, rolled out, and for every configured provider to be Installed and Healthy. The ERROR names the providers that are not, with what
# Crossplane says about them.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

NS=''
WANT='[]'
VERSION=''

# The tag of the image deployment/crossplane runs (empty when there is none yet).
running_version() {
  kubectl --namespace "$NS" get deployment crossplane -o json 2>/dev/null \
    | jq -r '[.spec.template.spec.containers[]? | select(.name == "crossplane") | .image][0] // "" | sub("@.*$"; "") | if test(":[^/:]+$") then sub("^.*:"; "") else "" end'
}

# Crossplane runs the configured version and its rollout is complete.
upgraded() {
  [[ $(running_version) == "v${VERSION#v}" ]] && ztc::k8s::rolled_out "$NS" deployment/crossplane
}

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
  VERSION=$(ztc::ctx .version)
  ztc::wait_until "Crossplane v${VERSION#v} rolled out (deployment/crossplane in $NS)" upgraded \
    || ztc::error "Crossplane v${VERSION#v} did not come up in $NS (running: $(running_version || true)): see the crossplane application in Argo CD (kubectl -n argocd get application crossplane -o yaml: its chart version and sync status; the new chart reaches it once the platform's repository has the rendered files) and \"kubectl -n $NS get pods\", then run ztc bootstrap again"
  ztc::wait_until "every provider Installed and Healthy" providers_healthy \
    || ztc::error "providers not Healthy: $(unhealthy | tr '\n' ';') See \"kubectl get providers.pkg.crossplane.io\" and \"kubectl describe providerrevisions\", fix what they show, then run ztc bootstrap again"
  ztc::info "Crossplane runs; providers Healthy: $(jq -r 'join(", ")' <<<"$WANT")"
}

main "$@"
