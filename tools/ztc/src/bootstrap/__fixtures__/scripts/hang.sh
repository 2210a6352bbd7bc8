#!/usr/bin/env bash
# Fixture step: starts a background sleep (its pid goes to $ZTC_STATE_DIR/bg.pid), says "waiting",
# then sleeps for the context's seconds (default 300). With ignore_term it also ignores SIGTERM, so
# only SIGKILL stops it. With tick it prints "tick" every 0.2 s while it waits.
set -euo pipefail

if [ "$(jq -r '.ignore_term // false' "$ZTC_CONTEXT_FILE")" = "true" ]; then
  trap '' TERM
fi
seconds="$(jq -r '.seconds // 300' "$ZTC_CONTEXT_FILE")"
echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
tick="$(jq -r '.tick // false' "$ZTC_CONTEXT_FILE")"
sleep "$seconds" &
echo "$!" >"$ZTC_STATE_DIR/bg.pid"
if [ "$tick" = "true" ]; then
  echo "waiting"
  while true; do
    sleep 0.2
    echo tick
  done
fi
sleep "$seconds" &
wait_pid=$!
echo "waiting"
wait "$wait_pid"
