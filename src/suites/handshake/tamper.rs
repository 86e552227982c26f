//! Handshakes that must fail: tampered, truncated, over-long and low-order
//! messages, mismatched prologues, fallback where none is allowed, and the
//! abort that follows any failure (§5).

use rand::Rng;

use super::drive::*;
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::noise::{
    respond_to_first_message, BitFlip, HandshakeConfig, HandshakeState, KeyPair, LowOrderPoint,
    MessagePart, NoiseKnobs, PipeStart, Protocol, Role,
};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// Runs honest messages until the peer is about to write `message`.
pub fn advance_to(ctx: &mut ScenarioCtx, live: &mut Live, message: usize) -> Result<(), Finding> {
    while live.peer.message_index() < message {
        let index = live.peer.message_index();
        let payload = random_payload(ctx, 32);
        exchange(ctx, live, index, &payload)?;
    }
    if !live.peer.is_my_turn() {
        return Err(Finding::error(format!(
            "scenario bug: message {message} is not the peer's to send"
        )));
    }
    Ok(())
}

/// The peer writes `message` (with whatever knob `setup` holds); the
/// target must refuse it with `category` and abort.
fn refused_at(
    ctx: &mut ScenarioCtx,
    setup: Setup,
    message: usize,
    category: ErrorCategory,
    what: &str,
) -> Result<(), Finding> {
    let mut live = start(ctx, &setup)?;
    advance_to(ctx, &mut live, message)?;
    let mut payload = random_payload(ctx, 32);
    payload.push(0x42);
    let m = live
        .peer
        .write_message(&payload)
        .map_err(|e| harness(&format!("write message {message}"), e))?;
    expect_refused(ctx, read_op(&m), category, what)?;
    expect_aborted(ctx, what)
}

/// A single bit flipped in one part of one message, refused with BAD_MAC:
/// the target plays `target_role` in `protocol`, the peer writes `message`.
pub fn flipped(
    ctx: &mut ScenarioCtx,
    &(protocol, target_role, message, part): &(Protocol, Role, usize, MessagePart),
) -> Check {
    let bit = ctx.rng.gen_range(0..4096);
    let setup = Setup::new(protocol, target_role).knobs(NoiseKnobs {
        flip_bit: Some(BitFlip { message, part, bit }),
        ..NoiseKnobs::default()
    });
    let what = format!(
        "{} message {message} with a bit of its {part:?} flipped (bit {bit} mod its length)",
        protocol.name()
    );
    refused_at(ctx, setup, message, ErrorCategory::BadMac, &what)?;
    Ok(format!("{what}: refused and the handshake aborted"))
}

/// Cut short by one byte: the last tag no longer verifies.
pub fn truncated_refused(ctx: &mut ScenarioCtx) -> Check {
    for (role, message) in [(Role::Initiator, 1), (Role::Responder, 2)] {
        let setup = Setup::new(Protocol::XX, role).knobs(NoiseKnobs {
            truncate: Some((message, 1)),
            ..NoiseKnobs::default()
        });
        let what = format!("XX message {message} without its last byte");
        refused_at(ctx, setup, message, ErrorCategory::BadMac, &what)?;
    }
    Ok("XX messages 1 and 2 one byte short: refused, handshake aborted".into())
}

/// IK's messages cut short by one byte: message 0 to a responder without
/// Noise Pipes (with them it would fall back, HS-012) and message 1 to the
/// initiator.
pub fn ik_truncated_refused(ctx: &mut ScenarioCtx) -> Check {
    for (role, message) in [(Role::Responder, 0), (Role::Initiator, 1)] {
        let setup = Setup::new(Protocol::IK, role).knobs(NoiseKnobs {
            truncate: Some((message, 1)),
            ..NoiseKnobs::default()
        });
        let what = format!("IK message {message} without its last byte");
        refused_at(ctx, setup, message, ErrorCategory::BadMac, &what)?;
    }
    Ok("IK messages 0 and 1 one byte short: refused, handshake aborted".into())
}

/// Too short to hold the pattern's keys and tag: MALFORMED_INPUT.
pub fn short_message_malformed(ctx: &mut ScenarioCtx) -> Check {
    for (protocol, role, message, keep) in [
        (Protocol::XX, Role::Responder, 0, 31usize),
        (Protocol::IK, Role::Responder, 0, 40usize),
        (Protocol::XX, Role::Initiator, 1, 31usize),
    ] {
        let mut live = start(ctx, &Setup::new(protocol, role))?;
        advance_to(ctx, &mut live, message)?;
        let m = live
            .peer
            .write_message(b"")
            .map_err(|e| harness("write", e))?;
        let short = &m[..keep.min(m.len())];
        let what = format!("{} message {message} cut to {keep} bytes", protocol.name());
        expect_refused(ctx, read_op(short), ErrorCategory::MalformedInput, &what)?;
        expect_aborted(ctx, &what)?;
    }
    Ok("messages too short for their pattern: refused, handshake aborted".into())
}

