#!/usr/bin/env bash
# Generate this cluster's machine configs from the rendered patches, with a secrets bundle that is made
# once and kept in the private dir (re-running never makes new PKI): `talosctl gen config` for the
# control-plane and worker bases, then each node's patch on the base of its role. Nothing touches the
# nodes. A new secrets bundle is made only when no node runs a configured Talos (asked live): over a live
# cluster it would make configs the cluster rejects, so a lost bundle must be restored, never replaced.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/talos.sh
. "$ZTC_LIB_DIR/talos.sh"

# Stop before making a new bundle when any node already runs a configured Talos (a live cluster).
refuse_over_live_cluster() {
  local name ip _role state
  while read -r name ip _role; do
    state=$(talos::probe "$ip")
    case $state in
      ours | foreign | configured)
        ztc::error "the cluster secrets bundle $1 is missing, but $name ($ip) already runs a configured Talos node ($state): a new bundle would not match the live cluster, so none was made. Restore the private dir $ZTC_PRIVATE_DIR from its backup (docs/operations.md, \"Restoring a private dir\"), then run ztc bootstrap again"
        ;;
    esac
  done < <(talos::nodes all)
}

main() {
  ztc::init
  talos::init
  local secrets=$TALOS_DIR/secrets.yaml name ip role base
  if [[ -s $secrets ]]; then
    ztc::info "using the secrets bundle made earlier"
  else
    refuse_over_live_cluster "$secrets"
    (umask 077 && talosctl gen secrets --output-file "$secrets")
    ztc::info "made the cluster's secrets bundle (private dir; back it up, see docs/bootstrap.md)"
  fi

  local -a rendered patches=()
  local patch cluster_name endpoint k8s_version disk image validate_mode node_patch
  ztc::ctx_array rendered .patches
  for patch in "${rendered[@]}"; do patches+=(--config-patch "@$ZTC_GENERATED_DIR/$patch"); done
  cluster_name=$(ztc::ctx .cluster_name)
  endpoint=$(ztc::ctx .cluster_endpoint)
  k8s_version=$(ztc::ctx .kubernetes_version)
  disk=$(ztc::ctx .install_disk)
  image=$(ztc::ctx .install_image)
  validate_mode=$(ztc::ctx .validate_mode)
  (umask 077 && talosctl gen config "$cluster_name" "$endpoint" \
    --with-secrets "$secrets" \
    --kubernetes-version "$k8s_version" \
    --install-disk "$disk" \
    --install-image "$image" \
    "${patches[@]}" \
    --output-types controlplane,worker,talosconfig \
    --with-docs=false --with-examples=false \
    --output "$TALOS_DIR" --force)
  # shellcheck disable=SC2046 # one argument per control-plane IP
  talosctl config endpoint $(talos::nodes controlplane | awk '{ print $2 }')

  mkdir -p "$TALOS_DIR/nodes"
  while read -r name ip role; do
    base=$TALOS_DIR/$role.yaml
    # shellcheck disable=SC2016 # $name is a jq variable (--arg), not a shell one
    node_patch=$(ztc::ctx '.node_patches[$name]' --arg name "$name")
    (umask 077 && talosctl machineconfig patch "$base" --patch "@$ZTC_GENERATED_DIR/$node_patch" --output "$TALOS_DIR/nodes/$name.yaml")
    talosctl validate --config "$TALOS_DIR/nodes/$name.yaml" --mode "$validate_mode" --strict >/dev/null \
      || ztc::error "the config generated for $name ($ip) is not valid (see above); fix the talos section of platforms/$ZTC_PLATFORM/platform.yaml, render and bootstrap again"
    ztc::info "$name ($ip): $role config ready"
  done < <(talos::nodes all)
}

main "$@"
