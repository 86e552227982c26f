//! The transport phase (§5, §5.1, §11.3): nonces in order, replays and
//! reordering refused, a failed decrypt that leaves the nonce alone, size
//! limits, rekey.

use super::super::ScenarioCtx;
use super::drive::*;
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::noise::{NoiseKnobs, Protocol, Role, TransportState};
use crate::runner::outcome::{Check, Finding};

/// Largest transport payload: 65535 - 16 (§3, §12.4).
const MAX_PAYLOAD: usize = 65535 - 16;

fn seal(t: &mut TransportState, payload: &[u8]) -> Result<Vec<u8>, Finding> {
    t.write_message(payload).map_err(|e| harness("seal", e))
}

fn peer_opens(t: &mut TransportState, message: &[u8], what: &str) -> Result<Vec<u8>, Finding> {
    t.read_message(message)
        .map_err(|e| Finding::fail(format!("the peer could not open {what}: {e}")))
}

pub fn round_trip(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    let random = random_payload(ctx, 4096).len();
    for size in [0usize, 1, 16, random, MAX_PAYLOAD] {
        let mut payload = vec![0u8; size];
        rand::RngCore::fill_bytes(&mut ctx.rng, &mut payload);
        let m = seal(&mut t, &payload)?;
        let got = hs_open(ctx, &m, &format!("a {size}-byte payload"))?;
        ensure!(
            got == payload,
            "a {size}-byte payload opened to other bytes"
        );
        let sealed = hs_seal(ctx, &payload)?;
        ensure!(
            sealed.message.len() == size + 16,
            "the target sealed {size} bytes into {} bytes, expected {}",
            sealed.message.len(),
            size + 16
        );
        let got = peer_opens(&mut t, &sealed.message, &format!("a {size}-byte message"))?;
        ensure!(
            got == payload,
            "the target's {size}-byte message opened to other bytes"
        );
    }
    expect_refused(
        ctx,
        crate::adapter::proto::request::Op::HsSeal(crate::adapter::proto::HsSeal {
            payload: vec![0u8; MAX_PAYLOAD + 1],
        }),
        ErrorCategory::LimitExceeded,
        "sealing 65520 bytes (a 65536-byte message)",
    )?;
    Ok("payloads of 0 to 65519 bytes round-trip both ways; 65520 refused".into())
}

/// Each message is sealed under the next nonce, laid out as §12.4 says
/// (the peer's own nonce walks 0, 1, 2, 3).
pub fn nonces_in_order(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    let same = b"the same plaintext every time".to_vec();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for i in 0..4 {
        let sealed = hs_seal(ctx, &same)?;
        ensure!(
            !seen.contains(&sealed.message),
            "message {i} repeats an earlier ciphertext: a nonce was reused"
        );
        let got = peer_opens(&mut t, &sealed.message, &format!("target message {i}"))?;
        ensure!(got == same, "target message {i} opened to other bytes");
        seen.push(sealed.message);
    }
    for i in 0..4 {
        let m = seal(&mut t, &same)?;
        let got = hs_open(ctx, &m, &format!("peer message {i}"))?;
        ensure!(got == same, "peer message {i} opened to other bytes");
    }
    ensure!(
        t.recv_nonce() == 4 && t.send_nonce() == 4,
        "scenario bug: peer nonces are {}/{}",
        t.send_nonce(),
        t.recv_nonce()
    );
    Ok("nonces 0..3 used in order in both directions; no ciphertext repeated".into())
}

pub fn replayed_frame_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    let m0 = seal(&mut t, b"first")?;
    hs_open(ctx, &m0, "the first message")?;
    expect_refused(
        ctx,
        open_op(&m0),
        ErrorCategory::BadMac,
        "the first message again",
    )?;
    let m1 = seal(&mut t, b"second")?;
    let got = hs_open(ctx, &m1, "the second message after a refused replay")?;
    ensure!(got == b"second", "the second message opened to other bytes");
    expect_refused(
        ctx,
        open_op(&m0),
        ErrorCategory::BadMac,
        "the first message a third time",
    )?;
    Ok("a replayed frame was refused twice; the stream went on".into())
}

pub fn reordered_frame_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    let m0 = seal(&mut t, b"zero")?;
    let m1 = seal(&mut t, b"one")?;
    expect_refused(
        ctx,
        open_op(&m1),
        ErrorCategory::BadMac,
        "message 1 before message 0",
    )?;
    ensure!(
        hs_open(ctx, &m0, "message 0")? == b"zero",
        "message 0 changed"
    );
    ensure!(
        hs_open(ctx, &m1, "message 1")? == b"one",
        "message 1 changed"
    );
    Ok("a frame ahead of its turn was refused; in order both opened".into())
}

/// §5.1: "If an authentication failure occurs in DECRYPT() then n is not
/// incremented"; the next valid frame still opens.
pub fn failed_decrypt_keeps_nonce(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    for round in 0..3 {
        let m = seal(&mut t, format!("message {round}").as_bytes())?;
        let mut flipped_tag = m.clone();
        if let Some(last) = flipped_tag.last_mut() {
            *last ^= 0x80;
        }
        let mut flipped_body = m.clone();
        flipped_body[0] ^= 0x01;
        let mut garbage = vec![0u8; m.len()];
        rand::RngCore::fill_bytes(&mut ctx.rng, &mut garbage);
        for (name, bad) in [
            ("flipped tag", flipped_tag),
            ("flipped body", flipped_body),
            ("random bytes", garbage),
        ] {
            expect_refused(
                ctx,
                open_op(&bad),
                ErrorCategory::BadMac,
                &format!("message {round} with a {name}"),
            )?;
        }
        let got = hs_open(
            ctx,
            &m,
            &format!("the genuine message {round} after 3 refusals"),
        )?;
        ensure!(
            got == format!("message {round}").as_bytes(),
            "message {round} changed"
        );
    }
    Ok("after 3 refused forgeries each time, the genuine frame still opened (3 rounds)".into())
}

