#!/usr/bin/env bash
# ztc destroy: reset every node of talos.nodes, workers first, then control planes: the machine config,
# etcd and kubelet data are wiped (STATE and EPHEMERAL), Talos stays on the disk, and the node powers off
# (no reboot); its server is never deleted. Every reset is graceful (a control plane leaves etcd) except
# the last control plane's: etcd cannot leave itself when it is the last member; and when etcd is not
# healthy with every member started (a control plane down), no control plane's: etcd would refuse the
# leave, and a graceful reset would fail at every try; nor a worker's while the Kubernetes API does not
# answer (a graceful reset waits for Kubernetes to cordon the node). Each node is asked first
# (live): one already in maintenance mode is reset already; one that does not answer is warned about and
# skipped (not fatal). Machine facts are cleared; the kubeconfig and talosconfig stay in the private dir
# (purging it is ztc destroy --purge-private's).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

# reset_node NAME IP ROLE GRACEFUL: reset one node of this cluster and power it off.
reset_node() {
  local name=$1 ip=$2 role=$3 graceful=$4
  ztc::info "$name ($ip, $role): resetting (graceful=$graceful) and powering off"
  talosctl --nodes "$ip" reset --graceful="$graceful" --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL \
    || ztc::error "resetting $name ($ip) failed (see above); the nodes after it were not reset. Look at its console or talosctl --talosconfig $TALOSCONFIG --nodes $ip dmesg, then run ztc destroy $ZTC_PLATFORM again (nodes already reset are skipped)"
}

main() {
  ztc::init
  talos::init
  local name ip role state
  local -a ours=() skipped=()
  while read -r name ip role; do
    state=$(talos::probe "$ip")
    case $state in
      ours) ours+=("$name $ip $role") ;;
      maintenance) ztc::info "$name ($ip, $role): in maintenance mode (no config): reset already" ;;
      *)
        ztc::warn "$name ($ip, $role): does not answer as a node of this cluster ($state): not reset. If it still runs this cluster's Talos, reset it from its console, or with talosctl --talosconfig $TALOSCONFIG --nodes $ip reset --graceful=false --reboot=false --system-labels-to-wipe STATE --system-labels-to-wipe EPHEMERAL once it answers"
        skipped+=("$name ($ip)")
        ;;
    esac
  done < <(talos::nodes worker && talos::nodes controlplane)

  local last_cp='' first_cp='' i graceful_cps=true graceful_workers=true
  for ((i = 0; i < ${#ours[@]}; i++)); do
    [[ ${ours[i]##* } != controlplane ]] || last_cp=$i
    [[ ${ours[i]##* } != controlplane || -n $first_cp ]] || first_cp=${ours[i]% *}
  done
  # Leaving etcd is a membership change, which etcd refuses while too few members are started (a control
  # plane that is down): asked live once, before the first control plane is reset.
  if [[ -n $first_cp ]] && ! talos::etcd_all_started "${first_cp#* }"; then
    graceful_cps=false
    ztc::warn "etcd is not healthy with every member started (as ${first_cp% *} (${first_cp#* }) reports it): leaving it would be refused, so the control planes are reset without leaving etcd (--graceful=false); the cluster is torn down either way"
  fi
  # A graceful reset waits (a minute) for Kubernetes to cordon the node: without an API server it fails.
  if printf '%s\n' "${ours[@]}" | awk '$3 == "worker" { f = 1 } END { exit !f }' && ! ztc::k8s::api_answers; then
    graceful_workers=false
    ztc::warn "the Kubernetes API does not answer: a graceful reset would wait for it to cordon the node and fail, so the workers are reset without draining (--graceful=false); the cluster is torn down either way"
  fi
  for ((i = 0; i < ${#ours[@]}; i++)); do
    read -r name ip role <<<"${ours[i]}"
    if [[ $i == "$last_cp" || ($role == controlplane && $graceful_cps == false) || ($role == worker && $graceful_workers == false) ]]; then
      reset_node "$name" "$ip" "$role" false
    else
      reset_node "$name" "$ip" "$role" true
    fi
  done
  while read -r name ip _; do
    talos::forget "$ip" "$name" "the cluster is torn down"
  done < <(talos::nodes all)
  ztc::info "reset ${#ours[@]} node(s); their servers are powered off, not deleted"
  ((${#skipped[@]} == 0)) || ztc::warn "not reset (did not answer): ${skipped[*]}"
}

main "$@"
