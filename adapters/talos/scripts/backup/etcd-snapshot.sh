#!/usr/bin/env bash
# ztc backup: an etcd snapshot (talosctl etcd snapshot) from a control plane of this cluster whose etcd is
# healthy (asked live, in context order) into $ZTC_PRIVATE_DIR/talos/backups/etcd-<UTC timestamp>.snapshot
# (0600); the last 10 are kept. Prints the path and size, never the contents. The snapshot holds every
# Secret of the cluster: it stays in the private dir (and the state backend's encrypted copy of it).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

main() {
  ztc::init
  talos::init
  [[ -s $TALOSCONFIG ]] || ztc::error "the private dir $ZTC_PRIVATE_DIR has no talosconfig, so etcd cannot be asked: restore the private dir (docs/operations.md, \"Restoring a private dir\") or run ztc bootstrap $ZTC_PLATFORM first"
  local healthy
  healthy=$(talos::healthy_cp)
  [[ -n $healthy ]] || ztc::error "no control plane of talos.nodes ($(talos::nodes controlplane | awk '{ printf "%s%s (%s)", sep, $1, $2; sep = ", " }')) reports a healthy etcd: no snapshot was taken. Check etcd there (talosctl --talosconfig $TALOSCONFIG --nodes <ip> service etcd), then run ztc backup $ZTC_PLATFORM again"
  talos::etcd_snapshot "${healthy% *}" "${healthy#* }"
}

main "$@"
