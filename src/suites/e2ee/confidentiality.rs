//! Confidentiality and integrity device to device, for any wire format:
//! no plaintext (nor a simple encoding of it) in anything the target
//! returns, no two equal ciphertexts, and every byte of every message kind
//! bent without the receiver accepting another plaintext or one twice.

use std::collections::HashSet;

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use prost::Message;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use super::devices::{Pair, Sent};
use super::harness::{decrypt_raw, encrypt_op, get_bundle_proto, Step, Wire};
use crate::adapter::client::Reply;
use crate::adapter::proto::{response, ErrorCategory};
use crate::peer::signal::{Address, MessageType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// Bytes of a plaintext that, found together in an output, count as a leak.
/// 12 random bytes recur by chance with probability about 2^-96 per place.
const WINDOW: usize = 12;

/// The plaintext and its simple encodings, each with the window length (in
/// bytes of the encoding) that stands for [`WINDOW`] plaintext bytes.
fn encodings(plain: &[u8]) -> Vec<(&'static str, Vec<u8>, usize)> {
    let mut all = vec![
        ("the plaintext bytes", plain.to_vec(), WINDOW),
        (
            "the plaintext reversed",
            plain.iter().rev().copied().collect(),
            WINDOW,
        ),
        (
            "the plaintext inverted",
            plain.iter().map(|b| !b).collect(),
            WINDOW,
        ),
        (
            "the plaintext in lower-case hex",
            hex::encode(plain).into_bytes(),
            2 * WINDOW,
        ),
        (
            "the plaintext in upper-case hex",
            hex::encode_upper(plain).into_bytes(),
            2 * WINDOW,
        ),
    ];
    // Base64 at each of the three alignments a plaintext can start at inside
    // a longer encoded value; the last characters depend on what follows, so
    // they are left out.
    for skip in 0..3 {
        for (name, engine) in [
            ("the plaintext in base64", &STANDARD_NO_PAD),
            ("the plaintext in URL-safe base64", &URL_SAFE_NO_PAD),
        ] {
            let encoded = engine.encode(plain.get(skip..).unwrap_or_default());
            let stable = encoded.len().saturating_sub(2);
            all.push((name, encoded.into_bytes()[..stable].to_vec(), 16));
        }
    }
    all
}

/// Which encoding of `plain` appears in `output`, if one does.
pub fn leak(plain: &[u8], output: &[u8]) -> Option<&'static str> {
    encodings(plain)
        .into_iter()
        .find_map(|(name, encoded, window)| {
            let found = encoded.len() >= window
                && encoded
                    .windows(window)
                    .any(|w| output.windows(window).any(|o| o == w));
            found.then_some(name)
        })
}

/// E2-033: random plaintexts both ways, on session-opening and ordinary
/// messages and after a DH step; neither any ciphertext nor the devices'
/// identity keys and later bundles hold any of them in any simple encoding.
pub fn no_plaintext_in_output(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    let mut sent: Vec<Sent> = Vec::new();
    for (from, what) in [
        (&pair.a, "A's first session-opening message"),
        (&pair.a, "A's second session-opening message"),
        (&pair.b, "B's reply"),
        (&pair.a, "A's ordinary message"),
        (&pair.a, "A's second ordinary message"),
        (&pair.b, "B's message after a DH step"),
    ] {
        let len = ctx.rng.gen_range(32..=64);
        let mut plaintext = vec![0u8; len];
        ctx.rng.fill_bytes(&mut plaintext);
        let message = pair.send_bytes(ctx, from, plaintext, what)?;
        pair.deliver(ctx, pair.other(from), &message)?;
        sent.push(message);
    }
    let mut outputs: Vec<(String, Vec<u8>)> = sent
        .iter()
        .map(|s| (s.what.clone(), s.wire.bytes.clone()))
        .collect();
    outputs.push(("A's identity key".into(), pair.a_identity.clone()));
    outputs.push(("B's identity key".into(), pair.b_identity.clone()));
    for device in [&pair.a, &pair.b] {
        let bundle = get_bundle_proto(ctx, device, true)?;
        outputs.push((
            "a bundle served after the talk".into(),
            bundle.encode_to_vec(),
        ));
    }
    for message in &sent {
        for (where_, bytes) in &outputs {
            if let Some(encoding) = leak(&message.plaintext, bytes) {
                return Err(Finding::fail(format!(
                    "{where_} contains {encoding} of {} ({} bytes; any {WINDOW} plaintext bytes count)",
                    message.what,
                    message.plaintext.len()
                )));
            }
        }
    }
    Ok(format!(
        "{} plaintexts of 32-64 bytes absent, in 13 encodings, from {} outputs",
        sent.len(),
        outputs.len()
    ))
}

