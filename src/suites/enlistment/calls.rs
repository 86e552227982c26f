//! Gatekeeper calls: the provider verifies the gatekeeper's signed HTTP
//! calls against the gatekeeper's JWKS, and delivers only valid ones.

use serde_json::{json, Value};

use super::drive::*;
use crate::ensure;
use crate::peer::jose::keys::jwks;
use crate::peer::jose::{b64, body_hash, GatekeeperKey, Signer};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// A gatekeeper, a body, and a valid token for it signed with key 0.
fn setup(
    ctx: &mut ScenarioCtx,
) -> Result<(Gatekeeper, Vec<u8>, crate::peer::jose::TokenParts), Finding> {
    let gk = gatekeeper(ctx)?;
    let body = push_body(ctx);
    let parts = gk.token(ctx, &body, 0);
    Ok((gk, body, parts))
}

pub fn valid_push_accepted(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let got = gk.expect_accepted(
        ctx,
        &gk.push_url.clone(),
        &parts.compact(),
        &body,
        "a valid push",
    )?;
    Ok(format!("HTTP {} and delivered", got.status))
}

pub fn valid_p256_call_accepted(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let body = push_body(ctx);
    let parts = gk.token(ctx, &body, 1);
    gk.expect_accepted(
        ctx,
        &gk.push_url.clone(),
        &parts.compact(),
        &body,
        "an ES256 push",
    )?;
    Ok("ES256 call under the second kid accepted".into())
}

/// RFC 7515 §4.1.9: a recipient treats a `typ` without '/' as if
/// `application/` were prepended, and media types compare
/// case-insensitively (RFC 2045 §5.1). The gatekeeper may write its typ in
/// any of these forms; a provider that checks typ must still accept them.
pub fn typ_spellings_accepted(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let url = gk.push_url.clone();
    let spellings = typ_spellings(CALL_TYP);
    for typ in &spellings {
        let body = push_body(ctx);
        let mut parts = gk.token(ctx, &body, 0);
        parts.set_header("typ", json!(typ));
        gk.expect_accepted(
            ctx,
            &url,
            &parts.compact(),
            &body,
            &format!("a valid push whose typ is {typ:?}"),
        )?;
    }
    Ok(format!(
        "typ accepted as {}",
        spellings
            .iter()
            .map(|t| format!("{t:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

pub fn valid_authenticate_accepted(ctx: &mut ScenarioCtx) -> Check {
    authentication_answer(ctx, true)?;
    Ok("authentication call accepted; the user is authenticated".into())
}

/// docs/enlistment.md §Gatekeeper calls: the answer says whether that user
/// is signed in with the provider, so a user who never signed in is
/// reported `"authenticated": false` (the call itself is valid and
/// accepted).
pub fn authenticate_signed_out_user(ctx: &mut ScenarioCtx) -> Check {
    authentication_answer(ctx, false)?;
    Ok("a signed-out user is reported not authenticated".into())
}

/// A valid authentication call for a user who has (or has not) signed in:
/// accepted, and answered `"authenticated"` with exactly that.
fn authentication_answer(ctx: &mut ScenarioCtx, signed_in: bool) -> Result<(), Finding> {
    let gk = gatekeeper(ctx)?;
    let user = if signed_in {
        sign_in_first(ctx, &gk.info)?
    } else {
        gk.info
            .users
            .first()
            .ok_or_else(|| Finding::fail("EnProviderInfo lists no user"))?
            .identifier
            .clone()
    };
    let body = json!({"sub": user}).to_string().into_bytes();
    let parts = gk.token(ctx, &body, 0);
    let url = gk.authenticate_url.clone();
    let what = if signed_in {
        "a valid authentication call"
    } else {
        "a valid authentication call for a user who has not signed in"
    };
    let got = gk.expect_accepted(ctx, &url, &parts.compact(), &body, what)?;
    let answer: Value = serde_json::from_slice(&got.body)
        .map_err(|e| Finding::fail(format!("the authentication answer is not JSON: {e}")))?;
    ensure!(
        answer.get("authenticated") == Some(&Value::Bool(signed_in)),
        "{what}: the answer should say authenticated {signed_in}, it is {answer}"
    );
    Ok(())
}

pub fn authenticate_bad_token_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let user = sign_in_first(ctx, &gk.info)?;
    let body = json!({"sub": user}).to_string().into_bytes();
    let mut parts = gk.token(ctx, &body, 0);
    parts.set("aud", json!("http://127.0.0.1:1"));
    let url = gk.authenticate_url.clone();
    gk.expect_refused(
        ctx,
        &url,
        Some(&parts.compact()),
        &body,
        "an authentication call for another audience",
    )?;
    gk.expect_refused(
        ctx,
        &url,
        None,
        &body,
        "an authentication call without a token",
    )?;
    Ok("the authentication endpoint checks tokens too".into())
}

pub fn no_token_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, _) = setup(ctx)?;
    gk.expect_refused(
        ctx,
        &gk.push_url.clone(),
        None,
        &body,
        "a push without a token",
    )?;
    Ok("refused".into())
}

pub fn alg_none_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    parts.set_header("alg", json!("none"));
    parts.signer = Signer::Unsigned;
    gk.push_refused(ctx, &parts, &body, "an alg none token")?;
    Ok("alg none refused".into())
}

pub fn hs256_key_confusion_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    // Candidate secrets a confused verifier might use: the raw public key
    // bytes, its base64url text, and the JWK as JSON.
    let key = &gk.keys[0];
    let candidates = [
        key.public_x(),
        b64(&key.public_x()).into_bytes(),
        key.public_jwk().to_string().into_bytes(),
    ];
    for secret in candidates {
        ctx.secret(&secret);
        let mut forged = parts.clone();
        forged.set("jti", json!(format!("hs-{}", b64(&secret[..8]))));
        forged.set_header("alg", json!("HS256"));
        forged.signer = Signer::Hmac(secret);
        gk.push_refused(
            ctx,
            &forged,
            &body,
            "an HS256 token keyed with the public key",
        )?;
    }
    Ok("HS256 with the public key as secret refused".into())
}

