# shellcheck shell=bash
# Shared by the library's bats specs: a temp dir per test with a context file, a bin/ of stand-in tools
# first on PATH (each records its argv in calls.log), and `script BODY` that runs BODY the way an adapter
# script runs: set -euo pipefail, ztc.sh sourced, ztc::init first.

LIB=$BATS_TEST_DIRNAME/../ztc.sh

common_setup() {
  cd "$BATS_TEST_TMPDIR" || return 1
  mkdir -p bin state private
  printf '%s\n' '{"name":"demo","list":["a","b c"],"empty":[],"flag":false,"by_name":{"cp-1":"patch-1.yaml","a\"b":"quoted"}}' >context.json
  export ZTC_CONTEXT_FILE=$BATS_TEST_TMPDIR/context.json ZTC_STATE_DIR=$BATS_TEST_TMPDIR/state ZTC_PRIVATE_DIR=$BATS_TEST_TMPDIR/private
  export ZTC_POLL_INTERVAL=0.05 ZTC_RETRY_DELAY=0.01 ZTC_WAIT_MARGIN=0
  PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

# stub TOOL BODY: bin/TOOL runs BODY (bash) after logging "TOOL ARGS..." to calls.log.
stub() {
  printf '#!/usr/bin/env bash\nprintf "%%s\\n" "%s $*" >>"%s/calls.log"\n%s\n' "$1" "$BATS_TEST_TMPDIR" "$2" >"bin/$1"
  chmod +x "bin/$1"
}

# script BODY: BODY as an adapter script's main (a file, so the ERR trap can name it and its lines).
script() {
  printf 'set -euo pipefail\n. "%s"\nmain() {\n  ztc::init\n%s\n}\nmain "$@"\n' "$LIB" "$1" >step.sh
  bash step.sh
}
