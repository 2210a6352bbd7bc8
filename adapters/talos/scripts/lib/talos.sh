# shellcheck shell=bash
# talos.sh: what the talos adapter's scripts share. Sourced after ztc.sh.
# Credentials made here (secrets bundle, machine configs, talosconfig) live under $ZTC_PRIVATE_DIR/talos;
# the admin kubeconfig goes to $KUBECONFIG, which ztc points into the private dir for every step.

TALOS_DIR=$(ztc::private_dir talos)
TALOSCONFIG=$TALOS_DIR/talosconfig
export TALOSCONFIG
readonly TALOS_DIR

# Every talos step's context lists the nodes; checked here, in the script's own shell, because
# talos::nodes is read in `< <(...)` loops, where a missing field would only mean zero iterations.
ztc::ctx_require .nodes

# talos::nodes ROLE: "name ip role" lines of the context's nodes of ROLE (controlplane, worker or all),
# in context order.
talos::nodes() {
  jq -r --arg role "$1" '.nodes[] | select($role == "all" or .role == $role) | "\(.name) \(.ip) \(.role)"' "$ZTC_CONTEXT_FILE"
}

# talos::configured IP: the node runs Talos with this cluster's config (its API accepts our talosconfig).
talos::configured() {
  [[ -s $TALOSCONFIG ]] && talosctl --nodes "$1" version --short >/dev/null 2>&1
}

# talos::maintenance IP: the node runs Talos without a config yet (maintenance mode, insecure API).
talos::maintenance() {
  talosctl --nodes "$1" version --insecure --short >/dev/null 2>&1
}

talos::running() {
  talos::configured "$1" || talos::maintenance "$1"
}

# talos::mark_installed IP: record that the machine runs Talos, so no later step (of any adapter,
# e.g. the cloud provider's rescue boot) reboots it into an installer again.
talos::mark_installed() {
  local version mark
  version=$(ztc::ctx .talos_version)
  mark=$(ztc::state_file "machines/$1.json")
  jq -n --arg v "$version" '{os: "talos", version: $v}' | ztc::write_file "$mark" 644
}

# talos::apply NAME IP: bring the node's running config to $TALOS_DIR/nodes/NAME.yaml and wait until the
# node answers with it. A node in maintenance mode gets it through the insecure maintenance API (it
# then installs to disk and reboots); a configured node gets only a change, and nothing when the dry
# run shows none.
talos::apply() {
  local name=$1 ip=$2 file=$TALOS_DIR/nodes/$1.yaml diff
  [[ -s $file ]] || ztc::error "$file is missing: run the talos/gen-config step first (ztc bootstrap $ZTC_PLATFORM)"
  if talos::configured "$ip"; then
    diff=$(talosctl --nodes "$ip" apply-config --file "$file" --dry-run 2>&1) \
      || ztc::error "$name ($ip) refused its new config in a dry run: ${diff##*$'\n'}"
    if grep -q 'No changes' <<<"$diff"; then
      ztc::info "$name ($ip): config unchanged"
      return
    fi
    ztc::info "$name ($ip): applying config changes"
    talosctl --nodes "$ip" apply-config --file "$file" --mode auto
  elif talos::maintenance "$ip"; then
    ztc::info "$name ($ip): applying config (maintenance mode; the node installs Talos and reboots)"
    talosctl apply-config --insecure --nodes "$ip" --file "$file"
  else
    ztc::error "$name ($ip) does not run Talos (neither configured nor in maintenance mode): run the talos/install-image step first, or check the machine's console"
  fi
  ztc::wait_until "$name ($ip) to come up with its config" talos::configured "$ip" \
    || ztc::error "$name ($ip) did not come back with its config. Look at its console (installer errors show there), or run \"talosctl --nodes $ip dmesg\" with the talosconfig in the private dir, then run ztc bootstrap again"
}
