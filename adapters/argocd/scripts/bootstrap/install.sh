#!/usr/bin/env bash
# Install or upgrade Argo CD: the rendered kustomization (upstream install.yaml of the pinned version with
# the KSOPS wiring), applied server-side with conflicts forced into its namespace (how Argo CD's upgrade
# guide applies a new version's manifests over the old), then wait until its CRDs are established and,
# when the version running (argocd-server's image tag) was another, until every component has rolled out
# at the new version. Applying again changes nothing that is already in place.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

# The tag of the image deployment/argocd-server runs in NS (empty when there is none).
server_version() {
  kubectl --namespace "$1" get deployment argocd-server -o json 2>/dev/null \
    | jq -r '[.spec.template.spec.containers[]? | select(.name == "argocd-server") | .image][0] // "" | sub("@.*$"; "") | if test(":[^/:]+$") then sub("^.*:"; "") else "" end'
}

main() {
  ztc::init
  local ns dir crd version before kind name
  ns=$(ztc::ctx .namespace)
  version=$(ztc::ctx .version)
  ztc::ctx_require .components
  dir=$ZTC_GENERATED_DIR/$(ztc::ctx .kustomization)
  ztc::k8s::ensure_namespace "$ns"
  before=$(server_version "$ns" || true)
  [[ -z $before || $before == "$version" ]] || ztc::info "upgrading Argo CD $before -> $version"
  ztc::info "applying $(ztc::ctx .kustomization) into namespace $ns (server-side)"
  ztc::retry 3 ztc::k8s::apply --force-conflicts -k "$dir" >/dev/null \
    || ztc::error "kubectl could not apply $dir (see above): check that this machine reaches raw.githubusercontent.com (the install manifest) and the cluster, then run ztc bootstrap again"
  for crd in applications.argoproj.io appprojects.argoproj.io applicationsets.argoproj.io; do
    ztc::wait_until "CRD $crd" ztc::k8s::crd_established "$crd" \
      || ztc::error "CRD $crd was not established: see \"kubectl describe crd $crd\", then run ztc bootstrap again"
  done
  if [[ -n $before && $before != "$version" ]]; then
    for kind in deployments statefulsets; do
      while read -r name; do
        ztc::k8s::wait_rollout "$ns" "${kind%s}/$name" "$kind/$name at $version" \
          || ztc::error "Argo CD's $name did not roll out at $version: see \"kubectl -n $ns rollout status ${kind%s}/$name\" and its pods' events (image pull, crash), then run ztc bootstrap again"
      done < <(jq -r --arg kind "$kind" '.components[$kind][]' "$ZTC_CONTEXT_FILE")
    done
    [[ $(server_version "$ns") == "$version" ]] \
      || ztc::error "argocd-server runs $(server_version "$ns" || true) after applying $version: something else manages the Deployment (see \"kubectl -n $ns get deployment argocd-server -o yaml\", managedFields); remove it, then run ztc bootstrap again"
    ztc::info "Argo CD upgraded to $version in $ns"
    return 0
  fi
  ztc::info "Argo CD $version installed in $ns"
}

main "$@"
