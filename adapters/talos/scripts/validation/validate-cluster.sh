#!/usr/bin/env bash
# Validation: `talosctl health` passes (etcd, control plane, every node ready), and Kubernetes has
# exactly the configured nodes, every one Ready.
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

main() {
  ztc::init
  talos::init
  local first cps workers expected nodes missing not_ready
  first=$(talos::nodes controlplane | awk 'NR == 1 { print $2 }')
  cps=$(join_ips controlplane)
  workers=$(join_ips worker)
  check_members
  talosctl --nodes "$first" health --control-plane-nodes "$cps" ${workers:+--worker-nodes "$workers"} --wait-timeout 2m \
    || ztc::error "talosctl health failed (see above). Fix what it names; \"talosctl --nodes <ip> dmesg\" and \"kubectl get nodes\" (credentials in the private dir) help; then run ztc bootstrap again"
  expected=$(jq -c '[.nodes[].name] | sort' "$ZTC_CONTEXT_FILE")
  nodes=$(kubectl get nodes -o json) || ztc::error "kubectl cannot list the nodes; run the talos/kubeconfig step again (ztc bootstrap $ZTC_PLATFORM --fresh --stage bootstrap)"
  missing=$(jq -r --argjson want "$expected" '[.items[].metadata.name] as $have | $want - $have | join(", ")' <<<"$nodes")
  [[ -z $missing ]] || ztc::error "configured nodes missing from Kubernetes: $missing. See \"talosctl --nodes <ip> logs kubelet\" on them (talosconfig in the private dir), or run the bootstrap stage again (ztc bootstrap $ZTC_PLATFORM --stage bootstrap)"
  not_ready=$(ztc::k8s::nodes_not_ready "$nodes" | paste -sd, - | sed 's/,/, /g')
  [[ -z $not_ready ]] || ztc::error "nodes not Ready: $not_ready. Is the CNI installed (post-work)? See \"kubectl describe node <name>\" (credentials in the private dir), then run ztc bootstrap again"
  ztc::info "all $(jq length <<<"$expected") nodes Ready: $(jq -r 'join(", ")' <<<"$expected")"
}

main "$@"
