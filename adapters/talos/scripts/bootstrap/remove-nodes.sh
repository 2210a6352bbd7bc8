#!/usr/bin/env bash
# Remove from the cluster every node that talos.nodes no longer names. Kubernetes (kubectl get nodes) and
# etcd (etcd members, asked on a control plane of the context) say which nodes exist, live; a node found
# there that the context does not name is removed, workers first, then control planes one at a time:
# cordoned and drained (bounded by the step's deadline); for a control plane, removed from etcd (etcd
# leave on it, or remove-member through a remaining control plane when it no longer answers); reset
# (graceful, STATE and EPHEMERAL wiped, no reboot: the server is left powered off with Talos on its disk,
# never deleted); its Node deleted; its machine facts cleared. Its address comes from the Node's
# InternalIP or the etcd member's peer URL, so it need not be in the context any more. Before anything is
# touched the step refuses a removal that would leave no control plane or break etcd's quorum (the
# healthy members must be a majority of the membership before and after each removal); between two control
# planes it waits until etcd is healthy again. A Node whose address is a configured node's (a renamed
# node) only has its stale Node object deleted.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

CONFIGURED_NAMES='' # JSON array of the context's node names
CONFIGURED_IPS=''   # JSON array of their IPs
MEMBERS=''          # "id hostname ip learner" lines of etcd's members (talos::etcd_members)
MEMBERS_FROM=''     # "name ip" of the control plane that listed them

configured_ip() {
  jq -e --arg ip "$1" 'index($ip) != null' <<<"$CONFIGURED_IPS" >/dev/null
}

configured_name() {
  jq -e --arg n "$1" 'index($n) != null' <<<"$CONFIGURED_NAMES" >/dev/null
}

# list_members: MEMBERS from the first control plane of the context whose etcd answers.
list_members() {
  local name ip _role
  while read -r name ip _role; do
    if MEMBERS=$(talos::etcd_members "$ip") && [[ -n $MEMBERS ]]; then
      MEMBERS_FROM="$name $ip"
      return
    fi
  done < <(talos::nodes controlplane)
  MEMBERS=''
}

# member_of NAME IP: the id of the etcd member of that node (by peer address, else by name), or nothing.
member_of() {
  awk -v n="$1" -v ip="$2" '$3 == ip { print $1; found = 1; exit } END { if (!found) exit 1 }' <<<"$MEMBERS" \
    || awk -v n="$1" '$2 == n { print $1; exit }' <<<"$MEMBERS"
}

# staying_members: "id ip" of the members on configured nodes.
staying_members() {
  local id _host ip _learner
  while read -r id _host ip _learner; do
    [[ -n $id ]] || continue
    configured_ip "$ip" && printf '%s %s\n' "$id" "$ip"
  done <<<"$MEMBERS"
  return 0
}

# healthy_staying: how many members on configured nodes report a healthy etcd.
healthy_staying() {
  local count=0 _id ip
  while read -r _id ip; do
    [[ -n $ip ]] || continue
    if talos::etcd_healthy "$ip"; then count=$((count + 1)); fi
  done < <(staying_members)
  printf '%s\n' "$count"
}

# a_healthy_staying_cp: the IP of a configured control plane with a healthy etcd, or nothing.
a_healthy_staying_cp() {
  local _id ip
  while read -r _id ip; do
    [[ -n $ip ]] || continue
    if talos::etcd_healthy "$ip"; then
      printf '%s\n' "$ip"
      return
    fi
  done < <(staying_members)
}

# etcd_settled: every member on a configured node has started and its etcd is healthy (the members are
# asked again; the node about to be removed may be down).
etcd_settled() {
  local id host ip _learner count=0
  list_members
  while read -r id host ip _learner; do
    if [[ -z $id ]] || ! configured_ip "$ip"; then continue; fi
    if [[ $host == - ]] || ! talos::etcd_healthy "$ip"; then return 1; fi
    count=$((count + 1))
  done <<<"$MEMBERS"
  ((count > 0))
}