/// E2-016 device to device: one plaintext sent four times per turn over
/// three turns and in a second session never gives the same ciphertext.
pub fn identical_plaintexts_differ(ctx: &mut ScenarioCtx) -> Check {
    let mut plaintext = vec![0u8; 32];
    ctx.rng.fill_bytes(&mut plaintext);
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut count = 0;
    for session in ["the first session", "a second session"] {
        let pair = Pair::new(ctx)?;
        for from in [&pair.a, &pair.b, &pair.a] {
            for n in 1..=4 {
                let what = format!("copy {n} in {session}");
                let sent = pair.send_bytes(ctx, from, plaintext.clone(), &what)?;
                let digest: [u8; 32] = Sha256::digest(&sent.wire.bytes).into();
                if !seen.insert(digest) {
                    return Err(Finding::fail(format!(
                        "{what} is byte for byte a ciphertext sent before for the same plaintext"
                    )));
                }
                pair.deliver(ctx, pair.other(from), &sent)?;
                count += 1;
            }
        }
    }
    Ok(format!(
        "{count} encryptions of one plaintext gave {count} ciphertexts"
    ))
}

/// Altered copies of `bytes`: one bit flipped at every position, every
/// truncation (at most 512 of them, always the empty one and the longest),
/// and three extensions with random bytes.
fn altered_copies(ctx: &mut ScenarioCtx, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut copies = Vec::new();
    // Byte 0 last: it is the version byte in Signal's and Olm's layouts, and
    // a flip Signal reads as the same version (only the high nibble counts)
    // is accepted, which would end `bent_copies_refused`'s no-session check
    // before the copies that fail authentication. Every byte is still bent.
    for i in (1..bytes.len()).chain(0..bytes.len().min(1)) {
        let bit = ctx.rng.gen_range(0..8);
        let mut copy = bytes.to_vec();
        copy[i] ^= 1 << bit;
        copies.push((format!("bit {bit} of byte {i} flipped"), copy));
    }
    let lengths: Vec<usize> = if bytes.len() <= 512 {
        (0..bytes.len()).collect()
    } else {
        let mut some: Vec<usize> = (0..510)
            .map(|_| ctx.rng.gen_range(1..bytes.len()))
            .collect();
        some.extend([0, bytes.len() - 1]);
        some
    };
    for len in lengths {
        copies.push((format!("truncated to {len} bytes"), bytes[..len].to_vec()));
    }
    for extra in [1, 8, bytes.len().max(1)] {
        let mut copy = bytes.to_vec();
        let mut tail = vec![0u8; extra];
        ctx.rng.fill_bytes(&mut tail);
        copy.extend(tail);
        copies.push((format!("extended by {extra} random bytes"), copy));
    }
    copies
}

/// Offers every altered copy of `sent` to `to` before the original: none
/// may decrypt to another plaintext, at most one (with the original) to its
/// own; the original then decrypts unless a copy took its place.
fn bent_copies_refused(
    ctx: &mut ScenarioCtx,
    pair: &Pair,
    to: &Address,
    sent: &Sent,
) -> Step<usize> {
    let from = pair.other(to).clone();
    let mut copies = altered_copies(ctx, &sent.wire.bytes);
    let other_kind = match sent.wire.kind {
        MessageType::PreKey => MessageType::Whisper,
        MessageType::Whisper => MessageType::PreKey,
    };
    let mut accepted: Option<String> = None;
    let total = copies.len() + 1;
    copies.push((
        "under the other message type".into(),
        sent.wire.bytes.clone(),
    ));
    for (n, (how, bytes)) in copies.into_iter().enumerate() {
        let kind = if n + 1 == total {
            other_kind
        } else {
            sent.wire.kind
        };
        let wire = Wire { kind, bytes };
        let what = format!("{} with {how}", sent.what);
        match decrypt_raw(ctx, to, &from, &wire)? {
            // Until one copy opened a session, a refused one must not have.
            Reply::Rejected { .. }
                if accepted.is_none() && sent.wire.kind == MessageType::PreKey =>
            {
                no_session_made(ctx, to, &from, &what)?;
            }
            Reply::Rejected { .. } => {}
            Reply::Result(response::Reply::E2eeDecrypt(r)) if r.plaintext == sent.plaintext => {
                if let Some(first) = &accepted {
                    return Err(Finding::fail(format!(
                        "{what} was accepted after {first} had been: one message accepted twice"
                    )));
                }
                accepted = Some(what);
            }
            Reply::Result(response::Reply::E2eeDecrypt(r)) => {
                return Err(Finding::fail(format!(
                    "{what} decrypted to {} bytes that are not the plaintext sent",
                    r.plaintext.len()
                )))
            }
            other => return Err(unexpected(other, &what)),
        }
    }
    match &accepted {
        None => pair.deliver(ctx, to, sent)?,
        Some(first) => match decrypt_raw(ctx, to, &from, &sent.wire)? {
            Reply::Rejected { .. } => {}
            _ => {
                return Err(Finding::fail(format!(
                    "{} was accepted after {first} had been: one message accepted twice",
                    sent.what
                )))
            }
        },
    }
    Ok(total)
}

