#!/usr/bin/env bash
# Apply each control-plane node's machine config and wait until it answers with it.
set -euo pipefail
# shellcheck source=../../../../tools/ztc/scripts/ztc.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../../../../tools/ztc/scripts}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "${ZTC_LIB_DIR:-${BASH_SOURCE[0]%/*}/../lib}/talos.sh"

main() {
  local name ip _role
  while read -r name ip _role; do
    talos::apply "$name" "$ip"
  done < <(talos::nodes controlplane)
}

main "$@"
