//! Driving the enlistment suite: the target's provider information, the
//! harness's own gatekeeper (keys, a loopback JWKS server, EnConfigure),
//! call tokens built from the profile, HTTP calls and their checks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore;
use serde_json::{json, Value};

use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, EnConfigure, EnDeliveries, EnDelivery, EnIssueProof, EnProviderInfo,
    EnProviderInfoResult, EnSignIn,
};
use crate::ensure;
use crate::peer::jose::http::{self, HttpResponse};
use crate::peer::jose::jwks_server::JwksServer;
use crate::peer::jose::keys::jwks;
use crate::peer::jose::{b64, body_hash, verify, GatekeeperKey, Signer, TokenParts};
use crate::scenario::outcome::Finding;
use crate::scenario::{unexpected, ScenarioCtx};

/// Every HTTP exchange with the target is bounded by this.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// OpenID Connect Discovery 1.0 §4: the configuration's path under the issuer.
pub const DISCOVERY_SUFFIX: &str = "/.well-known/openid-configuration";
/// The explicit `typ` of a call token (RFC 8725 §3.11).
pub const CALL_TYP: &str = "gatekeeper-call+jwt";
/// The explicit `typ` of an enlistment proof (RFC 8725 §3.11).
pub const PROOF_TYP: &str = "enlistment-proof+jwt";
/// Lifetime of the valid call tokens the harness makes, in seconds, when
/// the profile allows that long (see [`call_lifetime`]).
pub const CALL_LIFETIME: i64 = 60;

/// The lifetime of the harness's valid call tokens under a profile: a
/// minute, or the profile's maximum call-token lifetime when that is
/// shorter (a valid token must be one the provider is required to accept).
pub fn call_lifetime(max_call_token_lifetime_seconds: u32) -> i64 {
    CALL_LIFETIME.min(i64::from(max_call_token_lifetime_seconds))
}

/// Other spellings of the media type `short` (e.g. `gatekeeper-call+jwt`)
/// that RFC 7515 §4.1.9 makes the same `typ` value: the full media type
/// with its `application/` prefix, and the same letters in other case
/// (media types compare case-insensitively, RFC 2045 §5.1).
pub fn typ_spellings(short: &str) -> [String; 3] {
    let mixed: String = short
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    [
        format!("application/{short}"),
        short.to_ascii_uppercase(),
        format!("Application/{mixed}"),
    ]
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn http_error(what: &str, e: String) -> Finding {
    Finding::error(format!("{what}: {e}"))
}

/// EnProviderInfo, with the issuer checked to be a loopback URL.
pub fn provider_info(ctx: &mut ScenarioCtx) -> Result<EnProviderInfoResult, Finding> {
    match ctx.expect_result(Op::EnProviderInfo(EnProviderInfo {}), "EnProviderInfo")? {
        response::Reply::EnProviderInfo(info) => {
            for url in [
                &info.issuer,
                &info.push_endpoint,
                &info.authenticate_endpoint,
            ] {
                http::check_loopback(url).map_err(|e| {
                    Finding::fail(format!("EnProviderInfo gave an unusable URL: {e}"))
                })?;
            }
            ensure!(
                !info.issuer.ends_with('/'),
                "the issuer {:?} ends with a slash",
                info.issuer
            );
            ensure!(!info.users.is_empty(), "EnProviderInfo lists no test user");
            Ok(info)
        }
        other => Err(unexpected(Reply::Result(other), "EnProviderInfo")),
    }
}

/// GET a JSON document from the target.
pub fn get_json(url: &str, what: &str) -> Result<Value, Finding> {
    let got = http::get(url, HTTP_TIMEOUT).map_err(|e| http_error(what, e))?;
    ensure!(got.status == 200, "{what} answered HTTP {}", got.status);
    serde_json::from_slice(&got.body).map_err(|e| Finding::fail(format!("{what} is not JSON: {e}")))
}

/// The discovery document, fetched from issuer + DISCOVERY_SUFFIX.
pub fn discovery(info: &EnProviderInfoResult) -> Result<Value, Finding> {
    let doc = get_json(
        &format!("{}{DISCOVERY_SUFFIX}", info.issuer),
        "the discovery document",
    )?;
    ensure!(
        doc.is_object(),
        "the discovery document is not a JSON object"
    );
    Ok(doc)
}

/// The JWKS, found through discovery (`jwks_uri`).
pub fn provider_jwks(info: &EnProviderInfoResult) -> Result<Value, Finding> {
    let doc = discovery(info)?;
    let uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| Finding::fail("the discovery document has no string jwks_uri"))?;
    http::check_loopback(uri).map_err(|e| Finding::fail(format!("jwks_uri is not usable: {e}")))?;
    let set = get_json(uri, "the JWKS")?;
    ensure!(
        set.get("keys").and_then(Value::as_array).is_some(),
        "the JWKS has no `keys` array (RFC 7517 §5.1)"
    );
    Ok(set)
}

