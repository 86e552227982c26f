//! Property scenario: mutations of a valid gatekeeper call token. A case
//! is a short list of mutations; the token stays valid exactly when every
//! mutation in it keeps validity (claim order, unknown claims and header
//! members, `aud` as a list holding the provider, `typ` spelled as another
//! form of the same media type). Shrinking drops
//! mutations, so a failure is reported as the smallest list that shows it.

use proptest::collection::vec;
use proptest::prelude::*;
use rand::RngCore;
use serde_json::{json, Value};

use super::drive::*;
use crate::peer::jose::{b64, body_hash, Signer, TokenParts};
use crate::scenario::outcome::Check;
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
    ]
}

/// Applies the mutations and serialises the token.
fn apply(parts: &mut TokenParts, mutations: &[Mutation], skew: i64, lifetime: i64) -> String {
    let now = unix_now();
    let mut flip = None;
    for m in mutations {
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
    let mutation = prop_oneof![keeping(), breaking()];
    let strategy = vec(mutation, 1..4);
    let url = gk.push_url.clone();
    check_property(
        ctx,
        strategy,
        |mutations| format!("{mutations:?}"),
        |ctx, mutations| {
            let body = push_body(ctx);
            let key_index = (ctx.rng.next_u32() % 2) as usize;
            let mut parts = gk.token(ctx, &body, key_index);
            let token = apply(&mut parts, mutations, skew, gk.lifetime);
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
