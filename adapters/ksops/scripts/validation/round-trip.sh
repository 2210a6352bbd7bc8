#!/usr/bin/env bash
# Validation: SOPS encrypts a test secret with the platform's .sops.yaml (the Age recipient) so that the
# value is no longer readable, and decrypts it back with the platform's key.
set -euo pipefail
# shellcheck source=ztc.sh
. "${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ztc.sh}/ztc.sh"

main() {
  ztc::init
  local config value decrypted
  config=$ZTC_STATE_DIR/$(ztc::ctx .sops_config_state_file)
  [[ -s $config ]] || ztc::error "$config is missing: run the pre-work stage (ksops/age-key) first"
  value="round-trip-$(date +%s)"
  printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ztc-round-trip\nstringData:\n  probe: %s\n' "$value" >probe.secret.yaml
  sops --config "$config" --encrypt probe.secret.yaml >probe.enc.yaml \
    || ztc::error "sops could not encrypt with $config (see above): check that sops is installed and $config names an Age recipient (the ksops/age-key step writes it), then run ztc bootstrap again"
  ! grep -q "$value" probe.enc.yaml || ztc::error "sops left the test value readable: check encrypted_regex in $config (written by the ksops/age-key step: run it again with ztc bootstrap $ZTC_PLATFORM --fresh --stage pre-work)"
  decrypted=$(SOPS_AGE_KEY_FILE=$ZTC_PRIVATE_DIR/ksops/age.key sops --decrypt probe.enc.yaml | awk '$1 == "probe:" { print $2 }') \
    || ztc::error "sops could not decrypt with the platform's key: check that $ZTC_PRIVATE_DIR/ksops/age.key is the key of the recipient in $config (age-keygen -y shows its public key); if not, run the ksops/age-key step again (ztc bootstrap $ZTC_PLATFORM --fresh --stage pre-work)"
  [[ $decrypted == "$value" ]] || ztc::error "the decrypted value differs from the original: SOPS or the key is broken. Check sops --version and the key in $ZTC_PRIVATE_DIR/ksops/age.key, then run ztc bootstrap again"
  ztc::info "SOPS round trip with the platform's Age key: ok"
}

main "$@"
