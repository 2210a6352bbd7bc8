#!/usr/bin/env bash
# Upgrade Kubernetes to talos.kubernetes_version with `talosctl upgrade-k8s`, when the live cluster runs
# another version: the API server's version (kubectl version) and every Node's kubelet version are asked
# first. A new cluster (no configured control plane, or no etcd yet) has nothing to upgrade: apply
# installs the configured version. A jump of more than one minor version, or a downgrade, is refused
# with the supported path before anything is touched. Otherwise: an etcd snapshot into the private dir,
# the dry run, the upgrade, then a bounded wait until every Node runs the version and is Ready. Runs
# before apply, so that applying machine configs never changes the Kubernetes version behind its back.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

TARGET=''

# server_version: the API server's version without the leading v (kubectl version -o json; its
# "Server Version: v…" text line when the output is not JSON).
server_version() {
  local out version
  out=$(kubectl version -o json 2>/dev/null) || return 0
  version=$(jq -r '.serverVersion.gitVersion // empty' <<<"$out" 2>/dev/null) \
    || version=$(awk -F': *' '$1 == "Server Version" { print $2 }' <<<"$out")
  sed 's/^v//; s/[+-].*//' <<<"$version"
}

# kubelets: "name version" of every Node (kubelet version without the leading v).
kubelets() {
  kubectl get nodes -o json | jq -r '.items[] | "\(.metadata.name) \(.status.nodeInfo.kubeletVersion // "unknown" | ltrimstr("v"))"'
}

# at_target: the API server and every Node's kubelet run TARGET, and every Node is Ready.
at_target() {
  local nodes
  [[ $(server_version) == "$TARGET" ]] || return 1
  nodes=$(kubectl get nodes -o json 2>/dev/null) || return 1
  jq -e --arg v "v$TARGET" '(.items | length > 0) and all(.items[]; .status.nodeInfo.kubeletVersion == $v)' <<<"$nodes" >/dev/null || return 1
  [[ -z $(ztc::k8s::nodes_not_ready "$nodes") ]]
}

# refuse_path FROM: ERROR when TARGET is a downgrade from FROM, or skips a minor version.
refuse_path() {
  local from=$1 what=$2 from_minor to_minor
  from_minor=$(cut -d. -f2 <<<"$from")
  to_minor=$(cut -d. -f2 <<<"$TARGET")
  if [[ $(ztc::version_compare "$TARGET" "$from") == -1 ]]; then
    ztc::error "$what runs Kubernetes $from, and talos.kubernetes_version is $TARGET: Kubernetes cannot be downgraded, so nothing was touched. Set kubernetes_version in platforms/$ZTC_PLATFORM/platform.yaml to $from or later, render, then run ztc bootstrap $ZTC_PLATFORM again"
  fi
  if ((10#$to_minor > 10#$from_minor + 1)); then
    local path='' m
    for ((m = 10#$from_minor + 1; m < 10#$to_minor; m++)); do path+="1.$m.x, "; done
    ztc::error "$what runs Kubernetes $from, and talos.kubernetes_version is $TARGET: Kubernetes upgrades one minor version at a time, so nothing was touched. Set kubernetes_version in platforms/$ZTC_PLATFORM/platform.yaml to ${path%, } in turn (render and ztc bootstrap $ZTC_PLATFORM after each), then $TARGET"
  fi
}

main() {
  ztc::init
  talos::init
  ztc::require_env KUBECONFIG
  TARGET=$(ztc::ctx .kubernetes_version)
  local cp name ip
  cp=$(talos::first_configured_cp)
  if [[ -z $cp ]]; then
    ztc::info "no control plane runs this cluster's Talos yet (a new cluster): apply installs Kubernetes $TARGET"
    return
  fi
  read -r name ip <<<"$cp"
  if ! { [[ -s $KUBECONFIG ]] && talos::api_ready; }; then
    if ! talos::etcd_running "$ip"; then
      ztc::info "etcd does not run on $name ($ip) (a cluster not bootstrapped yet): apply installs Kubernetes $TARGET"
      return
    fi
    talos::ensure_kubeconfig "$name" "$ip"
  fi

  local server live node version
  server=$(server_version)
  [[ -n $server ]] || ztc::error "kubectl version did not report the API server's version: check the kubeconfig in the private dir (kubectl version), then run ztc bootstrap $ZTC_PLATFORM again"
  live=$(kubelets) || ztc::error "kubectl cannot list the nodes: check the kubeconfig in the private dir (kubectl get nodes), then run ztc bootstrap $ZTC_PLATFORM again"
  if [[ $server == "$TARGET" ]] && ! awk -v v="$TARGET" '$2 != v { found = 1 } END { exit !found }' <<<"$live"; then
    ztc::info "the API server and every kubelet run Kubernetes $TARGET: nothing to upgrade"
    return
  fi
  refuse_path "$server" "the API server"
  while read -r node version; do
    [[ $version == unknown ]] || refuse_path "$version" "Node $node's kubelet"
  done <<<"$live"
  ztc::info "the API server runs Kubernetes $server; kubelets: $(awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' <<<"$live"); upgrading to $TARGET through $name ($ip)"

  local healthy out
  healthy=$(talos::healthy_cp)
  [[ -n $healthy ]] || ztc::error "no control plane reports a healthy etcd, so no snapshot could be taken and Kubernetes was not upgraded. Check etcd (talosctl --talosconfig $TALOSCONFIG --nodes <control-plane ip> service etcd), then run ztc bootstrap $ZTC_PLATFORM again"
  talos::etcd_snapshot "${healthy% *}" "${healthy#* }"
  out=$(talosctl --nodes "$ip" upgrade-k8s --to "$TARGET" --dry-run 2>&1) \
    || ztc::error "the dry run of the Kubernetes upgrade to $TARGET failed: ${out##*$'\n'}. Nothing was changed. Fix what it names, then run ztc bootstrap $ZTC_PLATFORM again"
  ztc::info "dry run of the upgrade to $TARGET passed"
  talosctl --nodes "$ip" upgrade-k8s --to "$TARGET" \
    || ztc::error "talosctl upgrade-k8s to $TARGET failed (see above): the cluster may run a mix of versions. Run it again: ztc bootstrap $ZTC_PLATFORM (the upgrade resumes where it stopped); the etcd snapshot is in $TALOS_DIR/backups"
  ztc::wait_until "every Node to run Kubernetes $TARGET and be Ready" at_target \
    || ztc::error "not every Node runs Kubernetes $TARGET and is Ready yet: $(kubelets 2>/dev/null | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }'). See \"kubectl get nodes\" and \"talosctl --talosconfig $TALOSCONFIG --nodes <ip> logs kubelet\", then run ztc bootstrap $ZTC_PLATFORM again"
  ztc::info "the API server and every Node run Kubernetes $TARGET"
}

main "$@"
