#!/usr/bin/env bash
# Validation: the Cilium agents run the configured version (the DaemonSet's image tag, and each node's agent
# pod's), and one agent per node is ready and reports a healthy status (cilium-dbg status).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns nodes pods pod node report want ds image running
  ns=$(ztc::ctx .namespace)
  want=v$(ztc::ctx .version)
  want=${want#vv}
  ds=$(kubectl --namespace "$ns" get daemonset cilium -o json) \
    || ztc::error "there is no Cilium DaemonSet in $ns (see above): run the post-work stage (cilium/install), then validate again"
  image=$(jq -r '[.spec.template.spec.containers[]? | select(.name == "cilium-agent") | .image][0] // empty' <<<"$ds")
  running=${image%@*}
  running=${running##*:}
  [[ $running == "$want" ]] \
    || ztc::error "the Cilium agents run ${running:-an unknown version} (image ${image:-none}), platform.yaml asks for $want: run the post-work stage again (ztc bootstrap $ZTC_PLATFORM --stage post-work) so that cilium/install upgrades them, then validate again"
  ztc::info "Cilium agents run $running"
  nodes=$(kubectl get nodes -o json | jq -r '[.items[].metadata.name] | sort | join(" ")')
  pods=$(kubectl --namespace "$ns" get pods -l k8s-app=cilium -o json)
  local -a unhealthy=()
  for node in $nodes; do
    pod=$(jq -r --arg n "$node" '[.items[] | select(.spec.nodeName == $n and .status.phase == "Running")][0].metadata.name // empty' <<<"$pods")
    if [[ -z $pod ]]; then
      unhealthy+=("$node: no running Cilium agent")
      continue
    fi
    # What runs on the node, not only what the DaemonSet asks for (a rollout that stopped half-way).
    image=$(jq -r --arg p "$pod" '[.items[] | select(.metadata.name == $p) | .spec.containers[]? | select(.name == "cilium-agent") | .image][0] // ""' <<<"$pods")
    running=${image%@*}
    running=${running##*:}
    if [[ $running != "$want" ]]; then
      unhealthy+=("$node: $pod runs ${running:-an unknown version}, not $want (its rollout is not done)")
      continue
    fi
    if report=$(kubectl --namespace "$ns" exec "$pod" -c cilium-agent -- cilium-dbg status --brief 2>&1) && [[ $report == OK* ]]; then
      ztc::info "$node: Cilium agent $pod healthy"
    else
      unhealthy+=("$node: $pod reports ${report:-nothing}")
    fi
  done
  ((${#unhealthy[@]} == 0)) || ztc::error "Cilium is not healthy on every node: $(printf '%s; ' "${unhealthy[@]}")see \"kubectl -n $ns exec <pod> -c cilium-agent -- cilium-dbg status\", fix what it shows, then run ztc bootstrap again"
  ztc::info "Cilium healthy on all $(wc -w <<<"$nodes") nodes"
}

main "$@"
