#!/usr/bin/env bash
# Bootstrap etcd, once, on the first control-plane node, and wait until etcd runs there. Every control
# plane is asked first (live): when etcd runs, or has members, on any of them, the cluster's etcd exists
# and is never bootstrapped again (a second bootstrap would start a second, empty etcd: a split brain);
# when one does not answer with its config, nothing is bootstrapped either (an ERROR names it).
# A control plane that was reinstalled joins the existing etcd by itself once it runs its config.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

# etcd_members IP: the etcd member lines the node reports (none when etcd has no data there).
etcd_members() {
  talosctl --nodes "$1" etcd members 2>/dev/null | awk 'NR > 1 && NF > 0'
}

# existing_etcd: "name ip" of a control plane where etcd runs or has members, if any. A control plane that
# does not answer with its config stops the step: etcd there cannot be ruled out (fail closed).
existing_etcd() {
  local name ip _role
  local -a silent=()
  while read -r name ip _role; do
    if ! talos::configured "$ip"; then
      silent+=("$name ($ip)")
      continue
    fi
    if talos::etcd_running "$ip" || [[ -n $(etcd_members "$ip") ]]; then
      printf '%s %s\n' "$name" "$ip"
      return
    fi
  done < <(talos::nodes controlplane)
  ((${#silent[@]} == 0)) \
    || ztc::error "${silent[*]} does not answer with its config, so whether the cluster's etcd runs there cannot be checked: etcd was not bootstrapped (a second bootstrap would split the cluster). Bring the control plane up (its console, or talosctl --nodes <ip> version with the talosconfig in the private dir), then run ztc bootstrap again"
}

main() {
  ztc::init
  talos::init
  local name ip out found
  read -r name ip _ < <(talos::nodes controlplane)
  talos::configured "$ip" || ztc::error "$name ($ip) does not answer with its config: run the talos/apply-controlplane step first (ztc bootstrap $ZTC_PLATFORM --fresh --stage bootstrap)"
  found=$(existing_etcd)
  if [[ -n $found ]]; then
    ztc::info "etcd already exists on ${found% *} (${found#* }): not bootstrapped again"
    return
  fi
  ztc::info "no control plane has etcd yet: bootstrapping etcd on $name ($ip)"
  if ! out=$(talosctl --nodes "$ip" bootstrap 2>&1); then
    grep -q 'AlreadyExists' <<<"$out" || ztc::error "talosctl bootstrap on $name ($ip) failed: $out. Check \"talosctl --nodes $ip service etcd\" (talosconfig in the private dir), then run ztc bootstrap again"
    ztc::info "etcd was bootstrapped already"
  fi
  ztc::wait_until "etcd on $name ($ip)" talos::etcd_running "$ip" \
    || ztc::error "etcd did not start on $name ($ip) (state: $(talos::etcd_state "$ip")). See \"talosctl --nodes $ip logs etcd\" (talosconfig in the private dir), then run ztc bootstrap again"
  ztc::info "etcd runs on $name ($ip)"
}

main "$@"
