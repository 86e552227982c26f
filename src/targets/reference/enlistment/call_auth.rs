//! Verifying a gatekeeper call (docs/enlistment.md, "Gatekeeper calls"):
//! the bearer token is a compact JWS signed with a key from the
//! gatekeeper's JWKS; its claims bind issuer, audience, lifetime, a
//! one-time `jti` and the SHA-256 of the request body. jsonwebtoken reads
//! the JWKs and checks signatures; the claim rules are spelled out here.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;

use super::header_keys::{key_from_header, KeyPointers};
use crate::peer::jose::{body_hash, http, unb64};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

/// The gatekeeper's parameters, from EnConfigure.
#[derive(Clone)]
pub struct GatekeeperConfig {
    pub jwks_url: String,
    pub issuer: String,
    pub skew: u64,
    pub max_lifetime: u64,
    pub max_token_bytes: usize,
}

/// What a verifier remembers between calls.
#[derive(Default)]
pub struct CallVerifier {
    pub config: Option<GatekeeperConfig>,
    jwks: Option<JwkSet>,
    /// jti -> unix time until which it must be remembered.
    seen: HashMap<String, u64>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
    /// RFC 7515 §4.1.11: extensions the recipient must understand.
    crit: Option<Value>,
    /// `jwk`, `jku`, `x5u`, `x5c`: read only by the mutants that trust them.
    #[serde(flatten)]
    pointers: KeyPointers,
}

/// The explicit type of a gatekeeper call (RFC 8725 §3.11).
pub const CALL_TYP: &str = "gatekeeper-call+jwt";

/// Whether `typ` names the media type application/gatekeeper-call+jwt
/// (RFC 7515 §4.1.9: "application/" is implied when the value has no '/';
/// type and subtype compare case-insensitively, RFC 2045 §5.1).
fn is_call_typ(typ: &str) -> bool {
    let subtype = match typ.split_once('/') {
        Some((top, sub)) if top.eq_ignore_ascii_case("application") => sub,
        Some(_) => return false,
        None => typ,
    };
    subtype.eq_ignore_ascii_case(CALL_TYP)
}

/// RFC 7519 §4.1 claims plus `body_sha256`; unknown claims are ignored
/// (§4: "all claims that are not understood ... MUST be ignored").
#[derive(Deserialize)]
struct CallClaims {
    iss: String,
    aud: Audience,
    iat: i64,
    exp: i64,
    nbf: Option<i64>,
    jti: String,
    body_sha256: String,
}

/// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, wanted: &str) -> bool {
        match self {
            Audience::One(a) => a == wanted,
            Audience::Many(all) => all.iter().any(|a| a == wanted),
        }
    }
}

