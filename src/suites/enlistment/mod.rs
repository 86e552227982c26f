//! The enlistment suite (`suites/enlistment.toml`): proof of ownership of a
//! user-visible identifier (OpenID discovery, JWKS, a provider-signed JWT
//! bound to the gatekeeper's nonce and the client's keys) and the
//! provider's verification of the gatekeeper's signed HTTP calls. The
//! adapter sets things up (docs/enlistment.md); everything else is real
//! HTTP on 127.0.0.1 between the harness and the target.
//!
//! * `drive`: provider information, the harness's gatekeeper, HTTP checks.
//! * `provider`: discovery, the JWKS, proofs, key rotation.
//! * `calls`: gatekeeper calls that must be accepted or refused.
//! * `headers`: calls whose JOSE header is wrong in one way.
//! * `signatures`: calls signed with Wycheproof's known-bad signatures.
//! * `properties`: generated token mutations.

mod calls;
mod drive;
mod headers;
pub mod properties;
mod provider;
mod signatures;

use crate::scenario::Registry;

/// Every enlistment scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    scenarios
        .add(
            "enlistment/discovery-document-valid",
            provider::discovery_document_valid,
        )
        .add(
            "enlistment/discovery-issuer-matches-url",
            provider::discovery_issuer_matches,
        )
        .add("enlistment/jwks-well-formed", provider::jwks_well_formed)
        .add(
            "enlistment/jwks-has-ed25519-and-p256",
            provider::jwks_has_both_key_types,
        )
        .add("enlistment/jwks-unique-kids", provider::jwks_unique_kids)
        .add(
            "enlistment/jwks-no-private-members",
            provider::jwks_no_private_members,
        )
        .add(
            "enlistment/proof-verifies-against-jwks",
            provider::proof_verifies,
        )
        .add(
            "enlistment/proof-typed-header",
            provider::proof_typed_header,
        )
        .add(
            "enlistment/proof-claims-right",
            provider::proof_claims_right,
        )
        .add(
            "enlistment/proof-lifetime-bounded",
            provider::proof_lifetime_bounded,
        )
        .add(
            "enlistment/proof-nonce-echoed",
            provider::proof_nonce_echoed,
        )
        .add(
            "enlistment/proof-bound-to-keys",
            provider::proof_bound_to_keys,
        )
        .add(
            "enlistment/proof-malformed-keys-refused",
            provider::proof_malformed_keys_refused,
        )
        .add("enlistment/proof-fresh-jti", provider::proof_fresh_jti)
        .add(
            "enlistment/proof-unknown-user-refused",
            provider::proof_unknown_user_refused,
        )
        .add(
            "enlistment/proof-before-sign-in-refused",
            provider::proof_before_sign_in_refused,
        )
        .add(
            "enlistment/sign-in-wrong-credential-refused",
            provider::sign_in_wrong_credential_refused,
        )
        .add(
            "enlistment/key-rotation-new-kid",
            provider::rotation_new_kid,
        )
        .add(
            "enlistment/key-rotation-old-proof-verifies",
            provider::rotation_old_proof_verifies,
        )
        .add(
            "enlistment/key-rotation-old-key-kept-until-expiry",
            provider::rotation_old_key_kept_until_expiry,
        )
        .add(
            "enlistment/key-rotation-old-key-retired",
            provider::rotation_old_key_retired,
        )
        .add(
            "enlistment/call-valid-push-accepted",
            calls::valid_push_accepted,
        )
        .add(
            "enlistment/call-valid-es256-accepted",
            calls::valid_p256_call_accepted,
        )
        .add(
            "enlistment/call-typ-spellings-accepted",
            calls::typ_spellings_accepted,
        )
        .add(
            "enlistment/call-valid-authenticate-accepted",
            calls::valid_authenticate_accepted,
        )
        .add(
            "enlistment/call-authenticate-bad-token-refused",
            calls::authenticate_bad_token_refused,
        )
        .add("enlistment/call-no-token-refused", calls::no_token_refused)
        .add("enlistment/call-alg-none-refused", calls::alg_none_refused)
        .add(
            "enlistment/call-hs256-key-confusion-refused",
            calls::hs256_key_confusion_refused,
        )
        .add(
            "enlistment/call-alg-key-mismatch-refused",
            calls::alg_key_mismatch_refused,
        )
        .add(
            "enlistment/call-bad-signature-refused",
            calls::bad_signature_refused,
        )
        .add(
            "enlistment/call-es256-wycheproof-signatures-refused",
            signatures::es256_special_signatures_refused,
        )
        .add(
            "enlistment/call-eddsa-wycheproof-signatures-refused",
            signatures::eddsa_special_signatures_refused,
        )
        .add(
            "enlistment/call-unknown-kid-refused",
            calls::unknown_kid_refused,
        )
        .add("enlistment/call-expired-refused", calls::expired_refused)
        .add(
            "enlistment/call-not-yet-valid-refused",
            calls::future_iat_refused,
        )
        .add(
            "enlistment/call-overlong-lifetime-refused",
            calls::overlong_lifetime_refused,
        )
        .add(
            "enlistment/call-wrong-aud-refused",
            calls::wrong_aud_refused,
        )
        .add(
            "enlistment/call-wrong-iss-refused",
            calls::wrong_iss_refused,
        )
        .add(
            "enlistment/call-replayed-jti-refused",
            calls::replayed_jti_refused,
        )
        .add(
            "enlistment/call-body-hash-mismatch-refused",
            calls::body_hash_mismatch_refused,
        )
        .add(
            "enlistment/call-missing-claims-refused",
            calls::missing_claims_refused,
        )
        .add(
            "enlistment/call-malformed-base64-refused",
            calls::malformed_base64_refused,
        )
        .add(
            "enlistment/call-malformed-json-refused",
            calls::malformed_json_refused,
        )
        .add(
            "enlistment/call-oversized-token-refused",
            calls::oversized_token_refused,
        )
        .add(
            "enlistment/call-gatekeeper-key-rotation-accepted",
            calls::gatekeeper_key_rotation_accepted,
        )
        .add(
            "enlistment/property-token-mutations",
            properties::token_mutations,
        )
        .add(
            "enlistment/call-typ-other-refused",
            headers::typ_other_refused,
        )
        .add(
            "enlistment/call-crit-unknown-refused",
            headers::crit_unknown_refused,
        )
        .add(
            "enlistment/call-alg-spellings-refused",
            headers::alg_spellings_refused,
        )
        .add(
            "enlistment/call-embedded-jwk-refused",
            headers::embedded_jwk_refused,
        )
        .add("enlistment/call-jku-refused", headers::jku_refused)
        .add("enlistment/call-x5u-refused", headers::x5u_refused)
        .add("enlistment/call-x5c-refused", headers::x5c_refused)
        .add(
            "enlistment/proof-empty-audience-or-nonce-refused",
            provider::proof_empty_audience_or_nonce_refused,
        )
        .add(
            "enlistment/call-empty-jti-refused",
            calls::empty_jti_refused,
        )
        .add(
            "enlistment/call-token-at-limit-accepted",
            calls::token_at_limit_accepted,
        )
        .add(
            "enlistment/configure-non-loopback-jwks-refused",
            provider::configure_non_loopback_refused,
        )
        .add(
            "enlistment/call-authenticate-signed-out-user",
            calls::authenticate_signed_out_user,
        );
}
