# shellcheck shell=bash
# ztc.sh: the shared library of every ZTC adapter script. Sourced, never run.
#
# `ztc bootstrap` copies it next to each step's script and sets ZTC_LIB_DIR to that private dir; a
# script run by hand from the repository finds it relative to itself. Its bytes are part of every step's
# identity (pipeline.yaml `libs`, the receipt key, lock.json), so editing it re-runs the steps that use it.
#
#   ztc::ctx FILTER [--arg NAME VALUE]...  context value (jq FILTER on $ZTC_CONTEXT_FILE), raw; error when
#                              missing. Data goes in as --arg (read as $NAME in FILTER), never spliced into FILTER
#   ztc::ctx_or FILTER DEFAULT context value, or DEFAULT when missing/null
#   ztc::ctx_json FILTER       context value as compact JSON
#   ztc::ctx_array NAME FILTER set array NAME to the elements of the context's array FILTER (may be empty)
#   ztc::ctx_require FILTER... each context value present (not null), else error: call it in the script's
#                              own shell before a loop reads the context with jq in a `< <(...)` (an error
#                              there would only end the substitution: the loop would run zero times)
#   Read context into a variable first (x=$(ztc::ctx .x)); inside another command's arguments a missing
#   field prints its ERROR but the command still runs, with "".
#   ztc::info MSG / ztc::warn MSG
#   ztc::error MSG             print "ERROR: MSG" (say what to do) on stderr and exit 1
#   ztc::require_env NAME...   each variable set and non-empty, else error
#   ztc::private_dir SUB       path of folder SUB in ZTC_PRIVATE_DIR, created 0700
#   ztc::private_file REL      path of REL in ZTC_PRIVATE_DIR (parents created 0700): credentials made
#                              during bootstrap, kept outside the workspace
#   ztc::state_file REL        path of REL in ZTC_STATE_DIR (parents created): non-secret values for later
#                              steps, runs and machines (the Nx cache carries them)
#   ztc::machine_fact_file IP  path of the machine facts of IP in ZTC_STATE_DIR (machines/<ip>.json). A cache
#                              of what the machine last answered, for people and later steps to read;
#                              never the authority for a reboot or a disk write (ask the machine)
#   ztc::write_file FILE MODE  write stdin to FILE atomically with MODE
#   ztc::sha256 FILE           hex sha256 of FILE (GNU sha256sum or macOS shasum)
#   ztc::wait_until WHAT CMD...  run CMD every $ZTC_POLL_INTERVAL s until it succeeds; 1 when the step's
#                              deadline is near (the caller then fails with an ERROR that says what to do)
#   ztc::retry N CMD...        run CMD up to N times with backoff; its last status
#   ztc::ssh KEY USER@HOST [CMD...]  ssh with only that key, in batch mode, for hosts whose host key is
#                              new on every boot (rescue systems): no known_hosts is kept; stdin is not
#                              read (-n), so it is safe inside `while read` loops
#   ztc::api [-t VAR] [-H HEADER]... METHOD URL [BODY]  JSON HTTP call; bearer token from the variable
#                              named VAR (never on a command line); retries 423/429/5xx/network errors; body on stdout. Status:
#                              0 2xx · 2 no answer or still 429/5xx after the last attempt · 3 HTTP 401 ·
#                              4 HTTP 403 · 5 HTTP 404 · 6 HTTP 409 · 1 any other 4xx; on failure one line
#                              "METHOD URL: HTTP n (message)" on stderr
#
# Tunables (environment): ZTC_POLL_INTERVAL (s, default 5), ZTC_RETRY_DELAY (first backoff in s, default
# 1), ZTC_API_ATTEMPTS (default 6), ZTC_WAIT_MARGIN (s kept before the step deadline for the last check
# and the ERROR, default 15: a check may itself take ~10 s, e.g. ssh's ConnectTimeout).

if [[ -n ${__ZTC_LIB_LOADED:-} ]]; then return 0; fi
readonly __ZTC_LIB_LOADED=1

ztc::error() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

ztc::warn() { printf 'WARNING: %s\n' "$*" >&2; }

ztc::info() { printf '%s\n' "$*"; }

if [[ -z ${ZTC_CONTEXT_FILE:-} ]]; then
  ztc::error "ZTC_CONTEXT_FILE is not set: run this script through \"ztc bootstrap\", or by hand as ZTC_CONTEXT_FILE=<context.json> bash <script>"
fi
if [[ ! -r $ZTC_CONTEXT_FILE ]]; then
  ztc::error "context file $ZTC_CONTEXT_FILE not found or not readable"
fi

