//! The transport phase (§5, §5.1, §11.3): nonces in order, replays and
//! reordering refused, a failed decrypt that leaves the nonce alone, size
//! limits, rekey.
//!
//! After a refused transport message Noise leaves the application a choice
//! (rev 34 §5): "If `DecryptWithAd()` signals an error due to `DECRYPT()`
//! failure, then the input message is discarded. The application may choose
//! to delete the `CipherState` and terminate the session on such an error,
//! or may continue to attempt communications." [`after_refusal`] accepts
//! both and nothing else: the session goes on exactly as if the refused
//! message had never arrived, or it has ended and refuses everything.

use super::drive::*;
use super::stream::PeerStream;
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, ErrorCategory, HsFeed};
use crate::ensure;
use crate::peer::noise::{NoiseKnobs, Protocol, Role, TransportState};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// Largest transport payload: 65535 - 16 (§3, §12.4).
const MAX_PAYLOAD: usize = 65535 - 16;

fn seal(t: &mut TransportState, payload: &[u8]) -> Result<Vec<u8>, Finding> {
    t.write_message(payload).map_err(|e| harness("seal", e))
}

fn peer_opens(t: &mut TransportState, message: &[u8], what: &str) -> Result<Vec<u8>, Finding> {
    t.read_message(message)
        .map_err(|e| Finding::fail(format!("the peer could not open {what}: {e}")))
}

/// Which of §5's two choices the target made after refusing a transport
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Afterwards {
    /// It went on, with nothing changed by the refused message.
    WentOn,
    /// It terminated the session: every later transport operation refused.
    Ended,
}

impl Afterwards {
    fn describe(self) -> &'static str {
        match self {
            Afterwards::WentOn => "the session went on unchanged",
            Afterwards::Ended => {
                "the target ended the session (Noise §5 allows it) and refused everything after"
            }
        }
    }
}

/// After the target refused a transport message (the peer's transport is
/// `t`, the target plays `target_role`), opens `genuine`: the peer's message
/// under the nonce the target must still expect, whose payload is
/// `expected`.
///
/// * It opens to `expected`: the session went on and the refused message
///   changed nothing (the receiving nonce did not advance, no other key was
///   tried).
/// * It opens to other bytes: a failure.
/// * It is refused: the target must have ended the session, so every later
///   transport operation is refused too ([`ended_session`]), `pending`
///   (genuine messages sealed after `genuine` and not yet opened) included.
///   A session that refuses the genuine message and then accepts anything
///   went on in a broken state (a nonce moved by the refused message, say).
pub fn after_refusal(
    ctx: &mut ScenarioCtx,
    t: &mut TransportState,
    target_role: Role,
    genuine: &[u8],
    expected: &[u8],
    pending: &[&[u8]],
    what: &str,
) -> Result<Afterwards, Finding> {
    let reply = ctx.call(open_op(genuine))?;
    match reply {
        Reply::Result(response::Reply::HsOpen(opened)) => {
            ensure!(
                opened.payload == expected,
                "{what} opened to {} bytes that differ from the {} sent",
                opened.payload.len(),
                expected.len()
            );
            Ok(Afterwards::WentOn)
        }
        Reply::Rejected { .. } => {
            ctx.refused(&reply, &[ErrorCategory::InvalidState], what)?;
            let mut refused_again = vec![genuine];
            refused_again.extend_from_slice(pending);
            ended_session(ctx, t, target_role, &refused_again, what)?;
            Ok(Afterwards::Ended)
        }
        other => Err(unexpected(other, &format!("HsOpen of {what}"))),
    }
}

