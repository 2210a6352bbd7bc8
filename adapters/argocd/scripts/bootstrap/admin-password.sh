#!/usr/bin/env bash
# Set Argo CD's admin password from ARGOCD_ADMIN_PASSWORD, stored as Argo CD expects it: a bcrypt hash in
# argocd-secret (admin.password, with admin.passwordMtime). The password reaches htpasswd on stdin and the
# patch reaches kubectl on stdin: neither is ever on a command line. A password already set is left alone;
# the generated initial password secret is removed.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local ns current hash
  ztc::require_env ARGOCD_ADMIN_PASSWORD
  ns=$(ztc::ctx .namespace)
  current=$(kubectl --namespace "$ns" get secret argocd-secret -o json | jq -r '.data["admin.password"] // empty' | base64 -d)
  if [[ -n $current ]]; then
    printf 'admin:%s\n' "$current" >current.htpasswd
    if printf '%s\n' "$ARGOCD_ADMIN_PASSWORD" | htpasswd -vi current.htpasswd admin >/dev/null 2>&1; then
      ztc::info "the admin password is set already"
      return
    fi
  fi
  hash=$(printf '%s\n' "$ARGOCD_ADMIN_PASSWORD" | htpasswd -niBC 10 admin | cut -d: -f2-)
  hash=\$2a\$${hash#\$2y\$} # Argo CD reads the $2a$ form of bcrypt
  [[ $hash == \$2a\$10\$* ]] || ztc::error "htpasswd did not produce a bcrypt hash: install apache2-utils 2.4 or later (Debian/Ubuntu: apt-get install apache2-utils), then run ztc bootstrap again"
  jq -n --arg hash "$hash" --arg mtime "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '{stringData: {"admin.password": $hash, "admin.passwordMtime": $mtime}}' \
    | kubectl --namespace "$ns" patch secret argocd-secret --type merge --patch-file /dev/stdin >/dev/null \
    || ztc::error "could not set the admin password in $ns/argocd-secret (see above): check that Argo CD is installed (the argocd/install step made argocd-secret) and the cluster answers (KUBECONFIG in the private dir), then run ztc bootstrap again"
  kubectl --namespace "$ns" delete secret argocd-initial-admin-secret --ignore-not-found >/dev/null
  ztc::info "admin password set (bcrypt) in $ns/argocd-secret"
}

main "$@"
