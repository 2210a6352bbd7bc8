# shellcheck shell=bash
# ztc.sh: the shared library of every ZTC adapter script. Sourced, never run; sourcing only defines
# functions (no output, no trap, no option changed, no context read).
#
# `ztc bootstrap` copies it next to each step's script and sets ZTC_LIB_DIR to that private dir. Its bytes
# are part of every step's identity (pipeline.yaml `libs`, the receipt key, lock.json), so editing it
# re-runs the steps that use it. Its own specs: scripts/test/*.bats (bats-core; `npm test` and the
# engine's lint run them). Format: shfmt -i 2 -ci -bn.
#
# A script: set -euo pipefail; source ztc.sh (and its adapter's scripts/lib/*.sh); main() calls
# ztc::init first (then e.g. talos::init), and ends with main "$@".
#
#   ztc::init                  check the context file (ERROR that says how to run the script) and install
#                              the ERR trap: a command that stops the script under set -e is named in one
#                              "ERROR: <file> line <n> (in <function>): "<command>" failed with status <s>"
#                              line. An ERROR already printed (ztc::error, also in a $(...)) is not repeated
#   ztc::ctx FILTER [--arg NAME VALUE]...  context value (jq FILTER on $ZTC_CONTEXT_FILE), raw; error when
#                              missing. Data goes in as --arg (read as $NAME in FILTER), never spliced into FILTER
#   ztc::ctx_or FILTER DEFAULT [--arg NAME VALUE]...  context value, or DEFAULT when missing/null
#   ztc::ctx_json FILTER [--arg NAME VALUE]...        context value as compact JSON
#   ztc::ctx_array NAME FILTER [--arg NAME VALUE]...  set array NAME to the elements of the context's
#                              array FILTER (may be empty)
#   ztc::ctx_require FILTER... each context value present (not null), else error: call it in the script's
#                              own shell before a loop reads the context with jq in a `< <(...)` (an error
#                              there would only end the substitution: the loop would run zero times)
#   Read context into a variable first (x=$(ztc::ctx .x)); inside another command's arguments a missing
#   field prints its ERROR but the command still runs, with "".
#   ztc::info MSG / ztc::warn MSG
#   ztc::error MSG             print "ERROR: MSG" on stderr and exit 1. MSG says what failed AND what to do
#   ztc::require_env NAME...   each variable set and non-empty, else error
#   ztc::private_dir SUB       path of folder SUB in ZTC_PRIVATE_DIR, created 0700
#   ztc::private_file REL      path of REL in ZTC_PRIVATE_DIR (parents created 0700): credentials made
#                              during bootstrap, kept outside the workspace
#   ztc::state_file REL        path of REL in ZTC_STATE_DIR (parents created): non-secret values for later
#                              steps, runs and machines (the Nx cache carries them)
#   ztc::machine_fact_file IP  the one path of the machine facts of IP in ZTC_STATE_DIR (machines/<ip>.json).
#                              A cache of what the machine last answered, for people and later steps to read;
#                              never the authority for a reboot or a disk write (ask the machine)
#   ztc::write_file FILE MODE  write stdin to FILE atomically with MODE
#   ztc::sha256 FILE           hex sha256 of FILE (GNU sha256sum or macOS shasum)
#   ztc::version_compare A B   -1, 0 or 1 as version A is lower than, equal to or higher than B (x.y.z,
#                              a leading v ignored, each part compared as a number)
#   ztc::seconds_left          whole seconds until waits give up (the step's deadline less the margin), at
#                              least 1: the bound to hand a tool's own --timeout
#   ztc::wait_until WHAT CMD...  run CMD every $ZTC_POLL_INTERVAL s until it succeeds; 1 when the step's
#                              deadline is near (the caller then fails with an ERROR that says what to do)
#   ztc::retry [--on S] N CMD...  the one retry loop: CMD up to N times with backoff (with --on, only
#                              status S is tried again); its last status. ztc::api and s3.sh use it too
#   ztc::ssh KEY USER@HOST [CMD...]  ssh with only that key, in batch mode, for hosts whose host key is
#                              new on every boot (rescue systems): no known_hosts is kept; stdin is not
#                              read (-n), so it is safe inside `while read` loops
#   ztc::api [-t VAR] [-H HEADER]... METHOD URL [BODY]  JSON HTTP call; bearer token from the variable
#                              named VAR (never on a command line); retries 423/429/5xx/network errors; body on stdout. Status:
#                              0 2xx · 2 no answer or still 429/5xx after the last attempt · 3 HTTP 401 ·
#                              4 HTTP 403 · 5 HTTP 404 · 6 HTTP 409 · 1 any other 4xx; on failure one line
#                              "METHOD URL: HTTP n (message)" on stderr
#   ztc::http_status RC        the HTTP status a ztc::api status stands for (401 … 4xx, 000: no answer)
#   ztc::http_fail STATUS [CASE=WHAT_TO_DO]...  the one HTTP-failure helper: ERROR with the text of the
#                              first CASE (404, 5??, 4xx, *) matching STATUS, else a generic one
#   ztc::k8s::apply [--force-conflicts] ARG...  kubectl apply --server-side [--force-conflicts] --field-manager=ztc ARG...
#   ztc::k8s::ensure_namespace NS          create the namespace unless it exists
#   ztc::k8s::rolled_out NS KIND/NAME [T]  kubectl rollout status (at most T, default 10s); fails closed
#   ztc::k8s::wait_rollout NS KIND/NAME [WHAT]  ztc::wait_until rolled out; 1 at the deadline
#   ztc::k8s::crd_established CRD          the CRD's Established condition is True
#   ztc::k8s::nodes_not_ready [NODES_JSON] names of the nodes without Ready=True (no conditions: not Ready)
#   ztc::k8s::nodes_ready      there are nodes and every one is Ready; fails when kubectl does
#   ztc::k8s::api_answers      the cluster's API server answers (3 tries); 1 without a readable KUBECONFIG:
#                              for teardown steps telling a gone cluster from one to act on
#   ztc::k8s::node_ready NAME  the Node exists and its Ready condition is True; fails when kubectl does
#   ztc::k8s::drain NAME       cordon, then drain the Node (DaemonSets ignored, emptyDir data deleted),
#                              bounded by ztc::seconds_left; drain's status
#
# Tunables (environment): ZTC_POLL_INTERVAL (s, default 5), ZTC_RETRY_DELAY (first backoff in s, default
# 1), ZTC_API_ATTEMPTS (default 6), ZTC_WAIT_MARGIN (s kept before the step deadline for the last check
# and the ERROR, default 15: a check may itself take ~10 s, e.g. ssh's ConnectTimeout).

