# shellcheck shell=bash
# talos.sh: what the talos adapter's scripts share. Sourced after ztc.sh; defines functions only (each
# script calls talos::init).
# Credentials made here (secrets bundle, machine configs, talosconfig) live under $ZTC_PRIVATE_DIR/talos;
# the admin kubeconfig goes to $KUBECONFIG, which ztc points into the private dir for every step.

# talos::init: the second call of each talos script's main, after ztc::init. Sets TALOS_DIR (the private
# dir's talos folder, created 0700) and TALOSCONFIG (exported: talosctl reads it), and checks that the
# context lists the nodes: talos::nodes is read in `< <(...)` loops, where a missing field would only
# mean zero iterations.
talos::init() {
  TALOS_DIR=$(ztc::private_dir talos)
  TALOSCONFIG=$TALOS_DIR/talosconfig
  export TALOSCONFIG
  ztc::ctx_require .nodes
}

# talos::nodes ROLE: "name ip role" lines of the context's nodes of ROLE (controlplane, worker or all),
# in context order.
talos::nodes() {
  jq -r --arg role "$1" '.nodes[] | select($role == "all" or .role == $role) | "\(.name) \(.ip) \(.role)"' "$ZTC_CONTEXT_FILE"
}

# talos::configured IP: the node runs Talos with this cluster's config (its API accepts our talosconfig).
talos::configured() {
  [[ -s $TALOSCONFIG ]] && talosctl --nodes "$1" version >/dev/null 2>&1
}

# talos::maintenance IP: the node runs Talos without a config yet (maintenance mode, insecure API).
talos::maintenance() {
  talosctl --nodes "$1" version --insecure >/dev/null 2>&1
}

talos::running() {
  talos::configured "$1" || talos::maintenance "$1"
}

# talos::probe IP: what answers at IP's Talos API (port 50000), asked live, never read from local files:
#   ours         a configured node of this cluster: it accepts the private dir's talosconfig
#   maintenance  Talos without a config (maintenance mode: the insecure API answers)
#   foreign      a configured Talos node whose cluster rejects our talosconfig (another cluster's CA)
#   configured   a configured Talos node we cannot check: no talosconfig in the private dir, or its
#                endpoints (the control planes) do not answer
#   none         no Talos API: another OS, the rescue system, or the machine is down
talos::probe() {
  local ip=$1 out
  if [[ -s $TALOSCONFIG ]]; then
    if out=$(talosctl --nodes "$ip" version 2>&1); then
      printf 'ours\n'
      return
    fi
    if grep -q 'certificate signed by unknown authority' <<<"$out"; then
      printf 'foreign\n'
      return
    fi
  fi
  if out=$(talosctl --nodes "$ip" version --insecure 2>&1); then
    printf 'maintenance\n'
  elif grep -qE 'certificate required|bad certificate' <<<"$out"; then
    printf 'configured\n'
  else
    printf 'none\n'
  fi
}

# talos::version IP [--insecure]: the Talos version the node reports (the server's Tag), or nothing.
talos::version() {
  talosctl --nodes "$1" version "${@:2}" 2>/dev/null | awk '/^Server:/ { server = 1 } server && $1 == "Tag:" { print $2; exit }'
}

# talos::refuse_unknown NAME IP STATE: stop with an ERROR for a machine this platform must not touch:
# a Talos node of another cluster, or a configured one the private dir cannot speak to.
talos::refuse_unknown() {
  local name=$1 ip=$2 state=$3
  case $state in
    foreign)
      ztc::error "$name ($ip) runs Talos configured for another cluster (its API rejects this platform's talosconfig): it was left alone. If it should belong to this platform, reset it with that cluster's talosconfig (talosctl --nodes $ip reset) or reinstall it, then run ztc bootstrap again; otherwise fix talos.nodes in platforms/$ZTC_PLATFORM/platform.yaml"
      ;;
    configured)
      if [[ -s $TALOSCONFIG ]]; then
        ztc::error "$name ($ip) runs a configured Talos node, but this platform's control planes do not answer with the talosconfig in the private dir, so it cannot be checked: it was left alone. Check the control planes (talosctl --talosconfig $TALOSCONFIG --nodes <control-plane ip> version), then run ztc bootstrap again"
      fi
      ztc::error "$name ($ip) runs a configured Talos node, but the private dir $ZTC_PRIVATE_DIR has no talosconfig: it was left alone, and no new cluster secrets were made. Restore the private dir from its backup (docs/operations.md, \"Restoring a private dir\"), then run ztc bootstrap again"
      ;;
  esac
}