# check_quorum EXTRA_CP_LINES: ERROR before anything is touched when removing these control planes one at
# a time would leave no control plane, or any single removal would not commit (the healthy members are no
# majority of the membership) or would leave healthy members that are no majority of the membership after it.
check_quorum() {
  local extra members healthy_keep healthy_extra=0 name ip _member _has m before after list
  extra=$(awk '$4 != "-"' <<<"$1") # control planes that are still etcd members
  [[ -n $extra ]] || return 0
  list=$(awk '{ printf "%s%s (%s)", sep, $1, $2; sep = ", " }' <<<"$extra")
  [[ -n $MEMBERS ]] || ztc::error "no control plane of talos.nodes answers \"etcd members\", so removing the control planes $list cannot be checked against etcd's quorum: nothing was touched. Check etcd on the configured control planes (talosctl --talosconfig $TALOSCONFIG --nodes <ip> service etcd), then run ztc bootstrap $ZTC_PLATFORM again"
  members=$(grep -c . <<<"$MEMBERS")
  healthy_keep=$(healthy_staying)
  if ((healthy_keep == 0)); then
    ztc::error "removing $list would leave no control plane with a healthy etcd (none of talos.nodes' control planes is a healthy etcd member): nothing was touched. Keep them in talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml until a configured control plane has joined etcd (talosctl --talosconfig $TALOSCONFIG --nodes <ip> etcd members), render, then run ztc bootstrap $ZTC_PLATFORM again"
  fi
  while read -r name ip _member _has; do
    if talos::etcd_healthy "$ip"; then healthy_extra=$((healthy_extra + 1)); fi
  done <<<"$extra"
  # Each removal is a membership change: it commits only while the healthy members are a majority of the
  # membership m, and the healthy members that remain must be a majority of the m - 1 left.
  m=$members
  while read -r name ip _member _has; do
    before=$((healthy_keep + healthy_extra))
    after=$before
    if talos::etcd_healthy "$ip"; then
      after=$((after - 1))
      healthy_extra=$((healthy_extra - 1))
    fi
    if ((before * 2 <= m || after * 2 <= m - 1)); then
      ztc::error "removing the control plane $name ($ip) would leave $after healthy etcd member(s) of $((m - 1)), with $before of $m healthy now: etcd would lose its quorum, so nothing was touched. Bring the unhealthy members back first (talosctl --talosconfig $TALOSCONFIG --nodes <ip> service etcd), or add control planes so that a healthy majority stays; remove control planes one at a time (put the others to remove back into talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml, render and run ztc bootstrap $ZTC_PLATFORM, then the next)"
    fi
    m=$((m - 1))
  done <<<"$extra"
}

# remove NAME IP ROLE MEMBER HAS_NODE: take one node out of the cluster (see the header).
remove() {
  local name=$1 ip=$2 role=$3 member=$4 has_node=$5 reachable=false via
  if talos::configured "$ip"; then reachable=true; fi
  ztc::info "$name ($ip, $role): not in talos.nodes: removing it from the cluster"
  if [[ $has_node == true ]]; then
    if [[ $reachable == true ]]; then
      ztc::k8s::drain "$name" \
        || ztc::error "draining $name ($ip) did not finish before the step's deadline (see above; a PodDisruptionBudget or a pod that does not stop are the usual causes): it stays cordoned and was not reset. See kubectl get pods -A --field-selector spec.nodeName=$name, fix what holds it, then run ztc bootstrap $ZTC_PLATFORM again"
    else
      kubectl cordon "$name" >/dev/null
      ztc::warn "$name ($ip) does not answer the Talos API: it was cordoned but not drained; its pods are rescheduled once its Node is deleted"
    fi
  fi
  if [[ $role == controlplane && -n $member ]]; then
    if [[ $reachable == true ]]; then
      talosctl --nodes "$ip" etcd leave \
        || ztc::error "$name ($ip) could not leave etcd (see above): it was drained but is still a member. Check talosctl --talosconfig $TALOSCONFIG --nodes $ip etcd members, then run ztc bootstrap $ZTC_PLATFORM again"
    else
      via=$(a_healthy_staying_cp)
      [[ -n $via ]] || ztc::error "no configured control plane has a healthy etcd to remove $name's member $member through: nothing more was done. Check etcd (talosctl --talosconfig $TALOSCONFIG --nodes <ip> service etcd), then run ztc bootstrap $ZTC_PLATFORM again"
      talosctl --nodes "$via" etcd remove-member "$member" \
        || ztc::error "removing $name's etcd member $member through $via failed (see above). Check talosctl --talosconfig $TALOSCONFIG --nodes $via etcd members, then run ztc bootstrap $ZTC_PLATFORM again"
    fi
    ztc::info "$name ($ip): left etcd"
  fi
  if [[ $reachable == true ]]; then
    talosctl --nodes "$ip" reset --graceful=true --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL \
      || ztc::error "resetting $name ($ip) failed (see above). Look at its console or talosctl --talosconfig $TALOSCONFIG --nodes $ip dmesg, then run ztc bootstrap $ZTC_PLATFORM again"
    ztc::info "$name ($ip): reset (machine config and data wiped, Talos kept on disk) and powered off; its server is not deleted"
  else
    ztc::warn "$name ($ip) was not reset: it does not answer the Talos API. If it comes back it still holds this cluster's config: reset it then (talosctl --talosconfig $TALOSCONFIG --nodes $ip reset --graceful=false --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL) or reinstall it"
  fi
  if [[ $has_node == true ]]; then
    kubectl delete node "$name" >/dev/null
    ztc::info "$name: Node deleted"
  fi
  talos::forget "$ip" "$name" "removed from the cluster"
}