/// Signs in the first test user.
pub fn sign_in_first(
    ctx: &mut ScenarioCtx,
    info: &EnProviderInfoResult,
) -> Result<String, Finding> {
    let user = info.users[0].clone();
    ctx.secret(user.credential.as_bytes());
    ctx.expect_result(
        Op::EnSignIn(EnSignIn {
            identifier: user.identifier.clone(),
            credential: user.credential,
        }),
        "EnSignIn",
    )?;
    Ok(user.identifier)
}

/// Client keys a proof is bound to: a Signal identity key (0x05 || 32
/// bytes) and a Noise static key.
pub struct ClientKeys {
    pub signal_identity: Vec<u8>,
    pub noise_static: Vec<u8>,
}

impl ClientKeys {
    pub fn random(ctx: &mut ScenarioCtx) -> ClientKeys {
        let mut signal_identity = vec![0x05; 33];
        ctx.rng.fill_bytes(&mut signal_identity[1..]);
        let mut noise_static = vec![0; 32];
        ctx.rng.fill_bytes(&mut noise_static);
        ClientKeys {
            signal_identity,
            noise_static,
        }
    }
}

pub fn random_nonce(ctx: &mut ScenarioCtx) -> String {
    let mut bytes = [0u8; 16];
    ctx.rng.fill_bytes(&mut bytes);
    b64(&bytes)
}

pub fn proof_op(user: &str, audience: &str, nonce: &str, keys: &ClientKeys) -> Op {
    Op::EnIssueProof(EnIssueProof {
        identifier: user.into(),
        audience: audience.into(),
        nonce: nonce.into(),
        signal_identity_key: keys.signal_identity.clone(),
        noise_static_key: keys.noise_static.clone(),
    })
}

/// Asks for a proof; it must be issued.
pub fn issue_proof(
    ctx: &mut ScenarioCtx,
    user: &str,
    nonce: &str,
    keys: &ClientKeys,
) -> Result<String, Finding> {
    let audience = ctx.profile.enlistment.proof_audience.clone();
    match ctx.expect_result(proof_op(user, &audience, nonce, keys), "EnIssueProof")? {
        response::Reply::EnIssueProof(r) => Ok(r.token),
        other => Err(unexpected(Reply::Result(other), "EnIssueProof")),
    }
}

/// A signed-in user, a proof for them and the JWKS to check it with.
pub struct IssuedProof {
    pub info: EnProviderInfoResult,
    pub user: String,
    pub nonce: String,
    pub keys: ClientKeys,
    pub token: String,
    pub verified: verify::Verified,
}

pub fn signed_in_proof(ctx: &mut ScenarioCtx) -> Result<IssuedProof, Finding> {
    let info = provider_info(ctx)?;
    let user = sign_in_first(ctx, &info)?;
    let nonce = random_nonce(ctx);
    let keys = ClientKeys::random(ctx);
    let token = issue_proof(ctx, &user, &nonce, &keys)?;
    let set = provider_jwks(&info)?;
    let verified = verify::verify(&token, &set).map_err(|e| {
        Finding::fail(format!(
            "the proof does not verify against the provider's JWKS: {e}"
        ))
    })?;
    Ok(IssuedProof {
        info,
        user,
        nonce,
        keys,
        token,
        verified,
    })
}

pub use crate::scenario::expect_rejected as expect_refused;

/// The gatekeeper side: its keys (an Ed25519 and a P-256 one, in that
/// order in the JWKS), its JWKS server, and the target's endpoints.
pub struct Gatekeeper {
    pub keys: Vec<GatekeeperKey>,
    pub server: JwksServer,
    pub issuer: String,
    /// The provider's issuer: the `aud` of call tokens.
    pub audience: String,
    pub push_url: String,
    pub authenticate_url: String,
    pub info: EnProviderInfoResult,
    /// `exp - iat` of the valid tokens it makes ([`call_lifetime`]).
    pub lifetime: i64,
}