/// The target refused `what`, a genuine message: that is only allowed if it
/// ended the session (§5), so HsSeal, HsOpen (of `genuine`, and of the
/// peer's next message) and HsFeed (of a frame carrying one more) must all
/// be refused. §5's other choice, "terminate the session", ends both
/// directions.
fn ended_session(
    ctx: &mut ScenarioCtx,
    t: &mut TransportState,
    target_role: Role,
    genuine: &[&[u8]],
    what: &str,
) -> Result<(), Finding> {
    let why = format!(
        "after the target refused {what} (which it may do only once it ended the session, Noise §5)"
    );
    for (i, m) in genuine.iter().enumerate() {
        let reply = ctx.call(open_op(m))?;
        ctx.refused(
            &reply,
            &[ErrorCategory::InvalidState],
            &format!("opening genuine message {i} again {why}"),
        )?;
    }
    let reply = ctx.call(seal_op(b"after the end"))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::InvalidState],
        &format!("sealing {why}"),
    )?;
    let next = seal(t, b"the peer's next message")?;
    let reply = ctx.call(open_op(&next))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::InvalidState],
        &format!("opening the peer's next message {why}"),
    )?;
    // The target responder has read nothing from the stream yet, so its
    // first bytes are the connection header.
    let framed = seal(t, b"one more, framed")?;
    let data = PeerStream::new(ctx, target_role == Role::Responder).frame(&framed);
    let reply = ctx.call(Op::HsFeed(HsFeed { data }))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::InvalidState],
        &format!("feeding a framed message {why}"),
    )
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
    let role = Role::Initiator;
    let mut t = established(ctx, &Setup::new(Protocol::XX, role))?;
    let m0 = seal(&mut t, b"first")?;
    hs_open(ctx, &m0, "the first message")?;
    expect_refused(
        ctx,
        open_op(&m0),
        ErrorCategory::BadMac,
        "the first message again",
    )?;
    let m1 = seal(&mut t, b"second")?;
    let afterwards = after_refusal(
        ctx,
        &mut t,
        role,
        &m1,
        b"second",
        &[],
        "the second message after a refused replay",
    )?;
    if afterwards == Afterwards::Ended {
        return Ok(format!(
            "a replayed frame was refused; {}",
            afterwards.describe()
        ));
    }
    expect_refused(
        ctx,
        open_op(&m0),
        ErrorCategory::BadMac,
        "the first message a third time",
    )?;
    Ok("a replayed frame was refused twice; the stream went on".into())
}

pub fn reordered_frame_refused(ctx: &mut ScenarioCtx) -> Check {
    let role = Role::Responder;
    let mut t = established(ctx, &Setup::new(Protocol::XX, role))?;
    let m0 = seal(&mut t, b"zero")?;
    let m1 = seal(&mut t, b"one")?;
    expect_refused(
        ctx,
        open_op(&m1),
        ErrorCategory::BadMac,
        "message 1 before message 0",
    )?;
    let afterwards = after_refusal(
        ctx,
        &mut t,
        role,
        &m0,
        b"zero",
        &[&m1],
        "message 0 after message 1 was refused",
    )?;
    if afterwards == Afterwards::Ended {
        return Ok(format!(
            "a frame ahead of its turn was refused; {}",
            afterwards.describe()
        ));
    }
    ensure!(
        hs_open(ctx, &m1, "message 1")? == b"one",
        "message 1 changed"
    );
    Ok("a frame ahead of its turn was refused; in order both opened".into())
}