if [[ -n ${__ZTC_LIB_LOADED:-} ]]; then return 0; fi
__ZTC_LIB_LOADED=1

# The status a subshell exits with after it printed its ERROR (ztc::error, or the ERR trap): the shell
# around it then stops with status 1 and prints nothing more (one ERROR line per failure).
__ZTC_REPORTED=86

# ztc::init: the first call of every script's main. Checks the context file (an ERROR that says how to
# run the script), then installs the ERR trap: a command that stops the script under `set -e` is named
# with its file, line and function. Sourcing ztc.sh itself only defines functions.
ztc::init() {
  if [[ -z ${ZTC_CONTEXT_FILE:-} ]]; then
    ztc::error "ZTC_CONTEXT_FILE is not set: run this script through \"ztc bootstrap\", or by hand as ZTC_CONTEXT_FILE=<context.json> bash <script>"
  fi
  if [[ ! -r $ZTC_CONTEXT_FILE ]]; then
    ztc::error "context file $ZTC_CONTEXT_FILE not found or not readable: run this script through \"ztc bootstrap\", or point ZTC_CONTEXT_FILE at a readable context.json"
  fi
  set -o errtrace
  trap 'ztc::_on_err "$?" "${BASH_SOURCE[0]:-?}" "$LINENO" "$BASH_COMMAND"' ERR
  __ZTC_TRAPPED=1
}

