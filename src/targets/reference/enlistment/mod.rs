//! The reference provider for the enlistment suite (docs/enlistment.md):
//! an OpenID-style issuer with a JWKS on a real loopback HTTP server,
//! enlistment proofs signed with jsonwebtoken, and gatekeeper calls
//! verified against the gatekeeper's JWKS. The server starts on the first
//! enlistment operation after Reset and stops on Reset.

pub mod call_auth;
mod header_keys;
mod keys;
mod server;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{encode, Algorithm, Header};
use rand::RngCore;
use serde_json::{json, Value};

use self::call_auth::{CallVerifier, GatekeeperConfig};
use self::keys::ProviderKey;
use self::server::{lock, HttpServer, AUTHENTICATE_PATH, PUSH_PATH};
use super::build::Build;
use super::rejected;
use crate::adapter::proto::EnlistmentProfile;
use crate::adapter::proto::{
    response::Reply, EnAdvanceClockResult, EnConfigure, EnConfigureResult, EnDeliveriesResult,
    EnDelivery, EnIssueProof, EnIssueProofResult, EnProviderInfoResult, EnRotateKeysResult,
    EnSignIn, EnSignInResult, EnTestUser, ErrorCategory, InternalError,
};
use crate::catalog::profile::EnlistmentParams;
use crate::peer::jose::{b64, body_hash};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The proof lifetime this provider prefers; it uses the profile's
/// `max_proof_lifetime_seconds` instead when that is shorter.
const PROOF_LIFETIME: u64 = 120;
/// What the `enlistment-day-long-proofs` mutant uses instead.
const MUTANT_PROOF_LIFETIME: u64 = 24 * 3600;
/// The explicit type of a proof (RFC 8725 §3.11, RFC 7515 §4.1.9), in the
/// short form RFC 7515 §4.1.9 recommends.
pub const PROOF_TYP: &str = "enlistment-proof+jwt";
/// What the `enlistment-proof-typ-media-type` variant writes instead: the
/// same media type, with its `application/` prefix and in other case
/// (RFC 7515 §4.1.9 only RECOMMENDS omitting the prefix; media types
/// compare case-insensitively, RFC 2045 §5.1).
pub const VARIANT_PROOF_TYP: &str = "application/enlistment-proof+JWT";

/// The profile values the provider works with: `Configure.enlistment`,
/// or the default profile's when the runner sent none.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The longest proof lifetime the gatekeeper accepts.
    pub max_proof_lifetime: u64,
    /// The gatekeeper's clock skew: how long after its last proof expired
    /// an outgoing key stays published.
    pub skew: u64,
}

