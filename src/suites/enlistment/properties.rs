//! Property scenario: mutations of a valid gatekeeper call token. A case
//! is a short list of mutations; the token stays valid exactly when every
//! mutation in it keeps validity (claim order, unknown claims and header
//! members, `aud` as a list holding the provider, `typ` spelled as another
//! form of the same media type). The keeping mutations are applied first
//! and the breaking ones after them, so no keeping mutation can undo a
//! breaking one (a `typ` respelled over a wrong `typ`). Shrinking drops
//! mutations, so a failure is reported as the smallest list that shows it.

use proptest::collection::vec;
use proptest::prelude::*;
use rand::RngCore;
use serde_json::{json, Value};

use super::drive::*;
use super::headers::{attacker_certificate, attacker_key, ALG_SPELLINGS, OTHER_TYPS};
use crate::peer::jose::jwks_server::JwksServer;
use crate::peer::jose::keys::jwks;
use crate::peer::jose::x509;
use crate::peer::jose::{b64, body_hash, GatekeeperKey, Signer, TokenParts};
use crate::scenario::outcome::Check;
use crate::scenario::outcome::Finding;
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

#[derive(Debug, Clone)]
pub enum Mutation {
    /// Keeps validity: claims in another order (rotated by n).
    RotateClaims(usize),
    /// Keeps validity: an unknown claim (RFC 7519 §4: ignored).
    ExtraClaim(u8),
    /// Keeps validity: an unknown, non-critical header member.
    ExtraHeader(u8),
    /// Keeps validity: `aud` as a list that holds the provider.
    AudienceList,
    /// Keeps validity: `typ` spelled as another form of the same media
    /// type (RFC 7515 §4.1.9; index into [`typ_spellings`]).
    TypSpelling(u8),
    /// Breaks: a required claim removed (index into REQUIRED).
    DropClaim(usize),
    WrongIssuer,
    WrongAudience,
    /// Breaks: expired this many seconds beyond the skew.
    Expired(u16),
    /// Breaks: issued this many seconds beyond the skew in the future.
    FutureIat(u16),
    BodyHashOfOtherBody,
    EmptyJti,
    AlgNone,
    Hs256WithPublicKey,
    UnknownKid,
    /// Breaks: one bit of the signature flipped.
    FlipSignatureBit(u16),
    /// Breaks: `typ` naming another media type (index into OTHER_TYPS).
    OtherTyp(u8),
    /// Breaks: a `crit` listing an extension no provider understands.
    CritUnknown,
    /// Breaks: `alg` in another case or with a space (index into
    /// ALG_SPELLINGS).
    AlgSpelling(u8),
    /// Breaks: signed by the attacker's key, which a `jwk` header embeds.
    EmbeddedJwk,
    /// Breaks: signed by the attacker's key, from the JWK Set `jku` names.
    Jku,
    /// Breaks: signed by the attacker's key, whose certificate `x5u` names.
    X5u,
    /// Breaks: signed by the attacker's key, whose certificate `x5c` carries.
    X5c,
}

const REQUIRED: [&str; 6] = ["iss", "aud", "iat", "exp", "jti", "body_sha256"];

impl Mutation {
    fn keeps_validity(&self) -> bool {
        matches!(
            self,
            Mutation::RotateClaims(_)
                | Mutation::ExtraClaim(_)
                | Mutation::ExtraHeader(_)
                | Mutation::AudienceList
                | Mutation::TypSpelling(_)
        )
    }
}

fn keeping() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (1usize..6).prop_map(Mutation::RotateClaims),
        any::<u8>().prop_map(Mutation::ExtraClaim),
        any::<u8>().prop_map(Mutation::ExtraHeader),
        Just(Mutation::AudienceList),
        any::<u8>().prop_map(Mutation::TypSpelling),
    ]
}

fn breaking() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0..REQUIRED.len()).prop_map(Mutation::DropClaim),
        Just(Mutation::WrongIssuer),
        Just(Mutation::WrongAudience),
        (1u16..3600).prop_map(Mutation::Expired),
        (1u16..3600).prop_map(Mutation::FutureIat),
        Just(Mutation::BodyHashOfOtherBody),
        Just(Mutation::EmptyJti),
        Just(Mutation::AlgNone),
        Just(Mutation::Hs256WithPublicKey),
        Just(Mutation::UnknownKid),
        any::<u16>().prop_map(Mutation::FlipSignatureBit),
        any::<u8>().prop_map(Mutation::OtherTyp),
        Just(Mutation::CritUnknown),
        any::<u8>().prop_map(Mutation::AlgSpelling),
        Just(Mutation::EmbeddedJwk),
        Just(Mutation::Jku),
        Just(Mutation::X5u),
        Just(Mutation::X5c),
    ]
}