/// Starts the gatekeeper's JWKS server and configures the target.
pub fn gatekeeper(ctx: &mut ScenarioCtx) -> Result<Gatekeeper, Finding> {
    let info = provider_info(ctx)?;
    let keys = vec![
        GatekeeperKey::ed25519("gatekeeper-ed-1", &mut ctx.rng),
        GatekeeperKey::p256("gatekeeper-ec-1", &mut ctx.rng),
    ];
    for key in &keys {
        ctx.secret(&key.secret_bytes());
    }
    let refs: Vec<&GatekeeperKey> = keys.iter().collect();
    let server = JwksServer::start(jwks(&refs).to_string()).map_err(Finding::error)?;
    let params = ctx.profile.enlistment.clone();
    ctx.expect_result(
        Op::EnConfigure(EnConfigure {
            gatekeeper_jwks_url: server.url(),
            gatekeeper_issuer: params.gatekeeper_issuer.clone(),
            clock_skew_seconds: params.clock_skew_seconds,
            max_call_token_lifetime_seconds: params.max_call_token_lifetime_seconds,
            max_token_bytes: params.max_token_bytes,
        }),
        "EnConfigure",
    )?;
    Ok(Gatekeeper {
        keys,
        server,
        issuer: params.gatekeeper_issuer,
        audience: info.issuer.clone(),
        push_url: info.push_endpoint.clone(),
        authenticate_url: info.authenticate_endpoint.clone(),
        info,
        lifetime: call_lifetime(params.max_call_token_lifetime_seconds),
    })
}

/// A push body, unique per call.
pub fn push_body(ctx: &mut ScenarioCtx) -> Vec<u8> {
    let mut id = [0u8; 12];
    ctx.rng.fill_bytes(&mut id);
    json!({"type": "push", "to": "alice@provider.test", "id": b64(&id)})
        .to_string()
        .into_bytes()
}

impl Gatekeeper {
    /// A valid call token for `body`, signed with key `key_index`.
    pub fn token(&self, ctx: &mut ScenarioCtx, body: &[u8], key_index: usize) -> TokenParts {
        let key = &self.keys[key_index.min(self.keys.len() - 1)];
        let now = unix_now();
        let mut jti = [0u8; 16];
        ctx.rng.fill_bytes(&mut jti);
        TokenParts {
            header: vec![
                ("alg".into(), json!(key.alg())),
                ("typ".into(), json!(CALL_TYP)),
                ("kid".into(), json!(key.kid)),
            ],
            claims: vec![
                ("iss".into(), json!(self.issuer)),
                ("aud".into(), json!(self.audience)),
                ("iat".into(), json!(now)),
                ("exp".into(), json!(now + self.lifetime)),
                ("jti".into(), json!(b64(&jti))),
                ("body_sha256".into(), json!(body_hash(body))),
            ],
            signer: Signer::Key(Box::new(key.clone())),
        }
    }

    pub fn post(
        &self,
        url: &str,
        token: Option<&str>,
        body: &[u8],
    ) -> Result<HttpResponse, Finding> {
        http::post(url, token, body, HTTP_TIMEOUT).map_err(|e| http_error("the call", e))
    }

    /// The target's deliveries so far.
    pub fn deliveries(&self, ctx: &mut ScenarioCtx) -> Result<Vec<EnDelivery>, Finding> {
        match ctx.expect_result(Op::EnDeliveries(EnDeliveries {}), "EnDeliveries")? {
            response::Reply::EnDeliveries(d) => Ok(d.deliveries),
            other => Err(unexpected(Reply::Result(other), "EnDeliveries")),
        }
    }

    /// A call that must be accepted (2xx) and delivered with its body.
    pub fn expect_accepted(
        &self,
        ctx: &mut ScenarioCtx,
        url: &str,
        token: &str,
        body: &[u8],
        what: &str,
    ) -> Result<HttpResponse, Finding> {
        let before = self.deliveries(ctx)?.len();
        let got = self.post(url, Some(token), body)?;
        ensure!(
            (200..300).contains(&got.status),
            "{what} was answered HTTP {}, expected 2xx",
            got.status
        );
        let after = self.deliveries(ctx)?;
        ensure!(
            after.len() == before + 1 && after.last().is_some_and(|d| d.body == body),
            "{what} was accepted but not delivered once with its body ({} deliveries before, {} after)",
            before,
            after.len()
        );
        Ok(got)
    }

    /// A call that must be refused with 401 or 403 and not delivered.
    pub fn expect_refused(
        &self,
        ctx: &mut ScenarioCtx,
        url: &str,
        token: Option<&str>,
        body: &[u8],
        what: &str,
    ) -> Result<(), Finding> {
        let before = self.deliveries(ctx)?.len();
        let got = self.post(url, token, body)?;
        ensure!(
            got.status == 401 || got.status == 403,
            "{what} was answered HTTP {}, expected 401 or 403",
            got.status
        );
        let after = self.deliveries(ctx)?.len();
        ensure!(after == before, "{what} was refused but still delivered");
        Ok(())
    }

    /// A valid push, for scenarios that then change one thing.
    pub fn push_refused(
        &self,
        ctx: &mut ScenarioCtx,
        parts: &TokenParts,
        body: &[u8],
        what: &str,
    ) -> Result<(), Finding> {
        let token = parts.compact();
        self.expect_refused(ctx, &self.push_url.clone(), Some(&token), body, what)
    }
}
