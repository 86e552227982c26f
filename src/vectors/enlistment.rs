//! Enlistment vectors (`vectors/enlistment/`): JWS known answers (RFC 8037
//! Appendix A.4) replayed through the peer's Ed25519 signing and checked by
//! both the peer's verifier and jsonwebtoken, and the project's gatekeeper
//! call-token cases, whose expected verdicts are replayed through a
//! provider's verifier (the caller supplies it: the CLI passes the reference
//! provider's, since the judge does not import the targets) and, for
//! accepted ones, the peer's own signature check.

use std::collections::HashSet;

use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{VectorCheck, VectorStatus};
use crate::peer::jose::{b64, unb64, verify};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    pub source: String,
    #[serde(default)]
    pub known_answers: Vec<KnownAnswer>,
    #[serde(default)]
    pub token_cases: Option<TokenCases>,
}

/// A JWS signed with a published private key: signing must reproduce
/// `compact` exactly (Ed25519 is deterministic, RFC 8032 §5.1.6).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownAnswer {
    pub name: String,
    /// The private JWK (a published test key).
    pub jwk: Value,
    /// The protected header, exactly as encoded.
    pub header: String,
    pub payload: String,
    pub compact: String,
}

/// Call tokens with the verifier's settings and the expected verdicts.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCases {
    pub gatekeeper_jwks: Value,
    pub gatekeeper_issuer: String,
    /// The provider's issuer: what `aud` must contain.
    pub audience: String,
    /// The verifier's clock, Unix seconds.
    pub now: u64,
    pub clock_skew_seconds: u64,
    pub max_call_token_lifetime_seconds: u64,
    pub max_token_bytes: usize,
    pub cases: Vec<TokenCase>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenCase {
    pub name: String,
    pub token: String,
    /// The request body, UTF-8.
    pub body: String,
    /// "accept" or "refuse".
    pub verdict: String,
}

fn check(file: &str, name: &str, result: Result<(), String>) -> VectorCheck {
    VectorCheck {
        file: file.to_string(),
        name: name.to_string(),
        status: match result {
            Ok(()) => VectorStatus::Pass,
            Err(why) => VectorStatus::Fail(why),
        },
    }
}

fn known_answer(v: &KnownAnswer) -> Result<(), String> {
    let d = v
        .jwk
        .get("d")
        .and_then(Value::as_str)
        .ok_or("the JWK has no d")?;
    let seed: [u8; 32] = unb64(d)?
        .try_into()
        .map_err(|_| "d is not 32 bytes".to_string())?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let x = v
        .jwk
        .get("x")
        .and_then(Value::as_str)
        .ok_or("the JWK has no x")?;
    if b64(key.verifying_key().as_bytes()) != x {
        return Err("x is not the public key of d".into());
    }
    let input = format!("{}.{}", b64(v.header.as_bytes()), b64(v.payload.as_bytes()));
    let signature = ed25519_dalek::Signer::sign(&key, input.as_bytes());
    let made = format!("{input}.{}", b64(&signature.to_bytes()));
    if made != v.compact {
        return Err(format!("signing gives {made}, expected {}", v.compact));
    }
    // Both verifiers accept it: the peer's and jsonwebtoken's.
    let Some((_, sig)) = v.compact.rsplit_once('.') else {
        return Err("not a compact JWS".into());
    };
    let mut public = v.jwk.as_object().cloned().unwrap_or_default();
    public.remove("d");
    verify::verify_with_jwk(&public, "EdDSA", input.as_bytes(), &unb64(sig)?)?;
    let jwk: jsonwebtoken::jwk::Jwk =
        serde_json::from_value(Value::Object(public)).map_err(|e| format!("JWK: {e}"))?;
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|e| format!("JWK: {e}"))?;
    match jsonwebtoken::crypto::verify(sig, input.as_bytes(), &key, jsonwebtoken::Algorithm::EdDSA)
    {
        Ok(true) => Ok(()),
        other => Err(format!("jsonwebtoken does not accept it: {other:?}")),
    }
}

/// A provider's call-token verifier: `Ok` when it accepts `case.token` for
/// `case.body` under the settings of `set`, else why it refuses.
pub type CallTokenVerifier =
    fn(set: &TokenCases, jwks: &JwkSet, case: &TokenCase) -> Result<(), String>;

fn token_case(
    set: &TokenCases,
    jwks: &JwkSet,
    case: &TokenCase,
    provider: CallTokenVerifier,
) -> Result<(), String> {
    let got = provider(set, jwks, case);
    match (case.verdict.as_str(), got) {
        ("accept", Ok(_)) => verify::verify(&case.token, &set.gatekeeper_jwks)
            .map(|_| ())
            .map_err(|e| format!("the reference accepts it but the peer's check does not: {e}")),
        ("refuse", Err(_)) => Ok(()),
        ("accept", Err(why)) => Err(format!("expected accept, the reference refuses: {why}")),
        ("refuse", Ok(_)) => Err("expected refuse, the reference accepts".into()),
        (other, _) => Err(format!("unknown verdict {other:?}")),
    }
}

