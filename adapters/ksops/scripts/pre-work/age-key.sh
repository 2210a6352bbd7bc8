#!/usr/bin/env bash
# The platform's Age key pair. A key in the private dir is used as it is; else its S3 backup is restored;
# only when neither exists is a new pair made (age-keygen). The private key is then backed up to S3 if the
# bucket lacks it, and .sops.yaml is written to the state dir with the public key: re-running never makes
# a second key, and two different keys (local and backup) stop the run.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/s3.sh
. "$ZTC_LIB_DIR/s3.sh"

main() {
  ztc::init
  s3::init
  local key backup status public expected
  key=$(ztc::private_file ksops/age.key)
  backup=$(ztc::ctx .backup_key)
  status=$(s3::request GET "$backup" backup.key)
  case $status in
    200 | 404) ;;
    *) s3::explain "$status" "reading the key backup $backup" ;;
  esac
  if [[ -s $key ]]; then
    if [[ $status == 200 ]] && ! cmp -s "$key" backup.key; then
      ztc::error "the Age key in the private dir differs from its backup s3://$S3_BUCKET/$backup. Secrets encrypted with one cannot be read with the other: keep the one your repository's secrets use (age-keygen -y <file> shows its public key), put it in both places, and run ztc bootstrap again"
    fi
    ztc::info "using the Age key in the private dir"
  elif [[ $status == 200 ]]; then
    ztc::write_file "$key" 600 <backup.key
    ztc::info "restored the Age key from s3://$S3_BUCKET/$backup"
  else
    (umask 077 && age-keygen -o "$key" 2>/dev/null)
    ztc::info "made a new Age key pair (private key in the private dir)"
  fi
  rm -f backup.key

  public=$(age-keygen -y "$key")
  expected=$(ztc::ctx_or .age_public_key '')
  if [[ -n $expected && $expected != "$public" ]]; then
    ztc::error "ksops.age_public_key in platform.yaml is $expected, but the Age key is $public: remove age_public_key (or set it to $public), render, and bootstrap again"
  fi
  if [[ $status == 404 ]]; then
    status=$(s3::request PUT "$backup" response "$key")
    [[ $status == 200 ]] || s3::explain "$status" "backing the key up to $backup"
    ztc::info "backed the private key up to s3://$S3_BUCKET/$backup"
  fi

  local config_rel config
  config_rel=$(ztc::ctx .sops_config_state_file)
  config=$(ztc::state_file "$config_rel")
  jq -n --arg age "$public" '{creation_rules: [{path_regex: "\\.secret\\.yaml$", encrypted_regex: "^(data|stringData)$", age: $age}]}' \
    | ztc::write_file "$config" 644
  ztc::info "Age recipient $public; .sops.yaml written to \$ZTC_STATE_DIR/$config_rel"
}

main "$@"
