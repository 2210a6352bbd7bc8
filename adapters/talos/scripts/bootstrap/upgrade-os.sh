#!/usr/bin/env bash
# Upgrade Talos on the nodes of this cluster that run another version than talos.version, one node at a
# time, control planes first. Each configured node is asked its version (talosctl version, live); a node
# that runs the configured one already is skipped, so a resumed run continues after the last node that
# came back. Before the first control plane is touched an etcd snapshot is taken into the private dir.
# After each upgrade the step waits until the node is back as before: its Talos API answers with the new
# version, etcd (on a control plane that ran it) is healthy with every member started, its Node (if it was
# registered) is Ready, within node_timeout_seconds per node. A node that does not come back stops the step with an ERROR naming it; the nodes
# after it are not touched. The version recorded in the machine facts is the one read back from the node.
# Nodes in maintenance mode are left to apply (install-image wrote the configured version). Nothing is
# upgraded while a node of talos.nodes does not answer the Talos API (install-image ran before: it is down
# or stuck), nor while etcd has exactly two members (Talos refuses to upgrade a control plane then): both
# stop the step with an ERROR before any node is touched.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

TARGET=''

# at_target IP: the node's Talos API answers, with the configured version.
at_target() {
  [[ $(talos::version "$1") == "$TARGET" ]]
}

# registered NAME: Kubernetes has the Node (asked live; false when the API does not answer).
registered() {
  kubectl get node "$1" >/dev/null 2>&1
}

# two_members CP_IP TODO_LIST: ERROR before anything is touched when etcd (as CP_IP lists it) has exactly two
# members: Talos refuses to upgrade a control plane then (etcd member count(2) is insufficient to
# maintain quorum), as either one's reboot leaves etcd without a quorum.
two_members() {
  local members
  members=$(talos::etcd_members "$1") || return 0
  (($(grep -c . <<<"$members") == 2)) || return 0
  ztc::error "etcd has two members ($(awk '{ printf "%s%s (%s)", sep, $2, $3; sep = ", " }' <<<"$members")): Talos refuses to upgrade a control plane of a two-member etcd, because either one's reboot leaves etcd without a quorum, so no node was upgraded. Not touched: $2. Add a third control plane to talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml (render, ztc bootstrap $ZTC_PLATFORM: it joins etcd), then run ztc bootstrap $ZTC_PLATFORM again: the upgrade keeps a quorum with three"
}

# upgrade NAME IP ROLE REST: upgrade one node and wait until it is back as it was before. REST names the
# nodes after it, which the ERROR says were not touched.
upgrade() {
  local name=$1 ip=$2 role=$3 rest=$4 image had_etcd=false had_node=false out
  image=$(ztc::ctx .install_image)
  if [[ $role == controlplane ]] && talos::etcd_running "$ip"; then had_etcd=true; fi
  if [[ -s ${KUBECONFIG:-} ]] && registered "$name"; then had_node=true; fi
  if [[ $had_etcd == true ]] && ! talos::etcd_all_started "$ip"; then
    ztc::error "etcd is not healthy with every member started, as $name ($ip) reports it: upgrading (rebooting) a control plane now could lose etcd's quorum, so it was not upgraded${rest:+, nor $rest}. See talosctl --talosconfig $TALOSCONFIG --nodes $ip etcd members (and service etcd on each control plane), bring every member back, then run ztc bootstrap $ZTC_PLATFORM again"
  fi
  ztc::info "$name ($ip): upgrading Talos $(talos::version "$ip") to $TARGET ($image)"
  out=$(talosctl --nodes "$ip" upgrade --image "$image" --wait=false 2>&1) \
    || ztc::error "$name ($ip) refused the upgrade to $TARGET: ${out##*$'\n'}. Nothing else was touched. Check the installer image $image (talos.version and talos.factory_image_id in platforms/$ZTC_PLATFORM/platform.yaml) and the node (talosctl --talosconfig $TALOSCONFIG --nodes $ip dmesg), then run ztc bootstrap $ZTC_PLATFORM again"
  # Each node gets at most node_timeout_seconds to come back (within the step's deadline).
  local node_deadline margin=${ZTC_WAIT_MARGIN:-15}
  node_deadline=$(($(date +%s) + $(ztc::ctx_or .node_timeout_seconds 900) + margin))
  if [[ -n ${ZTC_STEP_DEADLINE:-} ]] && ((ZTC_STEP_DEADLINE < node_deadline)); then node_deadline=$ZTC_STEP_DEADLINE; fi
  local stuck="ztc bootstrap $ZTC_PLATFORM resumes: it asks every node its version again and continues after $name.${rest:+ Not touched: $rest.}"
  ZTC_STEP_DEADLINE=$node_deadline ztc::wait_until "$name ($ip) to come back with Talos $TARGET" at_target "$ip" \
    || ztc::error "$name ($ip) did not come back from its upgrade to Talos $TARGET (it answers: $(talos::version "$ip" || true)${rest:+; the nodes after it were not touched}). Look at its console (Hetzner Cloud Console or the provider's KVM) and at \"talosctl --talosconfig $TALOSCONFIG --nodes $ip dmesg\"; once it runs again, $stuck"
  if [[ $had_etcd == true ]]; then
    ZTC_STEP_DEADLINE=$node_deadline ztc::wait_until "etcd on $name ($ip) to be healthy with every member started" talos::etcd_all_started "$ip" \
      || ztc::error "$name ($ip) runs Talos $TARGET, but etcd there is not healthy with every member started (talosctl --talosconfig $TALOSCONFIG --nodes $ip etcd members; ... service etcd). Fix etcd before any other control plane is upgraded; then $stuck"
  fi
  if [[ $had_node == true ]]; then
    ZTC_STEP_DEADLINE=$node_deadline ztc::wait_until "Node $name to be Ready" ztc::k8s::node_ready "$name" \
      || ztc::error "$name ($ip) runs Talos $TARGET, but its Node is not Ready (kubectl describe node $name; talosctl --talosconfig $TALOSCONFIG --nodes $ip logs kubelet). Once it is Ready, $stuck"
  fi
  talos::record "$ip"
  ztc::info "$name ($ip): runs Talos $(jq -r .version "$(ztc::machine_fact_file "$ip")")"
}