pub fn alg_key_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    // An EdDSA signature presented under the P-256 key's kid.
    parts.set_header("kid", json!(gk.keys[1].kid));
    gk.push_refused(ctx, &parts, &body, "an EdDSA token naming a P-256 key")?;
    Ok("alg/key mismatch refused".into())
}

pub fn bad_signature_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let token = parts.compact();
    let (input, sig) = token.rsplit_once('.').unwrap_or((&token, ""));
    let mut raw = crate::peer::jose::unb64(sig).map_err(Finding::error)?;
    let last = raw.len() - 1;
    raw[last] ^= 0x01;
    let forged = format!("{input}.{}", b64(&raw));
    gk.expect_refused(
        ctx,
        &gk.push_url.clone(),
        Some(&forged),
        &body,
        "a token with one signature bit flipped",
    )?;
    // And a signature by a key the gatekeeper never published, same kid.
    let mut stranger = parts.clone();
    stranger.set("jti", json!("stranger"));
    stranger.signer = Signer::Key(Box::new(GatekeeperKey::ed25519(
        &gk.keys[0].kid,
        &mut ctx.rng,
    )));
    if let Signer::Key(k) = &stranger.signer {
        ctx.secret(&k.secret_bytes());
    }
    gk.push_refused(
        ctx,
        &stranger,
        &body,
        "a token signed by an unpublished key",
    )?;
    Ok("wrong signatures refused".into())
}

pub fn unknown_kid_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    parts.set_header("kid", json!("gatekeeper-unknown"));
    gk.push_refused(ctx, &parts, &body, "a token naming an unknown kid")?;
    Ok("unknown kid refused".into())
}

pub fn expired_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    let skew = i64::from(ctx.profile.enlistment.clock_skew_seconds);
    let exp = unix_now() - skew - 30;
    parts.set("iat", json!(exp - gk.lifetime));
    parts.set("exp", json!(exp));
    gk.push_refused(ctx, &parts, &body, "a token expired 30 s beyond the skew")?;
    Ok("expired token refused".into())
}

