//! The provider side: discovery, the JWKS, and enlistment proofs.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::drive::*;
use crate::adapter::proto::{request::Op, EnConfigure, EnRotateKeys, EnSignIn, ErrorCategory};
use crate::ensure;
use crate::peer::jose::{b64, typ_matches, unb64, verify};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// OpenID Connect Discovery 1.0 §3: members REQUIRED of every provider
/// (beyond `issuer` and `jwks_uri`, checked apart).
const REQUIRED_ARRAYS: [&str; 3] = [
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
];

/// Private key members: `d` (RFC 7518 §6.2.2.1, RFC 8037 §2), the RSA
/// private members (RFC 7518 §6.3.2) and a symmetric key `k` (§6.4.1).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

pub fn discovery_document_valid(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let doc = discovery(&info)?;
    for name in ["issuer", "jwks_uri"] {
        ensure!(
            doc.get(name).and_then(Value::as_str).is_some(),
            "the discovery document has no string `{name}`"
        );
    }
    for name in REQUIRED_ARRAYS {
        let ok = doc
            .get(name)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string));
        ensure!(
            ok,
            "`{name}` is missing or not a non-empty array of strings"
        );
    }
    let algs: Vec<&str> = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    ensure!(
        algs.contains(&"EdDSA") || algs.contains(&"ES256"),
        "id_token_signing_alg_values_supported {algs:?} names neither EdDSA nor ES256"
    );
    ensure!(!algs.contains(&"none"), "the provider advertises alg none");
    Ok("discovery document has every required member".into())
}

pub fn discovery_issuer_matches(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let doc = discovery(&info)?;
    let issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
    // Discovery §4.3: the issuer MUST be identical to the URL the
    // configuration was retrieved from, minus the well-known suffix.
    ensure!(
        issuer == info.issuer,
        "the document's issuer {issuer:?} differs from {:?}, where it was fetched",
        info.issuer
    );
    let uri = doc.get("jwks_uri").and_then(Value::as_str).unwrap_or("");
    ensure!(
        uri.starts_with(&format!("{issuer}/")),
        "jwks_uri {uri:?} is not under the issuer {issuer:?}"
    );
    Ok("issuer is the URL the document came from".into())
}

