#!/usr/bin/env bash
# Fixture step: does its best to leak the secret named in the context (secret_var): prints it whole,
# in two separate writes, split across two lines, base64-, base64url- and hex-encoded, JSON-escaped,
# URL-encoded, shell-quoted and on stderr. With leak_to_state it also writes it (raw, and hex- and
# URL-encoded) into ZTC_STATE_DIR. It stores only the secret's length (not a secret) for the tests.
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
printf '%s' "$value" | basenc --base64url -w0
echo
printf '%s' "$value" | xxd -p -c 256
jq -cn --arg token "$value" '{token: $token}'
echo "url: https://api.example/unseal?token=$(jq -rn --arg v "$value" '$v|@uri')"
printf 'quoted: %q\n' "$value"
echo "first half: ${value:0:10}"
echo "${value:10} was the rest"
echo "on stderr: $value" >&2
if [ "$(jq -r '.leak_to_state // false' "$ZTC_CONTEXT_FILE")" = "true" ]; then
  echo "$value" >"$ZTC_STATE_DIR/leaked.txt"
  printf '%s' "$value" | xxd -p >"$ZTC_STATE_DIR/leaked-hex.txt"
  jq -rn --arg v "$value" '$v|@uri' >"$ZTC_STATE_DIR/leaked-url.txt"
fi
echo "public-key-$(printf '%s' "${#value}")" >"$ZTC_STATE_DIR/public.txt"
