//! The gatekeeper's signing keys and their public JWKs.

use ed25519_dalek::Signer as _;
use rand::RngCore;
use serde_json::{json, Value};

use super::b64;

/// A signing key with its `kid`.
#[derive(Clone)]
pub struct GatekeeperKey {
    pub kid: String,
    pub key: KeyKind,
}

#[derive(Clone)]
pub enum KeyKind {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl GatekeeperKey {
    /// An Ed25519 key from the scenario's RNG.
    pub fn ed25519(kid: &str, rng: &mut impl RngCore) -> GatekeeperKey {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        GatekeeperKey {
            kid: kid.into(),
            key: KeyKind::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed)),
        }
    }

    /// A P-256 key from the scenario's RNG (a random 32-byte string is a
    /// valid scalar with overwhelming probability; retry otherwise).
    pub fn p256(kid: &str, rng: &mut impl RngCore) -> GatekeeperKey {
        loop {
            let mut scalar = [0u8; 32];
            rng.fill_bytes(&mut scalar);
            if let Ok(key) = p256::ecdsa::SigningKey::from_bytes(&scalar.into()) {
                return GatekeeperKey {
                    kid: kid.into(),
                    key: KeyKind::P256(key),
                };
            }
        }
    }

    /// The JWS `alg` this key signs with (RFC 8037 §3.1, RFC 7518 §3.4).
    pub fn alg(&self) -> &'static str {
        match self.key {
            KeyKind::Ed25519(_) => "EdDSA",
            KeyKind::P256(_) => "ES256",
        }
    }

    /// The private key bytes, for redaction only.
    pub fn secret_bytes(&self) -> Vec<u8> {
        match &self.key {
            KeyKind::Ed25519(k) => k.to_bytes().to_vec(),
            KeyKind::P256(k) => k.to_bytes().to_vec(),
        }
    }

    /// The public key's `x` (and `y`) coordinates as raw bytes: what a
    /// confused verifier might use as an HMAC secret.
    pub fn public_x(&self) -> Vec<u8> {
        match &self.key {
            KeyKind::Ed25519(k) => k.verifying_key().to_bytes().to_vec(),
            KeyKind::P256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                point.x().map(|x| x.to_vec()).unwrap_or_default()
            }
        }
    }

    /// The public JWK: OKP (RFC 8037 §2) or EC (RFC 7518 §6.2.1), with
    /// `kid`, `use` and `alg` (RFC 7517 §4).
    pub fn public_jwk(&self) -> Value {
        match &self.key {
            KeyKind::Ed25519(k) => json!({
                "kty": "OKP", "crv": "Ed25519", "kid": self.kid, "use": "sig", "alg": "EdDSA",
                "x": b64(k.verifying_key().as_bytes()),
            }),
            KeyKind::P256(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                json!({
                    "kty": "EC", "crv": "P-256", "kid": self.kid, "use": "sig", "alg": "ES256",
                    "x": b64(point.x().map(|x| x.as_slice()).unwrap_or_default()),
                    "y": b64(point.y().map(|y| y.as_slice()).unwrap_or_default()),
                })
            }
        }
    }

    /// The JWS signature over `input` (ES256: r || s, RFC 7518 §3.4).
    pub fn sign(&self, input: &[u8]) -> Vec<u8> {
        match &self.key {
            KeyKind::Ed25519(k) => k.sign(input).to_bytes().to_vec(),
            KeyKind::P256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(k, input);
                sig.to_bytes().to_vec()
            }
        }
    }
}

/// A JWK Set document (RFC 7517 §5).
pub fn jwks(keys: &[&GatekeeperKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.public_jwk()).collect::<Vec<_>>() })
}