# ERR trap: runs for each failing command that is not tested (if, ||, &&, !). Only a failure that stops
# the script (set -e in effect here: not inside a command substitution) is reported.
ztc::_on_err() {
  local status=$1 file=$2 line=$3 command=$4 fn=${FUNCNAME[1]:-main}
  [[ $- == *e* ]] || return 0
  if ((status != __ZTC_REPORTED)); then
    [[ $fn != ztc::_on_err ]] || fn=main
    printf 'ERROR: %s line %s (in %s): "%s" failed with status %s and stopped the step (set -e): the lines above say why; fix that, then run ztc bootstrap again (if nothing above explains it, report it with the step'"'"'s log: it is a bug in the script)\n' \
      "${file##*/}" "$line" "$fn" "${command%%$'\n'*}" "$status" >&2
  fi
  ((BASH_SUBSHELL == 0)) || exit "$__ZTC_REPORTED"
  ((status == __ZTC_REPORTED)) && exit 1
  exit "$status"
}

ztc::error() {
  printf 'ERROR: %s\n' "$*" >&2
  if [[ -n ${__ZTC_TRAPPED:-} ]] && ((BASH_SUBSHELL > 0)); then exit "$__ZTC_REPORTED"; fi
  exit 1
}

ztc::warn() { printf 'WARNING: %s\n' "$*" >&2; }

ztc::info() { printf '%s\n' "$*"; }

# The context file, or an ERROR when ztc::init was not called and it is missing.
ztc::_context() {
  [[ -n ${ZTC_CONTEXT_FILE:-} && -r $ZTC_CONTEXT_FILE ]] || ztc::init
  printf '%s\n' "$ZTC_CONTEXT_FILE"
}

ztc::_missing() {
  ztc::error "context field $1 is missing from $ZTC_CONTEXT_FILE: the script and pipeline.yaml disagree; run \"ztc render\" and bootstrap again"
}

ztc::ctx() {
  local value file
  file=$(ztc::_context)
  if ! value=$(jq -er "${@:2}" "($1) | if type == \"string\" then . elif type == \"null\" then error(\"null\") else tojson end" "$file" 2>/dev/null); then
    ztc::_missing "$1"
  fi
  printf '%s\n' "$value"
}

ztc::ctx_or() {
  local file
  file=$(ztc::_context)
  jq -r --arg d "$2" "${@:3}" "($1) // \$d | if type == \"string\" then . else tojson end" "$file"
}

ztc::ctx_json() {
  local file
  file=$(ztc::_context)
  jq -ec "${@:2}" "$1" "$file" 2>/dev/null || ztc::_missing "$1"
}

ztc::ctx_require() {
  local filter file
  file=$(ztc::_context)
  for filter in "$@"; do
    jq -e "($filter) != null" "$file" >/dev/null 2>&1 || ztc::_missing "$filter"
  done
}

ztc::ctx_array() {
  local file
  file=$(ztc::_context)
  jq -e "($2) | type == \"array\"" "${@:3}" "$file" >/dev/null 2>&1 \
    || ztc::error "context field $2 is missing from $file or not a list: run \"ztc render\" and bootstrap again"
  mapfile -t "$1" < <(jq -r "($2)[] | if type == \"string\" then . else tojson end" "${@:3}" "$file")
}

ztc::require_env() {
  local name
  for name in "$@"; do
    [[ -n ${!name:-} ]] || ztc::error "$name is not set: export it in the environment that runs ztc bootstrap"
  done
}

ztc::private_dir() {
  local dir
  dir=$(ztc::private_file "$1/.")
  printf '%s\n' "${dir%/.}"
}

ztc::private_file() {
  [[ -n ${ZTC_PRIVATE_DIR:-} ]] || ztc::error "ZTC_PRIVATE_DIR is not set: run this step through \"ztc bootstrap\", or export ZTC_PRIVATE_DIR=<your platform's private dir> (see docs/bootstrap.md)"
  local file=$ZTC_PRIVATE_DIR/$1
  (umask 077 && mkdir -p "${file%/*}")
  printf '%s\n' "$file"
}

ztc::state_file() {
  [[ -n ${ZTC_STATE_DIR:-} ]] || ztc::error "ZTC_STATE_DIR is not set: run this step through \"ztc bootstrap\""
  local file=$ZTC_STATE_DIR/$1
  mkdir -p "${file%/*}"
  printf '%s\n' "$file"
}

ztc::machine_fact_file() {
  ztc::state_file "machines/$1.json"
}

