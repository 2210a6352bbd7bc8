#!/usr/bin/env bash
# Teardown, under ztc destroy --purge-private only: delete the Age key's backup from S3. After this (and
# with the private dir purged) nothing can decrypt the SOPS-encrypted files in Git any more. A backup that
# is not there (or a bucket that is gone) is fine.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=../lib/s3.sh
. "$ZTC_LIB_DIR/s3.sh"

main() {
  ztc::init
  s3::init
  local backup status
  backup=$(ztc::ctx .backup_key)
  status=$(s3::request HEAD "$backup" /dev/null)
  case $status in
    200) ;;
    404)
      ztc::info "no Age key backup at s3://$S3_BUCKET/$backup: nothing to delete"
      return 0
      ;;
    *) s3::explain "$status" "reading the key backup $backup" ;;
  esac
  status=$(s3::request DELETE "$backup" /dev/null)
  [[ $status == 204 || $status == 200 ]] || s3::explain "$status" "deleting the key backup $backup"
  ztc::info "deleted the Age key backup s3://$S3_BUCKET/$backup"
}

main "$@"