main() {
  ztc::init
  talos::init
  TARGET=$(ztc::ctx .talos_version)
  ztc::ctx_require .install_image
  local name ip role state current
  local -a todo=() silent=()
  # Control planes first, each in context order.
  while read -r name ip role; do
    state=$(talos::probe "$ip")
    case $state in
      ours)
        current=$(talos::version "$ip")
        if [[ $current == "$TARGET" ]]; then
          ztc::info "$name ($ip): runs Talos $TARGET already"
          talos::record "$ip"
        else
          todo+=("$name $ip $role")
        fi
        ;;
      maintenance) ztc::info "$name ($ip): in maintenance mode (not configured yet): left to apply, which configures the Talos $TARGET that install-image wrote" ;;
      none) silent+=("$name ($ip)") ;;
      *) talos::refuse_unknown "$name" "$ip" "$state" ;;
    esac
  done < <(talos::nodes controlplane && talos::nodes worker)
  if ((${#todo[@]} == 0)); then
    ((${#silent[@]} == 0)) || ztc::warn "$(printf '%s, ' "${silent[@]}" | sed 's/, $//') did not answer the Talos API: not upgraded"
    ztc::info "every configured node that answers runs Talos $TARGET: nothing to upgrade"
    return
  fi
  local todo_list
  todo_list=$(printf '%s\n' "${todo[@]}" | awk '{ printf "%s%s (%s)", sep, $1, $2; sep = ", " }')
  # install-image ran before this step: a node of talos.nodes without a Talos API now is down (or stuck in
  # an earlier upgrade). Rebooting another node meanwhile would take more of the cluster down at once.
  if ((${#silent[@]} > 0)); then
    ztc::error "$(printf '%s, ' "${silent[@]}" | sed 's/, $//') of talos.nodes did not answer the Talos API (down, or stuck in an earlier upgrade), so no other node was upgraded: rebooting one now would take more of the cluster down at once. Not touched: $todo_list. Start it or look at its console (Hetzner Cloud Console or the provider's KVM; talosctl --talosconfig $TALOSCONFIG --nodes <ip> dmesg once it answers), then run ztc bootstrap $ZTC_PLATFORM again; if it is to leave the cluster, remove it from talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml and render first"
  fi
  ztc::info "to upgrade to Talos $TARGET, one at a time: $todo_list"

  local healthy
  if [[ ${todo[0]##* } == controlplane ]]; then
    healthy=$(talos::healthy_cp)
    if [[ -n $healthy ]]; then
      two_members "${healthy#* }" "$todo_list"
      talos::etcd_snapshot "${healthy% *}" "${healthy#* }"
    else
      ztc::info "no control plane runs a healthy etcd (a cluster not bootstrapped yet): no snapshot to take"
    fi
  fi

  local i rest
  for ((i = 0; i < ${#todo[@]}; i++)); do
    read -r name ip role <<<"${todo[i]}"
    rest=$(printf '%s\n' "${todo[@]:i+1}" | awk 'NF { printf "%s%s (%s)", sep, $1, $2; sep = ", " }')
    upgrade "$name" "$ip" "$role" "$rest"
  done
  ztc::info "upgraded ${#todo[@]} node(s) to Talos $TARGET"
}

main "$@"
