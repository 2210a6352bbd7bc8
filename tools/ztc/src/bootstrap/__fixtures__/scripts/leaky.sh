#!/usr/bin/env bash
# Fixture step: does its best to leak the secret named in the context (secret_var): prints it whole,
# in two separate writes, base64-encoded and on stderr. With leak_to_state it also writes it into
# ZTC_STATE_DIR. It stores only the secret's length (not a secret) for the tests.
set -euo pipefail

var="$(jq -r '.secret_var' "$ZTC_CONTEXT_FILE")"
value="${!var}"
echo "$ZTC_STEP" >>"$ZTC_STATE_DIR/order.txt"
echo "${#value}" >"$ZTC_STATE_DIR/secret-length.txt"
echo "the secret is $value"
printf 'split: %s' "${value:0:7}"
sleep 0.05
printf '%s (end)\n' "${value:7}"
printf '%s' "$value" | base64
echo "on stderr: $value" >&2
if [ "$(jq -r '.leak_to_state // false' "$ZTC_CONTEXT_FILE")" = "true" ]; then
  echo "$value" >"$ZTC_STATE_DIR/leaked.txt"
fi
echo "public-key-$(printf '%s' "${#value}")" >"$ZTC_STATE_DIR/public.txt"
