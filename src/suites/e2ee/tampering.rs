//! Integrity: every knob of the peer and every alteration by the network is
//! refused with the right category, and a refused message leaves the
//! session intact.

use prost::Message;
use rand::{Rng, RngCore};

use super::harness::{expect_rejected, Conversation, Initiator, Wire};
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::signal::wire::{SignalMessageProto, MAC_LEN};
use crate::peer::signal::{BadRatchetKey, LengthChange, MessageType, SignalKnobs};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

fn knob_refused(
    ctx: &mut ScenarioCtx,
    knobs: SignalKnobs,
    categories: &[ErrorCategory],
    what: &str,
) -> Result<(), Finding> {
    let mut c = Conversation::talking(ctx)?;
    let bad = c.peer_encrypt_with(knobs, b"bent in exactly one way")?;
    c.refused_then_intact(ctx, &bad, categories, what)
}

pub fn wrong_mac_rejected(ctx: &mut ScenarioCtx) -> Check {
    knob_refused(
        ctx,
        SignalKnobs {
            wrong_mac: true,
            ..Default::default()
        },
        &[ErrorCategory::BadMac],
        "a SignalMessage with a wrong MAC",
    )?;
    Ok("wrong MAC refused; the same counter then decrypts".into())
}

pub fn mac_identities_swapped_rejected(ctx: &mut ScenarioCtx) -> Check {
    knob_refused(
        ctx,
        SignalKnobs {
            mac_identities_swapped: true,
            ..Default::default()
        },
        &[ErrorCategory::BadMac],
        "a MAC computed with receiver and sender identities swapped",
    )?;
    Ok("MAC over swapped identities refused".into())
}

pub fn wrong_version_rejected(ctx: &mut ScenarioCtx) -> Check {
    for version in [0x23u8, 0x43] {
        knob_refused(
            ctx,
            SignalKnobs {
                version_byte: Some(version),
                ..Default::default()
            },
            &[ErrorCategory::VersionMismatch],
            &format!("a SignalMessage with version byte 0x{version:02x} and a correct MAC"),
        )?;
    }
    Ok("version bytes 0x23 and 0x43 (correct MAC) refused".into())
}

pub fn truncated_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    for cut in [1usize, 9, 30] {
        knob_refused(
            ctx,
            SignalKnobs {
                length_change: Some(LengthChange::Truncate(cut)),
                ..Default::default()
            },
            &[ErrorCategory::MalformedInput, ErrorCategory::BadMac],
            &format!("a SignalMessage cut by {cut} bytes"),
        )?;
    }
    Ok("messages cut by 1, 9 and 30 bytes refused".into())
}

pub fn extended_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    for extra in [vec![0u8], vec![0xAA; 3], vec![0x55; 40]] {
        let n = extra.len();
        knob_refused(
            ctx,
            SignalKnobs {
                length_change: Some(LengthChange::Extend(extra)),
                ..Default::default()
            },
            &[ErrorCategory::MalformedInput, ErrorCategory::BadMac],
            &format!("a SignalMessage with {n} bytes appended"),
        )?;
    }
    Ok("messages extended by 1, 3 and 40 bytes refused".into())
}

pub fn bad_ratchet_key_rejected(ctx: &mut ScenarioCtx) -> Check {
    // libsignal-protocol-java/-c decode any 32 bytes as a key and do not
    // check its order: a low-order ratchet key leads them to a DH step
    // whose keys do not verify the MAC. Refusing the point on decode
    // (INVALID_KEY) or at the MAC (BAD_MAC) both leave the session intact.
    let malformed_key = [ErrorCategory::InvalidKey];
    let low_order_key = [ErrorCategory::InvalidKey, ErrorCategory::BadMac];
    for (kind, what, expected) in [
        (
            BadRatchetKey::WrongType,
            "type byte 0x06",
            &malformed_key[..],
        ),
        (
            BadRatchetKey::Truncated,
            "32 bytes only",
            &malformed_key[..],
        ),
        (
            BadRatchetKey::LowOrder,
            "a point of order 8",
            &low_order_key[..],
        ),
    ] {
        knob_refused(
            ctx,
            SignalKnobs {
                bad_ratchet_key: Some(kind),
                ..Default::default()
            },
            expected,
            &format!("a ratchet key with {what} (correct MAC)"),
        )?;
    }
    // Every low-order encoding Project Wycheproof's x25519 vectors flag
    // LowOrderPublic (vectors/wycheproof/), non-canonical ones included.
    let points = crate::vectors::wycheproof::x25519_low_order_publics()
        .map_err(|e| Finding::error(format!("the Wycheproof X25519 vectors: {e}")))?;
    // One conversation: each refusal must leave the session intact anyway.
    let mut c = Conversation::talking(ctx)?;
    for point in &points {
        let bad = c.peer_encrypt_with(
            SignalKnobs {
                bad_ratchet_key: Some(BadRatchetKey::LowOrderPoint(point.u)),
                ..Default::default()
            },
            b"bent in exactly one way",
        )?;
        let what = format!(
            "a ratchet key 0x05 || {} (low order, Wycheproof x25519 tcId {}; correct MAC)",
            hex::encode(point.u),
            point.tc_id
        );
        c.refused_then_intact(ctx, &bad, &low_order_key, &what)?;
    }
    Ok(format!(
        "wrong-type, truncated and low-order ratchet keys refused (the order-8 point and all {} low-order encodings of Wycheproof's x25519 vectors)",
        points.len()
    ))
}