ztc::write_file() {
  local file=$1 mode=$2 tmp
  tmp=$(mktemp "$file.XXXXXX")
  chmod "$mode" "$tmp"
  cat >"$tmp"
  mv -f "$tmp" "$file"
}

ztc::sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

ztc::version_compare() {
  local -a a b
  local i
  IFS=. read -ra a <<<"${1#v}"
  IFS=. read -ra b <<<"${2#v}"
  for i in 0 1 2; do
    if ((10#${a[i]:-0} < 10#${b[i]:-0})); then
      echo -1
      return
    fi
    if ((10#${a[i]:-0} > 10#${b[i]:-0})); then
      echo 1
      return
    fi
  done
  echo 0
}

# Epoch second by which waits give up: the step's deadline (set by ztc) less a margin, or 10 minutes.
ztc::_wait_deadline() {
  local now
  now=$(date +%s)
  if [[ -n ${ZTC_STEP_DEADLINE:-} ]]; then
    printf '%s\n' $((ZTC_STEP_DEADLINE - ${ZTC_WAIT_MARGIN:-15}))
  else
    printf '%s\n' $((now + 600))
  fi
}

ztc::seconds_left() {
  local left
  left=$(($(ztc::_wait_deadline) - $(date +%s)))
  ((left >= 1)) || left=1
  printf '%s\n' "$left"
}

ztc::wait_until() {
  # Locals are prefixed: CMD runs in this function's scope and may use plain names of its own.
  local __what=$1
  shift
  local __deadline __start __now __last_note __poll=${ZTC_POLL_INTERVAL:-5} __whole
  __whole=${__poll%.*}
  __deadline=$(ztc::_wait_deadline)
  __start=$(date +%s)
  __last_note=$__start
  while :; do
    if "$@"; then return 0; fi
    __now=$(date +%s)
    # Give up when the next sleep would end past the deadline (the margin covers the check after it).
    if ((__now + ${__whole:-0} >= __deadline)); then
      ztc::warn "gave up waiting for $__what after $((__now - __start)) s"
      return 1
    fi
    if ((__now - __last_note >= 30)); then
      ztc::info "still waiting for $__what ($((__now - __start)) s)"
      __last_note=$__now
    fi
    sleep "$__poll"
  done
}

ztc::ssh() {
  local key=$1 target=$2
  shift 2
  ssh -n -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$target" "$@"
}

# Seconds to sleep before retry number $1 (1-based): ZTC_RETRY_DELAY doubled each time, at most 30 s.
ztc::_backoff() {
  awk -v base="${ZTC_RETRY_DELAY:-1}" -v n="$1" 'BEGIN { d = base * 2 ^ (n - 1); if (d > 30) d = 30; print d }'
}

# ztc::retry [--on STATUS] N CMD...: the one retry loop. Runs CMD up to N times, sleeping between tries
# (ZTC_RETRY_DELAY doubled each time, at most 30 s, or what CMD asked for); with --on, only a failure with
# that status is tried again and any other is returned at once. CMD may set __ztc_retry_reason (what
# failed, for the "retrying" line) and __ztc_retry_after (seconds, e.g. a server's Retry-After).
ztc::retry() {
  # Locals are prefixed: CMD runs in this function's scope and may use plain names of its own.
  local __on='' __attempts __n=1 __status __wait __reason
  if [[ $1 == --on ]]; then
    __on=$2
    shift 2
  fi
  __attempts=$1
  shift
  while :; do
    __ztc_retry_reason='' __ztc_retry_after=''
    "$@" && return 0
    __status=$?
    [[ -z $__on || $__status == "$__on" ]] || return "$__status"
    __reason=${__ztc_retry_reason:-"$1 failed (status $__status)"}
    if ((__n >= __attempts)); then
      printf '%s after %d attempts\n' "$__reason" "$__n" >&2
      return "$__status"
    fi
    __wait=${__ztc_retry_after:-}
    [[ $__wait =~ ^[0-9]+$ ]] && ((__wait <= 60)) || __wait=$(ztc::_backoff "$__n")
    printf '%s, retrying in %s s (%d/%d)\n' "$__reason" "$__wait" "$__n" "$__attempts" >&2
    sleep "$__wait"
    __n=$((__n + 1))
  done
}

# Authorization header for ztc::api, printed into a pipe that curl reads (-H @file): the token never
# appears on a command line, in a file or in the process list.
ztc::_auth_header() {
  [[ -z $1 ]] || printf 'Authorization: Bearer %s\n' "${!1}"
}

# One attempt of ztc::api: TOKEN_VAR METHOD URL BODY [HEADER...]. Status 75 for an answer worth another
# try (423 busy, 429, 5xx, no answer); else ztc::api's status.
ztc::_api_once() {
  local token_var=$1 method=$2 url=$3 body=$4 response status headers payload message header
  shift 4
  local -a data=(-H 'Expect:')
  for header in "$@"; do data+=(-H "$header"); done
  [[ -z $body ]] || data+=(-H 'Content-Type: application/json' --data-binary "$body")
  response=$(curl -sS -D - --suppress-connect-headers -w '\n%{http_code}' -X "$method" -H 'Accept: application/json' -A "ztc (${ZTC_STEP:-by hand})" \
    -H @<(ztc::_auth_header "$token_var") "${data[@]}" \
    --connect-timeout 10 --max-time 60 "$url" 2>/dev/null) || response=$'\n000'
  status=${response##*$'\n'}
  response=${response%$'\n'*}
  headers=${response%%$'\r\n\r\n'*}
  payload=${response#*$'\r\n\r\n'}
  case $status in
    2??)
      printf '%s\n' "$payload"
      ;;
    423 | 429 | 5?? | 000) # 423: the resource is busy (locked by another action) for now
      __ztc_retry_reason="$method $url: $([[ $status == 000 ]] && echo 'no answer' || echo "HTTP $status")"
      __ztc_retry_after=$(printf '%s\n' "$headers" | tr -d '\r' | awk -F': *' 'tolower($1) == "retry-after" { print $2 }')
      return 75
      ;;
    *)
      message=$(printf '%s' "$payload" | jq -r '.error.message? // .message? // empty' 2>/dev/null || true)
      printf '%s %s: HTTP %s%s\n' "$method" "$url" "$status" "${message:+ ($message)}" >&2
      case $status in 401) return 3 ;; 403) return 4 ;; 404) return 5 ;; 409) return 6 ;; *) return 1 ;; esac
      ;;
  esac
}

