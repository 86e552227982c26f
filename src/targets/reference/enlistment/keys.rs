//! The provider's signing keys: generated fresh per Reset, published as
//! public JWKs (RFC 7517 §4, RFC 8037 §2, RFC 7518 §6.2), kept published
//! after a rotation until every proof they signed has expired.

use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, EncodingKey};
use rand::rngs::OsRng;
use rand::RngCore;
use serde_json::Value;

use crate::peer::jose::b64;

pub struct ProviderKey {
    pub kid: String,
    pub alg: Algorithm,
    pub encoding: EncodingKey,
    pub jwk: Jwk,
    /// The private scalar or seed, base64url: only the
    /// `enlistment-jwks-exposes-private-key` mutant ever publishes it.
    pub private_d: String,
    /// Unix time after which the key is no longer published; `None` while
    /// it is the signing key.
    pub retire_at: Option<u64>,
}

fn common(kid: &str, alg: KeyAlgorithm) -> CommonParameters {
    CommonParameters {
        public_key_use: Some(PublicKeyUse::Signature),
        key_algorithm: Some(alg),
        key_id: Some(kid.to_string()),
        ..CommonParameters::default()
    }
}

impl ProviderKey {
    pub fn ed25519(kid: &str) -> Result<ProviderKey, String> {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let der = key
            .to_pkcs8_der()
            .map_err(|e| format!("cannot encode the Ed25519 key: {e}"))?;
        Ok(ProviderKey {
            kid: kid.into(),
            alg: Algorithm::EdDSA,
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            jwk: Jwk {
                common: common(kid, KeyAlgorithm::EdDSA),
                algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                    key_type: OctetKeyPairType::OctetKeyPair,
                    curve: EllipticCurve::Ed25519,
                    x: b64(key.verifying_key().as_bytes()),
                }),
            },
            private_d: b64(&key.to_bytes()),
            retire_at: None,
        })
    }

    pub fn p256(kid: &str) -> Result<ProviderKey, String> {
        use p256::pkcs8::EncodePrivateKey as _;
        let secret = p256::SecretKey::random(&mut OsRng);
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| format!("cannot encode the P-256 key: {e}"))?;
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::ES256)
            .map_err(|e| format!("cannot make the P-256 JWK: {e}"))?;
        jwk.common = common(kid, KeyAlgorithm::ES256);
        Ok(ProviderKey {
            kid: kid.into(),
            alg: Algorithm::ES256,
            encoding,
            jwk,
            private_d: b64(&secret.to_bytes()),
            retire_at: None,
        })
    }

    /// The published JWK; with `leak_private`, the private `d` too.
    pub fn published(&self, leak_private: bool, padded_base64: bool) -> Value {
        let mut value = serde_json::to_value(&self.jwk).unwrap_or(Value::Null);
        // The defect: coordinates in standard, padded base64.
        if padded_base64 {
            use base64::Engine as _;
            if let Value::Object(map) = &mut value {
                for member in ["x", "y"] {
                    let bytes = map
                        .get(member)
                        .and_then(Value::as_str)
                        .and_then(|v| crate::peer::jose::unb64(v).ok());
                    if let Some(bytes) = bytes {
                        let standard = base64::engine::general_purpose::STANDARD.encode(bytes);
                        map.insert(member.into(), Value::String(standard));
                    }
                }
            }
        }
        if leak_private {
            if let Value::Object(map) = &mut value {
                map.insert("d".into(), Value::String(self.private_d.clone()));
            }
        }
        value
    }
}