pub fn invalid_padding_rejected(ctx: &mut ScenarioCtx) -> Check {
    knob_refused(
        ctx,
        SignalKnobs {
            invalid_padding: true,
            ..Default::default()
        },
        &[ErrorCategory::BadMac],
        "a body with invalid PKCS#7 padding under a correct MAC",
    )?;
    Ok("invalid padding under a correct MAC refused".into())
}

pub fn oversized_body_rejected(ctx: &mut ScenarioCtx) -> Check {
    let limit = ctx.profile.e2ee.max_body_len;
    knob_refused(
        ctx,
        SignalKnobs {
            oversized_body: true,
            ..Default::default()
        },
        &[ErrorCategory::LimitExceeded],
        &format!("a body above the {limit}-byte limit (correct MAC)"),
    )?;
    Ok(format!("a body above {limit} bytes refused"))
}

/// The peer sets previousCounter to a wrong value and MACs it: libsignal
/// never reads the field, so a libsignal-compatible receiver accepts it.
pub fn sender_altered_previous_counter_accepted(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let wire = c.peer_encrypt_with(
        SignalKnobs {
            previous_counter: Some(77_777),
            ..Default::default()
        },
        b"odd previous counter",
    )?;
    c.deliver_to_target(
        ctx,
        &wire,
        b"odd previous counter",
        "a message with previousCounter 77777 and a correct MAC",
    )?;
    c.target_to_peer(ctx, b"ok")?;
    Ok("a MAC-correct message with previousCounter 77777 decrypts, as in libsignal".into())
}

/// Re-encodes a SignalMessage with one protobuf field changed, keeping the
/// original MAC (what a network attacker can do).
fn rewrite_signal_message(
    bytes: &[u8],
    change: impl FnOnce(&mut SignalMessageProto),
) -> Result<Vec<u8>, Finding> {
    if bytes.len() < 1 + MAC_LEN {
        return Err(Finding::error("internal: peer message too short"));
    }
    let (head, mac) = bytes.split_at(bytes.len() - MAC_LEN);
    let mut proto = SignalMessageProto::decode(&head[1..])
        .map_err(|e| Finding::error(format!("internal: peer message does not parse: {e}")))?;
    change(&mut proto);
    let mut out = vec![head[0]];
    proto.encode_raw(&mut out);
    out.extend_from_slice(mac);
    Ok(out)
}

/// The network changes a field (MAC kept): BAD_MAC, then the original
/// message still decrypts.
fn network_field_change(
    ctx: &mut ScenarioCtx,
    what: &str,
    change: impl FnOnce(&mut SignalMessageProto),
) -> Result<(), Finding> {
    let mut c = Conversation::talking(ctx)?;
    let honest = c.peer_encrypt(b"altered in flight")?;
    let altered = Wire {
        kind: honest.kind,
        bytes: rewrite_signal_message(&honest.bytes, change)?,
    };
    ensure!(
        altered.bytes != honest.bytes,
        "internal: nothing was altered"
    );
    let reply = c.offer_to_target(ctx, &altered)?;
    c.refused(ctx, reply, &[ErrorCategory::BadMac], what)?;
    c.deliver_to_target(
        ctx,
        &honest,
        b"altered in flight",
        &format!("the original after {what}"),
    )?;
    c.target_to_peer(ctx, b"ok")?;
    Ok(())
}

pub fn altered_previous_counter_rejected(ctx: &mut ScenarioCtx) -> Check {
    network_field_change(ctx, "a previousCounter altered in flight", |p| {
        p.previous_counter = Some(p.previous_counter.unwrap_or(0) + 1)
    })?;
    Ok("previousCounter altered in flight refused; the original decrypts".into())
}

