#!/usr/bin/env bash
# Pre-flight (changes nothing): GITHUB_APP_PRIVATE_KEY signs an App JWT (RS256) that GitHub accepts, the
# installation exchanges it for an installation token, and that token reaches every repository. The API
# base is $GITHUB_API_URL (as in GitHub Actions), else https://api.github.com.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

API=${GITHUB_API_URL:-https://api.github.com}
readonly HEADERS=(-H 'Accept: application/vnd.github+json' -H 'X-GitHub-Api-Version: 2022-11-28')

b64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}

# The App's JWT (RS256), valid ten minutes; the key is read from the environment through a pipe.
app_jwt() {
  local now header payload signature app_id
  app_id=$(ztc::ctx .app_id)
  now=$(date +%s)
  header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"iat":%d,"exp":%d,"iss":"%s"}' $((now - 60)) $((now + 540)) "$app_id" | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign <(printf '%s\n' "$GITHUB_APP_PRIVATE_KEY") 2>/dev/null | b64url) \
    || ztc::error "GITHUB_APP_PRIVATE_KEY is not a PEM private key: export the App's private key (GitHub > Settings > Developer settings > GitHub Apps > your App > Private keys)"
  printf '%s.%s.%s\n' "$header" "$payload" "$signature"
}

# Read by ztc::api -t (by name), never printed.
APP_JWT=''
INSTALLATION_TOKEN=''

main() {
  ztc::init
  local rc=0 app installation repo response status
  app=$(ztc::ctx .app_id)
  installation=$(ztc::ctx .installation_id)
  # shellcheck disable=SC2034 # used by name: ztc::api -t APP_JWT
  APP_JWT=$(app_jwt)
  # The API call's status alone decides below (a pipe into jq would mix jq's exit codes into it).
  response=$(ztc::api -t APP_JWT "${HEADERS[@]}" POST "$API/app/installations/$installation/access_tokens") || rc=$?
  ((rc == 0)) || ztc::http_fail "$(ztc::http_status "$rc")" \
    "401=GitHub rejected the JWT of App $app: GITHUB_APP_PRIVATE_KEY is not a private key of App $app (or github_app_id is wrong). Generate a key in the App's settings and export it as GITHUB_APP_PRIVATE_KEY" \
    "404=App $app has no installation $installation: check github_app_installation_id in platforms/$ZTC_PLATFORM/platform.yaml (the number at the end of the installation's settings URL)" \
    "*=GitHub at $API did not issue an installation token (see above); check the App and $API, then run ztc bootstrap again"
  # shellcheck disable=SC2034 # used by name: ztc::api -t INSTALLATION_TOKEN
  INSTALLATION_TOKEN=$(jq -er '.token // empty' <<<"$response" 2>/dev/null) \
    || ztc::error "GitHub at $API answered the installation token request without a token; check that $API is the GitHub API (GITHUB_API_URL), then run ztc bootstrap again"
  local -a repos
  ztc::ctx_array repos .repositories
  for repo in "${repos[@]}"; do
    rc=0
    ztc::api -t INSTALLATION_TOKEN "${HEADERS[@]}" GET "$API/repos/$repo" >/dev/null || rc=$?
    status=$(ztc::http_status "$rc")
    ((rc == 0)) || ztc::http_fail "$status" \
      "404=the installation of App $app cannot see $repo: give it access (GitHub > your organization > Settings > GitHub Apps > Configure > Repository access), or fix the repository URL in platform.yaml" \
      "40[13]=App $app may not read $repo (HTTP $status): grant the App the repository permissions Contents (read) and Metadata (read) in its settings, accept them in the installation, then run ztc bootstrap again" \
      "000=GitHub did not answer for $repo (see above); run ztc bootstrap again" \
      "*=GitHub refused GET /repos/$repo (see the line above); check the repository URL in platform.yaml"
    ztc::info "$repo: reachable with the App's installation token"
  done
  ztc::info "GitHub App $app (installation $installation): key accepted, ${#repos[@]} repositories reachable"
}

main "$@"