# talos::record IP [--insecure]: cache what the node just answered in its machine facts (the version read
# back from the node itself); a record for information, never the authority for a reboot or disk write.
talos::record() {
  local version
  version=$(talos::version "$@")
  jq -n --arg v "${version:-unknown}" '{os: "talos", version: $v}' | ztc::write_file "$(ztc::machine_fact_file "$1")" 644
}

# talos::forget IP NAME [WHY]: drop the machine facts of a node. Without WHY: it does not answer as Talos
# (stale: the machine was recycled or reinstalled), said as a warning; with WHY (the node was removed or
# reset on purpose), said as information.
talos::forget() {
  local fact
  fact=$(ztc::machine_fact_file "$1")
  [[ -f $fact ]] || return 0
  if [[ -n ${3:-} ]]; then
    ztc::info "$2 ($1): machine facts cleared ($3)"
  else
    ztc::warn "$2 ($1): the local record $(jq -c . "$fact" 2>/dev/null || true) says it runs Talos, but it does not answer the Talos API: the record is stale and was removed"
  fi
  rm -f "$fact"
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
      || ztc::error "$name ($ip) refused its new config in a dry run: ${diff##*$'\n'}. Fix the talos section of platforms/$ZTC_PLATFORM/platform.yaml (or the node's patch) so that the config is valid for the running node, render, then run ztc bootstrap again"
    if grep -q 'No changes' <<<"$diff"; then
      ztc::info "$name ($ip): config unchanged"
      talos::record "$ip"
      return
    fi
    ztc::info "$name ($ip): applying config changes"
    talosctl --nodes "$ip" apply-config --file "$file" --mode auto
  elif talos::maintenance "$ip"; then
    ztc::info "$name ($ip): applying config (maintenance mode; the node installs Talos and reboots)"
    talosctl apply-config --insecure --nodes "$ip" --file "$file"
  else
    local state
    state=$(talos::probe "$ip")
    talos::refuse_unknown "$name" "$ip" "$state"
    ztc::error "$name ($ip) does not run Talos (neither configured nor in maintenance mode): run the talos/install-image step first (ztc bootstrap $ZTC_PLATFORM --fresh --stage bootstrap), or check the machine's console"
  fi
  ztc::wait_until "$name ($ip) to come up with its config" talos::configured "$ip" \
    || ztc::error "$name ($ip) did not come back with its config. Look at its console (installer errors show there), or run \"talosctl --nodes $ip dmesg\" with the talosconfig in the private dir, then run ztc bootstrap again"
  talos::record "$ip"
}

# talos::etcd_state IP: the etcd service's state on a control plane (Running, Preparing, ...), or nothing.
talos::etcd_state() {
  talosctl --nodes "$1" service etcd 2>/dev/null | awk '$1 == "STATE" { print $2 }'
}

talos::etcd_running() {
  [[ $(talos::etcd_state "$1") == Running ]]
}

# talos::etcd_healthy IP: the etcd service runs on the node and passes its health check.
talos::etcd_healthy() {
  talosctl --nodes "$1" service etcd 2>/dev/null | awk '$1 == "STATE" { s = $2 } $1 == "HEALTH" { h = $2 } END { exit !(s == "Running" && h == "OK") }'
}