fn keys(set: &Value) -> Vec<&Map<String, Value>> {
    set["keys"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

fn coordinate(key: &Map<String, Value>, name: &str) -> Result<Vec<u8>, String> {
    let text = key
        .get(name)
        .and_then(Value::as_str)
        .ok_or(format!("no string `{name}`"))?;
    let bytes = unb64(text)?;
    if bytes.len() != 32 {
        return Err(format!("`{name}` is {} bytes, expected 32", bytes.len()));
    }
    Ok(bytes)
}

/// One public JWK is well-formed (RFC 7517 §4, RFC 8037 §2, RFC 7518
/// §6.2.1), and its public key parses.
fn check_jwk(key: &Map<String, Value>) -> Result<(), String> {
    let kid = key.get("kid").and_then(Value::as_str).unwrap_or("");
    if kid.is_empty() {
        return Err("a key has no `kid`".into());
    }
    let kty = key.get("kty").and_then(Value::as_str).unwrap_or("");
    let crv = key.get("crv").and_then(Value::as_str).unwrap_or("");
    let alg = key.get("alg").and_then(Value::as_str);
    match (kty, crv) {
        ("OKP", "Ed25519") => {
            let x = coordinate(key, "x")?;
            let mut raw = [0u8; 32];
            raw.copy_from_slice(&x);
            ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .map_err(|e| format!("{kid}: not an Ed25519 point: {e}"))?;
            if alg.is_some_and(|a| a != "EdDSA") {
                return Err(format!("{kid}: alg {alg:?} on an Ed25519 key"));
            }
        }
        ("EC", "P-256") => {
            let x = coordinate(key, "x")?;
            let y = coordinate(key, "y")?;
            let point = p256::EncodedPoint::from_affine_coordinates(
                x.as_slice().into(),
                y.as_slice().into(),
                false,
            );
            p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|e| format!("{kid}: not a P-256 point: {e}"))?;
            if alg.is_some_and(|a| a != "ES256") {
                return Err(format!("{kid}: alg {alg:?} on a P-256 key"));
            }
        }
        _ => {
            return Err(format!(
                "{kid}: kty {kty:?} crv {crv:?} is not in the profile"
            ))
        }
    }
    if let Some(u) = key.get("use") {
        if u != "sig" {
            return Err(format!("{kid}: use {u} is not sig"));
        }
    }
    Ok(())
}

pub fn jwks_well_formed(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let set = provider_jwks(&info)?;
    let all = keys(&set);
    ensure!(!all.is_empty(), "the JWKS has no key");
    for key in &all {
        check_jwk(key).map_err(|e| Finding::fail(format!("JWKS: {e}")))?;
    }
    Ok(format!("{} well-formed public keys", all.len()))
}

pub fn jwks_has_both_key_types(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let set = provider_jwks(&info)?;
    let has = |kty: &str, crv: &str| {
        keys(&set)
            .iter()
            .any(|k| k["kty"] == kty && k.get("crv").is_some_and(|c| c == crv))
    };
    ensure!(has("OKP", "Ed25519"), "no Ed25519 OKP key in the JWKS");
    ensure!(has("EC", "P-256"), "no P-256 EC key in the JWKS");
    Ok("Ed25519 and P-256 keys published".into())
}

pub fn jwks_unique_kids(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    // Rotate once so the set holds an outgoing key as well.
    ctx.expect_result(Op::EnRotateKeys(EnRotateKeys {}), "EnRotateKeys")?;
    let set = provider_jwks(&info)?;
    let mut seen = HashSet::new();
    for key in keys(&set) {
        let kid = key.get("kid").and_then(Value::as_str).unwrap_or("");
        ensure!(seen.insert(kid.to_string()), "kid {kid:?} appears twice");
    }
    Ok(format!("{} distinct kids", seen.len()))
}

pub fn jwks_no_private_members(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let set = provider_jwks(&info)?;
    for key in keys(&set) {
        for name in PRIVATE_MEMBERS {
            ensure!(
                !key.contains_key(name),
                "key {} publishes the private member `{name}`",
                key.get("kid").unwrap_or(&Value::Null)
            );
        }
    }
    Ok("no private key member published".into())
}

pub fn proof_verifies(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let alg = proof.verified.alg.clone();
    ensure!(
        alg == "EdDSA" || alg == "ES256",
        "the proof is signed with {alg}, not EdDSA or ES256"
    );
    Ok(format!(
        "{alg} proof verifies under kid {}",
        proof.verified.kid
    ))
}

pub fn proof_typed_header(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let typ = proof.verified.header.get("typ").and_then(Value::as_str);
    // RFC 7515 §4.1.9: compared as a media type (case-insensitive, the
    // `application/` prefix implied), never as an exact string.
    ensure!(
        typ.is_some_and(|t| typ_matches(t, PROOF_TYP)),
        "header typ is {typ:?}, not the media type application/{PROOF_TYP} (RFC 7515 §4.1.9)"
    );
    Ok(format!(
        "typ {:?} names an enlistment proof",
        typ.unwrap_or_default()
    ))
}

fn claim_str<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str, Finding> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| Finding::fail(format!("the proof has no string `{name}` claim")))
}

fn claim_int(claims: &Map<String, Value>, name: &str) -> Result<i64, Finding> {
    claims
        .get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| Finding::fail(format!("the proof has no integer `{name}` claim")))
}

pub fn proof_claims_right(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let c = &proof.verified.claims;
    let skew = i64::from(ctx.profile.enlistment.clock_skew_seconds);
    ensure!(
        claim_str(c, "iss")? == proof.info.issuer,
        "iss is not the issuer"
    );
    ensure!(claim_str(c, "sub")? == proof.user, "sub is not the user");
    let audience = &ctx.profile.enlistment.proof_audience;
    let aud_ok = match c.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(all)) => all.len() == 1 && all[0] == *audience.as_str(),
        _ => false,
    };
    ensure!(aud_ok, "aud is {:?}, expected {audience:?}", c.get("aud"));
    let iat = claim_int(c, "iat")?;
    let exp = claim_int(c, "exp")?;
    let now = unix_now();
    ensure!(
        (iat - now).abs() <= skew,
        "iat {iat} is more than {skew} s from now ({now})"
    );
    ensure!(exp > now, "the fresh proof has already expired");
    ensure!(!claim_str(c, "jti")?.is_empty(), "jti is empty");
    Ok("iss, sub, aud, iat, exp and jti right".into())
}