/// What the key-pointing mutations point at: an attacker's key under the
/// gatekeeper's kid, a JWK Set and a certificate served on loopback for
/// the whole property run, and the certificate for `x5c`.
struct Attacker {
    /// The gatekeeper's own keys, for `alg` spellings signed as their
    /// letters suggest.
    gatekeeper: Vec<GatekeeperKey>,
    key: GatekeeperKey,
    jwk: Value,
    jku: String,
    x5u: String,
    x5c: String,
    _servers: [JwksServer; 2],
}

impl Attacker {
    fn new(ctx: &mut ScenarioCtx, gk: &Gatekeeper) -> Result<Attacker, Finding> {
        let key = attacker_key(ctx, gk);
        let der = attacker_certificate(&key)?;
        let set = JwksServer::start(jwks(&[&key]).to_string()).map_err(Finding::error)?;
        let pem = JwksServer::start(x509::pem(&der)).map_err(Finding::error)?;
        Ok(Attacker {
            gatekeeper: gk.keys.clone(),
            jwk: key.public_jwk(),
            jku: set.url(),
            x5u: pem.url(),
            x5c: x509::x5c_entry(&der),
            key,
            _servers: [set, pem],
        })
    }

    /// Signs with the attacker's key and sets `name` to `value`.
    fn sign(&self, parts: &mut TokenParts, name: &str, value: Value) {
        parts.signer = Signer::Key(Box::new(self.key.clone()));
        parts.set_header(name, value);
    }
}

/// Applies the mutations and serialises the token.
fn apply(
    parts: &mut TokenParts,
    mutations: &[Mutation],
    skew: i64,
    lifetime: i64,
    attacker: &Attacker,
) -> String {
    let now = unix_now();
    let mut flip = None;
    // Keeping mutations first: none of them can then undo a breaking one.
    let ordered = mutations
        .iter()
        .filter(|m| m.keeps_validity())
        .chain(mutations.iter().filter(|m| !m.keeps_validity()));
    for m in ordered {
        match m {
            Mutation::RotateClaims(n) => {
                let len = parts.claims.len().max(1);
                parts.claims.rotate_left(n % len);
            }
            Mutation::ExtraClaim(i) => parts.set(&format!("x-extra-{i}"), json!(i)),
            Mutation::ExtraHeader(i) => parts.set_header(&format!("x-note-{i}"), json!(i)),
            // A list holding the token's current audience: valid stays valid,
            // and an audience already made wrong (or dropped) stays wrong.
            Mutation::AudienceList => {
                let current = parts.get("aud").cloned();
                let list = match current {
                    Some(Value::Array(items)) => items,
                    Some(value) => vec![value],
                    None => Vec::new(),
                };
                let mut with_other = vec![json!("https://other.example")];
                with_other.extend(list);
                parts.set("aud", Value::Array(with_other));
            }
            Mutation::TypSpelling(i) => {
                let spellings = typ_spellings(CALL_TYP);
                let typ = &spellings[usize::from(*i) % spellings.len()];
                parts.set_header("typ", json!(typ));
            }
            Mutation::DropClaim(i) => parts.remove(REQUIRED[i % REQUIRED.len()]),
            Mutation::WrongIssuer => parts.set("iss", json!("https://impostor.example")),
            Mutation::WrongAudience => parts.set("aud", json!("http://127.0.0.1:1")),
            Mutation::Expired(by) => {
                let exp = now - skew - i64::from(*by);
                parts.set("iat", json!(exp - lifetime));
                parts.set("exp", json!(exp));
            }
            Mutation::FutureIat(by) => {
                let iat = now + skew + i64::from(*by);
                parts.set("iat", json!(iat));
                parts.set("exp", json!(iat + lifetime));
            }
            Mutation::BodyHashOfOtherBody => parts.set("body_sha256", json!(body_hash(b"{}"))),
            Mutation::EmptyJti => parts.set("jti", json!("")),
            Mutation::AlgNone => {
                parts.set_header("alg", json!("none"));
                parts.signer = Signer::Unsigned;
            }
            Mutation::Hs256WithPublicKey => {
                if let Signer::Key(key) = &parts.signer {
                    let secret = key.public_x();
                    parts.set_header("alg", json!("HS256"));
                    parts.signer = Signer::Hmac(secret);
                }
            }
            Mutation::UnknownKid => parts.set_header("kid", json!("gatekeeper-unknown")),
            Mutation::FlipSignatureBit(bit) => flip = Some(*bit),
            Mutation::OtherTyp(i) => {
                parts.set_header("typ", json!(OTHER_TYPS[usize::from(*i) % OTHER_TYPS.len()]))
            }
            Mutation::CritUnknown => {
                parts.set_header("crit", json!(["x-interspec-critical"]));
                parts.set_header("x-interspec-critical", json!(true));
            }
            Mutation::AlgSpelling(i) => {
                let (alg, key) = ALG_SPELLINGS[usize::from(*i) % ALG_SPELLINGS.len()];
                // Signed with the key the letters suggest, under its kid:
                // only the spelling is wrong.
                match key.and_then(|k| attacker.gatekeeper.get(k)) {
                    Some(key) => {
                        parts.set_header("kid", json!(key.kid));
                        parts.signer = Signer::Key(Box::new(key.clone()));
                    }
                    None => parts.signer = Signer::Unsigned,
                }
                parts.set_header("alg", json!(alg));
            }
            Mutation::EmbeddedJwk => attacker.sign(parts, "jwk", attacker.jwk.clone()),
            Mutation::Jku => attacker.sign(parts, "jku", json!(attacker.jku)),
            Mutation::X5u => attacker.sign(parts, "x5u", json!(attacker.x5u)),
            Mutation::X5c => attacker.sign(parts, "x5c", json!([attacker.x5c])),
        }
    }
    let input = parts.signing_input();
    let mut signature = parts.signature(input.as_bytes());
    match (flip, signature.is_empty()) {
        (Some(bit), false) => {
            let bit = usize::from(bit) % (signature.len() * 8);
            signature[bit / 8] ^= 1 << (bit % 8);
        }
        // Nothing to flip: a one-byte signature on an unsigned token.
        (Some(_), true) => signature.push(1),
        (None, _) => {}
    }
    format!("{input}.{}", b64(&signature))
}

