#!/usr/bin/env bats
# The engine's script library (ztc.sh) on its own: sourcing, ztc::init and the ERR trap, context
# reading, waits, the retry loop, the HTTP-failure helper and the Kubernetes helpers (stand-in kubectl).
# Run: npx bats tools/ztc/scripts/test (npm test runs it through tools/ztc/scripts/bats.spec.ts).

load helper

setup() {
  common_setup
}

@test "sourcing only defines functions: no output, no trap, no option changed, even without a context" {
  run env -u ZTC_CONTEXT_FILE bash -c 'before=$(set +o; trap -p); . "$1"; . "$1"; after=$(set +o; trap -p); [[ $before == "$after" ]] && declare -F ztc::ctx' _ "$LIB"
  [ "$status" -eq 0 ]
  [ "$output" = "ztc::ctx" ]
}

@test "ztc::init without a context file: an ERROR that says how to run the script" {
  run env ZTC_CONTEXT_FILE= bash -c '. "$1"; ztc::init; echo never' _ "$LIB"
  [ "$status" -eq 1 ]
  [ "$output" = 'ERROR: ZTC_CONTEXT_FILE is not set: run this script through "ztc bootstrap", or by hand as ZTC_CONTEXT_FILE=<context.json> bash <script>' ]
}

@test "ztc::ctx --arg: data goes in as a jq variable, never into the program" {
  run script "ztc::ctx '.by_name[\$n]' --arg n cp-1; ztc::ctx '.by_name[\$n]' --arg n 'a\"b'"
  [ "$status" -eq 0 ]
  [ "$output" = $'patch-1.yaml\nquoted' ]
}

@test "ztc::ctx_json and ztc::ctx_array take --arg too" {
  run script "ztc::ctx_json '[\$x]' --arg x 'y z'; ztc::ctx_array items '.list + [\$x]' --arg x 'd'; printf '<%s>' \"\${items[@]}\""
  [ "$status" -eq 0 ]
  [ "$output" = $'["y z"]\n<a><b c><d>' ]
}

@test "a missing context field: one ERROR line, the script stops with status 1" {
  run script 'x=$(ztc::ctx .nope); echo "after $x"'
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == 'ERROR: context field .nope is missing from '*'context.json: the script and pipeline.yaml disagree; run "ztc render" and bootstrap again' ]]
}

@test "the ERR trap names the file, line, function and command that stopped the script, with its status" {
  run script 'install() {
    ls /nonexistent-ztc-dir >/dev/null 2>&1
  }
  install'
  [ "$status" -eq 2 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == 'ERROR: step.sh line 6 (in install): "ls /nonexistent-ztc-dir > /dev/null 2>&1" failed with status 2 and stopped the step (set -e): the lines above say why; fix that, then run ztc bootstrap again'* ]]
}

@test "the ERR trap shows the command as written: a variable's value (a secret) is never printed" {
  export TOKEN=sekret-value
  run script 'curl -H "Authorization: $TOKEN" --nonexistent-option-ztc 2>/dev/null'
  [ "$status" -ne 0 ]
  [[ $output == *'"curl -H "Authorization: $TOKEN" --nonexistent-option-ztc 2> /dev/null" failed'* ]]
  [[ $output != *sekret* ]]
}

@test "the ERR trap reports a failure in a subshell or pipeline once" {
  run script '(false)'
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == 'ERROR: step.sh line 5 (in main): "false" failed with status 1'* ]]
  run script 'x=$(ztc::error "first"); echo "never $x"'
  [ "$status" -eq 1 ]
  [ "$output" = 'ERROR: first' ]
  run script 'ztc::ctx .nope | cat'
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == 'ERROR: context field .nope is missing'* ]]
}

@test "the ERR trap says nothing for a failure the script tests" {
  run script 'if false; then :; fi; false || echo handled; x=$(false; echo fallback); echo "$x"; ! false'
  [ "$status" -eq 0 ]
  [ "$output" = $'handled\nfallback' ]
}

@test "ztc::wait_until: returns as soon as the check passes" {
  run script 'n=0; probe() { n=$((n + 1)); ((n >= 3)); }; ztc::wait_until "three tries" probe; echo "ok after $n"'
  [ "$status" -eq 0 ]
  [ "$output" = 'ok after 3' ]
}

@test "ztc::wait_until: gives up before the step deadline and returns 1 (the caller says what to do)" {
  export ZTC_STEP_DEADLINE=$(($(date +%s) + 1)) ZTC_POLL_INTERVAL=5
  run script 'ztc::wait_until "never" false || echo "gave up: $?"'
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == 'WARNING: gave up waiting for never after '* ]]
  [ "${lines[1]}" = 'gave up: 1' ]
}