fn json_part<T: for<'de> Deserialize<'de>>(part: &str, what: &str) -> Result<T, String> {
    let bytes = unb64(part).map_err(|e| format!("{what}: {e}"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{what}: {e}"))
}

impl CallVerifier {
    /// A verifier with a fixed gatekeeper JWKS and no URL to refetch it
    /// from (golden vectors, benchmarks, unit tests).
    pub fn offline(mut config: GatekeeperConfig, jwks: JwkSet) -> CallVerifier {
        config.jwks_url.clear();
        CallVerifier {
            config: Some(config),
            jwks: Some(jwks),
            seen: HashMap::new(),
        }
    }

    /// Checks one call; returns its `jti`, now remembered.
    pub fn verify(
        &mut self,
        authorization: Option<&str>,
        body: &[u8],
        audience: &str,
        now: u64,
        build: Build,
    ) -> Result<String, String> {
        let has = |m: Mutant| build.has(m);
        let config = self
            .config
            .clone()
            .ok_or("the gatekeeper is not configured")?;
        // The defect: a call without a token is let through.
        if authorization.is_none() && has(Mutant::EnlistmentMissingTokenAllowed) {
            return Ok(String::new());
        }
        let token = authorization
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or("no bearer token")?;
        let limit = if has(Mutant::EnlistmentTokenLimitOffByOne) {
            config.max_token_bytes.saturating_sub(1)
        } else {
            config.max_token_bytes
        };
        if token.len() > limit {
            return Err(format!("a token of {} bytes is too long", token.len()));
        }
        let parts: Vec<&str> = token.split('.').collect();
        let [h, c, s] = parts.as_slice() else {
            return Err("not a compact JWS".into());
        };
        let header: Header = json_part(h, "header")?;
        // A typed token of another kind (an enlistment proof, an ID token)
        // is never a call (RFC 8725 §3.11, §3.12); `typ` itself is OPTIONAL
        // (RFC 7515 §4.1.9).
        if let Some(typ) = header
            .typ
            .as_ref()
            .filter(|_| !has(Mutant::EnlistmentIgnoresTyp))
        {
            if !is_call_typ(typ) {
                return Err(format!("typ {typ:?} is not a gatekeeper call"));
            }
        }
        // RFC 7515 §4.1.11: "If any of the listed extension Header
        // Parameters are not understood and supported by the recipient, then
        // the JWS is invalid." This verifier understands no extension; an
        // empty list or one naming registered parameters breaks the
        // producer's MUST NOTs, which a recipient MAY refuse, and it does.
        if header.crit.is_some() && !has(Mutant::EnlistmentIgnoresCrit) {
            return Err("crit lists an extension this verifier does not understand".into());
        }
        let message = format!("{h}.{c}");
        let alg_name = if has(Mutant::EnlistmentAlgCaseInsensitive) {
            // The defect: alg is case-sensitive (RFC 7515 §4.1.1).
            match header.alg.trim().to_ascii_lowercase().as_str() {
                "eddsa" => "EdDSA".to_string(),
                "es256" => "ES256".to_string(),
                "hs256" => "HS256".to_string(),
                other => other.to_string(),
            }
        } else {
            header.alg.clone()
        };
        match alg_name.as_str() {
            "EdDSA" | "ES256" => {
                let alg = if alg_name == "EdDSA" {
                    Algorithm::EdDSA
                } else {
                    Algorithm::ES256
                };
                let kid = header.kid.as_deref();
                let jwk = match key_from_header(&header.pointers, kid, build) {
                    Some(jwk) => jwk,
                    None => self.key_for(&config, kid, build)?,
                };
                if !key_fits(&jwk, alg) {
                    return Err(format!("{} does not fit the key", header.alg));
                }
                let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("bad JWK: {e}"))?;
                // The mutant: without the 1 <= r, s < n check, s^-1 of 0 is
                // taken as 0 and r = s = 0 "verifies" (CVE-2022-21449).
                let psychic = alg == Algorithm::ES256
                    && has(Mutant::EnlistmentEs256AcceptsZeroSignature)
                    && unb64(s).is_ok_and(|raw| raw.len() == 64 && raw.iter().all(|b| *b == 0));
                // The mutant: S is only checked for its top three bits and
                // then reduced mod L, as ed25519-donna's `(RS[63] & 224)`
                // test let S + L through (RFC 8032 §5.1.7 wants S < L).
                let reduced = (alg == Algorithm::EdDSA
                    && has(Mutant::EnlistmentEddsaNoSRangeCheck))
                .then(|| reduce_s(s))
                .flatten();
                // The mutant: an ES256 signature that is not 64 octets is
                // read as ASN.1 DER, as JJWT verified DER signatures
                // (jwtk/jjwt#125), where RFC 7518 §3.4 fails validation.
                let transcoded = (alg == Algorithm::ES256
                    && has(Mutant::EnlistmentEs256AcceptsDer))
                .then(|| der_to_concat(s))
                .flatten();
                let s = reduced.as_deref().or(transcoded.as_deref()).unwrap_or(s);
                let ok = psychic
                    || jsonwebtoken::crypto::verify(s, message.as_bytes(), &key, alg)
                        .map_err(|e| format!("signature: {e}"))?;
                if !ok {
                    return Err("the signature does not verify".into());
                }
            }
            "none" if has(Mutant::EnlistmentAcceptsAlgNone) => {}
            "HS256" if has(Mutant::EnlistmentHmacKeyConfusion) => {
                // The defect: the key's public bytes used as an HMAC secret.
                let jwk = self.key_for(&config, header.kid.as_deref(), build)?;
                let secret = public_bytes(&jwk)?;
                let key = DecodingKey::from_secret(&secret);
                let ok =
                    jsonwebtoken::crypto::verify(s, message.as_bytes(), &key, Algorithm::HS256)
                        .map_err(|e| format!("signature: {e}"))?;
                if !ok {
                    return Err("the signature does not verify".into());
                }
            }
            other => return Err(format!("alg {other:?} is not accepted")),
        }
        let claims: CallClaims = json_part(c, "claims")?;
        self.check_claims(&claims, &config, body, audience, now, build)?;
        if !has(Mutant::EnlistmentNoReplayCache) {
            self.seen.retain(|_, until| *until >= now);
            if self.seen.contains_key(&claims.jti) {
                return Err("the jti was already used".into());
            }
            let until = (claims.exp.max(0) as u64).saturating_add(config.skew);
            self.seen.insert(claims.jti.clone(), until);
        }
        Ok(claims.jti)
    }

    fn check_claims(
        &self,
        claims: &CallClaims,
        config: &GatekeeperConfig,
        body: &[u8],
        audience: &str,
        now: u64,
        build: Build,
    ) -> Result<(), String> {
        let has = |m: Mutant| build.has(m);
        let now = now as i64;
        let skew = config.skew as i64;
        if claims.iss != config.issuer && !has(Mutant::EnlistmentIgnoresIss) {
            return Err("wrong iss".into());
        }
        if !claims.aud.contains(audience) && !has(Mutant::EnlistmentIgnoresAud) {
            return Err("wrong aud".into());
        }
        if claims.exp.saturating_add(skew) <= now && !has(Mutant::EnlistmentIgnoresExp) {
            return Err("expired".into());
        }
        let nbf = claims.nbf.filter(|_| !has(Mutant::EnlistmentIgnoresNbf));
        let not_before = nbf.unwrap_or(claims.iat).max(claims.iat);
        if not_before > now.saturating_add(skew) && !has(Mutant::EnlistmentIgnoresFutureIat) {
            return Err("not yet valid".into());
        }
        if claims.exp <= claims.iat
            || claims.exp.saturating_sub(claims.iat) > config.max_lifetime as i64
        {
            return Err("lifetime out of bounds".into());
        }
        // The defect: an empty jti passes.
        let empty = claims.jti.is_empty() && !has(Mutant::EnlistmentEmptyJtiAccepted);
        if empty || claims.jti.len() > 256 {
            return Err("jti empty or too long".into());
        }
        if claims.body_sha256 != body_hash(body) && !has(Mutant::EnlistmentBodyHashUnchecked) {
            return Err("the body does not match body_sha256".into());
        }
        Ok(())
    }

    /// The key named by `kid`, fetching the gatekeeper's JWKS when it is
    /// not known yet (at most once per call, so rotation works).
    fn key_for(
        &mut self,
        config: &GatekeeperConfig,
        kid: Option<&str>,
        build: Build,
    ) -> Result<Jwk, String> {
        let find = |set: &JwkSet| -> Option<Jwk> {
            if build.has(Mutant::EnlistmentFirstKeyAnyKid) {
                return set.keys.first().cloned();
            }
            set.find(kid?).cloned()
        };
        if let Some(found) = self.jwks.as_ref().and_then(find) {
            return Ok(found);
        }
        let fetched = http::get(&config.jwks_url, Duration::from_secs(5))?;
        if fetched.status != 200 {
            return Err(format!("the gatekeeper JWKS answered {}", fetched.status));
        }
        let set: JwkSet = serde_json::from_slice(&fetched.body)
            .map_err(|e| format!("the gatekeeper JWKS is not a JWK Set: {e}"))?;
        let found = find(&set);
        self.jwks = Some(set);
        found.ok_or_else(|| format!("no gatekeeper key with kid {kid:?}"))
    }
}

/// The header's `alg` must be the one this key type signs with (RFC 8725
/// §3.1: never let the token choose how a key is used).
/// Whether `jwk` is a key for `alg` whose coordinates have the curve's
/// length. jsonwebtoken slices an Ed25519 `x` to 32 bytes unchecked: a
/// shorter one panicked, a longer one was cut (found by fuzzing,
/// docs/fuzzing.md).
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let is_32 = |coordinate: &str| unb64(coordinate).is_ok_and(|b| b.len() == 32);
    match (&jwk.algorithm, alg) {
        (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
            p.curve == EllipticCurve::Ed25519 && is_32(&p.x)
        }
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => {
            p.curve == EllipticCurve::P256 && is_32(&p.x) && is_32(&p.y)
        }
        _ => false,
    }
}

