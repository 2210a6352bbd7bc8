# shellcheck shell=bash
# s3.sh: the Age key backup's S3 bucket, as the ksops scripts use it. Sourced after ztc.sh; defines
# functions only (each script calls s3::init).
# Requests are signed with SigV4 by curl (--aws-sigv4); the credentials ($S3_ACCESS_KEY, $S3_SECRET_KEY)
# reach curl through a config read from a pipe, never its command line. Path-style URLs on the context's
# endpoint, or on $AWS_ENDPOINT_URL_S3 / $AWS_ENDPOINT_URL when set (as the AWS tools read them).

# s3::init: after ztc::init, in main: S3_ENDPOINT, S3_REGION and S3_BUCKET from the context (the endpoint
# from the environment when set).
s3::init() {
  S3_ENDPOINT=${AWS_ENDPOINT_URL_S3:-${AWS_ENDPOINT_URL:-}}
  [[ -n $S3_ENDPOINT ]] || S3_ENDPOINT=$(ztc::ctx .s3.endpoint)
  S3_REGION=$(ztc::ctx .s3.region)
  S3_BUCKET=$(ztc::ctx .s3.bucket)
}

s3::_credentials() {
  printf 'user = "%s:%s"\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
}

# One attempt of s3::request (same arguments): the status in __s3_status; 75 when worth another try
# (5xx, no answer), for ztc::retry.
s3::_once() {
  local method=$1 key=$2 out=$3 file=${4-} sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 # sha256 of nothing
  local -a data=() verb=(-X "$method")
  [[ $method != HEAD ]] || verb=(--head) # with -X HEAD, curl would wait for a body
  if [[ -n $file ]]; then
    sha=$(ztc::sha256 "$file")
    data=(--data-binary "@$file")
  fi
  __s3_status=$(curl -sS -o "$out" -w '%{http_code}' "${verb[@]}" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --config <(s3::_credentials) -A "ztc (${ZTC_STEP:-by hand})" -H "x-amz-content-sha256: $sha" "${data[@]}" \
    --connect-timeout 10 --max-time 120 "$S3_ENDPOINT/$S3_BUCKET${key:+/$key}" 2>/dev/null) || __s3_status=000
  [[ $__s3_status == 5?? || $__s3_status == 000 ]] || return 0
  __ztc_retry_reason="$method s3://$S3_BUCKET/$key: $([[ $__s3_status == 000 ]] && echo 'no answer' || echo "HTTP $__s3_status")"
  return 75
}

# s3::request METHOD KEY OUT [FILE]: one request on the bucket (KEY empty: the bucket itself); the body
# of the answer goes to OUT, the HTTP status to stdout ("000": no answer). 5xx and no answer are tried
# again (ztc::retry, ZTC_API_ATTEMPTS times).
s3::request() {
  local __s3_status=000
  ztc::retry --on 75 "${ZTC_API_ATTEMPTS:-6}" s3::_once "$@" || true
  printf '%s\n' "$__s3_status"
}

# s3::explain STATUS WHAT: the ERROR for a failed request.
s3::explain() {
  ztc::http_fail "$1" \
    "403=S3 refused $2 in bucket $S3_BUCKET (403): S3_ACCESS_KEY/S3_SECRET_KEY may not read and write it. Create credentials for this bucket (Hetzner Console > Object Storage > Credentials) and export them" \
    "404=bucket $S3_BUCKET does not exist at $S3_ENDPOINT: create it (private) in your object storage, or fix ksops.s3_bucket_name / s3_endpoint in platforms/$ZTC_PLATFORM/platform.yaml" \
    "000=the object storage at $S3_ENDPOINT did not answer $2: check ksops.s3_endpoint and this machine's network, then run ztc bootstrap again" \
    "*=S3 answered $1 to $2 in bucket $S3_BUCKET at $S3_ENDPOINT: check the endpoint, region ($S3_REGION) and credentials, then run ztc bootstrap again"
}