pub fn future_iat_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    let skew = i64::from(ctx.profile.enlistment.clock_skew_seconds);
    let iat = unix_now() + skew + 30;
    parts.set("iat", json!(iat));
    parts.set("exp", json!(iat + gk.lifetime));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token issued 30 s beyond the skew in the future",
    )?;
    // The same gatekeeper, so its JWKS server is still up: a provider that
    // fetches the JWKS on first use reaches the nbf check itself.
    let body2 = push_body(ctx);
    let mut nbf = gk.token(ctx, &body2, 0);
    nbf.set("nbf", json!(unix_now() + skew + 30));
    gk.push_refused(
        ctx,
        &nbf,
        &body2,
        "a token not valid before 30 s beyond the skew",
    )?;
    Ok("not-yet-valid tokens refused".into())
}

pub fn overlong_lifetime_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    let max = i64::from(ctx.profile.enlistment.max_call_token_lifetime_seconds);
    let now = unix_now();
    parts.set("exp", json!(now + max + 3600));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token living an hour beyond the profile's maximum",
    )?;
    // 0 < exp - iat: a token whose exp equals its iat never lived; with the
    // skew it is not yet expired, so only the lifetime is wrong.
    let body = push_body(ctx);
    let mut zero = gk.token(ctx, &body, 0);
    let iat = zero
        .get("iat")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(now);
    zero.set("exp", json!(iat));
    gk.push_refused(ctx, &zero, &body, "a token whose exp equals its iat")?;
    Ok("overlong and zero lifetimes refused".into())
}

pub fn wrong_aud_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    parts.set("aud", json!("http://127.0.0.1:1"));
    gk.push_refused(ctx, &parts, &body, "a token for another provider")?;
    let mut list = gk.token(ctx, &body, 0);
    list.set(
        "aud",
        json!(["http://127.0.0.1:1", "https://other.example"]),
    );
    gk.push_refused(
        ctx,
        &list,
        &body,
        "a token whose aud list omits the provider",
    )?;
    Ok("wrong audiences refused".into())
}

pub fn wrong_iss_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    parts.set("iss", json!(format!("{}.evil", gk.issuer)));
    gk.push_refused(ctx, &parts, &body, "a token from another issuer")?;
    Ok("wrong issuer refused".into())
}

pub fn replayed_jti_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let token = parts.compact();
    let url = gk.push_url.clone();
    gk.expect_accepted(ctx, &url, &token, &body, "the first use of a token")?;
    gk.expect_refused(
        ctx,
        &url,
        Some(&token),
        &body,
        "the same token and body again",
    )?;
    Ok("replay refused".into())
}

pub fn body_hash_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let mut other = body.clone();
    other.extend_from_slice(b" ");
    let token = parts.compact();
    gk.expect_refused(
        ctx,
        &gk.push_url.clone(),
        Some(&token),
        &other,
        "a token with another body",
    )?;
    let mut missing = gk.token(ctx, &body, 0);
    missing.set("body_sha256", json!(body_hash(b"")));
    gk.push_refused(ctx, &missing, &body, "a token hashing the empty body")?;
    Ok("body/hash mismatch refused".into())
}

pub fn missing_claims_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    for claim in ["iss", "aud", "iat", "exp", "jti", "body_sha256"] {
        let body = push_body(ctx);
        let mut parts = gk.token(ctx, &body, 0);
        parts.remove(claim);
        gk.push_refused(ctx, &parts, &body, &format!("a token without `{claim}`"))?;
    }
    Ok("each required claim is required".into())
}

/// docs/enlistment.md rule 7: `jti` is non-empty.
pub fn empty_jti_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    parts.set("jti", json!(""));
    gk.push_refused(ctx, &parts, &body, "a token whose jti is empty")?;
    Ok("empty jti refused".into())
}

/// A valid token of exactly `max_token_bytes`: the limit is the largest
/// token a provider must accept (docs/enlistment.md, profile values).
pub fn token_at_limit_accepted(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let limit = ctx.profile.enlistment.max_token_bytes as usize;
    let body = push_body(ctx);
    let base = gk.token(ctx, &body, 0);
    let token = sized_token(&base, limit)
        .ok_or_else(|| Finding::error(format!("cannot build a token of {limit} bytes")))?;
    gk.expect_accepted(
        ctx,
        &gk.push_url.clone(),
        &token,
        &body,
        &format!("a valid token of exactly {limit} bytes"),
    )?;
    Ok(format!("a token of exactly {limit} bytes accepted"))
}

