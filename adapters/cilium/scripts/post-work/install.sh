#!/usr/bin/env bash
# Install (or upgrade) the Cilium Helm chart with the rendered values at the pinned version, then wait
# for the agent DaemonSet, the operator and every node to turn Ready (Talos nodes run without a CNI until
# now). A release already deployed with this chart version and these values is left as it is. The live
# release decides how: a minor-version change (1.18 -> 1.19) sets upgradeCompatibility to the minor
# being left, as Cilium's upgrade guide asks, a rollback of one minor passes the rendered values as they
# are, and a jump over a minor either way is refused (the only tested path is one minor at a time). BGP objects are applied only when rendered, after checking the cluster serves
# their API version.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

NAMESPACE=''

# The BGP manifest's apiVersion must be one the CRD serves (the chart may lag behind its own CRDs).
apply_bgp() {
  local file=$ZTC_GENERATED_DIR/$1 api kind crd served
  api=$(awk '$1 == "apiVersion:" { print $2; exit }' "$file")
  kind=$(awk '$1 == "kind:" { print $2; exit }' "$file")
  crd=$(kubectl get crd -o json | jq -r --arg kind "$kind" '.items[] | select(.spec.names.kind == $kind) | .metadata.name')
  [[ -n $crd ]] || ztc::error "the cluster has no CRD for $kind: enable bgpControlPlane in the cilium section of platforms/$ZTC_PLATFORM/platform.yaml (the rendered values), render, then run ztc bootstrap again"
  served=$(kubectl get crd "$crd" -o json | jq -r '[.spec.versions[] | select(.served) | .name] | join(" ")')
  [[ " $served " == *" ${api#*/} "* ]] || ztc::error "$crd serves ${served:-no version}, not ${api#*/}: set a Cilium version whose CRDs match in platforms/$ZTC_PLATFORM/platform.yaml, render, then run ztc bootstrap again"
  ztc::k8s::apply -f "$file"
}

# The version the Cilium agents run (the DaemonSet's cilium-agent image tag, without the v), or nothing.
agents_version() {
  local tag
  tag=$(kubectl --namespace "$NAMESPACE" get daemonset cilium -o json 2>/dev/null \
    | jq -r '[.spec.template.spec.containers[]? | select(.name == "cilium-agent") | .image][0] // "" | sub("@.*$"; "") | if test(":[^/:]+$") then sub("^.*:"; "") else "" end') || true
  printf '%s\n' "${tag#v}"
}