/// E2-010: an altered copy of a session-opening message was refused, so
/// the receiver, which had no session with the sender, still has none: it
/// cannot encrypt to it (`NOT_FOUND`, docs/e2ee.md §Operations).
fn no_session_made(
    ctx: &mut ScenarioCtx,
    receiver: &Address,
    sender: &Address,
    what: &str,
) -> Step<()> {
    let probe = format!(
        "the receiver {}.{} encrypting to the sender {}.{} after {what} was refused",
        receiver.name, receiver.device_id, sender.name, sender.device_id
    );
    let reply = ctx.call(encrypt_op(receiver, sender, b"no session yet"))?;
    match reply {
        Reply::Rejected { .. } => ctx.refused(&reply, &[ErrorCategory::NotFound], &probe),
        Reply::Result(response::Reply::E2eeEncrypt(_)) => Err(Finding::fail(format!(
            "{probe}: it encrypted, so a refused message left a session behind (a refusal must change nothing, E2-010)"
        ))),
        other => Err(unexpected(other, &probe)),
    }
}

/// E2-011: an ordinary message offered as coming from an address the
/// receiver has never heard of is refused with a `Rejected` reply.
fn unknown_sender_refused(ctx: &mut ScenarioCtx, pair: &Pair, sent: &Sent) -> Step<()> {
    let stranger = pair.fresh_address(ctx);
    let what = format!("{} offered as coming from an unknown address", sent.what);
    let reply = decrypt_raw(ctx, &pair.b, &stranger, &sent.wire)?;
    super::robustness::refused_outright(reply, &format!("{what} (no session exists with it)"))
}

/// E2-034, E2-010, E2-011 device to device: each kind of message with any
/// byte bent, cut short or extended, before the original arrives; then the
/// receiver speaks first and the session works both ways.
pub fn tampered_copies_every_byte(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    let opening = pair.send(ctx, &pair.a, "A's session-opening message")?;
    let mut copies = bent_copies_refused(ctx, &pair, &pair.b, &opening)?;
    pair.still_talking(ctx, &pair.b, "after the altered opening messages")?;
    let ordinary = pair.send(ctx, &pair.a, "A's ordinary message")?;
    unknown_sender_refused(ctx, &pair, &ordinary)?;
    copies += bent_copies_refused(ctx, &pair, &pair.b, &ordinary)?;
    pair.still_talking(ctx, &pair.b, "after the altered ordinary messages")?;
    let reply = pair.send(ctx, &pair.b, "B's ordinary message")?;
    copies += bent_copies_refused(ctx, &pair, &pair.a, &reply)?;
    pair.still_talking(ctx, &pair.a, "after the altered replies")?;
    Ok(format!(
        "{copies} altered copies of three messages: none read as another plaintext or twice"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_simple_encoding_of_a_window_is_found() {
        let plain: Vec<u8> = (0u8..48)
            .map(|b| b.wrapping_mul(37).wrapping_add(5))
            .collect();
        let window = &plain[10..10 + WINDOW];
        let mut prefix = b"header".to_vec();
        prefix.extend_from_slice(window);
        assert_eq!(leak(&plain, &prefix), Some("the plaintext bytes"));
        let reversed: Vec<u8> = plain.iter().rev().copied().collect();
        assert_eq!(leak(&plain, &reversed), Some("the plaintext reversed"));
        let inverted: Vec<u8> = plain.iter().map(|b| !b).collect();
        assert_eq!(leak(&plain, &inverted), Some("the plaintext inverted"));
        assert_eq!(
            leak(&plain, hex::encode(&plain[5..30]).as_bytes()),
            Some("the plaintext in lower-case hex")
        );
        assert_eq!(
            leak(&plain, hex::encode_upper(&plain).as_bytes()),
            Some("the plaintext in upper-case hex")
        );
        // Inside a longer base64 value, at every alignment.
        for pad in 0..3 {
            let mut wrapped = vec![0xAA; pad];
            wrapped.extend_from_slice(&plain);
            wrapped.extend_from_slice(b"tail");
            let text = STANDARD_NO_PAD.encode(&wrapped);
            assert!(leak(&plain, text.as_bytes()).is_some(), "alignment {pad}");
            let url = URL_SAFE_NO_PAD.encode(&wrapped);
            assert!(
                leak(&plain, url.as_bytes()).is_some(),
                "url alignment {pad}"
            );
        }
    }

    #[test]
    fn unrelated_bytes_and_short_fragments_are_no_leak() {
        let plain: Vec<u8> = (0u8..48).collect();
        let other: Vec<u8> = (100u8..200).collect();
        assert_eq!(leak(&plain, &other), None);
        assert_eq!(leak(&plain, &plain[..WINDOW - 1]), None);
    }
}
