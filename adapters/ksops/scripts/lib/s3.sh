# shellcheck shell=bash
# s3.sh: the Age key backup's S3 bucket, as the ksops scripts use it. Sourced after ztc.sh.
# Requests are signed with SigV4 by curl (--aws-sigv4); the credentials ($S3_ACCESS_KEY, $S3_SECRET_KEY)
# reach curl through a config read from a pipe, never its command line. Path-style URLs on the context's
# endpoint, or on $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL when set (as the AWS tools read them).

S3_ENDPOINT=${AWS_ENDPOINT_URL_S3:-${AWS_ENDPOINT_URL:-$(ztc::ctx .s3.endpoint)}}
S3_REGION=$(ztc::ctx .s3.region)
S3_BUCKET=$(ztc::ctx .s3.bucket)
readonly S3_ENDPOINT S3_REGION S3_BUCKET
readonly S3_EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

s3::_credentials() {
  printf 'user = "%s:%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
}

# s3::request METHOD KEY OUT [FILE]: one request on the bucket (KEY empty: the bucket itself); the body
# of the answer goes to OUT, the HTTP status to stdout ("000": no answer). Retries 5xx and no answer.
s3::request() {
  local method=$1 key=$2 out=$3 file=${4-} status n=1 sha
  local -a data=(-H "x-amz-content-sha256: $S3_EMPTY_SHA256") verb=(-X "$method")
  [[ $method != HEAD ]] || verb=(--head) # with -X HEAD, curl would wait for a body
  if [[ -n $file ]]; then
    sha=$(ztc::sha256 "$file")
    data=(--data-binary "@$file" -H "x-amz-content-sha256: $sha")
  fi
  while :; do
    status=$(curl -sS -o "$out" -w '%{http_code}' "${verb[@]}" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
      --config <(s3::_credentials) -A "ztc (${ZTC_STEP:-by hand})" "${data[@]}" \
      --connect-timeout 10 --max-time 120 "$S3_ENDPOINT/$S3_BUCKET${key:+/$key}" 2>/dev/null) || status=000
    [[ $status == 5?? || $status == 000 ]] || break
    ((n < ${ZTC_API_ATTEMPTS:-6})) || break
    printf '%s s3://%s/%s: %s, retrying (%d/%d)\n' "$method" "$S3_BUCKET" "$key" "$([[ $status == 000 ]] && echo 'no answer' || echo "HTTP $status")" "$n" "${ZTC_API_ATTEMPTS:-6}" >&2
    sleep "$(ztc::_backoff "$n")"
    n=$((n + 1))
  done
  printf '%s\n' "$status"
}

# s3::explain STATUS WHAT: the ERROR for a failed request.
s3::explain() {
  case $1 in
    403) ztc::error "S3 refused $2 in bucket $S3_BUCKET (403): S3_ACCESS_KEY/S3_SECRET_KEY may not read and write it. Create credentials for this bucket (Hetzner Console > Object Storage > Credentials) and export them" ;;
    404) ztc::error "bucket $S3_BUCKET does not exist at $S3_ENDPOINT: create it (private) in your object storage, or fix ksops.s3_bucket_name / s3_endpoint in platforms/$ZTC_PLATFORM/platform.yaml" ;;
    000) ztc::error "the object storage at $S3_ENDPOINT did not answer $2: check ksops.s3_endpoint and this machine's network, then run ztc bootstrap again" ;;
    *) ztc::error "S3 answered $1 to $2 in bucket $S3_BUCKET at $S3_ENDPOINT; check the endpoint, region ($S3_REGION) and credentials" ;;
  esac
}