pub fn token_mutations(ctx: &mut ScenarioCtx) -> Check {
    let gk = gatekeeper(ctx)?;
    let skew = i64::from(ctx.profile.enlistment.clock_skew_seconds);
    // Up to three keeping mutations and, in four cases of five, one
    // breaking one: a second breaking mutation would only hide the first.
    let strategy = (
        vec(keeping(), 0..4),
        proptest::option::weighted(0.8, breaking()),
    )
        .prop_map(|(mut mutations, broken)| {
            mutations.extend(broken);
            mutations
        });
    let url = gk.push_url.clone();
    let attacker = Attacker::new(ctx, &gk)?;
    check_property(
        ctx,
        strategy,
        |mutations| format!("{mutations:?}"),
        |ctx, mutations| {
            let body = push_body(ctx);
            let key_index = (ctx.rng.next_u32() % 2) as usize;
            let mut parts = gk.token(ctx, &body, key_index);
            let token = apply(&mut parts, mutations, skew, gk.lifetime, &attacker);
            if mutations.iter().all(Mutation::keeps_validity) {
                gk.expect_accepted(
                    ctx,
                    &url,
                    &token,
                    &body,
                    "a token changed only in ways that keep it valid",
                )?;
            } else {
                gk.expect_refused(
                    ctx,
                    &url,
                    Some(&token),
                    &body,
                    "a token changed in a way that breaks it",
                )?;
            }
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn attacker() -> Attacker {
        let mut rng = ChaCha20Rng::from_seed([3; 32]);
        let key = GatekeeperKey::ed25519("gk-1", &mut rng);
        let server = || JwksServer::start(String::from("{}")).expect("loopback server");
        Attacker {
            gatekeeper: vec![key.clone(), GatekeeperKey::p256("gk-2", &mut rng)],
            jwk: key.public_jwk(),
            jku: "http://127.0.0.1:1/jwks".into(),
            x5u: "http://127.0.0.1:1/cert".into(),
            x5c: String::new(),
            key,
            _servers: [server(), server()],
        }
    }

    fn header(parts: &TokenParts, name: &str) -> Option<Value> {
        parts
            .header
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// Whatever the order in a case, a keeping mutation never undoes a
    /// breaking one: a `typ` respelled after a wrong `typ` stays wrong.
    #[test]
    fn keeping_mutations_cannot_undo_breaking_ones() {
        let attacker = attacker();
        for order in [
            vec![Mutation::OtherTyp(0), Mutation::TypSpelling(1)],
            vec![Mutation::TypSpelling(1), Mutation::OtherTyp(0)],
        ] {
            let mut parts = TokenParts {
                header: vec![("typ".into(), json!(CALL_TYP))],
                claims: vec![("aud".into(), json!("https://provider.example"))],
                signer: Signer::Unsigned,
            };
            apply(&mut parts, &order, 60, 60, &attacker);
            assert_eq!(
                header(&parts, "typ"),
                Some(json!(OTHER_TYPS[0])),
                "{order:?}"
            );
        }
    }
}