pub fn altered_counter_rejected(ctx: &mut ScenarioCtx) -> Check {
    network_field_change(ctx, "a counter altered in flight", |p| {
        p.counter = Some(p.counter.unwrap_or(0) + 1)
    })?;
    Ok("counter altered in flight refused; the original decrypts".into())
}

/// One bit of the body or MAC flipped in flight, at a random place.
pub fn flipped_bit_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let mut flips = Vec::new();
    for _ in 0..6 {
        let honest = c.peer_encrypt(b"sixteen bytes!!!")?;
        // The last 8 bytes are the MAC, the 32 before it the body.
        let offset = honest.bytes.len() - ctx.rng.gen_range(1..=MAC_LEN + 32);
        let bit = ctx.rng.gen_range(0..8);
        let mut bent = honest.clone();
        bent.bytes[offset] ^= 1 << bit;
        flips.push(offset);
        let reply = c.offer_to_target(ctx, &bent)?;
        c.refused(
            ctx,
            reply,
            &[ErrorCategory::BadMac],
            &format!("a message with bit {bit} of byte {offset} flipped"),
        )?;
        c.deliver_to_target(
            ctx,
            &honest,
            b"sixteen bytes!!!",
            "the original after a flipped bit",
        )?;
    }
    c.target_to_peer(ctx, b"ok")?;
    Ok(format!(
        "bit flips at offsets {flips:?} refused; every original decrypts"
    ))
}

/// A PreKeySignalMessage whose inner MAC is wrong: refused, and it consumes
/// nothing (the honest one with the same one-time prekey then works).
pub fn tampered_prekey_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let bad = c.peer_encrypt_with(
        SignalKnobs {
            wrong_mac: true,
            ..Default::default()
        },
        b"first",
    )?;
    ensure!(
        bad.kind == MessageType::PreKey,
        "internal: not a PreKeySignalMessage"
    );
    let reply = c.offer_to_target(ctx, &bad)?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::BadMac],
        "a PreKeySignalMessage with a wrong inner MAC",
    )?;
    c.no_session_after_refusal(ctx, "a first PreKeySignalMessage with a wrong MAC")?;
    c.peer_to_target(ctx, b"first, honest")?;
    c.target_to_peer(ctx, b"reply")?;
    Ok("a PreKeySignalMessage with a bad MAC refused, no session made; the one-time prekey was not consumed".into())
}

pub fn unknown_signed_prekey_id_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let bad = c.peer_encrypt_with(
        SignalKnobs {
            prekey_signed_prekey_id: Some(0x00FF_FFF0),
            ..Default::default()
        },
        b"first",
    )?;
    let what = "a PreKeySignalMessage naming an unknown signed prekey";
    let reply = c.offer_to_target(ctx, &bad)?;
    expect_rejected(ctx, reply, &[ErrorCategory::NotFound], what)?;
    c.no_session_after_refusal(ctx, what)?;
    c.peer_to_target(ctx, b"first, honest")?;
    c.target_to_peer(ctx, b"reply")?;
    Ok("an unknown signed-prekey id refused; the honest message then works".into())
}

/// Random bytes and cuts of a valid message, offered under both message
/// types: refused (any category), never a crash, and the session survives.
pub fn garbage_rejected_without_crash(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let honest = c.peer_encrypt(b"keep me")?;
    let mut count = 0;
    let mut inputs: Vec<(MessageType, Vec<u8>)> = Vec::new();
    for cut in (0..honest.bytes.len()).step_by(7) {
        inputs.push((MessageType::Whisper, honest.bytes[..cut].to_vec()));
        inputs.push((MessageType::PreKey, honest.bytes[..cut].to_vec()));
    }
    for len in [1usize, 2, 9, 40, 100, 300] {
        let junk: Vec<u8> = (0..len).map(|_| ctx.rng.gen()).collect();
        inputs.push((MessageType::Whisper, junk.clone()));
        inputs.push((MessageType::PreKey, junk));
    }
    for (kind, bytes) in inputs {
        let reply = c.offer_to_target(ctx, &Wire { kind, bytes })?;
        expect_rejected(
            ctx,
            reply,
            &[
                ErrorCategory::MalformedInput,
                ErrorCategory::BadMac,
                ErrorCategory::InvalidKey,
                ErrorCategory::VersionMismatch,
                ErrorCategory::NotFound,
                ErrorCategory::UntrustedIdentity,
                ErrorCategory::DuplicateMessage,
                ErrorCategory::TooFarForward,
                ErrorCategory::LimitExceeded,
            ],
            "a truncated or random ciphertext",
        )?;
        count += 1;
    }
    c.target_speaks_first_after_refusal(ctx, "truncated and random ciphertexts")?;
    c.deliver_to_target(ctx, &honest, b"keep me", "the honest message after garbage")?;
    Ok(format!(
        "{count} truncated or random ciphertexts refused; the session survived"
    ))
}

