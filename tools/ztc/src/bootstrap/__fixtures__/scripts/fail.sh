#!/usr/bin/env bash
# Fixture step: prints a line, then exits with the context's exit_code (default 1).
set -euo pipefail

echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
echo "about to fail"
exit "$(jq -r '.exit_code // 1' "$ZTC_CONTEXT_FILE")"