/// For the DER-accepting mutant: a signature of another length than 64
/// octets read as DER and written as `r || s` (base64url).
fn der_to_concat(signature: &str) -> Option<String> {
    use base64::Engine as _;
    let raw = unb64(signature).ok()?;
    if raw.len() == 64 {
        return None;
    }
    let sig = p256::ecdsa::Signature::from_der(&raw).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// For the mutant without S's range check: the signature with S reduced
/// mod L, when its top three bits are clear (base64url, as it came).
fn reduce_s(signature: &str) -> Option<String> {
    use base64::Engine as _;
    let raw = unb64(signature).ok()?;
    let (r, s) = raw.split_at_checked(32)?;
    let s: [u8; 32] = s.try_into().ok()?;
    if s[31] & 0xe0 != 0 {
        return None;
    }
    let reduced = curve25519_dalek::Scalar::from_bytes_mod_order(s).to_bytes();
    let mut out = r.to_vec();
    out.extend_from_slice(&reduced);
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
}

/// The raw public key bytes (`x`): what the HMAC-confusion mutant keys with.
fn public_bytes(jwk: &Jwk) -> Result<Vec<u8>, String> {
    let x = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) => &p.x,
        AlgorithmParameters::EllipticCurve(p) => &p.x,
        _ => return Err("no public key bytes".into()),
    };
    unb64(x)
}

#[cfg(test)]
mod tests {
    use super::is_call_typ;

    #[test]
    fn typ_is_compared_as_a_media_type() {
        for same in [
            "gatekeeper-call+jwt",
            "application/gatekeeper-call+jwt",
            "Application/Gatekeeper-Call+JWT",
        ] {
            assert!(is_call_typ(same), "{same}");
        }
        for other in [
            "JWT",
            "enlistment-proof+jwt",
            "text/gatekeeper-call+jwt",
            "gatekeeper-call+jwt;v=1",
        ] {
            assert!(!is_call_typ(other), "{other}");
        }
    }
}
