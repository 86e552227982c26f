//! Round trips with the peer: alternating and bursty traffic, body sizes,
//! the wire version byte, fresh ratchet keys, randomised ciphertexts and
//! simultaneous initiation.

use std::collections::BTreeSet;

use rand::{Rng, RngCore};

use super::harness::{
    expect_decrypts, get_bundle, process_bundle, ratchet_and_counter, Conversation, Initiator, Wire,
};
use crate::ensure;
use crate::peer::signal::wire::PreKeySignalMessage;
use crate::peer::signal::MessageType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

fn random_text(ctx: &mut ScenarioCtx, max: usize) -> Vec<u8> {
    let mut text = vec![0u8; ctx.rng.gen_range(0..=max)];
    ctx.rng.fill_bytes(&mut text);
    text
}

pub fn alternating_round_trips(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    for _ in 0..20 {
        let text = random_text(ctx, 200);
        c.peer_to_target(ctx, &text)?;
        let text = random_text(ctx, 200);
        c.target_to_peer(ctx, &text)?;
    }
    Ok("20 alternating round trips".into())
}

pub fn bursty_round_trips(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let mut total = 0;
    for _ in 0..6 {
        for _ in 0..ctx.rng.gen_range(1..=12) {
            let text = random_text(ctx, 100);
            c.peer_to_target(ctx, &text)?;
            total += 1;
        }
        for _ in 0..ctx.rng.gen_range(1..=12) {
            let text = random_text(ctx, 100);
            c.target_to_peer(ctx, &text)?;
            total += 1;
        }
    }
    Ok(format!("{total} messages in 12 bursts of 1 to 12"))
}

pub fn message_sizes_0_to_64k(ctx: &mut ScenarioCtx) -> Check {
    let sizes = [0usize, 1, 15, 16, 17, 31, 32, 255, 1024, 4095, 65535, 65536];
    // A 64 KiB plaintext is a body of 64 KiB + 16 bytes (PKCS#7 padding).
    let needed = 65536 + 16;
    if (ctx.profile.e2ee.max_body_len as usize) < needed {
        return Err(Finding::error(format!(
            "the profile's max_body_len ({}) is below the {needed} bytes a 64 KiB body needs (E2-002)",
            ctx.profile.e2ee.max_body_len
        )));
    }
    let mut c = Conversation::talking(ctx)?;
    for &size in &sizes {
        let mut text = vec![0u8; size];
        ctx.rng.fill_bytes(&mut text);
        c.peer_to_target(ctx, &text)
            .map_err(|f| with_size(f, size, "peer -> target"))?;
        c.target_to_peer(ctx, &text)
            .map_err(|f| with_size(f, size, "target -> peer"))?;
    }
    Ok(format!(
        "{} sizes from 0 B to 64 KiB, both ways",
        sizes.len()
    ))
}

fn with_size(mut f: Finding, size: usize, way: &str) -> Finding {
    f.message = format!("{size}-byte body {way}: {}", f.message);
    f
}

/// Every byte of every target ciphertext starts with 0x33 (version 3 in
/// both nibbles), PreKeySignalMessages and the SignalMessage inside them too.
pub fn version_byte_0x33(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Target, true)?;
    let mut checked = 0;
    let first = c.target_to_peer(ctx, b"prekey message")?;
    let inner = PreKeySignalMessage::parse(&first.bytes, super::harness::MAX_PARSE)
        .map_err(|e| Finding::fail(format!("the PreKeySignalMessage does not parse: {e}")))?;
    ensure!(
        first.bytes.first() == Some(&0x33),
        "the PreKeySignalMessage starts with {:02x?}, expected 0x33",
        first.bytes.first()
    );
    ensure!(
        inner.message.serialized().first() == Some(&0x33),
        "the SignalMessage inside the PreKeySignalMessage does not start with 0x33"
    );
    checked += 2;
    c.peer_to_target(ctx, b"reply")?;
    for i in 0..4u8 {
        let wire = c.target_to_peer(ctx, &[i; 3])?;
        ensure!(
            wire.bytes.first() == Some(&0x33),
            "SignalMessage {i} starts with {:02x?}, expected 0x33",
            wire.bytes.first()
        );
        checked += 1;
    }
    Ok(format!("{checked} version bytes are 0x33"))
}