pub fn proof_lifetime_bounded(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let c = &proof.verified.claims;
    let lifetime = claim_int(c, "exp")? - claim_int(c, "iat")?;
    let max = i64::from(ctx.profile.enlistment.max_proof_lifetime_seconds);
    ensure!(
        lifetime > 0 && lifetime <= max,
        "the proof lives {lifetime} s; the profile allows 1 to {max}"
    );
    Ok(format!("lifetime {lifetime} s"))
}

pub fn proof_nonce_echoed(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    ensure!(
        claim_str(&proof.verified.claims, "nonce")? == proof.nonce,
        "the nonce claim is not the gatekeeper's challenge"
    );
    let second = random_nonce(ctx);
    let token = issue_proof(ctx, &proof.user, &second, &proof.keys)?;
    let (_, claims) = verify::decode_unverified(&token).map_err(Finding::fail)?;
    ensure!(
        claim_str(&claims, "nonce")? == second,
        "a second proof does not carry its own nonce"
    );
    // Exactly as given, multi-byte text too (2-, 3- and 4-byte UTF-8),
    // well inside any byte limit a provider may set on a nonce.
    let text = format!("défi-挑战-🔑-{}", random_nonce(ctx));
    let token = issue_proof(ctx, &proof.user, &text, &proof.keys)?;
    let (_, claims) = verify::decode_unverified(&token).map_err(Finding::fail)?;
    ensure!(
        claim_str(&claims, "nonce")? == text,
        "a proof for the multi-byte nonce {text:?} does not carry it exactly"
    );
    Ok("each proof echoes its nonce, multi-byte text included".into())
}

fn cnf_key(claims: &Map<String, Value>, name: &str) -> Result<String, Finding> {
    claims
        .get("cnf")
        .and_then(|c| c.get(name))
        .and_then(Value::as_str)
        .map(String::from)
        .ok_or_else(|| Finding::fail(format!("the proof has no string cnf.{name}")))
}

pub fn proof_bound_to_keys(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let c = &proof.verified.claims;
    ensure!(
        cnf_key(c, "signal_identity_key")? == b64(&proof.keys.signal_identity),
        "cnf.signal_identity_key is not the client's Signal identity key"
    );
    ensure!(
        cnf_key(c, "noise_static_key")? == b64(&proof.keys.noise_static),
        "cnf.noise_static_key is not the client's Noise static key"
    );
    let other = ClientKeys::random(ctx);
    let token = issue_proof(ctx, &proof.user, &proof.nonce, &other)?;
    let (_, claims) = verify::decode_unverified(&token).map_err(Finding::fail)?;
    ensure!(
        cnf_key(&claims, "noise_static_key")? == b64(&other.noise_static)
            && cnf_key(&claims, "signal_identity_key")? == b64(&other.signal_identity),
        "a proof for other keys still names the first keys"
    );
    Ok("cnf binds both keys".into())
}

pub fn proof_malformed_keys_refused(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let user = sign_in_first(ctx, &info)?;
    let audience = ctx.profile.enlistment.proof_audience.clone();
    let nonce = random_nonce(ctx);
    let mut short = ClientKeys::random(ctx);
    short.signal_identity.truncate(32);
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &short),
        ErrorCategory::InvalidKey,
        "a proof for a 32-byte Signal identity key",
    )?;
    let mut bad = ClientKeys::random(ctx);
    bad.noise_static.push(0);
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &bad),
        ErrorCategory::InvalidKey,
        "a proof for a 33-byte Noise static key",
    )?;
    // A Signal identity key is exactly 0x05 || 32 bytes (docs/enlistment.md
    // §Confirmation claim): another type byte, or bytes after the key.
    let mut typed = ClientKeys::random(ctx);
    typed.signal_identity[0] = 0x06;
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &typed),
        ErrorCategory::InvalidKey,
        "a proof for a 33-byte Signal identity key with type byte 0x06",
    )?;
    let mut long = ClientKeys::random(ctx);
    long.signal_identity.push(0);
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &long),
        ErrorCategory::InvalidKey,
        "a proof for a Signal identity key with a byte after 0x05 || 32",
    )?;
    let mut short_noise = ClientKeys::random(ctx);
    short_noise.noise_static.truncate(31);
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &short_noise),
        ErrorCategory::InvalidKey,
        "a proof for a 31-byte Noise static key",
    )?;
    Ok("malformed keys refused with INVALID_KEY".into())
}