ztc::api() {
  local token_var='' rc=0
  local -a headers=()
  while [[ ${1:-} == -t || ${1:-} == -H ]]; do
    if [[ $1 == -t ]]; then token_var=$2; else headers+=("$2"); fi
    shift 2
  done
  ztc::retry --on 75 "${ZTC_API_ATTEMPTS:-6}" ztc::_api_once "$token_var" "$1" "$2" "${3-}" "${headers[@]}" || rc=$?
  ((rc != 75)) || rc=2
  return "$rc"
}

# ztc::http_status RC: the HTTP status a ztc::api status stands for: 401, 403, 404, 409, 4xx (another
# client error), or 000 (no answer, or still 423/429/5xx after the last attempt).
ztc::http_status() {
  case $1 in 3) echo 401 ;; 4) echo 403 ;; 5) echo 404 ;; 6) echo 409 ;; 2) echo 000 ;; *) echo 4xx ;; esac
}

# ztc::http_fail STATUS [CASE=WHAT_TO_DO]...: the one way a failed HTTP call ends a step. ERROR with the
# text of the first CASE (a status or a glob: 404, 5??, 4xx, *) that matches STATUS; without one, an
# ERROR that names the status. Never returns.
ztc::http_fail() {
  local status=$1 case
  shift
  for case in "$@"; do
    # shellcheck disable=SC2053 # the case is a glob on purpose (5??, *)
    [[ $status != ${case%%=*} ]] || ztc::error "${case#*=}"
  done
  ztc::error "the API answered HTTP $status, which this step does not expect (see the line above): check the endpoint, the credentials and this machine's network, then run ztc bootstrap again; if it persists, report it with the step's log"
}