/// Over 65535 bytes is refused (§3) even when it would decrypt; so is a
/// frame announced over the profile's limit, from its prefix alone.
pub fn oversized_refused(ctx: &mut ScenarioCtx) -> Check {
    let setup = Setup::new(Protocol::XX, Role::Initiator).knobs(NoiseKnobs {
        oversized_transport_frame: Some(1),
        ..NoiseKnobs::default()
    });
    let mut t = established(ctx, &setup)?;
    let m0 = seal(&mut t, b"ordinary")?;
    hs_open(ctx, &m0, "an ordinary message")?;
    let big = seal(&mut t, b"padded")?;
    ensure!(
        big.len() == 65536,
        "scenario bug: oversized frame is {} bytes",
        big.len()
    );
    expect_refused(
        ctx,
        open_op(&big),
        ErrorCategory::LimitExceeded,
        "a genuine 65536-byte transport message",
    )?;
    // The refused frame used nonce 1; the next one reuses it.
    t.set_send_nonce(1);
    let next = seal(&mut t, b"next")?;
    ensure!(
        hs_open(ctx, &next, "the message after the oversized one")? == b"next",
        "the message after the oversized one changed"
    );
    let mut note = String::from("a genuine 65536-byte message refused with LIMIT_EXCEEDED");
    let hs = ctx.profile.handshake.clone();
    let prefix = hs.length_prefix_bytes as usize;
    let announced = u64::from(hs.max_frame) + 1;
    if announced < 1 << (8 * prefix) {
        let bytes = announced.to_be_bytes()[8 - prefix..].to_vec();
        expect_refused(
            ctx,
            crate::adapter::proto::request::Op::HsFeed(crate::adapter::proto::HsFeed {
                data: bytes,
            }),
            ErrorCategory::LimitExceeded,
            &format!("a frame prefix announcing {announced} bytes"),
        )?;
        note.push_str(&format!(
            "; a {announced}-byte frame refused from its prefix"
        ));
    } else {
        note.push_str("; the profile's prefix cannot announce a frame over its limit");
    }
    Ok(note)
}

/// §4.2 and §11.3: REKEY changes the key and keeps the nonce.
pub fn rekey(ctx: &mut ScenarioCtx) -> Check {
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    let m = seal(&mut t, b"before")?;
    hs_open(ctx, &m, "a message before rekey")?;
    let s = hs_seal(ctx, b"before")?;
    peer_opens(&mut t, &s.message, "a message before rekey")?;

    hs_rekey(ctx, true, false)?;
    let stale = t.clone();
    t.rekey_incoming().map_err(|e| harness("rekey", e))?;
    let s = hs_seal(ctx, b"after")?;
    let mut stale = stale;
    ensure!(
        stale.read_message(&s.message).is_err(),
        "after HsRekey(outgoing) the message still opens under the old key"
    );
    ensure!(
        peer_opens(&mut t, &s.message, "a message after rekey")? == b"after",
        "the message after rekey changed"
    );

    t.rekey_outgoing().map_err(|e| harness("rekey", e))?;
    let m = seal(&mut t, b"after too")?;
    expect_refused(
        ctx,
        open_op(&m),
        ErrorCategory::BadMac,
        "a rekeyed message before HsRekey(incoming)",
    )?;
    hs_rekey(ctx, false, true)?;
    ensure!(
        hs_open(ctx, &m, "a rekeyed message after HsRekey(incoming)")? == b"after too",
        "the rekeyed message changed"
    );
    Ok("rekey in each direction changed the key, kept the nonce and interoperated".into())
}

fn seal_op(payload: &[u8]) -> crate::adapter::proto::request::Op {
    crate::adapter::proto::request::Op::HsSeal(crate::adapter::proto::HsSeal {
        payload: payload.to_vec(),
    })
}

/// §5.1: "The maximum n value (2^64-1) is reserved"; once reached the
/// session ends (§5). Needs the optional HsSetNonce hook.
pub fn nonce_exhaustion_ends_session(ctx: &mut ScenarioCtx) -> Check {
    let last = u64::MAX - 1;
    // Receiving direction.
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    hs_set_nonce(ctx, None, Some(last))?;
    t.set_send_nonce(last);
    let m = seal(&mut t, b"last")?;
    ensure!(
        hs_open(ctx, &m, "the message under nonce 2^64-2")? == b"last",
        "the message under nonce 2^64-2 changed"
    );
    let mut any = vec![0u8; 48];
    rand::RngCore::fill_bytes(&mut ctx.rng, &mut any);
    expect_refused(
        ctx,
        open_op(&any),
        ErrorCategory::InvalidState,
        "a message after the receiving nonce reached 2^64-1",
    )?;
    expect_refused(
        ctx,
        seal_op(b"more"),
        ErrorCategory::InvalidState,
        "sealing after the session ended on the receiving side",
    )?;
    // Sending direction.
    let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    hs_set_nonce(ctx, Some(last), None)?;
    t.set_recv_nonce(last);
    let sealed = hs_seal(ctx, b"last")?;
    ensure!(
        peer_opens(
            &mut t,
            &sealed.message,
            "the target's message under nonce 2^64-2"
        )? == b"last",
        "the target's message under nonce 2^64-2 changed"
    );
    expect_refused(
        ctx,
        seal_op(b"more"),
        ErrorCategory::InvalidState,
        "sealing at nonce 2^64-1",
    )?;
    Ok("nonce 2^64-1 never used in either direction; the session ended there".into())
}
