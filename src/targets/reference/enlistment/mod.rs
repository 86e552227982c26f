//! The reference provider for the enlistment suite (docs/enlistment.md):
//! an OpenID-style issuer with a JWKS on a real loopback HTTP server,
//! enlistment proofs signed with jsonwebtoken, and gatekeeper calls
//! verified against the gatekeeper's JWKS. The server starts on the first
//! enlistment operation after Reset and stops on Reset.

pub mod call_auth;
mod keys;
mod server;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Header};
use rand::RngCore;
use serde_json::{json, Value};

use self::call_auth::{CallVerifier, GatekeeperConfig};
use self::keys::ProviderKey;
use self::server::{lock, HttpServer, AUTHENTICATE_PATH, PUSH_PATH};
use super::rejected;
use crate::adapter::proto::EnlistmentProfile;
use crate::adapter::proto::{
    response::Reply, EnAdvanceClockResult, EnConfigure, EnConfigureResult, EnDeliveriesResult,
    EnDelivery, EnIssueProof, EnIssueProofResult, EnProviderInfoResult, EnRotateKeysResult,
    EnSignIn, EnSignInResult, EnTestUser, ErrorCategory, InternalError,
};
use crate::peer::jose::b64;
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The proof lifetime this provider uses (well under the default
/// profile's 300 s maximum).
const PROOF_LIFETIME: u64 = 120;
/// What the `enlistment-day-long-proofs` mutant uses instead.
const MUTANT_PROOF_LIFETIME: u64 = 24 * 3600;
/// The explicit type of a proof (RFC 8725 §3.11, RFC 7515 §4.1.9).
pub const PROOF_TYP: &str = "enlistment-proof+jwt";
/// Accounts of this test provider: (identifier, credential).
const USERS: [(&str, &str); 2] = [
    ("alice@provider.test", "alice-password"),
    ("bob@provider.test", "bob-password"),
];

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Everything the HTTP thread and the adapter share.
pub struct Provider {
    mutant: Option<Mutant>,
    issuer: String,
    keys: Vec<ProviderKey>,
    keys_made: u32,
    signed_in: HashSet<String>,
    verifier: CallVerifier,
    deliveries: Vec<EnDelivery>,
    /// Seconds added to the system clock (EnAdvanceClock).
    clock_offset: u64,
}

impl Provider {
    fn new(mutant: Option<Mutant>, issuer: String) -> Result<Provider, String> {
        let mut provider = Provider {
            mutant,
            issuer,
            keys: Vec::new(),
            keys_made: 0,
            signed_in: HashSet::new(),
            verifier: CallVerifier::default(),
            deliveries: Vec::new(),
            clock_offset: 0,
        };
        // Both key types are published; the newest signs.
        provider.add_key()?;
        provider.add_key()?;
        Ok(provider)
    }

    fn has(&self, defect: Mutant) -> bool {
        self.mutant == Some(defect)
    }

    /// The provider's clock: the system's, moved by EnAdvanceClock.
    fn now(&self) -> u64 {
        now().saturating_add(self.clock_offset)
    }

    /// Adds a key, alternating P-256 and Ed25519.
    fn add_key(&mut self) -> Result<&ProviderKey, String> {
        self.keys_made += 1;
        let n = self.keys_made;
        let key = if n % 2 == 1 {
            ProviderKey::p256(&format!("provider-ec-{n}"))?
        } else {
            ProviderKey::ed25519(&format!("provider-ed-{n}"))?
        };
        self.keys.push(key);
        self.keys.last().ok_or_else(|| "no key".into())
    }

    fn signing_key(&self) -> Option<&ProviderKey> {
        self.keys.last()
    }

    /// The JWK Set (RFC 7517 §5) of every key still published.
    fn jwks(&self) -> Value {
        let now = self.now();
        let leak = self.has(Mutant::EnlistmentJwksExposesPrivateKey);
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter(|k| k.retire_at.is_none_or(|t| t >= now))
            .map(|k| k.published(leak))
            .collect();
        json!({ "keys": keys })
    }

    fn gatekeeper_call(
        &mut self,
        endpoint: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> (u16, String) {
        let mutant = self.mutant;
        let issuer = self.issuer.clone();
        match self
            .verifier
            .verify(authorization, body, &issuer, self.now(), mutant)
        {
            Err(why) => {
                eprintln!("reference: refused a gatekeeper {endpoint} call: {why}");
                (401, json!({"error": "invalid_token"}).to_string())
            }
            Ok(jti) => {
                self.deliveries.push(EnDelivery {
                    endpoint: endpoint.into(),
                    body: body.to_vec(),
                    jti,
                });
                if endpoint == "push" {
                    (202, json!({"accepted": true}).to_string())
                } else {
                    let sub = serde_json::from_slice::<Value>(body)
                        .ok()
                        .and_then(|v| v.get("sub").and_then(Value::as_str).map(String::from))
                        .unwrap_or_default();
                    let authenticated = self.signed_in.contains(&sub);
                    (
                        200,
                        json!({"sub": sub, "authenticated": authenticated}).to_string(),
                    )
                }
            }
        }
    }
}

struct Running {
    provider: Arc<Mutex<Provider>>,
    // Dropped (stopped and joined) on Reset.
    _server: HttpServer,
}

/// The suite's state in the reference target: nothing until the first
/// enlistment operation after Reset.
#[derive(Default)]
pub struct EnlistmentSuite {
    running: Option<Running>,
    /// The allowed behaviour this reference uses instead of its default.
    variant: Option<Variant>,
    /// The profile values from `Configure`; `None`: the default profile's.
    profile: Option<EnlistmentProfile>,
}

fn internal(detail: String) -> Reply {
    Reply::InternalError(InternalError { detail })
}

impl EnlistmentSuite {
    pub fn reset(&mut self) {
        self.running = None;
    }

    /// Takes the variant and the `Configure`d profile values; they apply
    /// from the next provider started (after the next `Reset`).
    pub fn set_profile(&mut self, variant: Option<Variant>, profile: Option<EnlistmentProfile>) {
        self.variant = variant;
        self.profile = profile;
    }

    /// The running provider, starting its server first if needed.
    fn provider(&mut self, mutant: Option<Mutant>) -> Result<Arc<Mutex<Provider>>, String> {
        if let Some(running) = &self.running {
            return Ok(Arc::clone(&running.provider));
        }
        // The issuer needs the port, and the server needs the provider:
        // start with a placeholder issuer and fill it in.
        let provider = Arc::new(Mutex::new(Provider::new(mutant, String::new())?));
        let server = HttpServer::start(Arc::clone(&provider))?;
        lock(&provider).issuer = format!("http://127.0.0.1:{}", server.port);
        self.running = Some(Running {
            provider: Arc::clone(&provider),
            _server: server,
        });
        Ok(provider)
    }

    pub fn provider_info(&mut self, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let issuer = lock(&provider).issuer.clone();
        Reply::EnProviderInfo(EnProviderInfoResult {
            push_endpoint: format!("{issuer}{PUSH_PATH}"),
            authenticate_endpoint: format!("{issuer}{AUTHENTICATE_PATH}"),
            issuer,
            users: USERS
                .iter()
                .map(|(identifier, credential)| EnTestUser {
                    identifier: identifier.to_string(),
                    credential: credential.to_string(),
                })
                .collect(),
        })
    }

    pub fn configure(&mut self, c: EnConfigure, mutant: Option<Mutant>) -> Reply {
        if let Err(e) = crate::peer::jose::http::check_loopback(&c.gatekeeper_jwks_url) {
            return rejected(ErrorCategory::MalformedInput, e);
        }
        if c.gatekeeper_issuer.is_empty() || c.max_token_bytes < 1024 {
            return rejected(
                ErrorCategory::SchemaViolation,
                "an issuer and a token limit of at least 1 KiB are required",
            );
        }
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        lock(&provider).verifier.config = Some(GatekeeperConfig {
            jwks_url: c.gatekeeper_jwks_url,
            issuer: c.gatekeeper_issuer,
            skew: u64::from(c.clock_skew_seconds),
            max_lifetime: u64::from(c.max_call_token_lifetime_seconds),
            max_token_bytes: c.max_token_bytes as usize,
        });
        Reply::EnConfigure(EnConfigureResult {})
    }

    pub fn sign_in(&mut self, s: EnSignIn, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let known = USERS
            .iter()
            .find(|(identifier, _)| *identifier == s.identifier);
        match known {
            None => rejected(ErrorCategory::NotFound, "no such account"),
            Some((_, credential)) if *credential != s.credential => {
                rejected(ErrorCategory::Unauthenticated, "wrong credential")
            }
            Some(_) => {
                lock(&provider).signed_in.insert(s.identifier);
                Reply::EnSignIn(EnSignInResult {})
            }
        }
    }

    pub fn issue_proof(&mut self, request: EnIssueProof, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let p = lock(&provider);
        if !USERS.iter().any(|(id, _)| *id == request.identifier) {
            return rejected(ErrorCategory::NotFound, "no such account");
        }
        if !p.signed_in.contains(&request.identifier) {
            return rejected(ErrorCategory::Unauthenticated, "the user has not signed in");
        }
        if request.audience.is_empty() || request.nonce.is_empty() || request.nonce.len() > 256 {
            return rejected(
                ErrorCategory::SchemaViolation,
                "an audience and a nonce of 1 to 256 bytes are required",
            );
        }
        // The Signal identity key is 0x05 || X25519 public key (33 bytes).
        if request.signal_identity_key.len() != 33 || request.signal_identity_key[0] != 0x05 {
            return rejected(ErrorCategory::InvalidKey, "not a Signal identity key");
        }
        if request.noise_static_key.len() != 32 {
            return rejected(ErrorCategory::InvalidKey, "not a Noise static key");
        }
        let Some(key) = p.signing_key() else {
            return internal("no signing key".into());
        };
        let iat = p.now();
        let lifetime = if p.has(Mutant::EnlistmentDayLongProofs) {
            MUTANT_PROOF_LIFETIME
        } else {
            PROOF_LIFETIME
        };
        let mut jti = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut jti);
        let mut claims = json!({
            "iss": p.issuer,
            "sub": request.identifier,
            "aud": request.audience,
            "iat": iat,
            "exp": iat + lifetime,
            "nonce": request.nonce,
            "jti": b64(&jti),
            "cnf": {
                "signal_identity_key": b64(&request.signal_identity_key),
                "noise_static_key": b64(&request.noise_static_key),
            },
        });
        if p.has(Mutant::EnlistmentProofIgnoresNonce) {
            if let Value::Object(map) = &mut claims {
                map.remove("nonce");
            }
        }
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        header.typ = Some(PROOF_TYP.into());
        match encode(&header, &claims, &key.encoding) {
            Ok(token) => Reply::EnIssueProof(EnIssueProofResult { token }),
            Err(e) => internal(format!("signing failed: {e}")),
        }
    }

    pub fn rotate_keys(&mut self, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let mut p = lock(&provider);
        let lifetime = if p.has(Mutant::EnlistmentDayLongProofs) {
            MUTANT_PROOF_LIFETIME
        } else {
            PROOF_LIFETIME
        };
        // The old key stays published until its last proof has expired,
        // with a minute of margin for the verifier's clock.
        let retire_at = if p.has(Mutant::EnlistmentRotationDropsOldKey) {
            0
        } else {
            p.now() + lifetime + 60
        };
        if let Some(old) = p.keys.last_mut() {
            old.retire_at = Some(retire_at);
        }
        match p.add_key() {
            Ok(key) => Reply::EnRotateKeys(EnRotateKeysResult {
                kid: key.kid.clone(),
            }),
            Err(e) => internal(e),
        }
    }

    pub fn advance_clock(&mut self, seconds: u32, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let mut p = lock(&provider);
        p.clock_offset = p.clock_offset.saturating_add(u64::from(seconds));
        Reply::EnAdvanceClock(EnAdvanceClockResult {})
    }

    pub fn deliveries(&mut self, mutant: Option<Mutant>) -> Reply {
        let provider = match self.provider(mutant) {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let deliveries = lock(&provider).deliveries.clone();
        Reply::EnDeliveries(EnDeliveriesResult { deliveries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::jose::http;
    use std::time::Duration;

    fn issuer(suite: &mut EnlistmentSuite) -> String {
        match suite.provider_info(None) {
            Reply::EnProviderInfo(info) => info.issuer,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_server_runs_from_first_use_until_reset() {
        let mut suite = EnlistmentSuite::default();
        let issuer = issuer(&mut suite);
        let url = format!("{issuer}/.well-known/openid-configuration");
        let got = http::get(&url, Duration::from_secs(5)).expect("discovery");
        assert_eq!(got.status, 200);
        let doc: Value = serde_json::from_slice(&got.body).expect("json");
        assert_eq!(doc["issuer"], issuer.as_str());
        suite.reset();
        assert!(
            http::get(&url, Duration::from_secs(2)).is_err(),
            "the server stops on Reset"
        );
        // A fresh provider after Reset: new port, new keys.
        assert_ne!(self::issuer(&mut suite), issuer);
    }

    #[test]
    fn a_retired_key_leaves_the_jwks_after_its_proofs_expire() {
        let mut provider = Provider::new(None, "http://127.0.0.1:1".into()).expect("provider");
        assert_eq!(provider.jwks()["keys"].as_array().map(Vec::len), Some(2));
        provider.keys[1].retire_at = Some(now() + 100);
        provider.add_key().expect("key");
        assert_eq!(provider.jwks()["keys"].as_array().map(Vec::len), Some(3));
        provider.keys[1].retire_at = Some(now() - 1);
        let kids: Vec<String> = provider.jwks()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|k| k["kid"].as_str().map(String::from))
            .collect();
        assert_eq!(kids, ["provider-ec-1", "provider-ec-3"]);
    }

    #[test]
    fn only_the_leaking_mutant_publishes_d() {
        let honest = Provider::new(None, String::new()).expect("provider");
        assert!(!honest.jwks().to_string().contains("\"d\""));
        let leaking = Provider::new(Some(Mutant::EnlistmentJwksExposesPrivateKey), String::new())
            .expect("provider");
        assert!(leaking.jwks().to_string().contains("\"d\""));
    }
}
