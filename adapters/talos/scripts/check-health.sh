#!/usr/bin/env bash
# Pre-flight (changes nothing): ask every node's Talos API what runs there, before any step touches a
# server. It stops the run (nothing else has run yet) when
#   - a node runs Talos configured for another cluster (its API rejects this platform's talosconfig), or
#   - a node runs a configured Talos but the private dir lacks the talosconfig or the secrets bundle: a
#     checkout or CI runner without the restored private dir would otherwise make new cluster secrets.
# Local records (machine facts, receipts) are not read: what the machines answer decides.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

main() {
  ztc::init
  talos::init
  local name ip role state live=0 missing=()
  [[ -s $TALOSCONFIG ]] || missing+=("talos/talosconfig")
  [[ -s $TALOS_DIR/secrets.yaml ]] || missing+=("talos/secrets.yaml")
  while read -r name ip role; do
    state=$(talos::probe "$ip")
    case $state in
      ours) ztc::info "$name ($ip, $role): a node of this cluster, Talos $(talos::version "$ip")" ;;
      maintenance) ztc::info "$name ($ip, $role): Talos $(talos::version "$ip" --insecure) in maintenance mode (not configured yet)" ;;
      none) ztc::info "$name ($ip, $role): no Talos API answers (another OS, the rescue system, or down): the OS install may run" ;;
      foreign) talos::refuse_unknown "$name" "$ip" "$state" ;;
      configured)
        ((${#missing[@]} > 0)) || talos::refuse_unknown "$name" "$ip" "$state"
        ztc::info "$name ($ip, $role): runs a configured Talos node"
        ;;
    esac
    [[ $state == ours || $state == configured ]] && live=$((live + 1))
  done < <(talos::nodes all)
  if ((live > 0 && ${#missing[@]} > 0)); then
    ztc::error "$live node(s) already run a configured Talos cluster, but the private dir $ZTC_PRIVATE_DIR lacks ${missing[*]}: nothing was touched, and no new cluster secrets were made. Restore the private dir from its backup (docs/operations.md, \"Restoring a private dir\"), or point ZTC_PRIVATE_DIR at the restored copy, then run ztc bootstrap again"
  fi
  ztc::info "every node answered as expected"
}

main "$@"
