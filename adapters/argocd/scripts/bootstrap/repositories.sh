#!/usr/bin/env bash
# Repository credentials for Argo CD from the GitHub App: one Secret per repository, labelled as an
# Argo CD repository, with the App and installation ids and the App's private key. The key is read by jq
# from the environment and the manifest reaches kubectl on stdin: it is never rendered, never in a file,
# never on a command line.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns name url app inst
  ztc::require_env GITHUB_APP_PRIVATE_KEY
  ns=$(ztc::ctx .namespace)
  app=$(ztc::ctx .app_id)
  inst=$(ztc::ctx .installation_id)
  ztc::ctx_require .repositories
  while read -r name url; do
    jq -n --arg ns "$ns" --arg name "$name" --arg url "$url" --arg app "$app" --arg inst "$inst" '{
        apiVersion: "v1", kind: "Secret",
        metadata: {name: $name, namespace: $ns, labels: {"argocd.argoproj.io/secret-type": "repository"}},
        type: "Opaque",
        stringData: {type: "git", url: $url, githubAppID: $app, githubAppInstallationID: $inst, githubAppPrivateKey: env.GITHUB_APP_PRIVATE_KEY}
      }' | ztc::k8s::apply --force-conflicts -f - >/dev/null \
      || ztc::error "could not create the repository Secret $ns/$name (see above): check the cluster (KUBECONFIG in the private dir) and that namespace $ns exists (the argocd/install step), then run ztc bootstrap again"
    ztc::info "repository $url: credentials from GitHub App $app in Secret $ns/$name"
  done < <(jq -r '.repositories[] | "\(.name) \(.url)"' "$ZTC_CONTEXT_FILE")
}

main "$@"