# talos::etcd_members IP: the etcd members the node reports, one "id hostname ip learner" line each (hostname
# "-" for a member that has not started yet: etcd lists it without a name); nothing when etcd has no data
# there. Fails when the node does not answer.
talos::etcd_members() {
  local out
  out=$(talosctl --nodes "$1" etcd members 2>/dev/null) || return 1
  awk 'NR > 1 && NF > 0 {
    id = $2; host = "-"; peer = ""
    for (i = 3; i <= NF; i++) if ($i ~ /^https?:\/\//) { peer = $i; break }
    if ($3 !~ /^https?:\/\//) host = $3
    sub(/^https?:\/\//, "", peer); sub(/:[0-9]+$/, "", peer)
    print id, host, peer, $NF
  }' <<<"$out"
}

# talos::etcd_all_started IP: etcd on the node is healthy, every member it lists has started (has a name)
# and votes (is no learner), and etcd is healthy on each member's node.
talos::etcd_all_started() {
  local members _id _host ip _learner
  talos::etcd_healthy "$1" || return 1
  members=$(talos::etcd_members "$1") || return 1
  [[ -n $members ]] && ! awk '$2 == "-" || $4 != "false" { found = 1 } END { exit !found }' <<<"$members" || return 1
  while read -r _id _host ip _learner; do
    [[ $ip == "$1" ]] || talos::etcd_healthy "$ip" || return 1
  done <<<"$members"
}

# talos::ensure_kubeconfig NAME IP: $KUBECONFIG reaches a ready Kubernetes API server: kept when it does,
# else fetched from the control plane NAME (IP) and the API server waited for; an ERROR saying where to
# look otherwise.
talos::ensure_kubeconfig() {
  local name=$1 ip=$2
  if [[ -s $KUBECONFIG ]] && talos::api_ready; then return 0; fi
  ztc::wait_until "the admin kubeconfig from $name ($ip)" talos::fetch_kubeconfig "$ip" \
    || ztc::error "could not fetch the kubeconfig from $name ($ip): is etcd bootstrapped and running there (talosctl --talosconfig $TALOSCONFIG --nodes $ip service etcd)? Then run ztc bootstrap $ZTC_PLATFORM again"
  ztc::wait_until "the Kubernetes API server" talos::api_ready \
    || ztc::error "the Kubernetes API server did not become ready, though $name ($ip) gave a kubeconfig: see \"talosctl --talosconfig $TALOSCONFIG --nodes $ip service\" and \"... logs kubelet\", then run ztc bootstrap $ZTC_PLATFORM again"
}

# talos::first_cp TEST: "name ip" of the first control plane of the context for which `TEST <ip>` holds, or nothing.
talos::first_cp() {
  local name ip _role
  while read -r name ip _role; do
    if "$1" "$ip"; then
      printf '%s %s\n' "$name" "$ip"
      return
    fi
  done < <(talos::nodes controlplane)
}

# talos::healthy_cp: "name ip" of the first control plane of the context whose etcd is healthy, or nothing.
talos::healthy_cp() { talos::first_cp talos::etcd_healthy; }

# talos::etcd_snapshot NAME IP: an etcd snapshot taken on the control plane NAME (IP) into
# $TALOS_DIR/backups/etcd-<UTC timestamp>.snapshot (0600); the oldest are removed beyond the last
# $ZTC_ETCD_SNAPSHOTS_KEEP (default 10). Prints the path and size, never the contents. ERROR when it fails.
talos::etcd_snapshot() {
  local name=$1 ip=$2 dir file stamp tmp out size keep=${ZTC_ETCD_SNAPSHOTS_KEEP:-10}
  dir=$(ztc::private_dir talos/backups)
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  file=$dir/etcd-$stamp.snapshot
  [[ ! -e $file ]] || file=$dir/etcd-$stamp-$$.snapshot
  tmp=$dir/.partial-$$.snapshot
  if ! out=$( (umask 077 && talosctl --nodes "$ip" etcd snapshot "$tmp") 2>&1) || [[ ! -s $tmp ]]; then
    rm -f "$tmp"
    ztc::error "the etcd snapshot from $name ($ip) failed: ${out##*$'\n'}. Check etcd there (talosctl --talosconfig $TALOSCONFIG --nodes $ip service etcd), then run the command again"
  fi
  chmod 600 "$tmp"
  mv -f "$tmp" "$file"
  size=$(wc -c <"$file" | tr -d ' ')
  ztc::info "etcd snapshot from $name ($ip): $file ($size bytes)"
  local -a all
  mapfile -t all < <(find "$dir" -maxdepth 1 -name 'etcd-*.snapshot' -type f | sort)
  local i
  for ((i = 0; i < ${#all[@]} - keep; i++)); do
    rm -f "${all[i]}"
    ztc::info "removed the older snapshot ${all[i]} (the last $keep are kept)"
  done
}

# talos::api_ready: the Kubernetes API server answers /readyz with the kubeconfig in $KUBECONFIG.
talos::api_ready() {
  [[ $(kubectl get --raw=/readyz 2>/dev/null) == ok ]]
}

# talos::fetch_kubeconfig IP: the admin kubeconfig from the control plane IP into $KUBECONFIG (0600).
talos::fetch_kubeconfig() {
  (umask 077 && talosctl --nodes "$1" kubeconfig "$KUBECONFIG" --force --merge=false >/dev/null 2>&1)
}

# talos::first_configured_cp: "name ip" of the first control plane of the context that answers as a node of
# this cluster, or nothing (a new cluster: none is configured yet).
talos::first_configured_cp() { talos::first_cp talos::configured; }
