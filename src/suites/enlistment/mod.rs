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
//! * `properties`: generated token mutations.

mod calls;
mod drive;
pub mod properties;
mod provider;

use super::ScenarioImpl;

macro_rules! scenarios {
    ($($id:literal => $run:path,)*) => {
        vec![$(ScenarioImpl { id: $id, run: $run },)*]
    };
}

pub fn scenarios() -> Vec<ScenarioImpl> {
    scenarios![
        "enlistment/discovery-document-valid" => provider::discovery_document_valid,
        "enlistment/discovery-issuer-matches-url" => provider::discovery_issuer_matches,
        "enlistment/jwks-well-formed" => provider::jwks_well_formed,
        "enlistment/jwks-has-ed25519-and-p256" => provider::jwks_has_both_key_types,
        "enlistment/jwks-unique-kids" => provider::jwks_unique_kids,
        "enlistment/jwks-no-private-members" => provider::jwks_no_private_members,
        "enlistment/proof-verifies-against-jwks" => provider::proof_verifies,
        "enlistment/proof-typed-header" => provider::proof_typed_header,
        "enlistment/proof-claims-right" => provider::proof_claims_right,
        "enlistment/proof-lifetime-bounded" => provider::proof_lifetime_bounded,
        "enlistment/proof-nonce-echoed" => provider::proof_nonce_echoed,
        "enlistment/proof-bound-to-keys" => provider::proof_bound_to_keys,
        "enlistment/proof-malformed-keys-refused" => provider::proof_malformed_keys_refused,
        "enlistment/proof-fresh-jti" => provider::proof_fresh_jti,
        "enlistment/proof-unknown-user-refused" => provider::proof_unknown_user_refused,
        "enlistment/proof-before-sign-in-refused" => provider::proof_before_sign_in_refused,
        "enlistment/sign-in-wrong-credential-refused" => provider::sign_in_wrong_credential_refused,
        "enlistment/key-rotation-new-kid" => provider::rotation_new_kid,
        "enlistment/key-rotation-old-proof-verifies" => provider::rotation_old_proof_verifies,
        "enlistment/key-rotation-old-key-kept-until-expiry" => provider::rotation_old_key_kept_until_expiry,
        "enlistment/key-rotation-old-key-retired" => provider::rotation_old_key_retired,
        "enlistment/call-valid-push-accepted" => calls::valid_push_accepted,
        "enlistment/call-valid-es256-accepted" => calls::valid_p256_call_accepted,
        "enlistment/call-typ-spellings-accepted" => calls::typ_spellings_accepted,
        "enlistment/call-valid-authenticate-accepted" => calls::valid_authenticate_accepted,
        "enlistment/call-authenticate-bad-token-refused" => calls::authenticate_bad_token_refused,
        "enlistment/call-no-token-refused" => calls::no_token_refused,
        "enlistment/call-alg-none-refused" => calls::alg_none_refused,
        "enlistment/call-hs256-key-confusion-refused" => calls::hs256_key_confusion_refused,
        "enlistment/call-alg-key-mismatch-refused" => calls::alg_key_mismatch_refused,
        "enlistment/call-bad-signature-refused" => calls::bad_signature_refused,
        "enlistment/call-unknown-kid-refused" => calls::unknown_kid_refused,
        "enlistment/call-expired-refused" => calls::expired_refused,
        "enlistment/call-not-yet-valid-refused" => calls::future_iat_refused,
        "enlistment/call-overlong-lifetime-refused" => calls::overlong_lifetime_refused,
        "enlistment/call-wrong-aud-refused" => calls::wrong_aud_refused,
        "enlistment/call-wrong-iss-refused" => calls::wrong_iss_refused,
        "enlistment/call-replayed-jti-refused" => calls::replayed_jti_refused,
        "enlistment/call-body-hash-mismatch-refused" => calls::body_hash_mismatch_refused,
        "enlistment/call-missing-claims-refused" => calls::missing_claims_refused,
        "enlistment/call-malformed-base64-refused" => calls::malformed_base64_refused,
        "enlistment/call-malformed-json-refused" => calls::malformed_json_refused,
        "enlistment/call-oversized-token-refused" => calls::oversized_token_refused,
        "enlistment/call-gatekeeper-key-rotation-accepted" => calls::gatekeeper_key_rotation_accepted,
        "enlistment/property-token-mutations" => properties::token_mutations,
    ]
}
