//! Call tokens carrying Project Wycheproof's known-bad signatures
//! (vectors/wycheproof/, `crate::vectors::wycheproof`): signatures that no
//! verifier may accept for any message, and defects of a class Wycheproof
//! tests applied to the gatekeeper's own signatures.
//!
//! Two kinds of case, named as such in every message:
//!
//! * **Verbatim**: a Wycheproof signature and the Wycheproof test group's
//!   public key, byte for byte, published in the gatekeeper's JWKS under
//!   their own kid. Only tests whose invalidity does not depend on the
//!   message are used (r and s, or R and S, of special values: 0, 1, the
//!   group order, the field prime), since the token's signing input is not
//!   Wycheproof's message. The same signature bytes are also sent under the
//!   gatekeeper's own key, which a valid call shows the target uses.
//! * **Class**: the gatekeeper signs the token with its own Ed25519 key,
//!   then changes the signature as a Wycheproof test class does (S + L,
//!   tcId 63 to 66; wrong lengths, tcId 30 to 41).
//!
//! Before each case is sent, the harness's own verifier
//! (`peer::jose::verify::verify_with_jwk`) must refuse it: a case the judge
//! would accept is a scenario error, not a target failure.

use serde_json::{json, Map, Value};

use super::drive::*;
use crate::peer::jose::keys::{jwks, KeyKind};
use crate::peer::jose::verify::verify_with_jwk;
use crate::peer::jose::{b64, GatekeeperKey};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::vectors::wycheproof::{self, SpecialSignature};

/// The gatekeeper with `extra` published beside its own keys, and one
/// valid call under its key `key_index` accepted (so a refusal below is the
/// signature's, not the algorithm's).
fn gatekeeper_with(
    ctx: &mut ScenarioCtx,
    extra: &Value,
    key_index: usize,
) -> Result<(Gatekeeper, usize), Finding> {
    let gk = gatekeeper(ctx)?;
    let refs: Vec<&GatekeeperKey> = gk.keys.iter().collect();
    let mut document = jwks(&refs);
    if let Some(keys) = document.get_mut("keys").and_then(Value::as_array_mut) {
        keys.push(extra.clone());
    }
    gk.server.set(document.to_string());
    let body = push_body(ctx);
    let parts = gk.token(ctx, &body, key_index);
    let alg = gk.keys[key_index].alg();
    gk.expect_accepted(
        ctx,
        &gk.push_url.clone(),
        &parts.compact(),
        &body,
        &format!("a valid {alg} call (before the Wycheproof cases)"),
    )?;
    let delivered = gk.deliveries(ctx)?.len();
    Ok((gk, delivered))
}

fn object(value: &Value) -> Result<&Map<String, Value>, Finding> {
    value
        .as_object()
        .ok_or_else(|| Finding::error("scenario bug: a JWK that is not an object"))
}

/// Sends a valid token for a fresh body under `kid` (alg of key
/// `key_index`) with `signature` in place of its own; the harness's
/// verifier must refuse it with `jwk` first, the target must refuse it.
#[allow(clippy::too_many_arguments)]
fn send_refused(
    ctx: &mut ScenarioCtx,
    gk: &Gatekeeper,
    key_index: usize,
    kid: &str,
    jwk: &Map<String, Value>,
    alter: &dyn Fn(&[u8]) -> Vec<u8>,
    what: &str,
) -> Result<(), Finding> {
    let body = push_body(ctx);
    let mut parts = gk.token(ctx, &body, key_index);
    parts.set_header("kid", json!(kid));
    let input = parts.signing_input();
    let genuine = gk.keys[key_index].sign(input.as_bytes());
    let signature = alter(&genuine);
    let alg = gk.keys[key_index].alg();
    if verify_with_jwk(jwk, alg, input.as_bytes(), &signature).is_ok() {
        return Err(Finding::error(format!(
            "scenario bug: the harness's own {alg} verifier accepts {what}"
        )));
    }
    let token = format!("{input}.{}", b64(&signature));
    // The status here; that nothing was delivered, once per scenario
    // (`nothing_delivered`), which keeps each case to one HTTP request.
    let got = gk.post(&gk.push_url, Some(&token), &body)?;
    crate::ensure!(
        got.status == 401 || got.status == 403,
        "{what} was answered HTTP {}, expected 401 or 403",
        got.status
    );
    Ok(())
}

/// No delivery since `before` (the count after the valid call).
fn nothing_delivered(ctx: &mut ScenarioCtx, gk: &Gatekeeper, before: usize) -> Result<(), Finding> {
    let after = gk.deliveries(ctx)?.len();
    crate::ensure!(
        after == before,
        "{} of the refused Wycheproof cases were delivered all the same",
        after.saturating_sub(before)
    );
    Ok(())
}

