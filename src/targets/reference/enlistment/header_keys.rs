//! Keys a defective verifier takes from the token's own header: only the
//! mutants that trust `jwk`, `jku`, `x5u` or `x5c` reach this module. The
//! reference itself uses nothing but the gatekeeper's JWKS (docs/enlistment.md
//! "Gatekeeper calls", rule 4; RFC 8725 §3.10).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde_json::{json, Value};

use crate::peer::jose::{b64, http};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4: the
/// algorithm identifier 1.3.101.112 and a 33-byte BIT STRING), followed by
/// the 32-byte public key.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// The header members that point at or carry a key.
#[derive(Default, serde::Deserialize)]
pub struct KeyPointers {
    jwk: Option<Value>,
    jku: Option<String>,
    x5u: Option<String>,
    x5c: Option<Vec<String>>,
}

/// The key a mutant takes from the header, when it is one that does and
/// the header carries that member; `None` for the reference.
pub fn key_from_header(pointers: &KeyPointers, kid: Option<&str>, build: Build) -> Option<Jwk> {
    if build.has(Mutant::EnlistmentTrustsEmbeddedJwk) {
        if let Some(jwk) = &pointers.jwk {
            return serde_json::from_value(jwk.clone()).ok();
        }
    }
    if build.has(Mutant::EnlistmentFollowsJku) {
        if let Some(url) = &pointers.jku {
            let set: JwkSet = serde_json::from_slice(&fetch(url)?).ok()?;
            return match kid {
                Some(kid) => set.find(kid).cloned(),
                None => set.keys.first().cloned(),
            };
        }
    }
    if build.has(Mutant::EnlistmentFollowsX5u) {
        if let Some(url) = &pointers.x5u {
            let pem = String::from_utf8(fetch(url)?).ok()?;
            return certificate_key(&pem_body(&pem)?);
        }
    }
    if build.has(Mutant::EnlistmentTrustsX5c) {
        if let Some(first) = pointers.x5c.as_ref().and_then(|chain| chain.first()) {
            return certificate_key(&STANDARD.decode(first).ok()?);
        }
    }
    None
}

fn fetch(url: &str) -> Option<Vec<u8>> {
    let got = http::get(url, Duration::from_secs(5)).ok()?;
    (got.status == 200).then_some(got.body)
}

/// The DER inside a PEM block (RFC 7468 §2).
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let text: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    STANDARD.decode(text.trim()).ok()
}

/// The Ed25519 key of a certificate, found by its SubjectPublicKeyInfo
/// prefix (the defect does not validate anything else).
fn certificate_key(der: &[u8]) -> Option<Jwk> {
    let at = der
        .windows(ED25519_SPKI_PREFIX.len())
        .position(|w| w == ED25519_SPKI_PREFIX)?
        + ED25519_SPKI_PREFIX.len();
    let key = der.get(at..at + 32)?;
    serde_json::from_value(json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key)})).ok()
}
