//! Gatekeeper calls whose JOSE header is wrong in one way and whose claims
//! and signature are otherwise valid: another `typ`, a critical extension,
//! `alg` in another spelling, and headers that point at or carry a key.

use serde_json::json;

use super::drive::*;
use crate::peer::jose::jwks_server::JwksServer;
use crate::peer::jose::keys::jwks;
use crate::peer::jose::x509;
use crate::peer::jose::{GatekeeperKey, Signer, TokenParts};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// Media types a call token must not be taken for (docs/enlistment.md
/// "Gatekeeper calls": a typ naming another media type is refused):
/// the proof's type (a token of another kind of this very profile), the
/// generic JWT type (RFC 7519 §5.1), and the call's subtype under another
/// top-level type.
pub const OTHER_TYPS: [&str; 3] = ["enlistment-proof+jwt", "JWT", "text/gatekeeper-call+jwt"];

/// A valid push token, then one header change.
pub fn typ_other_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    for typ in OTHER_TYPS {
        let body = push_body(ctx);
        let mut parts = gk.token(ctx, &body, 0);
        parts.set_header("typ", json!(typ));
        gk.push_refused(ctx, &parts, &body, &format!("a token typed {typ:?}"))?;
    }
    Ok(format!("typ {OTHER_TYPS:?} refused"))
}

/// RFC 7515 §4.1.11: "If any of the listed extension Header Parameters are
/// not understood and supported by the recipient, then the JWS is
/// invalid." The extension is present in the header, as producers must
/// make it; nothing else is wrong.
pub fn crit_unknown_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let body = push_body(ctx);
    let mut parts = gk.token(ctx, &body, 0);
    parts.set_header("crit", json!(["x-interspec-critical"]));
    parts.set_header("x-interspec-critical", json!(true));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token whose crit lists an extension no provider understands",
    )?;
    Ok("an unknown critical extension refused".into())
}

/// Spellings of `alg` the profile does not have, with the key each is
/// signed with (0 Ed25519, 1 P-256; None: unsigned like alg none).
pub const ALG_SPELLINGS: [(&str, Option<usize>); 8] = [
    ("eddsa", Some(0)),
    ("EDDSA", Some(0)),
    ("EdDSA ", Some(0)),
    ("es256", Some(1)),
    ("ES256 ", Some(1)),
    ("None", None),
    ("NONE", None),
    ("nOnE", None),
];

/// `alg` is case-sensitive (RFC 7515 §4.1.1: "a case-sensitive ASCII
/// string"); the profile's are exactly `EdDSA` and `ES256`. Each token is
/// signed as its letters suggest, with the key its kid names, so only the
/// spelling is wrong.
pub fn alg_spellings_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    for (alg, key) in ALG_SPELLINGS {
        let body = push_body(ctx);
        let mut parts = gk.token(ctx, &body, key.unwrap_or(0));
        parts.set_header("alg", json!(alg));
        if key.is_none() {
            parts.signer = Signer::Unsigned;
        }
        gk.push_refused(ctx, &parts, &body, &format!("a token with alg {alg:?}"))?;
    }
    Ok("alg spelled in another case or with a space refused".into())
}

/// An attacker's Ed25519 key under the gatekeeper's first kid: what a
/// header pointing at a key offers in place of the gatekeeper's JWKS.
pub fn attacker_key(ctx: &mut ScenarioCtx, gk: &Gatekeeper) -> GatekeeperKey {
    let key = GatekeeperKey::ed25519(&gk.keys[0].kid, &mut ctx.rng);
    ctx.secret(&key.secret_bytes());
    key
}

/// A valid push token signed by `key` instead of the gatekeeper's.
fn signed_by(ctx: &mut ScenarioCtx, gk: &Gatekeeper, key: &GatekeeperKey) -> (Vec<u8>, TokenParts) {
    let body = push_body(ctx);
    let mut parts = gk.token(ctx, &body, 0);
    parts.signer = Signer::Key(Box::new(key.clone()));
    (body, parts)
}

/// RFC 8725 §3.10 and docs/enlistment.md rule 4: the key is the one the
/// gatekeeper's JWKS publishes under `kid`, never one the token carries.
/// The embedded-key bug class is CVE-2018-0114 (node-jose).
pub fn embedded_jwk_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let attacker = attacker_key(ctx, &gk);
    let (body, mut parts) = signed_by(ctx, &gk, &attacker);
    parts.set_header("jwk", attacker.public_jwk());
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token signed by the key its own jwk header embeds",
    )?;
    Ok("a key embedded in jwk is not trusted".into())
}

/// A `jku` naming the attacker's JWK Set (served on loopback, with the
/// attacker's key under the gatekeeper's kid).
pub fn jku_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let attacker = attacker_key(ctx, &gk);
    let set = JwksServer::start(jwks(&[&attacker]).to_string()).map_err(Finding::error)?;
    let (body, mut parts) = signed_by(ctx, &gk, &attacker);
    parts.set_header("jku", json!(set.url()));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token signed by a key of the JWK Set its jku header names",
    )?;
    Ok("a JWK Set named by jku is not trusted".into())
}

pub fn attacker_certificate(attacker: &GatekeeperKey) -> Result<Vec<u8>, Finding> {
    x509::self_signed_ed25519(attacker, "interspec attacker")
        .ok_or_else(|| Finding::error("no certificate for the attacker's key"))
}

/// An `x5u` naming the attacker's self-signed certificate (PEM, served on
/// loopback; RFC 7515 §4.1.5).
pub fn x5u_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let attacker = attacker_key(ctx, &gk);
    let der = attacker_certificate(&attacker)?;
    let server = JwksServer::start(x509::pem(&der)).map_err(Finding::error)?;
    let (body, mut parts) = signed_by(ctx, &gk, &attacker);
    parts.set_header("x5u", json!(server.url()));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token signed by the key of the certificate its x5u header names",
    )?;
    Ok("a certificate named by x5u is not trusted".into())
}

/// An `x5c` carrying the attacker's self-signed certificate (RFC 7515
/// §4.1.6).
pub fn x5c_refused(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let attacker = attacker_key(ctx, &gk);
    let der = attacker_certificate(&attacker)?;
    let (body, mut parts) = signed_by(ctx, &gk, &attacker);
    parts.set_header("x5c", json!([x509::x5c_entry(&der)]));
    gk.push_refused(
        ctx,
        &parts,
        &body,
        "a token signed by the key of the certificate its x5c header carries",
    )?;
    Ok("a certificate carried in x5c is not trusted".into())
}