/// `base` with an unknown claim and an unknown header member padding it to
/// exactly `size` bytes (base64url grows by 4 characters per 3 bytes, so
/// one padding alone cannot reach every length).
fn sized_token(base: &crate::peer::jose::TokenParts, size: usize) -> Option<String> {
    let room = size.checked_sub(base.compact().len())?;
    let start = (room * 3 / 4).saturating_sub(40);
    for claim_pad in start..start + 80 {
        for header_pad in 0..6 {
            let mut parts = base.clone();
            parts.set("pad", json!("A".repeat(claim_pad)));
            parts.set_header("x-pad", json!("B".repeat(header_pad)));
            let token = parts.compact();
            if token.len() == size {
                return Some(token);
            }
        }
    }
    None
}

pub fn malformed_base64_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let token = parts.compact();
    let url = gk.push_url.clone();
    let (h, rest) = token.split_once('.').unwrap_or((&token, ""));
    let variants = [
        format!("{h}=.{rest}"), // padding (RFC 7515 §2 forbids it)
        format!("{}+/.{rest}", &h[..h.len().saturating_sub(2)]), // base64, not base64url
        format!("{h}.{rest}.extra"), // four parts
        token[..token.rfind('.').unwrap_or(token.len())].to_string(), // two parts
        format!("{h}!.{rest}"),
    ];
    for forged in variants {
        gk.expect_refused(
            ctx,
            &url,
            Some(&forged),
            &body,
            &format!("the malformed token {forged:.40}…"),
        )?;
    }
    Ok("malformed base64url refused".into())
}

pub fn malformed_json_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, parts) = setup(ctx)?;
    let key = gk.keys[0].clone();
    let header = crate::peer::jose::forge::object(&parts.header);
    let claims = crate::peer::jose::forge::object(&parts.claims);
    let cases = [
        (header.clone(), format!("{claims},")),
        (header.clone(), claims[..claims.len() - 1].to_string()),
        (header.clone(), "[1,2]".to_string()),
        (format!("{header}x"), claims.clone()),
    ];
    let url = gk.push_url.clone();
    for (h, c) in cases {
        // Correctly signed, so only the JSON is wrong.
        let input = format!("{}.{}", b64(h.as_bytes()), b64(c.as_bytes()));
        let token = format!("{input}.{}", b64(&key.sign(input.as_bytes())));
        gk.expect_refused(
            ctx,
            &url,
            Some(&token),
            &body,
            "a signed token whose JSON does not parse",
        )?;
    }
    Ok("malformed JSON refused".into())
}

pub fn oversized_token_refused(ctx: &mut ScenarioCtx) -> Check {
    let (gk, body, mut parts) = setup(ctx)?;
    let limit = ctx.profile.enlistment.max_token_bytes as usize;
    parts.set("padding", json!("A".repeat(limit)));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a validly signed token beyond the size limit",
    )?;
    Ok(format!("a token over {limit} bytes refused"))
}

pub fn gatekeeper_key_rotation_accepted(ctx: &mut ScenarioCtx) -> Check {
    let (mut gk, body, parts) = setup(ctx)?;
    let url = gk.push_url.clone();
    gk.expect_accepted(ctx, &url, &parts.compact(), &body, "a call before rotation")?;
    let fresh = GatekeeperKey::ed25519("gatekeeper-ed-2", &mut ctx.rng);
    ctx.secret(&fresh.secret_bytes());
    gk.keys.push(fresh);
    let refs: Vec<&GatekeeperKey> = gk.keys.iter().collect();
    gk.server.set(jwks(&refs).to_string());
    let body = push_body(ctx);
    let parts = gk.token(ctx, &body, 2);
    gk.expect_accepted(
        ctx,
        &url,
        &parts.compact(),
        &body,
        "a call under the gatekeeper's new kid",
    )?;
    Ok("the provider refetched the gatekeeper JWKS for a new kid".into())
}