/// §5.1: "If an authentication failure occurs in DECRYPT() then n is not
/// incremented"; the next valid frame still opens.
///
/// §5 lets the target end the session instead; then the genuine frame and
/// everything after it must be refused (see [`after_refusal`]).
pub fn failed_decrypt_keeps_nonce(ctx: &mut ScenarioCtx) -> Check {
    let role = Role::Initiator;
    let mut t = established(ctx, &Setup::new(Protocol::XX, role))?;
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
        for (i, (name, bad)) in [
            ("flipped tag", flipped_tag),
            ("flipped body", flipped_body),
            ("random bytes", garbage),
        ]
        .into_iter()
        .enumerate()
        {
            // After the first refusal the target may already have ended the
            // session (§5), which docs/handshake.md names INVALID_STATE.
            let expected: &[ErrorCategory] = if i == 0 {
                &[ErrorCategory::BadMac]
            } else {
                &[ErrorCategory::BadMac, ErrorCategory::InvalidState]
            };
            let reply = ctx.call(open_op(&bad))?;
            ctx.refused(&reply, expected, &format!("message {round} with a {name}"))?;
        }
        let afterwards = after_refusal(
            ctx,
            &mut t,
            role,
            &m,
            format!("message {round}").as_bytes(),
            &[],
            &format!("the genuine message {round} after 3 refused forgeries"),
        )?;
        if afterwards == Afterwards::Ended {
            return Ok(format!(
                "3 forgeries of message {round} were refused; {}",
                afterwards.describe()
            ));
        }
    }
    // The refusals did not touch the sending direction either.
    let sealed = hs_seal(ctx, b"the other way")?;
    ensure!(
        peer_opens(
            &mut t,
            &sealed.message,
            "the target's message after the forgeries"
        )? == b"the other way",
        "the target's message after the forgeries opened to other bytes"
    );
    Ok("after 3 refused forgeries each time, the genuine frame still opened (3 rounds); sealing still interoperates".into())
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
    let afterwards = after_refusal(
        ctx,
        &mut t,
        Role::Initiator,
        &next,
        b"next",
        &[],
        "the message after the oversized one",
    )?;
    let mut note = format!(
        "a genuine 65536-byte message refused; {}",
        afterwards.describe()
    );
    let hs = ctx.profile.handshake.clone();
    let prefix = hs.length_prefix_bytes as usize;
    let announced = u64::from(hs.max_frame) + 1;
    if announced < 1 << (8 * prefix) {
        if afterwards == Afterwards::Ended {
            // An ended session refuses every frame: the prefix check needs
            // a live one.
            established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
        }
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

/// §4.2 and §11.3: REKEY changes the key and keeps the nonce. Each step is
/// checked by a message that must open, so that no refusal is needed to
/// tell a key changed (a refusal may end the session, §5); the last step
/// checks that the old key no longer opens anything.
pub fn rekey(ctx: &mut ScenarioCtx) -> Check {
    let role = Role::Initiator;
    let mut t = established(ctx, &Setup::new(Protocol::XX, role))?;
    let m = seal(&mut t, b"before")?;
    hs_open(ctx, &m, "a message before rekey")?;
    let s = hs_seal(ctx, b"before")?;
    peer_opens(&mut t, &s.message, "a message before rekey")?;

    // HsRekey(outgoing) changes the sending key only.
    hs_rekey(ctx, true, false)?;
    let mut stale = t.clone();
    t.rekey_incoming().map_err(|e| harness("rekey", e))?;
    let s = hs_seal(ctx, b"after")?;
    ensure!(
        stale.read_message(&s.message).is_err(),
        "after HsRekey(outgoing) the message still opens under the old key"
    );
    ensure!(
        peer_opens(&mut t, &s.message, "a message after rekey")? == b"after",
        "the message after rekey changed"
    );
    let m = seal(&mut t, b"old key, other way")?;
    ensure!(
        hs_open(
            ctx,
            &m,
            "a message under the unchanged receiving key after HsRekey(outgoing)"
        )? == b"old key, other way",
        "the message under the unchanged receiving key changed"
    );

    // HsRekey(incoming) changes the receiving key only.
    let mut stale = t.clone();
    t.rekey_outgoing().map_err(|e| harness("rekey", e))?;
    hs_rekey(ctx, false, true)?;
    let m = seal(&mut t, b"after too")?;
    ensure!(
        hs_open(ctx, &m, "a rekeyed message after HsRekey(incoming)")? == b"after too",
        "the rekeyed message changed"
    );
    let s = hs_seal(ctx, b"still the same sending key")?;
    ensure!(
        peer_opens(
            &mut t,
            &s.message,
            "the target's message after HsRekey(incoming)"
        )? == b"still the same sending key",
        "the target's message after HsRekey(incoming) changed"
    );

    // The old receiving key is gone: a message under it, at the nonce due,
    // is refused.
    stale.set_send_nonce(t.send_nonce());
    let old = seal(&mut stale, b"under the old key")?;
    expect_refused(
        ctx,
        open_op(&old),
        ErrorCategory::BadMac,
        "a message under the receiving key from before HsRekey(incoming)",
    )?;
    let next = seal(&mut t, b"under the new key")?;
    let afterwards = after_refusal(
        ctx,
        &mut t,
        role,
        &next,
        b"under the new key",
        &[],
        "the genuine message after one under the old key",
    )?;
    Ok(format!(
        "rekey in each direction changed only that direction's key, kept the nonce and interoperated; a message under the old key was refused and {}",
        afterwards.describe()
    ))
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
