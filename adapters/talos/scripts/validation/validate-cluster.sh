#!/usr/bin/env bash
# Validation: every configured node runs this cluster's Talos at talos.version, Kubernetes has exactly
# the configured nodes (no Node that talos.nodes does not name), each kubelet at kubernetes_version,
# `talosctl health` passes (etcd, control plane, every node ready), and every node is Ready.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

join_ips() {
  talos::nodes "$1" | awk '{ print $2 }' | paste -sd, -
}

# Every configured node asked first: one that does not answer as a node of this cluster was reinstalled,
# replaced or powered off since its steps ran, and receipts alone would never redo them.
check_members() {
  local name ip _role state strays=()
  while read -r name ip _role; do
    state=$(talos::probe "$ip")
    [[ $state == ours ]] || strays+=("$name ($ip): $state")
  done < <(talos::nodes all)
  ((${#strays[@]} == 0)) && return
  local list
  printf -v list '%s; ' "${strays[@]}"
  ztc::error "configured nodes do not run this cluster's Talos: ${list%; } (none: another OS, the rescue system, or down; maintenance: Talos without its config). If a server was reinstalled, replaced or powered off, start it and run \"ztc bootstrap $ZTC_PLATFORM --fresh\": every step asks the machines what they run and redoes only what is missing"
}

# check_talos_versions: every configured node reports talos.version (asked live).
check_talos_versions() {
  local want name ip _role version off=()
  want=$(ztc::ctx .talos_version)
  while read -r name ip _role; do
    version=$(talos::version "$ip")
    [[ $version == "$want" ]] || off+=("$name ($ip) runs ${version:-an unknown version}")
  done < <(talos::nodes all)
  ((${#off[@]} == 0)) && return
  local list
  printf -v list '%s; ' "${off[@]}"
  ztc::error "nodes do not run Talos $want (talos.version): ${list%; }. Run ztc bootstrap $ZTC_PLATFORM: its talos/upgrade-os step upgrades them one at a time (docs/operations.md)"
}

# check_node_set NODES_JSON: Kubernetes has no Node that talos.nodes does not name, and every kubelet
# runs kubernetes_version.
check_node_set() {
  local nodes=$1 expected extra want off
  expected=$(jq -c '[.nodes[].name]' "$ZTC_CONTEXT_FILE")
  extra=$(jq -r --argjson want "$expected" '[.items[].metadata.name] - $want | join(", ")' <<<"$nodes")
  [[ -z $extra ]] || ztc::error "Kubernetes has Nodes that talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml does not name: $extra. If they should go, run ztc bootstrap $ZTC_PLATFORM: its talos/remove-nodes step drains, resets and deletes them (docs/operations.md); if they should stay, add them to talos.nodes and render"
  want=$(ztc::ctx .kubernetes_version)
  off=$(jq -r --arg v "v$want" '[.items[] | select(.status.nodeInfo.kubeletVersion != $v) | "\(.metadata.name) runs \(.status.nodeInfo.kubeletVersion // "an unknown version")"] | join("; ")' <<<"$nodes")
  [[ -z $off ]] || ztc::error "kubelets do not run Kubernetes $want (talos.kubernetes_version): $off. Run ztc bootstrap $ZTC_PLATFORM: its talos/upgrade-k8s step upgrades the cluster (docs/operations.md)"
}

main() {
  ztc::init
  talos::init
  local first cps workers expected nodes missing not_ready
  first=$(talos::nodes controlplane | awk 'NR == 1 { print $2 }')
  cps=$(join_ips controlplane)
  workers=$(join_ips worker)
  check_members
  check_talos_versions
  nodes=$(kubectl get nodes -o json) || ztc::error "kubectl cannot list the nodes; run the talos/kubeconfig step again (ztc bootstrap $ZTC_PLATFORM --fresh --stage bootstrap)"
  check_node_set "$nodes"
  talosctl --nodes "$first" health --control-plane-nodes "$cps" ${workers:+--worker-nodes "$workers"} --wait-timeout 2m \
    || ztc::error "talosctl health failed (see above). Fix what it names; \"talosctl --nodes <ip> dmesg\" and \"kubectl get nodes\" (credentials in the private dir) help; then run ztc bootstrap again"
  expected=$(jq -c '[.nodes[].name] | sort' "$ZTC_CONTEXT_FILE")
  missing=$(jq -r --argjson want "$expected" '[.items[].metadata.name] as $have | $want - $have | join(", ")' <<<"$nodes")
  [[ -z $missing ]] || ztc::error "configured nodes missing from Kubernetes: $missing. See \"talosctl --nodes <ip> logs kubelet\" on them (talosconfig in the private dir), or run the bootstrap stage again (ztc bootstrap $ZTC_PLATFORM --stage bootstrap)"
  not_ready=$(ztc::k8s::nodes_not_ready "$nodes" | paste -sd, - | sed 's/,/, /g')
  [[ -z $not_ready ]] || ztc::error "nodes not Ready: $not_ready. Is the CNI installed (post-work)? See \"kubectl describe node <name>\" (credentials in the private dir), then run ztc bootstrap again"
  ztc::info "all $(jq length <<<"$expected") nodes Ready: $(jq -r 'join(", ")' <<<"$expected")"
}

main "$@"