/// The verbatim cases of `special` under the Wycheproof key (`extra`,
/// published as `kid`) and under the gatekeeper's key `key_index`.
fn verbatim(
    ctx: &mut ScenarioCtx,
    gk: &Gatekeeper,
    key_index: usize,
    (kid, extra): (&str, &Value),
    (file, special): (&str, &[SpecialSignature]),
) -> Result<(), Finding> {
    let own_jwk = gk.keys[key_index].public_jwk();
    let own_kid = gk.keys[key_index].kid.clone();
    let alg = gk.keys[key_index].alg();
    for case in special {
        for (under, jwk) in [(kid, object(extra)?), (own_kid.as_str(), object(&own_jwk)?)] {
            let what = format!(
                "an {alg} call token under kid {under} signed with Wycheproof {file} tcId {} verbatim ({})",
                case.tc_id, case.comment
            );
            let bytes = case.signature.clone();
            send_refused(
                ctx,
                gk,
                key_index,
                under,
                jwk,
                &move |_| bytes.clone(),
                &what,
            )?;
        }
    }
    Ok(())
}

/// ES256 (RFC 7518 §3.4, IEEE P1363 `r || s`) with Wycheproof's
/// `ecdsa_secp256r1_sha256_p1363` group 0 key and its 49 tests flagged
/// `InvalidSignature` (tcId 11 to 59: r and s each one of 0, 1, n - 1, n,
/// n + 1, p, p + 1, with at least one out of [1, n - 1] or not matching any
/// message): CVE-2022-21449, Java's ECDSA accepting r = s = 0.
pub fn es256_special_signatures_refused(ctx: &mut ScenarioCtx) -> Check {
    let (key, special) = wycheproof::es256_special_signatures().map_err(Finding::error)?;
    if special.is_empty() {
        return Err(Finding::error(
            "no InvalidSignature test in the Wycheproof ECDSA vectors",
        ));
    }
    let kid = "wycheproof-ecdsa-p256-group-0";
    let mut jwk = wycheproof::ec_jwk(&key).ok_or_else(|| {
        Finding::error("the Wycheproof ECDSA key is not an uncompressed P-256 point")
    })?;
    jwk.insert("kid".into(), json!(kid));
    jwk.insert("use".into(), json!("sig"));
    jwk.insert("alg".into(), json!("ES256"));
    let extra = Value::Object(jwk);
    let key_index = 1;
    let (gk, delivered) = gatekeeper_with(ctx, &extra, key_index)?;
    if !matches!(gk.keys[key_index].key, KeyKind::P256(_)) {
        return Err(Finding::error(
            "scenario bug: the gatekeeper's key 1 is not P-256",
        ));
    }
    verbatim(
        ctx,
        &gk,
        key_index,
        (kid, &extra),
        ("ecdsa_secp256r1_sha256_p1363", &special),
    )?;
    // RFC 7518 §3.4: "The JWS Signature value MUST be a 64-octet
    // sequence. If it is not a 64-octet sequence, the validation has
    // failed." The gatekeeper's own signature in ASN.1 DER (the encoding
    // of Wycheproof's ecdsa_secp256r1_sha256_test.json, where P1363 is the
    // JWS one) and with its size changed (Wycheproof's SignatureSize class).
    let own_kid = gk.keys[key_index].kid.clone();
    let own_jwk = gk.keys[key_index].public_jwk();
    let own = object(&own_jwk)?;
    type Alter = fn(&[u8]) -> Vec<u8>;
    let shapes: [(&str, Alter); 4] = [
        ("in ASN.1 DER form instead of r || s", |g| {
            p256::ecdsa::Signature::from_slice(g)
                .map(|sig| sig.to_der().as_bytes().to_vec())
                .unwrap_or_default()
        }),
        ("with its last byte dropped (63 bytes)", |g| {
            g[..g.len().saturating_sub(1)].to_vec()
        }),
        ("with a zero byte appended (65 bytes)", |g| {
            let mut v = g.to_vec();
            v.push(0);
            v
        }),
        (
            "with r and s each as 33 bytes, a zero byte in front (66 bytes)",
            |g| {
                let (r, s) = g.split_at(g.len() / 2);
                [&[0u8][..], r, &[0u8][..], s].concat()
            },
        ),
    ];
    for (how, alter) in shapes {
        let what = format!("an ES256 call token whose genuine signature is sent {how}");
        send_refused(ctx, &gk, key_index, &own_kid, own, &alter, &what)?;
    }
    nothing_delivered(ctx, &gk, delivered)?;
    Ok(format!(
        "{} special-value ES256 signatures (Wycheproof tcId {} to {}) refused under the Wycheproof key and the gatekeeper's own, and the gatekeeper's own signature in DER and in 63, 65 and 66 bytes",
        special.len(),
        special.first().map(|s| s.tc_id).unwrap_or(0),
        special.last().map(|s| s.tc_id).unwrap_or(0),
    ))
}

/// The group order L of edwards25519 (RFC 8032 §5.1: "L = 2^252 +
/// 27742317777372353535851937790883648493"), little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// S + k·L in place of S (the signature's last 32 bytes, little-endian);
/// `None` when the sum does not fit 256 bits.
fn s_plus_multiple_of_l(signature: &[u8], k: u8) -> Option<Vec<u8>> {
    let (r, s) = signature.split_at_checked(32)?;
    let mut out = r.to_vec();
    let mut carry = 0u16;
    for (i, byte) in s.iter().enumerate() {
        let sum = u16::from(*byte) + u16::from(L[i]) * u16::from(k) + carry;
        out.push((sum & 0xff) as u8);
        carry = sum >> 8;
    }
    (carry == 0 && out.len() == 64).then_some(out)
}

