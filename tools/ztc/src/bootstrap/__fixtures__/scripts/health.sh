#!/usr/bin/env bash
# Fixture check_health: succeeds when the context says healthy, else explains why on stderr.
set -euo pipefail

echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
if [ "$(jq -r '.healthy != false' "$ZTC_CONTEXT_FILE")" != "true" ]; then
  echo "API not reachable: $(jq -r '.message // "no reason given"' "$ZTC_CONTEXT_FILE")" >&2
  exit 1
fi
echo "API reachable"
