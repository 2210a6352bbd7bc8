#!/usr/bin/env bash
# Pre-flight: the S3 bucket for the Age key backup exists and S3_ACCESS_KEY/S3_SECRET_KEY can write to it
# (a probe object is written and removed again).
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"
# shellcheck source=lib/s3.sh
. "$ZTC_LIB_DIR/s3.sh"

main() {
  ztc::init
  s3::init
  local status probe=.ztc-write-probe
  status=$(s3::request HEAD '' response)
  [[ $status == 200 ]] || s3::explain "$status" "access to the bucket"
  printf 'written by ztc bootstrap pre-flight; safe to delete\n' >probe
  status=$(s3::request PUT "$probe" response probe)
  [[ $status == 200 ]] || s3::explain "$status" "writing $probe"
  status=$(s3::request DELETE "$probe" response)
  [[ $status == 204 || $status == 200 ]] || s3::explain "$status" "deleting $probe"
  ztc::info "bucket $S3_BUCKET at $S3_ENDPOINT exists and the credentials can write to it"
}

main "$@"