/// One byte too many fails the tag; over 65535 bytes is over §3's limit.
pub fn over_long_refused(ctx: &mut ScenarioCtx) -> Check {
    let setup = Setup::new(Protocol::XX, Role::Initiator).knobs(NoiseKnobs {
        extend: Some((1, vec![0])),
        ..NoiseKnobs::default()
    });
    refused_at(
        ctx,
        setup,
        1,
        ErrorCategory::BadMac,
        "XX message 1 with one byte appended",
    )?;
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    advance_to(ctx, &mut live, 1)?;
    let mut m = live
        .peer
        .write_message(b"")
        .map_err(|e| harness("write", e))?;
    m.resize(65536, 0);
    let what = "a 65536-byte XX message 1";
    expect_refused(ctx, read_op(&m), ErrorCategory::LimitExceeded, what)?;
    expect_aborted(ctx, what)?;
    Ok(
        "a message with an appended byte and one of 65536 bytes: both refused, handshake aborted"
            .into(),
    )
}

/// Small-order points as the peer's ephemeral: INVALID_KEY (§12.1 lets an
/// implementation detect the all-zero DH output they cause). The points are
/// every distinct public key Project Wycheproof's `x25519_test.json` flags
/// `LowOrderPublic` (vectors/wycheproof/): u = 0, 1, the two order-8
/// points, p - 1, p, p + 1, and the same with bit 255 set. RFC 7748 §5
/// masks bit 255 and reduces u mod p, so each is a low-order point and the
/// DH output is all zeros whatever the private key.
pub fn low_order_ephemeral_refused(ctx: &mut ScenarioCtx) -> Check {
    let points = crate::vectors::wycheproof::x25519_low_order_publics()
        .map_err(|e| Finding::error(format!("the Wycheproof X25519 vectors: {e}")))?;
    if points.is_empty() {
        return Err(Finding::error(
            "no low-order point in the Wycheproof vectors",
        ));
    }
    for point in &points {
        let setup = Setup::new(Protocol::XX, Role::Initiator).knobs(NoiseKnobs {
            low_order_ephemeral: Some(LowOrderPoint::Encoded(point.u)),
            ..NoiseKnobs::default()
        });
        let what = format!(
            "XX message 1 with the low-order ephemeral u = {} (Wycheproof x25519 tcId {})",
            hex::encode(point.u),
            point.tc_id
        );
        refused_at(ctx, setup, 1, ErrorCategory::InvalidKey, &what)?;
    }
    Ok(format!(
        "all {} low-order ephemeral encodings of Wycheproof's x25519 vectors refused",
        points.len()
    ))
}

pub fn all_zero_ephemeral_refused(ctx: &mut ScenarioCtx) -> Check {
    for (protocol, role, message) in [
        (Protocol::IK, Role::Responder, 0),
        (Protocol::IK, Role::Initiator, 1),
    ] {
        let setup = Setup::new(protocol, role).knobs(NoiseKnobs {
            low_order_ephemeral: Some(LowOrderPoint::AllZero),
            ..NoiseKnobs::default()
        });
        let what = format!(
            "{} message {message} with an all-zero ephemeral",
            protocol.name()
        );
        refused_at(ctx, setup, message, ErrorCategory::InvalidKey, &what)?;
    }
    Ok("all-zero ephemerals refused in both IK messages".into())
}