/// The same plaintext, sent three times, gives three different ciphertexts.
pub fn identical_plaintexts_differ(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let text = b"the same words, every time";
    let mut seen: Vec<Vec<u8>> = Vec::new();
    for i in 0..3 {
        let wire = c.target_encrypt(ctx, text)?;
        ensure!(
            !seen.contains(&wire.bytes),
            "encryption {i} of the same plaintext repeated an earlier ciphertext"
        );
        let body = body_bytes(&wire)?;
        ensure!(
            !seen
                .iter()
                .any(|s| s.windows(body.len()).any(|w| w == body.as_slice())),
            "encryption {i} repeated an earlier ciphertext body"
        );
        seen.push(wire.bytes.clone());
        c.deliver_to_peer(&wire, text, "a repeated plaintext")?;
    }
    Ok("3 encryptions of one plaintext: 3 different ciphertexts, all decrypt".into())
}

fn body_bytes(wire: &Wire) -> Result<Vec<u8>, Finding> {
    crate::peer::signal::wire::SignalMessage::parse(&wire.bytes, super::harness::MAX_PARSE)
        .map(|m| m.ciphertext)
        .map_err(|e| Finding::fail(format!("the target's SignalMessage does not parse: {e}")))
}

/// Each time the turn passes to the target, its next message carries a
/// ratchet key never seen before; no (ratchet key, counter) pair repeats.
pub fn fresh_ratchet_key_every_turn(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let mut keys = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let turns = 8;
    for turn in 0..turns {
        c.peer_to_target(ctx, &[turn; 4])?;
        for i in 0..3u8 {
            let wire = c.target_to_peer(ctx, &[turn, i])?;
            let (key, counter) = ratchet_and_counter(&wire)?;
            if i == 0 {
                ensure!(
                    keys.insert(key),
                    "turn {turn}: the target's first message reuses a ratchet key from an earlier turn (no DH ratchet step)"
                );
            }
            ensure!(
                pairs.insert((key, counter)),
                "turn {turn}: (ratchet key, counter {counter}) repeats"
            );
        }
    }
    Ok(format!(
        "{turns} turns, {} distinct ratchet keys, no repeated (key, counter)",
        keys.len()
    ))
}

/// Both sides start a session from each other's bundle at the same time and
/// send first; both PreKeySignalMessages decrypt and the sides converge.
pub fn simultaneous_initiation_converges(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 2)?;
    let target_bundle = get_bundle(ctx, &c.target_addr, true)?;
    let peer_bundle = c.peer.bundle();
    c.peer
        .process_bundle(&c.target_addr, &target_bundle)
        .map_err(|e| Finding::fail(format!("the peer refused the target's bundle: {e}")))?;
    process_bundle(ctx, &c.target_addr, &c.peer_addr, &peer_bundle)?;
    let from_peer = c.peer_encrypt(b"peer first")?;
    let from_target = c.target_encrypt(ctx, b"target first")?;
    ensure!(
        from_target.kind == MessageType::PreKey,
        "the target's first message after processing a bundle is not a PreKeySignalMessage"
    );
    expect_decrypts(
        ctx,
        &c.target_addr,
        &c.peer_addr,
        &from_peer,
        b"peer first",
        "the peer's crossing PreKeySignalMessage",
    )?;
    c.deliver_to_peer(
        &from_target,
        b"target first",
        "the target's crossing PreKeySignalMessage",
    )?;
    for round in 0..4u8 {
        c.peer_to_target(ctx, &[round; 9])?;
        c.target_to_peer(ctx, &[round; 11])?;
    }
    let last = c.target_encrypt(ctx, b"converged")?;
    ensure!(
        last.kind == MessageType::Whisper,
        "after 4 round trips the target still sends PreKeySignalMessages"
    );
    c.deliver_to_peer(&last, b"converged", "the last message")?;
    Ok("crossing PreKeySignalMessages both decrypted; 4 round trips after".into())
}