pub fn verify_text(file: &str, text: &str, replay: &super::Replay) -> Vec<VectorCheck> {
    let parsed: VectorFile = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            return vec![check(
                file,
                "(file)",
                Err(format!("not an enlistment vector file: {e}")),
            )]
        }
    };
    let mut checks: Vec<VectorCheck> = parsed
        .known_answers
        .iter()
        .map(|v| check(file, &v.name, known_answer(v)))
        .collect();
    if let Some(set) = &parsed.token_cases {
        match serde_json::from_value::<JwkSet>(set.gatekeeper_jwks.clone()) {
            Ok(jwks) => {
                let mut names = HashSet::new();
                for case in &set.cases {
                    let result = if names.insert(case.name.as_str()) {
                        token_case(set, &jwks, case, replay.call_token)
                    } else {
                        Err("a case of this name appears twice".into())
                    };
                    checks.push(check(file, &case.name, result));
                }
            }
            Err(e) => checks.push(check(file, "(jwks)", Err(format!("not a JWK Set: {e}")))),
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::jose::keys::jwks;
    use crate::peer::jose::{body_hash, GatekeeperKey, Signer, TokenParts};
    use rand::SeedableRng;
    use serde_json::json;
    use std::path::Path;

    const NOW: i64 = 1_800_000_000;
    const AUDIENCE: &str = "http://127.0.0.1:8443";
    const ISSUER: &str = "https://gatekeeper.example";
    const BODY: &str = r#"{"type":"push","to":"alice@provider.test","id":"v1"}"#;

    fn valid(key: &GatekeeperKey, jti: &str) -> TokenParts {
        TokenParts {
            header: vec![
                ("alg".into(), json!(key.alg())),
                ("typ".into(), json!("gatekeeper-call+jwt")),
                ("kid".into(), json!(key.kid)),
            ],
            claims: vec![
                ("iss".into(), json!(ISSUER)),
                ("aud".into(), json!(AUDIENCE)),
                ("iat".into(), json!(NOW)),
                ("exp".into(), json!(NOW + 60)),
                ("jti".into(), json!(jti)),
                ("body_sha256".into(), json!(body_hash(BODY.as_bytes()))),
            ],
            signer: Signer::Key(Box::new(key.clone())),
        }
    }

    /// The project's token cases: (name, token, verdict).
    fn cases(ed: &GatekeeperKey, ec: &GatekeeperKey) -> Vec<(String, String, &'static str)> {
        let mut out = Vec::new();
        let mut add = |name: &str, parts: TokenParts, verdict: &'static str| {
            out.push((name.to_string(), parts.compact(), verdict));
        };
        add("valid EdDSA", valid(ed, "j1"), "accept");
        add("valid ES256", valid(ec, "j2"), "accept");
        let mut p = valid(ed, "j3");
        p.claims.reverse();
        p.set("x-unknown", json!({"nested": [1, 2]}));
        add("claims reordered, unknown claim", p, "accept");
        let mut p = valid(ed, "j4");
        p.set("aud", json!(["https://other.example", AUDIENCE]));
        add("aud list holding the provider", p, "accept");
        let mut p = valid(ed, "j5");
        p.set("iat", json!(NOW - 90));
        p.set("exp", json!(NOW - 30));
        add("expired 30 s ago, within 60 s skew", p, "accept");
        let mut p = valid(ed, "j6");
        p.set("iat", json!(NOW - 200));
        p.set("exp", json!(NOW - 61));
        add("expired 61 s ago, beyond the skew", p, "refuse");
        let mut p = valid(ed, "j7");
        p.set("iat", json!(NOW + 61));
        p.set("exp", json!(NOW + 121));
        add("issued 61 s in the future", p, "refuse");
        let mut p = valid(ed, "j8");
        p.set("nbf", json!(NOW + 120));
        add("nbf beyond the skew", p, "refuse");
        let mut p = valid(ed, "j9");
        p.set("exp", json!(NOW + 301));
        add("lifetime 301 s", p, "refuse");
        let mut p = valid(ed, "j10");
        p.set_header("alg", json!("none"));
        p.signer = Signer::Unsigned;
        add("alg none", p, "refuse");
        let mut p = valid(ed, "j11");
        p.set_header("alg", json!("HS256"));
        p.signer = Signer::Hmac(ed.public_x());
        add("HS256 keyed with the public key", p, "refuse");
        let mut p = valid(ed, "j12");
        p.set_header("kid", json!(ec.kid));
        add("EdDSA under the P-256 kid", p, "refuse");
        let mut p = valid(ed, "j13");
        p.set_header("kid", json!("unknown"));
        add("unknown kid", p, "refuse");
        let mut p = valid(ed, "j14");
        p.set("aud", json!("http://127.0.0.1:1"));
        add("wrong aud", p, "refuse");
        let mut p = valid(ed, "j15");
        p.set("iss", json!("https://impostor.example"));
        add("wrong iss", p, "refuse");
        let mut p = valid(ed, "j16");
        p.set("body_sha256", json!(body_hash(b"{}")));
        add("body hash of another body", p, "refuse");
        let mut p = valid(ed, "j17");
        p.remove("jti");
        add("no jti", p, "refuse");
        let mut p = valid(ed, "j18");
        p.set("padding", json!("A".repeat(8192)));
        add("longer than max_token_bytes", p, "refuse");
        let mut p = valid(ed, "j20");
        p.set_header("typ", json!("enlistment-proof+jwt"));
        add("typ of another kind of token", p, "refuse");
        let mut p = valid(ed, "j21");
        p.set_header("crit", json!(["x-unknown-extension"]));
        p.set_header("x-unknown-extension", json!(true));
        add("crit naming an unknown extension", p, "refuse");
        let mut p = valid(ed, "j22");
        p.set_header("alg", json!("eddsa"));
        add("alg eddsa in lower case", p, "refuse");
        // An attacker's key under the gatekeeper's kid, offered by the header.
        let mut attacker_rng = rand_chacha::ChaCha20Rng::seed_from_u64(7515);
        let attacker = GatekeeperKey::ed25519(&ed.kid, &mut attacker_rng);
        let mut p = valid(ed, "j23");
        p.signer = Signer::Key(Box::new(attacker.clone()));
        p.set_header("jwk", attacker.public_jwk());
        add("signed by the key its jwk header embeds", p, "refuse");
        let mut p = valid(ed, "j24");
        p.signer = Signer::Key(Box::new(attacker.clone()));
        let der =
            crate::peer::jose::x509::self_signed_ed25519(&attacker, "attacker").unwrap_or_default();
        p.set_header("x5c", json!([crate::peer::jose::x509::x5c_entry(&der)]));
        add("signed by the key of the certificate in x5c", p, "refuse");
        let mut p = valid(ed, "j25");
        p.set("jti", json!(""));
        add("empty jti", p, "refuse");
        let mut p = valid(ed, "j26");
        p.set("exp", json!(NOW));
        add("exp equal to iat", p, "refuse");
        // Hand-broken serialisations of a valid token.
        let token = valid(ed, "j19").compact();
        let (h, rest) = token.split_once('.').unwrap_or_default();
        out.push(("padded header".into(), format!("{h}=.{rest}"), "refuse"));
        let mut sig = token.clone().into_bytes();
        let last = sig.len() - 2;
        sig[last] = if sig[last] == b'A' { b'B' } else { b'A' };
        out.push((
            "signature changed".into(),
            String::from_utf8(sig).unwrap_or_default(),
            "refuse",
        ));
        let input = format!("{}.{}", b64(b"{\"alg\":\"EdDSA\",\"kid\":"), b64(b"{}"));
        let broken = format!("{input}.{}", b64(&ed.sign(input.as_bytes())));
        out.push(("signed but header JSON broken".into(), broken, "refuse"));
        out
    }

    /// Regenerates vectors/enlistment/interspec-token-cases.json (keys from
    /// a fixed seed; Ed25519 and RFC 6979 ECDSA are deterministic).
    #[test]
    #[ignore = "writes the vector file; run on purpose"]
    fn write_token_cases() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8037);
        let ed = GatekeeperKey::ed25519("gatekeeper-ed-1", &mut rng);
        let ec = GatekeeperKey::p256("gatekeeper-ec-1", &mut rng);
        let file = VectorFile {
            source: "interspec: gatekeeper call tokens (docs/enlistment.md) with expected verdicts"
                .into(),
            known_answers: Vec::new(),
            token_cases: Some(TokenCases {
                gatekeeper_jwks: jwks(&[&ed, &ec]),
                gatekeeper_issuer: ISSUER.into(),
                audience: AUDIENCE.into(),
                now: NOW as u64,
                clock_skew_seconds: 60,
                max_call_token_lifetime_seconds: 300,
                max_token_bytes: 8192,
                cases: cases(&ed, &ec)
                    .into_iter()
                    .map(|(name, token, verdict)| TokenCase {
                        name,
                        token,
                        body: BODY.into(),
                        verdict: verdict.into(),
                    })
                    .collect(),
            }),
        };
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors/enlistment/interspec-token-cases.json");
        let text = serde_json::to_string_pretty(&file).expect("json");
        std::fs::write(path, text + "\n").expect("write");
    }

    #[test]
    fn a_flipped_verdict_fails() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors/enlistment/interspec-token-cases.json");
        let text = std::fs::read_to_string(path).expect("read");
        let tampered = text.replacen("\"verdict\": \"accept\"", "\"verdict\": \"refuse\"", 1);
        let failed: Vec<String> = verify_text("t.json", &tampered, &crate::cli::reference_replay())
            .into_iter()
            .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
            .map(|c| c.name)
            .collect();
        assert_eq!(failed, ["valid EdDSA"]);
    }

    #[test]
    fn a_changed_known_answer_fails() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/enlistment/rfc8037-ed25519.json");
        let text = std::fs::read_to_string(path).expect("read");
        let tampered = text.replace("Example of Ed25519 signing", "Example of Ed25519 signinG");
        let checks = verify_text("t.json", &tampered, &crate::cli::reference_replay());
        assert!(matches!(checks[0].status, VectorStatus::Fail(_)));
    }
}