pub fn unknown_message_type_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let honest = c.peer_encrypt(b"typed")?;
    for t in [0u32, 1, 4, 0xFFFF_FFFF] {
        let reply = ctx.call(super::harness::decrypt_op(
            &c.target_addr,
            &c.peer_addr,
            t,
            &honest.bytes,
        ))?;
        expect_rejected(
            ctx,
            reply,
            &[ErrorCategory::MalformedInput],
            &format!("message type {t}"),
        )?;
    }
    c.target_speaks_first_after_refusal(ctx, "unknown message types")?;
    c.deliver_to_target(ctx, &honest, b"typed", "the message under its real type")?;
    Ok("message types 0, 1, 4 and 2^32-1 refused".into())
}

pub fn message_without_session_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let honest = c.peer_encrypt(b"for the session")?;
    let stranger = super::harness::fresh_address(ctx);
    let reply = ctx.call(super::harness::decrypt_op(
        &c.target_addr,
        &stranger,
        2,
        &honest.bytes,
    ))?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::NotFound],
        "a SignalMessage from an address with no session",
    )?;
    c.deliver_to_target(
        ctx,
        &honest,
        b"for the session",
        "the message from the right address",
    )?;
    Ok("a SignalMessage from an unknown address refused".into())
}

/// The explicit guarantee: after each kind of refusal the session goes on,
/// both ways, for several turns.
pub fn rejected_message_leaves_session_intact(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let bad_knobs = [
        SignalKnobs {
            wrong_mac: true,
            ..Default::default()
        },
        SignalKnobs {
            invalid_padding: true,
            ..Default::default()
        },
        SignalKnobs {
            bad_ratchet_key: Some(BadRatchetKey::LowOrder),
            ..Default::default()
        },
        SignalKnobs {
            mac_identities_swapped: true,
            ..Default::default()
        },
    ];
    for (round, knobs) in bad_knobs.into_iter().enumerate() {
        let bad = c.peer_encrypt_with(knobs, b"refuse me")?;
        let honest = c.peer_encrypt(b"then me")?;
        let reply = c.offer_to_target(ctx, &bad)?;
        match reply {
            crate::adapter::client::Reply::Rejected { .. } => {}
            other => {
                return Err(Finding::fail(format!(
                    "round {round}: a bad message was answered {}, expected a refusal",
                    other.describe()
                )))
            }
        }
        c.target_speaks_first_after_refusal(ctx, &format!("round {round}'s bad message"))?;
        c.deliver_to_target(
            ctx,
            &honest,
            b"then me",
            &format!("round {round}: the honest message with the refused one's counter"),
        )?;
        c.target_to_peer(ctx, &[round as u8; 12])?;
        c.peer_to_target(ctx, &[round as u8; 13])?;
    }
    Ok("4 kinds of refused message, each followed by the honest message at its counter and a round trip".into())
}

/// An incoming PreKeySignalMessage must pass its MAC before anything is
/// stored: the identity it carries is not trusted. A forger at the peer's
/// address, under another identity, sends a first message with a bad MAC;
/// it is refused, and the real peer's first message then decrypts (had the
/// forged identity been trusted, it would be refused as an identity
/// change). A target with safety numbers must also know no identity for
/// the address in between.
pub fn prekey_identity_not_trusted_before_mac(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let mut forger = super::harness::peer_device(ctx, &c.peer_addr.clone());
    let bundle = super::harness::get_bundle(ctx, &c.target_addr, true)?;
    forger
        .process_bundle(&c.target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    forger.knobs = SignalKnobs {
        wrong_mac: true,
        ..Default::default()
    };
    let (kind, bytes) = forger
        .encrypt(&c.target_addr, b"first, forged")
        .map_err(|e| Finding::error(format!("the forger could not encrypt: {e}")))?;
    let reply = c.offer_to_target(ctx, &super::harness::Wire { kind, bytes })?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::BadMac],
        "a PreKeySignalMessage with a bad MAC under another identity",
    )?;
    c.no_session_after_refusal(
        ctx,
        "a first PreKeySignalMessage with a bad MAC under another identity",
    )?;
    let mut shown = "the real sender's first message then decrypts";
    if ctx.hello.declares("E2EE_SAFETY_NUMBERS") {
        let reply = ctx.call(crate::adapter::proto::request::Op::E2eeSafetyNumber(
            crate::adapter::proto::E2eeSafetyNumber {
                local: Some(super::harness::proto_address(&c.target_addr)),
                remote: Some(super::harness::proto_address(&c.peer_addr)),
            },
        ))?;
        expect_rejected(
            ctx,
            reply,
            &[ErrorCategory::NotFound],
            "a safety number for a party only known from a refused message",
        )?;
        shown = "no identity is known for the address (no safety number) and the real sender's first message then decrypts";
    }
    c.peer_to_target(ctx, b"honest first")?;
    c.target_to_peer(ctx, b"to the real sender")?;
    Ok(format!(
        "after a refused PreKeySignalMessage from another identity, {shown}"
    ))
}

