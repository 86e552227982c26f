//! Enlistment benchmark, for `interspec bench`: gatekeeper calls per second
//! end to end over loopback HTTP (token made and signed by the peer, POSTed
//! to the built-in reference's push endpoint, verified there against the
//! harness's JWKS, answered 202), enlistment proofs issued per second
//! through the adapter, and proofs verified per second by the harness.
//! Debug-build absolute figures mean little; compare runs of one build.

use std::fmt::Write as _;
use std::time::Duration;

use rand::SeedableRng;
use serde_json::json;

use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, EnConfigure, EnIssueProof, EnProviderInfo, EnSignIn,
};
use crate::peer::jose::jwks_server::JwksServer;
use crate::peer::jose::keys::jwks;
use crate::peer::jose::{body_hash, http, verify, GatekeeperKey, Signer, TokenParts};
use crate::targets::Launcher;

const ISSUER: &str = "https://gatekeeper.example";
const AUDIENCE: &str = "https://gatekeeper.example/enlistment";

#[derive(Debug, Clone)]
pub struct EnlistmentBench {
    pub gatekeeper_calls_per_sec: f64,
    pub proofs_issued_per_sec: f64,
    pub proofs_verified_per_sec: f64,
}

impl EnlistmentBench {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Enlistment, built-in reference over loopback HTTP:");
        let _ = writeln!(
            out,
            "  gatekeeper calls/s (EdDSA token, POST, verify, 202): {:.1}",
            self.gatekeeper_calls_per_sec
        );
        let _ = writeln!(
            out,
            "  proofs issued/s through the adapter: {:.1}",
            self.proofs_issued_per_sec
        );
        let _ = writeln!(
            out,
            "  proofs verified/s by the harness (JWS + JWKS lookup): {:.1}",
            self.proofs_verified_per_sec
        );
        out
    }
}

fn call(
    client: &mut crate::adapter::client::AdapterClient,
    op: Op,
) -> Result<response::Reply, String> {
    match client.call(op) {
        Ok(Reply::Result(result)) => Ok(result),
        Ok(other) => Err(format!("the target answered {}", other.describe())),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs every measurement for about `duration` each.
pub fn run(launcher: &Launcher, duration: Duration) -> Result<EnlistmentBench, String> {
    let mut client = super::builtin_client(launcher)?;
    let response::Reply::EnProviderInfo(info) =
        call(&mut client, Op::EnProviderInfo(EnProviderInfo {}))?
    else {
        return Err("EnProviderInfo was not answered with EnProviderInfoResult".into());
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
    let key = GatekeeperKey::ed25519("bench-ed", &mut rng);
    let server = JwksServer::start(jwks(&[&key]).to_string())?;
    call(
        &mut client,
        Op::EnConfigure(EnConfigure {
            gatekeeper_jwks_url: server.url(),
            gatekeeper_issuer: ISSUER.into(),
            clock_skew_seconds: 60,
            max_call_token_lifetime_seconds: 300,
            max_token_bytes: 8192,
        }),
    )?;

    let mut n = 0u64;
    let gatekeeper_calls_per_sec = super::measure(duration, 1, || {
        n += 1;
        let body = json!({"type": "push", "n": n}).to_string().into_bytes();
        let now = crate::targets::reference::enlistment::now() as i64;
        let token = TokenParts {
            header: vec![
                ("alg".into(), json!("EdDSA")),
                ("kid".into(), json!(key.kid)),
            ],
            claims: vec![
                ("iss".into(), json!(ISSUER)),
                ("aud".into(), json!(info.issuer)),
                ("iat".into(), json!(now)),
                ("exp".into(), json!(now + 60)),
                ("jti".into(), json!(format!("bench-{n}"))),
                ("body_sha256".into(), json!(body_hash(&body))),
            ],
            signer: Signer::Key(Box::new(key.clone())),
        }
        .compact();
        let got = http::post(
            &info.push_endpoint,
            Some(&token),
            &body,
            Duration::from_secs(5),
        )?;
        if got.status == 202 {
            Ok(())
        } else {
            Err(format!("the push was answered HTTP {}", got.status))
        }
    })?;

    let user = info
        .users
        .first()
        .ok_or("the reference lists no user")?
        .clone();
    call(
        &mut client,
        Op::EnSignIn(EnSignIn {
            identifier: user.identifier.clone(),
            credential: user.credential,
        }),
    )?;
    let request = EnIssueProof {
        identifier: user.identifier,
        audience: AUDIENCE.into(),
        nonce: "bench-nonce".into(),
        signal_identity_key: [vec![5], vec![7; 32]].concat(),
        noise_static_key: vec![9; 32],
    };
    let mut token = String::new();
    let proofs_issued_per_sec = super::measure(duration, 1, || {
        match call(&mut client, Op::EnIssueProof(request.clone()))? {
            response::Reply::EnIssueProof(r) => {
                token = r.token;
                Ok(())
            }
            _ => Err("EnIssueProof was not answered with EnIssueProofResult".into()),
        }
    })?;

    let fetched = http::get(
        &format!("{}/jwks.json", info.issuer),
        Duration::from_secs(5),
    )?;
    let set: serde_json::Value =
        serde_json::from_slice(&fetched.body).map_err(|e| format!("the JWKS: {e}"))?;
    let proofs_verified_per_sec =
        super::measure(duration, 16, || verify::verify(&token, &set).map(|_| ()))?;
    Ok(EnlistmentBench {
        gatekeeper_calls_per_sec,
        proofs_issued_per_sec,
        proofs_verified_per_sec,
    })
}