@test "ztc::version_compare: numeric per part, a leading v ignored" {
  run script 'for p in "1.34.1 1.34.1" "v1.11.5 v1.11.6" "1.9.0 1.10.0" "1.34.10 1.34.9" "v1.11.5 1.11.5"; do ztc::version_compare $p; done'
  [ "$status" -eq 0 ]
  [ "$output" = $'0\n-1\n-1\n1\n0' ]
}

@test "ztc::seconds_left: whole seconds until waits give up (deadline less the margin), at least 1" {
  export ZTC_STEP_DEADLINE=$(($(date +%s) + 100)) ZTC_WAIT_MARGIN=40
  run script 'ztc::seconds_left'
  [ "$status" -eq 0 ]
  ((output >= 58 && output <= 60))
  export ZTC_STEP_DEADLINE=$(($(date +%s) - 5))
  run script 'ztc::seconds_left'
  [ "$output" = 1 ]
}

@test "ztc::retry: tries again until the command succeeds, saying so" {
  run script 'n=0; flaky() { n=$((n + 1)); ((n >= 3)); }; ztc::retry 5 flaky; echo "ok after $n"'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 'flaky failed (status 1), retrying in 0.01 s (1/5)' ]
  [ "${lines[1]}" = 'flaky failed (status 1), retrying in 0.02 s (2/5)' ]
  [ "${lines[2]}" = 'ok after 3' ]
}

@test "ztc::retry: the last status after the last attempt" {
  run script 'broken() { return 7; }; ztc::retry 2 broken || echo "status $?"'
  [ "$status" -eq 0 ]
  [ "${lines[1]}" = 'broken failed (status 7) after 2 attempts' ]
  [ "${lines[2]}" = 'status 7' ]
}

@test "ztc::retry --on: only that status is tried again; the reason and delay come from the command" {
  run script 'n=0; busy() { n=$((n + 1)); __ztc_retry_reason="GET /x: HTTP 503"; __ztc_retry_after=0; ((n < 2)) && return 75; return 5; }; ztc::retry --on 75 6 busy || echo "status $? after $n"'
  [ "$status" -eq 0 ]
  [ "$output" = $'GET /x: HTTP 503, retrying in 0 s (1/6)\nstatus 5 after 2' ]
}

@test "ztc::http_status and ztc::http_fail: status to the ERROR that says what to do" {
  run script 'ztc::http_fail "$(ztc::http_status 5)" "401=renew the token" "40?=check the id" "*=other"'
  [ "$status" -eq 1 ]
  [ "$output" = 'ERROR: check the id' ]
  run script 'ztc::http_fail "$(ztc::http_status 2)" "401=renew the token" "000=check the network, then run ztc bootstrap again"'
  [ "$output" = 'ERROR: check the network, then run ztc bootstrap again' ]
  run script 'ztc::http_fail 418 "401=renew the token"'
  [ "$status" -eq 1 ]
  [[ $output == 'ERROR: the API answered HTTP 418, which this step does not expect (see the line above): check the endpoint, the credentials and this machine'* ]]
}

@test "ztc::api: a 5xx is retried by the one retry loop, then the body is printed" {
  stub curl 'n=$(cat "'"$BATS_TEST_TMPDIR"'/n" 2>/dev/null || echo 0); echo $((n + 1)) >"'"$BATS_TEST_TMPDIR"'/n"
if ((n == 0)); then printf "HTTP/1.1 502 Bad Gateway\r\nRetry-After: 0\r\n\r\n{}\n502"; else printf "HTTP/1.1 200 OK\r\n\r\n{\"ok\":true}\n200"; fi'
  run script 'ztc::api GET https://api.example.test/v1/x'
  [ "$status" -eq 0 ]
  [ "$output" = $'GET https://api.example.test/v1/x: HTTP 502, retrying in 0 s (1/6)\n{"ok":true}' ]
}

@test "ztc::api: a 404 is not retried and maps to status 5" {
  stub curl 'printf "HTTP/1.1 404 Not Found\r\n\r\n{\"message\":\"Not Found\"}\n404"'
  run script 'ztc::api GET https://api.example.test/v1/x || echo "status $?"'
  [ "$output" = $'GET https://api.example.test/v1/x: HTTP 404 (Not Found)\nstatus 5' ]
  [ "$(grep -c '^curl ' calls.log)" -eq 1 ]
}

@test "ztc::machine_fact_file: the one path of a machine's facts" {
  run script 'ztc::machine_fact_file 203.0.113.10'
  [ "$output" = "$ZTC_STATE_DIR/machines/203.0.113.10.json" ]
  [ -d "$ZTC_STATE_DIR/machines" ]
}