/// The ratchet key replaced in flight by another valid key, the MAC kept:
/// BAD_MAC, then the original decrypts.
pub fn altered_ratchet_key_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut private = [0u8; 32];
    ctx.rng.fill(&mut private);
    let other = crate::peer::signal::KeyPair::from_private_bytes(private).public;
    network_field_change(ctx, "a ratchet key replaced in flight", |p| {
        p.ratchet_key = Some(other.serialize().to_vec())
    })?;
    Ok("a ratchet key replaced in flight refused; the original decrypts".into())
}

/// A valid message under the other valid type: a SignalMessage offered as
/// type 3 and a PreKeySignalMessage as type 2 are refused; each then
/// decrypts under its real type.
pub fn message_under_other_type_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let prekey = c.peer_encrypt(b"a PreKeySignalMessage")?;
    ensure!(
        prekey.kind == MessageType::PreKey,
        "internal: the first message is not a PreKeySignalMessage"
    );
    let as_whisper = Wire {
        kind: MessageType::Whisper,
        bytes: prekey.bytes.clone(),
    };
    let hostile = [
        ErrorCategory::MalformedInput,
        ErrorCategory::BadMac,
        ErrorCategory::InvalidKey,
        ErrorCategory::VersionMismatch,
        ErrorCategory::NotFound,
    ];
    let reply = c.offer_to_target(ctx, &as_whisper)?;
    expect_rejected(
        ctx,
        reply,
        &hostile,
        "a PreKeySignalMessage offered as a SignalMessage (type 2)",
    )?;
    c.no_session_after_refusal(
        ctx,
        "a PreKeySignalMessage offered as a SignalMessage (type 2)",
    )?;
    c.deliver_to_target(
        ctx,
        &prekey,
        b"a PreKeySignalMessage",
        "the same under type 3",
    )?;
    c.target_to_peer(ctx, b"reply")?;
    let whisper = c.peer_encrypt(b"a SignalMessage")?;
    let as_prekey = Wire {
        kind: MessageType::PreKey,
        bytes: whisper.bytes.clone(),
    };
    let reply = c.offer_to_target(ctx, &as_prekey)?;
    c.refused(
        ctx,
        reply,
        &hostile,
        "a SignalMessage offered as a PreKeySignalMessage (type 3)",
    )?;
    c.deliver_to_target(ctx, &whisper, b"a SignalMessage", "the same under type 2")?;
    c.target_to_peer(ctx, b"ok")?;
    Ok(
        "each message type's bytes refused under the other type, and decrypted under their own"
            .into(),
    )
}

/// A body of exactly the profile's `max_body_len` is accepted (only a
/// larger one is refused).
pub fn body_at_limit_accepted(ctx: &mut ScenarioCtx) -> Check {
    let limit = ctx.profile.e2ee.max_body_len as usize;
    // AES-CBC with PKCS#7: a plaintext one byte short of a block multiple
    // gives a body of the next multiple.
    let Some(len) = limit.checked_sub(1).filter(|_| limit.is_multiple_of(16)) else {
        return Err(Finding::not_applicable(format!(
            "max_body_len {limit} is not a positive multiple of the 16-byte block: no body has exactly that length"
        )));
    };
    let mut c = Conversation::talking(ctx)?;
    let mut text = vec![0u8; len];
    ctx.rng.fill_bytes(&mut text);
    let wire = c.peer_encrypt(&text)?;
    c.deliver_to_target(
        ctx,
        &wire,
        &text,
        &format!("a message whose body is exactly max_body_len ({limit} bytes)"),
    )?;
    c.target_to_peer(ctx, b"received")?;
    Ok(format!("a body of exactly {limit} bytes decrypts"))
}