impl Settings {
    pub fn new(profile: Option<&EnlistmentProfile>) -> Settings {
        let default = EnlistmentParams::default();
        let (max_proof_lifetime, skew) = match profile {
            Some(p) => (p.max_proof_lifetime_seconds, p.clock_skew_seconds),
            None => (
                default.max_proof_lifetime_seconds,
                default.clock_skew_seconds,
            ),
        };
        Settings {
            max_proof_lifetime: u64::from(max_proof_lifetime),
            skew: u64::from(skew),
        }
    }
}
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
    /// The mutant or variant this reference runs as.
    build: Build,
    settings: Settings,
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
    fn new(build: Build, settings: Settings, issuer: String) -> Result<Provider, String> {
        let mut provider = Provider {
            build,
            settings,
            issuer,
            keys: Vec::new(),
            keys_made: 0,
            signed_in: HashSet::new(),
            verifier: CallVerifier::default(),
            deliveries: Vec::new(),
            clock_offset: 0,
        };
        // Both key types are published (docs/enlistment.md §JWKS); the
        // key of the signing algorithm signs, and rotation replaces it.
        provider.add_key(Algorithm::ES256)?;
        provider.add_key(Algorithm::EdDSA)?;
        Ok(provider)
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    fn is(&self, behaviour: Variant) -> bool {
        self.build.is(behaviour)
    }

    /// EdDSA (RFC 8037 §3.1), or ES256 (RFC 7518 §3.4) in the
    /// `enlistment-es256-proofs` variant.
    fn signing_alg(&self) -> Algorithm {
        if self.is(Variant::EnlistmentEs256Proofs) {
            Algorithm::ES256
        } else {
            Algorithm::EdDSA
        }
    }

    /// `exp - iat` of its proofs: its preferred lifetime within the
    /// profile's maximum (the day-long mutant ignores the maximum).
    fn proof_lifetime(&self) -> u64 {
        if self.has(Mutant::EnlistmentDayLongProofs) {
            MUTANT_PROOF_LIFETIME
        } else {
            PROOF_LIFETIME.min(self.settings.max_proof_lifetime)
        }
    }

    /// The provider's clock: the system's, moved by EnAdvanceClock.
    fn now(&self) -> u64 {
        now().saturating_add(self.clock_offset)
    }

    /// Adds a P-256 (ES256) or an Ed25519 (EdDSA) key.
    fn add_key(&mut self, alg: Algorithm) -> Result<&ProviderKey, String> {
        self.keys_made += 1;
        let n = self.keys_made;
        // The defect: the kid names the algorithm, not the key.
        let kid = |kind: &str| {
            if self.has(Mutant::EnlistmentKidPerAlgorithm) {
                format!("provider-{kind}")
            } else {
                format!("provider-{kind}-{n}")
            }
        };
        let key = if alg == Algorithm::ES256 {
            ProviderKey::p256(&kid("ec"))?
        } else {
            ProviderKey::ed25519(&kid("ed"))?
        };
        self.keys.push(key);
        self.keys.last().ok_or_else(|| "no key".into())
    }

    /// The newest key of the signing algorithm that is not outgoing.
    fn signing_key(&self) -> Option<&ProviderKey> {
        let alg = self.signing_alg();
        self.keys
            .iter()
            .rev()
            .find(|k| k.alg == alg && k.retire_at.is_none())
    }

    /// The JWK Set (RFC 7517 §5) of every key still published.
    fn jwks(&self) -> Value {
        let now = self.now();
        let leak = self.has(Mutant::EnlistmentJwksExposesPrivateKey);
        let keys: Vec<Value> = self
            .keys
            .iter()
            .filter(|k| k.retire_at.is_none_or(|t| t >= now))
            .map(|k| k.published(leak, self.has(Mutant::EnlistmentJwksPaddedBase64)))
            .collect();
        json!({ "keys": keys })
    }

    fn gatekeeper_call(
        &mut self,
        endpoint: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> (u16, String) {
        let build = self.build;
        let issuer = self.issuer.clone();
        match self
            .verifier
            .verify(authorization, body, &issuer, self.now(), build)
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
                    let authenticated = self.signed_in.contains(&sub)
                        || self.has(Mutant::EnlistmentAuthenticateAlwaysTrue);
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
pub struct EnlistmentSuite {
    running: Option<Running>,
    /// The mutant or variant this reference runs as.
    build: Build,
    /// The profile values from `Configure`; `None`: the default profile's.
    profile: Option<EnlistmentProfile>,
}

fn internal(detail: String) -> Reply {
    Reply::InternalError(InternalError { detail })
}

impl EnlistmentSuite {
    pub fn new(build: Build) -> EnlistmentSuite {
        EnlistmentSuite {
            running: None,
            build,
            profile: None,
        }
    }

    pub fn reset(&mut self) {
        self.running = None;
    }

    /// Takes the `Configure`d profile values; they apply from the next
    /// provider started (after the next `Reset`).
    pub fn set_profile(&mut self, profile: Option<EnlistmentProfile>) {
        self.profile = profile;
    }

    /// The running provider, starting its server first if needed.
    fn provider(&mut self) -> Result<Arc<Mutex<Provider>>, String> {
        if let Some(running) = &self.running {
            return Ok(Arc::clone(&running.provider));
        }
        // The issuer needs the port, and the server needs the provider:
        // start with a placeholder issuer and fill it in.
        let settings = Settings::new(self.profile.as_ref());
        let provider = Arc::new(Mutex::new(Provider::new(
            self.build,
            settings,
            String::new(),
        )?));
        let server = HttpServer::start(Arc::clone(&provider))?;
        lock(&provider).issuer = format!("http://127.0.0.1:{}", server.port);
        self.running = Some(Running {
            provider: Arc::clone(&provider),
            _server: server,
        });
        Ok(provider)
    }

    pub fn provider_info(&mut self) -> Reply {
        let provider = match self.provider() {
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

    pub fn configure(&mut self, c: EnConfigure) -> Reply {
        if let Err(e) = crate::peer::jose::http::check_loopback(&c.gatekeeper_jwks_url) {
            if !self.build.has(Mutant::EnlistmentConfigureAnyUrl) {
                return rejected(ErrorCategory::MalformedInput, e);
            }
        }
        if c.gatekeeper_issuer.is_empty() || c.max_token_bytes < 1024 {
            return rejected(
                ErrorCategory::SchemaViolation,
                "an issuer and a token limit of at least 1 KiB are required",
            );
        }
        let provider = match self.provider() {
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

    pub fn sign_in(&mut self, s: EnSignIn) -> Reply {
        let provider = match self.provider() {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let known = USERS
            .iter()
            .find(|(identifier, _)| *identifier == s.identifier);
        match known {
            None => rejected(ErrorCategory::NotFound, "no such account"),
            Some((_, credential)) if *credential != s.credential => {
                // The defect: the session was opened before the check.
                if self.build.has(Mutant::EnlistmentSignInBeforeCheck) {
                    lock(&provider).signed_in.insert(s.identifier);
                }
                rejected(ErrorCategory::Unauthenticated, "wrong credential")
            }
            Some(_) => {
                lock(&provider).signed_in.insert(s.identifier);
                Reply::EnSignIn(EnSignInResult {})
            }
        }
    }

    pub fn issue_proof(&mut self, request: EnIssueProof) -> Reply {
        let provider = match self.provider() {
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
        let length_ok = if p.has(Mutant::EnlistmentSignalKeyTrailingBytes) {
            request.signal_identity_key.len() >= 33
        } else {
            request.signal_identity_key.len() == 33
        };
        if !length_ok || request.signal_identity_key[0] != 0x05 {
            return rejected(ErrorCategory::InvalidKey, "not a Signal identity key");
        }
        if request.noise_static_key.len() != 32 {
            return rejected(ErrorCategory::InvalidKey, "not a Noise static key");
        }
        let Some(key) = p.signing_key() else {
            return internal("no signing key".into());
        };
        let mut iat = p.now();
        let mut lifetime = p.proof_lifetime();
        let mut jti = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut jti);
        // The defect: jti derived from who and when.
        if p.has(Mutant::EnlistmentJtiFromClaims) {
            let digest = body_hash(format!("{}|{iat}", request.identifier).as_bytes());
            jti.copy_from_slice(&digest.as_bytes()[..16]);
        }
        // The defect: NumericDate in milliseconds.
        if p.has(Mutant::EnlistmentProofIatMilliseconds) {
            iat = iat.saturating_mul(1000);
            lifetime = lifetime.saturating_mul(1000);
        }
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
        header.typ = Some(if p.is(Variant::EnlistmentProofTypMediaType) {
            VARIANT_PROOF_TYP.into()
        } else if p.has(Mutant::EnlistmentProofTypJwt) {
            // The defect: the library's default typ is left in place.
            "JWT".into()
        } else {
            PROOF_TYP.into()
        });
        match encode(&header, &claims, &key.encoding) {
            Ok(token) => Reply::EnIssueProof(EnIssueProofResult { token }),
            Err(e) => internal(format!("signing failed: {e}")),
        }
    }

    pub fn rotate_keys(&mut self) -> Reply {
        let provider = match self.provider() {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let mut p = lock(&provider);
        // The old key stays published until its last proof has expired,
        // plus the gatekeeper's clock skew (the profile's) as margin for
        // the verifier's clock: within EN-026's bound, as its proofs lived
        // at most the profile's maximum.
        let retire_at = if p.has(Mutant::EnlistmentRotationDropsOldKey) {
            0
        } else {
            p.now() + p.proof_lifetime() + p.settings.skew
        };
        let alg = p.signing_alg();
        let Some(old) = p
            .keys
            .iter_mut()
            .rev()
            .find(|k| k.alg == alg && k.retire_at.is_none())
        else {
            return internal("no signing key to rotate".into());
        };
        old.retire_at = Some(retire_at);
        match p.add_key(alg) {
            Ok(key) => Reply::EnRotateKeys(EnRotateKeysResult {
                kid: key.kid.clone(),
            }),
            Err(e) => internal(e),
        }
    }

    pub fn advance_clock(&mut self, seconds: u32) -> Reply {
        let provider = match self.provider() {
            Ok(p) => p,
            Err(e) => return internal(e),
        };
        let mut p = lock(&provider);
        p.clock_offset = p.clock_offset.saturating_add(u64::from(seconds));
        Reply::EnAdvanceClock(EnAdvanceClockResult {})
    }

    pub fn deliveries(&mut self) -> Reply {
        let provider = match self.provider() {
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
        match suite.provider_info() {
            Reply::EnProviderInfo(info) => info.issuer,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_server_runs_from_first_use_until_reset() {
        let mut suite = EnlistmentSuite::new(Build::default());
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

    fn provider(mutant: Option<Mutant>, variant: Option<Variant>) -> Provider {
        Provider::new(
            Build::new(mutant, variant),
            Settings::new(None),
            "http://127.0.0.1:1".into(),
        )
        .expect("provider")
    }

    #[test]
    fn a_retired_key_leaves_the_jwks_after_its_proofs_expire() {
        let mut provider = provider(None, None);
        assert_eq!(provider.jwks()["keys"].as_array().map(Vec::len), Some(2));
        provider.keys[1].retire_at = Some(now() + 100);
        provider.add_key(Algorithm::EdDSA).expect("key");
        assert_eq!(provider.jwks()["keys"].as_array().map(Vec::len), Some(3));
        provider.keys[1].retire_at = Some(now() - 1);
        let kids: Vec<String> = provider.jwks()["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|k| k["kid"].as_str().map(String::from))
            .collect();
        assert_eq!(kids, ["provider-ec-1", "provider-ed-3"]);
    }

    #[test]
    fn the_signing_key_is_ed25519_or_p256_in_the_es256_variant() {
        let ed = provider(None, None);
        assert_eq!(ed.signing_key().map(|k| k.alg), Some(Algorithm::EdDSA));
        let ec = provider(None, Some(Variant::EnlistmentEs256Proofs));
        assert_eq!(ec.signing_key().map(|k| k.alg), Some(Algorithm::ES256));
    }

    #[test]
    fn the_proof_lifetime_stays_within_the_profile() {
        let mut profile = EnlistmentProfile {
            max_proof_lifetime_seconds: 45,
            clock_skew_seconds: 5,
            ..EnlistmentProfile::default()
        };
        let short = Provider::new(
            Build::default(),
            Settings::new(Some(&profile)),
            String::new(),
        )
        .expect("provider");
        assert_eq!((short.proof_lifetime(), short.settings.skew), (45, 5));
        profile.max_proof_lifetime_seconds = 3600;
        let long = Provider::new(
            Build::default(),
            Settings::new(Some(&profile)),
            String::new(),
        )
        .expect("provider");
        assert_eq!(long.proof_lifetime(), PROOF_LIFETIME);
        assert_eq!(provider(None, None).settings.max_proof_lifetime, 300);
    }

    #[test]
    fn only_the_leaking_mutant_publishes_d() {
        let honest = provider(None, None);
        assert!(!honest.jwks().to_string().contains("\"d\""));
        let leaking = provider(Some(Mutant::EnlistmentJwksExposesPrivateKey), None);
        assert!(leaking.jwks().to_string().contains("\"d\""));
    }
}
