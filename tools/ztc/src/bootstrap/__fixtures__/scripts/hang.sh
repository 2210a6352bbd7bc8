#!/usr/bin/env bash
# Fixture step: starts a background sleep (its pid goes to $ZTC_STATE_DIR/bg.pid), says "waiting",
# then sleeps for the context's seconds (default 300). With ignore_term it also ignores SIGTERM, so
# only SIGKILL stops it.
set -euo pipefail

if [ "$(jq -r '.ignore_term // false' "$ZTC_CONTEXT_FILE")" = "true" ]; then
  trap '' TERM
fi
seconds="$(jq -r '.seconds // 300' "$ZTC_CONTEXT_FILE")"
echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
sleep "$seconds" &
echo "$!" >"$ZTC_STATE_DIR/bg.pid"
echo "waiting"
sleep "$seconds"