main() {
  ztc::init
  talos::init
  ztc::require_env KUBECONFIG
  CONFIGURED_NAMES=$(jq -c '[.nodes[].name]' "$ZTC_CONTEXT_FILE")
  CONFIGURED_IPS=$(jq -c '[.nodes[].ip]' "$ZTC_CONTEXT_FILE")
  local nodes
  nodes=$(kubectl get nodes -o json) \
    || ztc::error "kubectl cannot list the nodes, so which nodes to remove cannot be asked: nothing was touched. Check the kubeconfig in the private dir (kubectl get nodes), then run ztc bootstrap $ZTC_PLATFORM again"
  list_members

  # The nodes to remove: "name ip role member has_node" (workers first), and the stale Nodes of renamed ones.
  local name ip cp member host _learner
  local -a workers=() cps=() renamed=()
  while read -r name ip cp; do
    configured_name "$name" && continue
    if [[ $ip != - ]] && configured_ip "$ip"; then
      renamed+=("$name $ip")
      continue
    fi
    [[ $ip != - ]] || ztc::error "Node $name is not in talos.nodes and has no InternalIP to reach it by: nothing was touched. Remove it by hand (kubectl delete node $name after resetting its machine), then run ztc bootstrap $ZTC_PLATFORM again"
    member=$(member_of "$name" "$ip" || true)
    if [[ $cp == true || -n $member ]]; then cps+=("$name $ip controlplane ${member:--} true"); else workers+=("$name $ip worker - true"); fi
  done < <(jq -r '.items[] | "\(.metadata.name) \([.status.addresses[]? | select(.type == "InternalIP") | .address][0] // "-") \(.metadata.labels // {} | has("node-role.kubernetes.io/control-plane"))"' <<<"$nodes")
  # etcd members without a Node (their Node was deleted already, e.g. a resumed removal).
  while read -r member host ip _learner; do
    [[ -n $member ]] || continue
    configured_ip "$ip" && continue
    [[ $host != - ]] && configured_name "$host" && continue
    printf '%s\n' "${cps[@]}" | awk -v ip="$ip" '$2 == ip { f = 1 } END { exit !f }' && continue
    cps+=("${host/#-/member-$member} $ip controlplane $member false")
  done <<<"$MEMBERS"

  local entry
  for entry in "${renamed[@]}"; do
    read -r name ip <<<"$entry"
    ztc::info "Node $name has the address of a configured node ($ip) under another name (a renamed node): only its stale Node object is deleted"
    kubectl delete node "$name" >/dev/null
  done
  if ((${#workers[@]} + ${#cps[@]} == 0)); then
    ztc::info "Kubernetes and etcd hold exactly the nodes of talos.nodes: nothing to remove"
    return
  fi
  local all_cps=''
  ((${#cps[@]} == 0)) || all_cps=$(printf '%s\n' "${cps[@]}")
  check_quorum "$all_cps"

  local role has
  for entry in "${workers[@]}" "${cps[@]}"; do
    read -r name ip role member has <<<"$entry"
    [[ $member != - ]] || member=''
    if [[ $role == controlplane ]]; then
      ztc::wait_until "etcd on the configured control planes to be healthy before $name is removed" etcd_settled \
        || ztc::error "etcd is not healthy on every configured control plane (as ${MEMBERS_FROM:-a control plane} reports the members): $name ($ip) was not removed, so that quorum is kept. Bring every member back (talosctl --talosconfig $TALOSCONFIG --nodes <ip> service etcd), then run ztc bootstrap $ZTC_PLATFORM again"
      check_quorum "$entry"
    fi
    remove "$name" "$ip" "$role" "$member" "$has"
  done
  ztc::info "removed $((${#workers[@]} + ${#cps[@]})) node(s) that talos.nodes no longer names"
}

main "$@"
