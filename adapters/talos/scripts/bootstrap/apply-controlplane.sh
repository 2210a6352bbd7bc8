#!/usr/bin/env bash
# Apply each control-plane node's machine config and wait until it answers with it.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

main() {
  ztc::init
  talos::init
  local name ip _role
  while read -r name ip _role; do
    talos::apply "$name" "$ip"
  done < <(talos::nodes controlplane)
}

main "$@"