/// §6: a different prologue makes the first encrypted field fail.
pub fn prologue_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
    let right = prologue(ctx);
    let longer = {
        let mut p = right.clone();
        p.push(b'!');
        p
    };
    // The empty prologue too, where the profile's is not: a target that
    // forgets to hash its prologue agrees with exactly that peer.
    let mut wrongs = vec![("another prologue", longer)];
    if !right.is_empty() {
        wrongs.push(("an empty prologue", Vec::new()));
    }
    for (name, wrong) in &wrongs {
        for (protocol, role, message) in [
            (Protocol::XX, Role::Initiator, 1),
            (Protocol::IK, Role::Responder, 0),
        ] {
            let setup = Setup::new(protocol, role).knobs(NoiseKnobs {
                wrong_prologue: Some(wrong.clone()),
                ..NoiseKnobs::default()
            });
            let what = format!(
                "{} message {message} from a peer with {name}",
                protocol.name()
            );
            refused_at(ctx, setup, message, ErrorCategory::BadMac, &what)?;
        }
    }
    Ok(format!(
        "a peer hashing {} is refused (XX message 1, IK message 0)",
        wrongs
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// §5: after a DECRYPT failure the handshake is aborted; the untampered
/// message that follows must not revive it.
pub fn failure_aborts_handshake(ctx: &mut ScenarioCtx) -> Check {
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    advance_to(ctx, &mut live, 1)?;
    let m1 = live
        .peer
        .write_message(b"hello")
        .map_err(|e| harness("write", e))?;
    let mut tampered = m1.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    expect_refused(
        ctx,
        read_op(&tampered),
        ErrorCategory::BadMac,
        "XX message 1 with a flipped tag bit",
    )?;
    expect_refused(
        ctx,
        read_op(&m1),
        ErrorCategory::InvalidState,
        "the untampered XX message 1 after a refused one",
    )?;
    expect_aborted(ctx, "a refused message")?;
    Ok("after a refused message the session refused even the genuine one".into())
}

/// A pinned IK initiator (no Noise Pipes) must not accept an XXfallback
/// answer: that would accept any server key (§10.4: fallback is what a
/// Noise Pipes initiator does; a pinned one completes IK or fails).
///
/// What the spec requires is judged: the answer is refused, the session
/// does not switch, and it never takes the answering server's key as the
/// remote static. When `remote_static` is reported is not: an IK initiator
/// knows the pinned key from the pre-message (§7.5 `<- s`), so reporting it
/// from the start is as right as reporting nothing until completion.
pub fn ik_pinned_refuses_fallback(ctx: &mut ScenarioCtx) -> Check {
    let mut setup = Setup::new(Protocol::IK, Role::Initiator);
    let pinned = KeyPair::from_private(random_key(ctx)).public();
    setup.target_cached_peer_key = Some(pinned);
    let live = start(ctx, &setup)?;
    let w0 = hs_write(ctx, b"0-rtt", "IK message 0")?;
    let PipeStart::Fallback { state: mut peer } =
        respond_to_first_message(live.peer_config.clone(), &w0.message)
            .map_err(|e| Finding::error(format!("the peer refused IK message 0: {e}")))?
    else {
        return Err(Finding::error(
            "the peer decrypted IK message 0 with a stale key",
        ));
    };
    file_target_ephemeral(ctx, &peer, "IK message 0")?;
    let m1 = peer
        .write_message(b"new key")
        .map_err(|e| harness("write", e))?;
    let what = "an XXfallback answer to a pinned IK initiator";
    expect_refused(ctx, read_op(&m1), ErrorCategory::BadMac, what)?;
    let status = hs_status(ctx)?;
    ensure!(
        !status.fell_back,
        "the pinned IK initiator reports fell_back after refusing the XXfallback answer"
    );
    ensure!(
        status.remote_static != live.peer_static.public(),
        "the pinned IK initiator reports the answering server's key {} as the remote static, not the pinned {}",
        hex::encode(&status.remote_static),
        hex::encode(pinned)
    );
    ensure!(
        status.remote_static.is_empty() || status.remote_static == pinned,
        "the pinned IK initiator reports remote static {}, neither nothing nor the pinned key {}",
        hex::encode(&status.remote_static),
        hex::encode(pinned)
    );
    expect_aborted(ctx, what)?;
    Ok(format!(
        "a pinned IK initiator refused the fallback to another server key (remote static reported: {})",
        if status.remote_static.is_empty() {
            "none"
        } else {
            "the pinned key"
        }
    ))
}

/// IK responder without Noise Pipes: a message 0 for a stale key is refused.
pub fn ik_responder_without_pipes_refuses(ctx: &mut ScenarioCtx) -> Check {
    let mut setup = Setup::new(Protocol::IK, Role::Responder);
    setup.peer_cached_target_key = Some(KeyPair::from_private(random_key(ctx)).public());
    let what = "IK message 0 for another key, fallback not allowed";
    refused_at(ctx, setup, 0, ErrorCategory::BadMac, what)?;
    Ok("without Noise Pipes the IK responder refused, not fell back".into())
}

/// Fallback only follows an IK first message (§10.2): an XX initiator
/// answered in XXfallback form refuses it.
pub fn xx_never_falls_back(ctx: &mut ScenarioCtx) -> Check {
    let mut setup = Setup::new(Protocol::XX, Role::Initiator);
    setup.allow_fallback = true;
    let live = start(ctx, &setup)?;
    let w0 = hs_write(ctx, b"", "XX message 0")?;
    let mut re = [0u8; 32];
    re.copy_from_slice(
        w0.message
            .get(..32)
            .ok_or_else(|| Finding::fail("XX message 0 is shorter than an ephemeral key"))?,
    );
    let mut fallback = HandshakeState::new(
        HandshakeConfig::new(Protocol::XX_FALLBACK, Role::Responder)
            .prologue(&prologue(ctx))
            .local_static(live.peer_static.clone())
            .remote_ephemeral(re)
            .local_ephemeral(KeyPair::from_private(random_key(ctx)))
            .knobs(profile_knobs(ctx, NoiseKnobs::default())),
    )
    .map_err(|e| harness("start XXfallback", e))?;
    let m = fallback
        .write_message(b"")
        .map_err(|e| harness("write", e))?;
    let what = "an XXfallback message answering XX message 0";
    expect_refused(ctx, read_op(&m), ErrorCategory::BadMac, what)?;
    let status = hs_status(ctx)?;
    ensure!(!status.fell_back, "the XX session reports a fallback");
    expect_aborted(ctx, what)?;
    Ok("an XX session refused an XXfallback answer".into())
}

/// Flips one random bit of `message`.
fn flip_random_bit(ctx: &mut ScenarioCtx, message: &mut [u8]) -> usize {
    let bit = ctx.rng.gen_range(0..message.len() * 8);
    message[bit / 8] ^= 1 << (bit % 8);
    bit
}

/// The XXfallback messages the target reads, each with one bit flipped:
/// the response a Noise Pipes server sends a client whose cached key is
/// stale (`e, ee, s, es`), and the client's last message to a server that
/// fell back (`s, se`). Both are refused with BAD_MAC and abort the
/// handshake (§5.3, §10.4): a fallback path checks what XX checks.
pub fn fallback_flipped_refused(ctx: &mut ScenarioCtx) -> Check {
    // The target is the client, with a stale cached server key.
    let mut setup = Setup::new(Protocol::IK, Role::Initiator).pipes();
    setup.target_cached_peer_key = Some(KeyPair::from_private(random_key(ctx)).public());
    let live = start(ctx, &setup)?;
    let zero_rtt = random_payload(ctx, 32);
    let w0 = hs_write(ctx, &zero_rtt, "IK message 0")?;
    let PipeStart::Fallback { state: mut server } =
        respond_to_first_message(live.peer_config.clone(), &w0.message)
            .map_err(|e| Finding::fail(format!("the peer refused IK message 0 outright: {e}")))?
    else {
        return Err(Finding::error(
            "the peer decrypted IK message 0 although the target used a stale key",
        ));
    };
    file_target_ephemeral(ctx, &server, "IK message 0")?;
    let payload = random_payload(ctx, 32);
    let mut response = server
        .write_message(&payload)
        .map_err(|e| harness("write the XXfallback response", e))?;
    let bit = flip_random_bit(ctx, &mut response);
    let what = format!("the XXfallback response with bit {bit} flipped");
    expect_refused(ctx, read_op(&response), ErrorCategory::BadMac, &what)?;
    expect_aborted(ctx, &what)?;

    // The target is the server; the peer's cached key for it is stale.
    let mut setup = Setup::new(Protocol::IK, Role::Responder).pipes();
    setup.peer_cached_target_key = Some(KeyPair::from_private(random_key(ctx)).public());
    let mut live = start(ctx, &setup)?;
    let p0 = random_payload(ctx, 32);
    let m0 = live
        .peer
        .write_message(&p0)
        .map_err(|e| harness("write IK message 0", e))?;
    let read = hs_read(ctx, &m0, "IK message 0 for a stale key")?;
    ensure!(
        read.fell_back,
        "IK message 0 could not have decrypted, yet the target did not fall back"
    );
    let p1 = random_payload(ctx, 32);
    let w1 = hs_write(ctx, &p1, "the XXfallback message")?;
    let (mut client, _, fell_back) =
        crate::peer::noise::initiator_read_response(live.peer, &w1.message).map_err(|e| {
            Finding::fail(format!(
                "the peer refused the target's XXfallback message: {e}"
            ))
        })?;
    ensure!(fell_back, "the target answered with IK, not XXfallback");
    file_target_ephemeral(ctx, &client, "the XXfallback message")?;
    let p2 = random_payload(ctx, 32);
    let mut last = client
        .write_message(&p2)
        .map_err(|e| harness("write XXfallback message 1", e))?;
    let bit2 = flip_random_bit(ctx, &mut last);
    let what = format!("XXfallback message 1 with bit {bit2} flipped");
    expect_refused(ctx, read_op(&last), ErrorCategory::BadMac, &what)?;
    expect_aborted(ctx, &what)?;
    Ok(format!(
        "a flipped bit ({bit} of the response, {bit2} of the client's last message) refused both ways, the handshake aborted"
    ))
}
