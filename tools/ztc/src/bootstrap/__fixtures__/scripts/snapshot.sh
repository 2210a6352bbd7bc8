#!/usr/bin/env bash
# Fixture backup/teardown step: records its place in the run like record.sh, then writes a file into the
# private dir (backups/<step>.snap, the context's message as content), as an etcd snapshot would.
set -euo pipefail

echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
echo "$ZTC_STAGE" >"$ZTC_STATE_DIR/stage.${ZTC_STEP//\//.}"
mkdir -p "$ZTC_PRIVATE_DIR/backups"
jq -r '.message // "snapshot"' "$ZTC_CONTEXT_FILE" >"$ZTC_PRIVATE_DIR/backups/${ZTC_STEP//\//.}.snap"
echo "wrote backups/${ZTC_STEP//\//.}.snap"
