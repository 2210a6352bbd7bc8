#!/usr/bin/env bash
# Fixture step: records what it saw (its place in the run, its env var names, its context and the
# permissions of its files) into ZTC_STATE_DIR, where the tests read it back.
set -euo pipefail

name="${ZTC_STEP//\//.}"
context_dir="$(dirname "$ZTC_CONTEXT_FILE")"
echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
jq -n \
  --arg step "$ZTC_STEP" \
  --arg stage "$ZTC_STAGE" \
  --arg platform "$ZTC_PLATFORM" \
  --arg workspace "$ZTC_WORKSPACE_ROOT" \
  --arg generated "$ZTC_GENERATED_DIR" \
  --arg state "$ZTC_STATE_DIR" \
  --arg cwd "$PWD" \
  --arg context_dir "$context_dir" \
  --arg context_mode "$(stat -c %a "$ZTC_CONTEXT_FILE")" \
  --arg dir_mode "$(stat -c %a "$context_dir")" \
  --arg script_mode "$(stat -c %a "$0")" \
  --arg env_names "$(env | cut -d= -f1 | sort | tr '\n' ' ')" \
  --slurpfile context "$ZTC_CONTEXT_FILE" \
  '{step: $step, stage: $stage, platform: $platform, workspace: $workspace, generated: $generated,
    state: $state, cwd: $cwd, context_dir: $context_dir, context_mode: $context_mode,
    dir_mode: $dir_mode, script_mode: $script_mode, env_names: ($env_names | split(" ")),
    context: $context[0]}' >"$ZTC_STATE_DIR/seen.$name.json"
echo "recorded $ZTC_STEP: $(jq -r '.message // "no message"' "$ZTC_CONTEXT_FILE")"