/// EdDSA (RFC 8037 §3.1): Wycheproof `ed25519_test.json`'s 20 tests
/// flagged `InvalidSignature` (tcId 10 to 29, "special values for r and
/// s") verbatim with their key; then the gatekeeper's own signature with S
/// replaced by S + L, 2L, 4L, 8L (class of tcId 63 to 66: "Accepted
/// only by verifiers that fail to enforce s < L"; RFC 8032 §5.1.7) and of
/// the wrong length (class of tcId 30 to 41: empty, R only, 62, 63, 65 and
/// 66 bytes).
pub fn eddsa_special_signatures_refused(ctx: &mut ScenarioCtx) -> Check {
    let (key, special) = wycheproof::ed25519_special_signatures().map_err(Finding::error)?;
    if special.is_empty() {
        return Err(Finding::error(
            "no InvalidSignature test in the Wycheproof Ed25519 vectors",
        ));
    }
    let kid = "wycheproof-ed25519-group-1";
    let extra = json!({
        "kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "EdDSA",
        "x": b64(&key),
    });
    let key_index = 0;
    let (gk, delivered) = gatekeeper_with(ctx, &extra, key_index)?;
    if !matches!(gk.keys[key_index].key, KeyKind::Ed25519(_)) {
        return Err(Finding::error(
            "scenario bug: the gatekeeper's key 0 is not Ed25519",
        ));
    }
    verbatim(ctx, &gk, key_index, (kid, &extra), ("ed25519", &special))?;
    let own_kid = gk.keys[key_index].kid.clone();
    let own_jwk = gk.keys[key_index].public_jwk();
    let own = object(&own_jwk)?;
    let mut classes = 0;
    // A genuine S is below L < 2^253, so S + 8L < 9L < 2^256 always fits;
    // were it not to, the genuine signature would be sent, which the
    // harness's own verifier accepts and send_refused reports as an error.
    for (k, tc) in [(1u8, 63), (2, 64), (4, 65), (8, 66)] {
        let what = format!(
            "an EdDSA call token whose genuine signature has S replaced by S + {k}L (class of Wycheproof ed25519 tcId {tc}, RFC 8032 §5.1.7)"
        );
        let alter = move |genuine: &[u8]| {
            s_plus_multiple_of_l(genuine, k).unwrap_or_else(|| genuine.to_vec())
        };
        send_refused(ctx, &gk, key_index, &own_kid, own, &alter, &what)?;
        classes += 1;
    }
    type Alter = fn(&[u8]) -> Vec<u8>;
    let lengths: [(&str, usize, Alter); 6] = [
        ("an empty signature", 30, |_| Vec::new()),
        ("R only (32 bytes)", 31, |g| g[..32.min(g.len())].to_vec()),
        ("the last two bytes dropped (62 bytes)", 32, |g| {
            g[..g.len().saturating_sub(2)].to_vec()
        }),
        ("the last byte dropped (63 bytes)", 41, |g| {
            g[..g.len().saturating_sub(1)].to_vec()
        }),
        ("a zero byte appended (65 bytes)", 37, |g| {
            let mut v = g.to_vec();
            v.push(0);
            v
        }),
        ("two zero bytes appended (66 bytes)", 33, |g| {
            let mut v = g.to_vec();
            v.extend_from_slice(&[0, 0]);
            v
        }),
    ];
    for (how, tc, alter) in lengths {
        let what = format!(
            "an EdDSA call token whose genuine signature is {how} (class of Wycheproof ed25519 tcId {tc})"
        );
        send_refused(ctx, &gk, key_index, &own_kid, own, &alter, &what)?;
        classes += 1;
    }
    nothing_delivered(ctx, &gk, delivered)?;
    Ok(format!(
        "{} special-value Ed25519 signatures (Wycheproof tcId 10 to 29) verbatim and {classes} Wycheproof classes on the gatekeeper's own signatures refused",
        special.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_plus_l_is_the_same_scalar_and_out_of_range() {
        use curve25519_dalek::scalar::Scalar;
        let mut signature = vec![7u8; 32];
        let mut s = [0u8; 32];
        s[0] = 5;
        signature.extend_from_slice(&s);
        let changed = s_plus_multiple_of_l(&signature, 1).expect("fits");
        let new_s: [u8; 32] = changed[32..].try_into().expect("32");
        assert_eq!(
            Scalar::from_bytes_mod_order(new_s),
            Scalar::from_bytes_mod_order(s)
        );
        assert!(bool::from(Scalar::from_canonical_bytes(new_s).is_none()));
        assert_eq!(&changed[..32], &signature[..32]);
        // 16L > 2^256.
        assert!(s_plus_multiple_of_l(&signature, 16).is_none());
    }
}
