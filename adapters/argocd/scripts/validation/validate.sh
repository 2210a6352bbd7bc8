#!/usr/bin/env bash
# Validation: Argo CD's components are available and argocd-server runs the configured version (its image
# tag), every application is Synced and Healthy, and KSOPS in
# the repo-server decrypts a test secret encrypted to the platform's Age recipient (the same path a real
# SOPS secret in the repository takes).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

# Runs in the repo-server container: a kustomization with a KSOPS generator over the secret on stdin.
# shellcheck disable=SC2016 # expanded by the container's shell
readonly KSOPS_PROBE='set -e
d=$(mktemp -d)
cd "$d"
cat >probe.enc.yaml
printf "%s\n" "apiVersion: viaduct.ai/v1" "kind: ksops" "metadata:" "  name: ztc-probe" "  annotations:" "    config.kubernetes.io/function: |" "      exec:" "        path: ksops" "files:" "  - ./probe.enc.yaml" >generator.yaml
printf "%s\n" "generators:" "  - ./generator.yaml" >kustomization.yaml
kustomize build --enable-alpha-plugins --enable-exec .
cd / && rm -rf "$d"'

main() {
  ztc::init
  local ns kind name apps problems config value built root want image running
  ns=$(ztc::ctx .namespace)
  root=$(ztc::ctx .root_app)
  want=$(ztc::ctx .version)
  ztc::ctx_require .components
  for kind in deployments statefulsets; do
    while read -r name; do
      ztc::k8s::rolled_out "$ns" "${kind%s}/$name" 30s \
        || ztc::error "Argo CD's $name is not ready: see \"kubectl -n $ns describe ${kind%s} $name\", fix what it shows, then run ztc bootstrap again"
    done < <(jq -r --arg kind "$kind" '.components[$kind][]' "$ZTC_CONTEXT_FILE")
  done
  image=$(kubectl --namespace "$ns" get deployment argocd-server -o json | jq -r '[.spec.template.spec.containers[]? | select(.name == "argocd-server") | .image][0] // empty') \
    || ztc::error "could not read deployment argocd-server in $ns (see above): check the cluster (KUBECONFIG in the private dir), then run ztc bootstrap again"
  running=${image%@*}
  running=${running##*:}
  [[ $running == "$want" ]] \
    || ztc::error "argocd-server runs ${running:-an unknown version} (image ${image:-none}), platform.yaml asks for $want: run the bootstrap stage again (ztc bootstrap $ZTC_PLATFORM --stage bootstrap) so that argocd/install applies $want, then validate again"
  ztc::info "Argo CD runs $running"
  apps=$(kubectl --namespace "$ns" get applications.argoproj.io -o json) \
    || ztc::error "could not list Argo CD's applications in $ns (see above): check the cluster (KUBECONFIG in the private dir), then run ztc bootstrap again"
  jq -e --arg root "$root" 'any(.items[]; .metadata.name == $root)' <<<"$apps" >/dev/null \
    || ztc::error "the root application $ns/$root does not exist: run the bootstrap stage again (argocd/root-app)"
  problems=$(jq -r '[.items[] | select(.status.sync.status != "Synced" or .status.health.status != "Healthy") | "\(.metadata.name) (\(.status.sync.status // "Unknown")/\(.status.health.status // "Unknown"))"] | join(", ")' <<<"$apps")
  [[ -z $problems ]] || ztc::error "applications not Synced/Healthy: $problems. See \"kubectl -n $ns get applications\" or the Argo CD UI, fix what they show, then run ztc bootstrap again"

  config=$ZTC_STATE_DIR/$(ztc::ctx .sops_config_state_file)
  [[ -s $config ]] || ztc::error "$config is missing: run the pre-work stage (ksops) first"
  value="ksops-probe-$(date +%s)"
  printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ztc-ksops-probe\nstringData:\n  probe: %s\n' "$value" >probe.secret.yaml
  sops --config "$config" --encrypt probe.secret.yaml >probe.enc.yaml || ztc::error "sops could not encrypt the test secret with $config (see above): check that sops is installed and $config names an Age recipient (the ksops/age-key step writes it), then run ztc bootstrap again"
  built=$(kubectl --namespace "$ns" exec -i deploy/argocd-repo-server -c argocd-repo-server -- sh -c "$KSOPS_PROBE" <probe.enc.yaml 2>&1) \
    || ztc::error "KSOPS in the repo-server could not build the test secret: ${built##*$'\n'}. Check the repo-server's ksops init container, its sops-age Secret and SOPS_AGE_KEY_FILE, then run ztc bootstrap again"
  grep -q "probe: $value" <<<"$built" || grep -q "probe: $(printf '%s' "$value" | base64)" <<<"$built" \
    || ztc::error "KSOPS built the test secret but the value is not the one encrypted: the repo-server decrypts with another key than the platform's. Run the ksops/age-secret step again (ztc bootstrap $ZTC_PLATFORM --fresh --stage bootstrap) so that its Secret holds the platform's key, and restart the repo-server (kubectl -n $ns rollout restart deploy/argocd-repo-server)"
  ztc::info "Argo CD healthy; KSOPS in the repo-server decrypts the platform's secrets"
}

main "$@"