# ztc::k8s::apply [--force-conflicts] ARG...: kubectl apply, server-side, as field manager "ztc";
# --force-conflicts takes over fields another manager set (for manifests that are ztc's desired state).
# Arguments as kubectl's (-f FILE, -f -, -k DIR).
ztc::k8s::apply() {
  local -a force=()
  if [[ ${1:-} == --force-conflicts ]]; then
    force=(--force-conflicts)
    shift
  fi
  kubectl apply --server-side "${force[@]}" --field-manager=ztc "$@"
}

# ztc::k8s::ensure_namespace NS: the namespace exists (created when missing; an existing one is kept).
ztc::k8s::ensure_namespace() {
  kubectl create namespace "$1" --dry-run=client -o yaml | ztc::k8s::apply -f - >/dev/null
}

# ztc::k8s::rolled_out NS KIND/NAME [TIMEOUT]: the rollout of a Deployment, StatefulSet or DaemonSet is
# complete (kubectl rollout status, waiting at most TIMEOUT, default 10s). Fails when kubectl fails.
ztc::k8s::rolled_out() {
  kubectl --namespace "$1" rollout status "$2" --timeout="${3:-10s}" >/dev/null 2>&1
}

# ztc::k8s::wait_rollout NS KIND/NAME [WHAT]: ztc::wait_until the rollout is complete; 1 at the deadline
# (the caller fails with an ERROR that says what to do).
ztc::k8s::wait_rollout() {
  ztc::wait_until "${3:-$2 in $1}" ztc::k8s::rolled_out "$1" "$2"
}

# ztc::k8s::crd_established NAME: the CRD exists and its Established condition is True.
ztc::k8s::crd_established() {
  kubectl get crd "$1" -o json 2>/dev/null | jq -e 'any(.status.conditions[]?; .type == "Established" and .status == "True")' >/dev/null
}

# ztc::k8s::nodes_not_ready [NODES_JSON]: the names of the nodes without a Ready condition that is True,
# one a line (a node without conditions yet is not Ready); from `kubectl get nodes -o json` when no JSON
# is given. Fails when kubectl or jq does.
ztc::k8s::nodes_not_ready() {
  local nodes=${1-}
  [[ -n $nodes ]] || nodes=$(kubectl get nodes -o json) || return 1
  jq -r '.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True") | not) | .metadata.name' <<<"$nodes"
}

# ztc::k8s::nodes_ready: the cluster has nodes and every one is Ready. Fails when kubectl does.
ztc::k8s::nodes_ready() {
  local nodes not_ready
  nodes=$(kubectl get nodes -o json 2>/dev/null) || return 1
  jq -e '.items | length > 0' <<<"$nodes" >/dev/null || return 1
  not_ready=$(ztc::k8s::nodes_not_ready "$nodes") || return 1
  [[ -z $not_ready ]]
}

# ztc::k8s::node_ready NAME: the Node exists and its Ready condition is True. Fails when kubectl does.
ztc::k8s::node_ready() {
  kubectl get node "$1" -o json 2>/dev/null | jq -e 'any(.status.conditions[]?; .type == "Ready" and .status == "True")' >/dev/null
}

# ztc::k8s::drain NAME: cordon the Node, then drain it (DaemonSet pods stay, emptyDir data is deleted),
# waiting at most until the step's deadline (ztc::seconds_left). drain's status: the caller says what to do.
ztc::k8s::drain() {
  kubectl cordon "$1" >/dev/null || return
  kubectl drain "$1" --ignore-daemonsets --delete-emptydir-data --timeout="$(ztc::seconds_left)s"
}

# ztc::k8s::api_answers: the cluster's API server answers `kubectl get --raw /readyz` (tried 3 times: one
# refused connection does not make a cluster gone; each try bounded by --request-timeout, 10s unless
# ZTC_K8S_REQUEST_TIMEOUT says otherwise, so a server that takes the connection and never answers is no API). 1 when KUBECONFIG is unset or unreadable, or the API
# does not answer. Teardown steps use it to tell a cluster that is gone from one they must act on.
ztc::k8s::api_answers() {
  [[ -n ${KUBECONFIG:-} && -r ${KUBECONFIG%%:*} ]] || return 1
  ztc::retry 3 kubectl get --raw /readyz --request-timeout="${ZTC_K8S_REQUEST_TIMEOUT:-10s}" >/dev/null 2>&1
}
