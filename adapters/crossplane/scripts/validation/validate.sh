#!/usr/bin/env bash
# Validation: Crossplane runs the configured version (deployment/crossplane's image tag), and every
# configured provider is Healthy and the cluster serves its CRDs.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local providers crds name group healthy count ns want image running
  ztc::ctx_require .providers
  ns=$(ztc::ctx .namespace)
  want=v$(ztc::ctx .version)
  want=${want#vv}
  image=$(kubectl --namespace "$ns" get deployment crossplane -o json | jq -r '[.spec.template.spec.containers[]? | select(.name == "crossplane") | .image][0] // empty') \
    || ztc::error "there is no Crossplane deployment in $ns (see above): check the crossplane application in Argo CD (kubectl -n argocd get application crossplane), then run ztc bootstrap again"
  running=${image%@*}
  running=${running##*:}
  [[ $running == "$want" ]] \
    || ztc::error "Crossplane runs ${running:-an unknown version} (image ${image:-none}), platform.yaml asks for $want: check that the platform's repository has the rendered crossplane/app.yaml (chart version ${want#v}) and the crossplane application is Synced (kubectl -n argocd get application crossplane), then run ztc bootstrap again"
  ztc::info "Crossplane runs $running"
  providers=$(kubectl get providers.pkg.crossplane.io -o json) || ztc::error "the cluster does not serve providers.pkg.crossplane.io: run the post-work stage (crossplane/wait) and check the crossplane application in Argo CD, then run ztc bootstrap again"
  crds=$(kubectl get crd -o json)
  while read -r name group; do
    healthy=$(jq -r --arg n "$name" '.items[] | select(.metadata.name == $n) | .status.conditions[]? | select(.type == "Healthy") | .status' <<<"$providers")
    [[ $healthy == True ]] || ztc::error "provider $name is not Healthy: see \"kubectl describe provider.pkg.crossplane.io $name\", fix what it shows, then run ztc bootstrap again"
    count=$(jq --arg g "$group" '[.items[] | select(.spec.group == $g or (.spec.group | endswith("." + $g)))] | length' <<<"$crds")
    ((count > 0)) || ztc::error "provider $name is Healthy but no CRD of group $group exists: see \"kubectl get providerrevisions\" and fix crd_group of provider $name in platforms/$ZTC_PLATFORM/platform.yaml if it is wrong, then run ztc bootstrap again"
    ztc::info "$name: Healthy, $count CRDs of $group"
  done < <(jq -r '.providers[] | "\(.name) \(.crd_group)"' "$ZTC_CONTEXT_FILE")
}

main "$@"
