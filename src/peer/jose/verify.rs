//! The harness's own check of a provider-signed token against the
//! provider's JWKS: split, decode, find the key by `kid`, verify EdDSA
//! (RFC 8037 §3.1) or ES256 (RFC 7518 §3.4). Everything here is hostile
//! input: bounded, no panics.

use serde_json::{Map, Value};

use super::{unb64, MAX_TOKEN_BYTES};

/// A decoded, signature-checked token.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub kid: String,
    pub alg: String,
}

/// Decodes one JSON object part of a compact JWS.
fn object_part(part: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = unb64(part).map_err(|e| format!("{what}: {e}"))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{what} is not a JSON object")),
        Err(e) => Err(format!("{what} is not JSON: {e}")),
    }
}

/// Splits a compact JWS into its three parts (RFC 7515 §7.1).
pub fn split(token: &str) -> Result<[&str; 3], String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("token of {} bytes is too long", token.len()));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.as_slice() {
        [h, c, s] => Ok([h, c, s]),
        _ => Err(format!("{} parts, expected 3", parts.len())),
    }
}

/// A JSON object's members.
pub type Object = Map<String, Value>;

/// Header and claims, without any signature check.
pub fn decode_unverified(token: &str) -> Result<(Object, Object), String> {
    let [h, c, _] = split(token)?;
    Ok((object_part(h, "header")?, object_part(c, "claims")?))
}

/// Finds the JWK with this `kid` in a JWK Set document.
pub fn find_key<'a>(jwks: &'a Value, kid: &str) -> Option<&'a Map<String, Value>> {
    jwks.get("keys")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
}

fn member_bytes(jwk: &Map<String, Value>, name: &str, len: usize) -> Result<Vec<u8>, String> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the JWK has no string `{name}`"))?;
    let bytes = unb64(text).map_err(|e| format!("JWK `{name}`: {e}"))?;
    if bytes.len() != len {
        return Err(format!(
            "JWK `{name}` is {} bytes, expected {len}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

/// Checks `signature` over `input` with a public JWK and `alg`.
pub fn verify_with_jwk(
    jwk: &Map<String, Value>,
    alg: &str,
    input: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
    let crv = jwk.get("crv").and_then(Value::as_str).unwrap_or("");
    match (alg, kty, crv) {
        ("EdDSA", "OKP", "Ed25519") => {
            let x = member_bytes(jwk, "x", 32)?;
            let mut raw = [0u8; 32];
            raw.copy_from_slice(&x);
            let key = ed25519_dalek::VerifyingKey::from_bytes(&raw)
                .map_err(|e| format!("the Ed25519 key is invalid: {e}"))?;
            let sig = ed25519_dalek::Signature::from_slice(signature)
                .map_err(|e| format!("the signature is not 64 bytes: {e}"))?;
            key.verify_strict(input, &sig)
                .map_err(|_| "the EdDSA signature does not verify".to_string())
        }
        ("ES256", "EC", "P-256") => {
            use p256::ecdsa::signature::Verifier;
            let x = member_bytes(jwk, "x", 32)?;
            let y = member_bytes(jwk, "y", 32)?;
            let point = p256::EncodedPoint::from_affine_coordinates(
                x.as_slice().into(),
                y.as_slice().into(),
                false,
            );
            let key = p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|e| format!("the P-256 key is invalid: {e}"))?;
            let sig = p256::ecdsa::Signature::from_slice(signature)
                .map_err(|e| format!("the ES256 signature is not r || s: {e}"))?;
            key.verify(input, &sig)
                .map_err(|_| "the ES256 signature does not verify".to_string())
        }
        _ => Err(format!(
            "alg {alg:?} does not fit a key of kty {kty:?} crv {crv:?}"
        )),
    }
}

/// Verifies a compact JWS against a JWK Set.
pub fn verify(token: &str, jwks: &Value) -> Result<Verified, String> {
    let [h, c, s] = split(token)?;
    let header = object_part(h, "header")?;
    let claims = object_part(c, "claims")?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or("the header has no string `alg`")?
        .to_string();
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or("the header has no string `kid`")?
        .to_string();
    let jwk = find_key(jwks, &kid).ok_or_else(|| format!("no key with kid {kid:?} in the JWKS"))?;
    let signature = unb64(s).map_err(|e| format!("signature: {e}"))?;
    let input = format!("{h}.{c}");
    verify_with_jwk(jwk, &alg, input.as_bytes(), &signature)?;
    Ok(Verified {
        header,
        claims,
        kid,
        alg,
    })
}

#[cfg(test)]
mod tests {
    use super::super::keys::jwks;
    use super::super::{forge, GatekeeperKey, Signer, TokenParts};
    use super::*;
    use rand::SeedableRng;
    use serde_json::json;

    fn parts(key: &GatekeeperKey) -> TokenParts {
        TokenParts {
            header: vec![
                ("alg".into(), json!(key.alg())),
                ("kid".into(), json!(key.kid)),
            ],
            claims: vec![("sub".into(), json!("alice"))],
            signer: Signer::Key(Box::new(key.clone())),
        }
    }

    #[test]
    fn both_key_types_round_trip_and_tampering_fails() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let ed = GatekeeperKey::ed25519("ed", &mut rng);
        let ec = GatekeeperKey::p256("ec", &mut rng);
        let set = jwks(&[&ed, &ec]);
        for key in [&ed, &ec] {
            let token = parts(key).compact();
            let ok = verify(&token, &set).expect("verifies");
            assert_eq!(ok.claims["sub"], "alice");
            let mut bad = parts(key);
            bad.set("sub", json!("mallory"));
            let forged = format!(
                "{}.{}",
                bad.signing_input(),
                token.rsplit('.').next().expect("sig")
            );
            assert!(verify(&forged, &set).is_err());
        }
        assert_eq!(forge::object(&parts(&ed).claims), r#"{"sub":"alice"}"#);
    }
}
