#!/usr/bin/env bash
# Print the folder of a Node.js binary of the given major version, taken from the npm registry package
# node-linux-<arch> (the official binaries, no system install, npm's cache reused). For CI smoke runs
# under another Node than the machine's: PATH="$(scripts/node-from-registry.sh 24)/bin:$PATH".
set -euo pipefail

main() {
  local major=${1:?usage: node-from-registry.sh <major version>}
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node-from-registry.sh: no node-linux package for $(uname -m)" >&2; return 1 ;;
  esac
  [[ $(uname -s) == Linux ]] || { echo "node-from-registry.sh: Linux only" >&2; return 1; }
  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/ztc-node${major}-XXXXXX")"
  local tgz
  tgz="$(cd "$dir" && npm pack --silent "node-linux-${arch}@${major}")"
  tar -xzf "$dir/$tgz" -C "$dir" package/bin/node
  rm -f "$dir/$tgz"
  printf '%s\n' "$dir/package"
}

main "$@"