ztc::ctx() {
  local value
  if ! value=$(jq -er "${@:2}" "($1) | if type == \"string\" then . elif type == \"null\" then error(\"null\") else tojson end" "$ZTC_CONTEXT_FILE" 2>/dev/null); then
    ztc::error "context field $1 is missing from $ZTC_CONTEXT_FILE: the script and pipeline.yaml disagree; run \"ztc render\" and bootstrap again"
  fi
  printf '%s\n' "$value"
}

ztc::ctx_or() {
  jq -r --arg d "$2" "($1) // \$d | if type == \"string\" then . else tojson end" "$ZTC_CONTEXT_FILE"
}

ztc::ctx_json() {
  jq -ec "$1" "$ZTC_CONTEXT_FILE" 2>/dev/null || ztc::error "context field $1 is missing from $ZTC_CONTEXT_FILE: run \"ztc render\" and bootstrap again"
}

ztc::ctx_require() {
  local filter
  for filter in "$@"; do
    jq -e "($filter) != null" "$ZTC_CONTEXT_FILE" >/dev/null 2>&1 \
      || ztc::error "context field $filter is missing from $ZTC_CONTEXT_FILE: the script and pipeline.yaml disagree; run \"ztc render\" and bootstrap again"
  done
}

ztc::ctx_array() {
  jq -e "($2) | type == \"array\"" "$ZTC_CONTEXT_FILE" >/dev/null 2>&1 \
    || ztc::error "context field $2 is missing from $ZTC_CONTEXT_FILE or not a list: run \"ztc render\" and bootstrap again"
  mapfile -t "$1" < <(jq -r "($2)[] | if type == \"string\" then . else tojson end" "$ZTC_CONTEXT_FILE")
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

ztc::wait_until() {
  local what=$1
  shift
  local deadline start now last_note poll=${ZTC_POLL_INTERVAL:-5} whole
  whole=${poll%.*}
  deadline=$(ztc::_wait_deadline)
  start=$(date +%s)
  last_note=$start
  while :; do
    if "$@"; then return 0; fi
    now=$(date +%s)
    # Give up when the next sleep would end past the deadline (the margin covers the check after it).
    if ((now + ${whole:-0} >= deadline)); then
      ztc::warn "gave up waiting for $what after $((now - start)) s"
      return 1
    fi
    if ((now - last_note >= 30)); then
      ztc::info "still waiting for $what ($((now - start)) s)"
      last_note=$now
    fi
    sleep "$poll"
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

ztc::retry() {
  local attempts=$1 n=1 status
  shift
  while :; do
    "$@" && return 0
    status=$?
    ((n >= attempts)) && return "$status"
    sleep "$(ztc::_backoff "$n")"
    n=$((n + 1))
  done
}

# Authorization header for ztc::api, printed into a pipe that curl reads (-H @file): the token never
# appears on a command line, in a file or in the process list.
ztc::_auth_header() {
  [[ -z $1 ]] || printf 'Authorization: Bearer %s\n' "${!1}"
}

ztc::api() {
  local token_var=''
  local -a data=(-H 'Expect:')
  while [[ ${1:-} == -t || ${1:-} == -H ]]; do
    if [[ $1 == -t ]]; then token_var=$2; else data+=(-H "$2"); fi
    shift 2
  done
  local method=$1 url=$2 body=${3-}
  local attempts=${ZTC_API_ATTEMPTS:-6} n=1 response status headers payload wait message
  [[ -z $body ]] || data+=(-H 'Content-Type: application/json' --data-binary "$body")
  while :; do
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
        return 0
        ;;
      423 | 429 | 5?? | 000) # 423: the resource is busy (locked by another action) for now
        if ((n >= attempts)); then
          printf '%s %s: %s after %d attempts\n' "$method" "$url" "$([[ $status == 000 ]] && echo 'no answer' || echo "HTTP $status")" "$n" >&2
          return 2
        fi
        wait=$(printf '%s\n' "$headers" | tr -d '\r' | awk -F': *' 'tolower($1) == "retry-after" { print $2 }')
        [[ $wait =~ ^[0-9]+$ ]] && ((wait <= 60)) || wait=$(ztc::_backoff "$n")
        printf '%s %s: %s, retrying in %s s (%d/%d)\n' "$method" "$url" "$([[ $status == 000 ]] && echo 'no answer' || echo "HTTP $status")" "$wait" "$n" "$attempts" >&2
        sleep "$wait"
        n=$((n + 1))
        ;;
      *)
        message=$(printf '%s' "$payload" | jq -r '.error.message? // .message? // empty' 2>/dev/null || true)
        printf '%s %s: HTTP %s%s\n' "$method" "$url" "$status" "${message:+ ($message)}" >&2
        case $status in 401) return 3 ;; 403) return 4 ;; 404) return 5 ;; 409) return 6 ;; *) return 1 ;; esac
        ;;
    esac
  done
}