# major.minor of a version (v1.18.5 -> 1.18).
minor_of() {
  local v=${1#v}
  printf '%s\n' "${v%.*}"
}

# UPGRADE_ARGS: the helm arguments an upgrade from the deployed chart version FROM to TO needs, KEPT being
# the upgradeCompatibility the deployed release has (if any): `--set upgradeCompatibility=<KEPT, else FROM's
# minor>` for the next minor; KEPT again on every other upgrade (a patch, a values change, a rollback: helm
# resets values it is not given, and the chart would then switch the settings it keeps); nothing for a new
# install. A skipped minor (up or down) or a change of major ends the step. Called in the script's own
# shell (it may exit).
UPGRADE_ARGS=()
upgrade_args() {
  local from=$1 to=$2 kept=${3:-} fmin tmin
  [[ -z $kept ]] || UPGRADE_ARGS=(--set "upgradeCompatibility=$kept")
  [[ -n $from ]] || return 0
  fmin=$(minor_of "$from")
  tmin=$(minor_of "$to")
  [[ $fmin != "$tmin" ]] || return 0
  local fmaj=${fmin%.*} fm=${fmin#*.} tmaj=${tmin%.*} tm=${tmin#*.}
  if [[ $fmaj != "$tmaj" ]]; then
    ztc::error "Cilium $from runs and platform.yaml asks for $to: this adapter does not change Cilium's major version. Set cilium.version in platforms/$ZTC_PLATFORM/platform.yaml back to a $fmin.x version, render, then run ztc bootstrap again"
  fi
  if ((tm == fm - 1)); then
    # A rollback of one minor is a tested path too; the rendered values are the older minor's own.
    ztc::info "rolling Cilium back $from -> $to (one minor back, as Cilium's upgrade guide allows)"
    return 0
  fi
  if ((tm < fm)); then
    ztc::error "Cilium $from runs and platform.yaml asks for $to: Cilium rolls back one minor version at a time only. Set cilium.version in platforms/$ZTC_PLATFORM/platform.yaml to the newest $fmaj.$((fm - 1)).x first (render, bootstrap), then to $to"
  fi
  if ((tm != fm + 1)); then
    ztc::error "Cilium $from runs and platform.yaml asks for $to: Cilium upgrades one minor version at a time only. Set cilium.version in platforms/$ZTC_PLATFORM/platform.yaml to the newest $fmaj.$((fm + 1)).x first (render, bootstrap), then to $to"
  fi
  ztc::info "upgrading Cilium $from -> $to: upgradeCompatibility=${kept:-$fmin} (${kept:+kept from an earlier upgrade: }the minor first left, as Cilium's upgrade guide asks)"
  UPGRADE_ARGS=(--set "upgradeCompatibility=${kept:-$fmin}")
}

main() {
  ztc::init
  local release version values digest status repository deployed=''
  NAMESPACE=$(ztc::ctx .namespace)
  release=$(ztc::ctx .chart) # the release is named after its chart
  repository=$(ztc::ctx .repository)
  version=$(ztc::ctx .version)
  values=$ZTC_GENERATED_DIR/$(ztc::ctx .values)
  digest="ztc values sha256 $(ztc::sha256 "$values")"
  status=$(helm status "$release" --namespace "$NAMESPACE" -o json 2>/dev/null || true)
  if [[ -n $status ]] && jq -e --arg v "$version" --arg d "$digest" \
    '.info.status == "deployed" and .chart.metadata.version == $v and .info.description == $d' <<<"$status" >/dev/null; then
    ztc::info "Cilium $version is deployed with these values already"
  else
    # An interrupted helm (a lost connection, a killed process) can leave the release pending-*: helm then
    # refuses every upgrade ("another operation is in progress") until the release is rolled back.
    local pending=''
    [[ -z $status ]] || pending=$(jq -r '.info.status // "" | select(startswith("pending-"))' <<<"$status")
    if [[ -n $pending ]]; then
      local how="helm rollback $release --namespace $NAMESPACE\" (back to the last deployed revision)"
      [[ $pending != pending-install ]] || how="helm uninstall $release --namespace $NAMESPACE\" (the first install never finished)"
      ztc::error "the Cilium release $NAMESPACE/$release is $pending: a helm operation on it was interrupted, and helm refuses another until it is cleared. If no one else is running helm on it now, run \"$how, then run ztc bootstrap again"
    fi
    # The version being left: the deployed release's chart; after a failed upgrade (status failed) the one
    # the agents still run.
    [[ -z $status ]] || deployed=$(jq -r 'select(.info.status == "deployed") | .chart.metadata.version // empty' <<<"$status")
    [[ -z $status || -n $deployed ]] || deployed=$(agents_version)
    upgrade_args "$deployed" "$version" "$(jq -r '.config.upgradeCompatibility // empty' <<<"${status:-null}")"
    ztc::info "installing Cilium $version into $NAMESPACE${deployed:+ (deployed: $deployed)}"
    helm upgrade --install "$release" "$release" --repo "$repository" --version "$version" \
      --namespace "$NAMESPACE" --values "$values" "${UPGRADE_ARGS[@]}" --description "$digest" >/dev/null \
      || ztc::error "helm could not install Cilium $version (see above). Check that this machine reaches $repository and the cluster (KUBECONFIG in the private dir), then run ztc bootstrap again"
  fi
  ztc::k8s::wait_rollout "$NAMESPACE" daemonset/cilium "the Cilium agents (daemonset/cilium)" \
    || ztc::error "the Cilium agents did not become ready: see \"kubectl -n $NAMESPACE get pods -l k8s-app=cilium\" and their logs, then run ztc bootstrap again"
  ztc::k8s::wait_rollout "$NAMESPACE" deployment/cilium-operator "the Cilium operator (deployment/cilium-operator)" \
    || ztc::error "the Cilium operator did not become ready: see \"kubectl -n $NAMESPACE describe deployment cilium-operator\", then run ztc bootstrap again"
  ztc::wait_until "every node to turn Ready" ztc::k8s::nodes_ready \
    || ztc::error "nodes did not turn Ready with Cilium running: see \"kubectl describe nodes\", then run ztc bootstrap again"
  local manifest
  local -a manifests
  ztc::ctx_array manifests .bgp_manifests
  for manifest in "${manifests[@]}"; do apply_bgp "$manifest"; done
  ztc::info "Cilium $version is up; every node is Ready"
}

main "$@"