/// docs/enlistment.md §Adapter operations: EnConfigure refuses a gatekeeper
/// JWKS URL that is not loopback (`MALFORMED_INPUT`), so a test hook never
/// makes a provider fetch from the network. Every other field is the
/// profile's.
pub fn configure_non_loopback_refused(ctx: &mut ScenarioCtx) -> Check {
    provider_info(ctx)?;
    let params = ctx.profile.enlistment.clone();
    // 192.0.2.1 is TEST-NET-1 (RFC 5737 §3), never loopback; the second
    // is a name under .example (RFC 2606 §3).
    for url in [
        "http://192.0.2.1/jwks.json",
        "https://gatekeeper.example/jwks.json",
    ] {
        expect_refused(
            ctx,
            Op::EnConfigure(EnConfigure {
                gatekeeper_jwks_url: url.into(),
                gatekeeper_issuer: params.gatekeeper_issuer.clone(),
                clock_skew_seconds: params.clock_skew_seconds,
                max_call_token_lifetime_seconds: params.max_call_token_lifetime_seconds,
                max_token_bytes: params.max_token_bytes,
            }),
            ErrorCategory::MalformedInput,
            &format!("EnConfigure with the gatekeeper JWKS at {url}"),
        )?;
    }
    Ok("non-loopback gatekeeper JWKS URLs refused".into())
}

/// docs/enlistment.md §Adapter operations: `SCHEMA_VIOLATION` for an empty
/// audience or nonce; each request is otherwise valid.
pub fn proof_empty_audience_or_nonce_refused(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let user = sign_in_first(ctx, &info)?;
    let audience = ctx.profile.enlistment.proof_audience.clone();
    let nonce = random_nonce(ctx);
    let keys = ClientKeys::random(ctx);
    expect_refused(
        ctx,
        proof_op(&user, "", &nonce, &keys),
        ErrorCategory::SchemaViolation,
        "a proof request with an empty audience",
    )?;
    expect_refused(
        ctx,
        proof_op(&user, &audience, "", &keys),
        ErrorCategory::SchemaViolation,
        "a proof request with an empty nonce",
    )?;
    Ok("empty audience and empty nonce refused".into())
}

pub fn proof_fresh_jti(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let mut seen = HashSet::new();
    seen.insert(claim_str(&proof.verified.claims, "jti")?.to_string());
    for _ in 0..3 {
        let token = issue_proof(ctx, &proof.user, &proof.nonce, &proof.keys)?;
        let (_, claims) = verify::decode_unverified(&token).map_err(Finding::fail)?;
        let jti = claim_str(&claims, "jti")?.to_string();
        ensure!(seen.insert(jti.clone()), "jti {jti:?} was issued twice");
    }
    Ok("4 proofs, 4 distinct jti".into())
}

pub fn proof_unknown_user_refused(ctx: &mut ScenarioCtx) -> Check {
    provider_info(ctx)?;
    let audience = ctx.profile.enlistment.proof_audience.clone();
    let nonce = random_nonce(ctx);
    let keys = ClientKeys::random(ctx);
    expect_refused(
        ctx,
        proof_op("nobody@unknown.test", &audience, &nonce, &keys),
        ErrorCategory::NotFound,
        "a proof for an account the provider does not have",
    )?;
    Ok("refused with NOT_FOUND".into())
}

pub fn proof_before_sign_in_refused(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let audience = ctx.profile.enlistment.proof_audience.clone();
    let nonce = random_nonce(ctx);
    let keys = ClientKeys::random(ctx);
    let user = info.users[0].identifier.clone();
    expect_refused(
        ctx,
        proof_op(&user, &audience, &nonce, &keys),
        ErrorCategory::Unauthenticated,
        "a proof for a user who has not signed in",
    )?;
    Ok("refused with UNAUTHENTICATED".into())
}

