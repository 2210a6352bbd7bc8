#!/usr/bin/env bats
# The adapters' own script libraries (adapters/*/scripts/lib/*.sh) keep ztc.sh's rule: sourcing one only
# defines functions. What needs the context or the environment is an explicit init the script calls.

load helper

setup() {
  common_setup
}

@test "sourcing ztc.sh and every adapter library: no output, no variable but ztc.sh's guard, no folder made" {
  local libs=("$BATS_TEST_DIRNAME"/../../../../adapters/*/scripts/lib/*.sh)
  [ "${#libs[@]}" -gt 0 ]
  run env -u ZTC_CONTEXT_FILE -u ZTC_PRIVATE_DIR -u ZTC_STATE_DIR bash -c '
    before=$(compgen -v | sort)
    . "$1"
    shift
    for lib in "$@"; do . "$lib"; done
    comm -13 <(printf "%s\n" "$before") <(compgen -v | sort) | grep -vx -e before -e lib -e BASH_REMATCH -e PIPESTATUS
    trap -p' _ "$LIB" "${libs[@]}"
  [ "$status" -eq 0 ]
  [ "$output" = $'__ZTC_LIB_LOADED\n__ZTC_REPORTED' ]
  [ -z "$(find private state -mindepth 1)" ]
}