pub fn sign_in_wrong_credential_refused(ctx: &mut ScenarioCtx) -> Check {
    let info = provider_info(ctx)?;
    let user = info.users[0].clone();
    ctx.secret(user.credential.as_bytes());
    expect_refused(
        ctx,
        Op::EnSignIn(EnSignIn {
            identifier: user.identifier.clone(),
            credential: format!("{}-wrong", user.credential),
        }),
        ErrorCategory::Unauthenticated,
        "a sign-in with a wrong credential",
    )?;
    let audience = ctx.profile.enlistment.proof_audience.clone();
    let nonce = random_nonce(ctx);
    let keys = ClientKeys::random(ctx);
    expect_refused(
        ctx,
        proof_op(&user.identifier, &audience, &nonce, &keys),
        ErrorCategory::Unauthenticated,
        "a proof after a failed sign-in",
    )?;
    Ok("wrong credential refused; still no proof".into())
}

fn rotate(ctx: &mut ScenarioCtx) -> Result<String, Finding> {
    match ctx.expect_result(Op::EnRotateKeys(EnRotateKeys {}), "EnRotateKeys")? {
        crate::adapter::proto::response::Reply::EnRotateKeys(r) => Ok(r.kid),
        other => Err(crate::scenario::unexpected(
            crate::adapter::client::Reply::Result(other),
            "EnRotateKeys",
        )),
    }
}

pub fn rotation_new_kid(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let new_kid = rotate(ctx)?;
    ensure!(
        new_kid != proof.verified.kid,
        "rotation kept the kid {new_kid:?}"
    );
    let set = provider_jwks(&proof.info)?;
    ensure!(
        verify::find_key(&set, &new_kid).is_some(),
        "the new kid {new_kid:?} is not in the JWKS"
    );
    let token = issue_proof(ctx, &proof.user, &proof.nonce, &proof.keys)?;
    let fresh = verify::verify(&token, &set)
        .map_err(|e| Finding::fail(format!("a proof after rotation does not verify: {e}")))?;
    ensure!(
        fresh.kid == new_kid,
        "a proof after rotation is signed under {:?}, not the new {new_kid:?}",
        fresh.kid
    );
    Ok(format!("new proofs signed under {new_kid}"))
}

pub fn rotation_old_proof_verifies(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    rotate(ctx)?;
    rotate(ctx)?;
    let set = provider_jwks(&proof.info)?;
    verify::verify(&proof.token, &set).map_err(|e| {
        Finding::fail(format!(
            "a proof issued before rotation no longer verifies before its exp: {e}"
        ))
    })?;
    Ok("an unexpired proof under the old kid still verifies after two rotations".into())
}

fn advance_clock(ctx: &mut ScenarioCtx, seconds: i64) -> Result<(), Finding> {
    let seconds = u32::try_from(seconds.max(0)).unwrap_or(u32::MAX);
    ctx.expect_result(
        Op::EnAdvanceClock(crate::adapter::proto::EnAdvanceClock { seconds }),
        "EnAdvanceClock",
    )?;
    Ok(())
}

pub fn rotation_old_key_kept_until_expiry(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let exp = claim_int(&proof.verified.claims, "exp")?;
    rotate(ctx)?;
    // To five seconds before the proof expires, on the provider's clock.
    advance_clock(ctx, exp - unix_now() - 5)?;
    let set = provider_jwks(&proof.info)?;
    verify::verify(&proof.token, &set).map_err(|e| {
        Finding::fail(format!(
            "five seconds before its exp, a proof signed before rotation no longer verifies: {e}"
        ))
    })?;
    Ok("the old kid stays published until its proofs expire".into())
}

pub fn rotation_old_key_retired(ctx: &mut ScenarioCtx) -> Check {
    let proof = signed_in_proof(ctx)?;
    let new_kid = rotate(ctx)?;
    let params = &ctx.profile.enlistment;
    let after =
        i64::from(params.max_proof_lifetime_seconds) + i64::from(params.clock_skew_seconds) + 1;
    advance_clock(ctx, after)?;
    let set = provider_jwks(&proof.info)?;
    ensure!(
        verify::find_key(&set, &proof.verified.kid).is_none(),
        "the outgoing kid {:?} is still published {after} s after rotation",
        proof.verified.kid
    );
    ensure!(
        verify::find_key(&set, &new_kid).is_some(),
        "the new kid {new_kid:?} is gone"
    );
    Ok(format!("the outgoing key was retired within {after} s"))
}
