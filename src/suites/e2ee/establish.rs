//! Session establishment (X3DH) in both directions, with and without a
//! one-time prekey, and what a served bundle must look like.

use super::harness::{get_bundle, Conversation, Initiator};
use crate::ensure;
use crate::peer::signal::wire::PreKeySignalMessage;
use crate::peer::signal::MessageType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// The peer starts the session from the target's bundle, with or without
/// a one-time prekey (`otp`), and the two talk.
pub fn peer_initiates(ctx: &mut ScenarioCtx, &otp: &bool) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, otp)?;
    let first = c.peer_encrypt(b"first message from the gatekeeper")?;
    ensure!(
        first.kind == MessageType::PreKey,
        "internal: the peer's first message is not a PreKeySignalMessage"
    );
    c.deliver_to_target(
        ctx,
        &first,
        b"first message from the gatekeeper",
        "the PreKeySignalMessage",
    )?;
    let reply = c.target_to_peer(ctx, b"reply from the provider")?;
    ensure!(
        reply.kind == MessageType::Whisper,
        "the responder's first message is a PreKeySignalMessage; a responder sends SignalMessages"
    );
    for i in 0..3u8 {
        c.peer_to_target(ctx, &[i; 33])?;
        c.target_to_peer(ctx, &[i; 7])?;
    }
    Ok(format!(
        "peer-initiated session {} a one-time prekey: PreKeySignalMessage decrypted, 7 round trips",
        if otp { "with" } else { "without" }
    ))
}

/// The target starts the session from the peer's bundle, with or without
/// a one-time prekey (`otp`), and the two talk.
pub fn target_initiates(ctx: &mut ScenarioCtx, &otp: &bool) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Target, otp)?;
    let before = c.peer.one_time_prekey_ids();
    let first = c.target_encrypt(ctx, b"first message from the provider")?;
    ensure!(
        first.kind == MessageType::PreKey,
        "the initiator's first message has type 2; it must be a PreKeySignalMessage (type 3)"
    );
    let parsed = PreKeySignalMessage::parse(&first.bytes, super::harness::MAX_PARSE)
        .map_err(|e| Finding::fail(format!("the PreKeySignalMessage does not parse: {e}")))?;
    ensure!(
        parsed.identity_key == c.target_identity,
        "the PreKeySignalMessage carries an identity key other than the device's"
    );
    ensure!(
        parsed.pre_key_id.is_some() == otp,
        "the PreKeySignalMessage {} a one-time prekey id, but the bundle {} one",
        if parsed.pre_key_id.is_some() {
            "names"
        } else {
            "does not name"
        },
        if otp { "carried" } else { "did not carry" }
    );
    c.deliver_to_peer(
        &first,
        b"first message from the provider",
        "the PreKeySignalMessage",
    )?;
    if otp {
        ensure!(
            c.peer.one_time_prekey_ids().len() + 1 == before.len(),
            "internal: the peer did not consume its one-time prekey"
        );
    }
    c.peer_to_target(ctx, b"reply from the gatekeeper")?;
    let next = c.target_to_peer(ctx, b"after the reply")?;
    ensure!(
        next.kind == MessageType::Whisper,
        "after receiving a reply the initiator still sends PreKeySignalMessages"
    );
    for i in 0..3u8 {
        c.target_to_peer(ctx, &[i; 21])?;
        c.peer_to_target(ctx, &[i; 5])?;
    }
    Ok(format!(
        "target-initiated session {} a one-time prekey: PreKeySignalMessage accepted by the peer, 7 round trips",
        if otp { "with" } else { "without" }
    ))
}

/// Until the responder answers, every message is a PreKeySignalMessage
/// carrying the same base key, and each one decrypts on its own.
pub fn prekey_messages_until_first_reply(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Target, true)?;
    let mut base_keys = Vec::new();
    let mut sent = Vec::new();
    for i in 0..3u8 {
        let text = vec![i; 10 + usize::from(i)];
        let wire = c.target_encrypt(ctx, &text)?;
        ensure!(
            wire.kind == MessageType::PreKey,
            "message {i} before any reply has type 2, expected a PreKeySignalMessage"
        );
        let parsed = PreKeySignalMessage::parse(&wire.bytes, super::harness::MAX_PARSE)
            .map_err(|e| Finding::fail(format!("PreKeySignalMessage {i} does not parse: {e}")))?;
        base_keys.push(parsed.base_key);
        sent.push((wire, text));
    }
    ensure!(
        base_keys.windows(2).all(|w| w[0] == w[1]),
        "the PreKeySignalMessages before the first reply carry different base keys"
    );
    // Delivered last first: each stands on its own.
    for (wire, text) in sent.iter().rev() {
        c.deliver_to_peer(wire, text, "a PreKeySignalMessage delivered out of order")?;
    }
    c.peer_to_target(ctx, b"first reply")?;
    let after = c.target_encrypt(ctx, b"after")?;
    ensure!(
        after.kind == MessageType::Whisper,
        "after the first reply the target still sends PreKeySignalMessages"
    );
    c.deliver_to_peer(&after, b"after", "the first SignalMessage")?;
    Ok("3 PreKeySignalMessages with one base key, decrypted in reverse; SignalMessages after the reply".into())
}

pub fn bundle_fields_valid(ctx: &mut ScenarioCtx) -> Check {
    let c = Conversation::devices(ctx, 2)?;
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    ensure!(
        bundle.identity_key == c.target_identity,
        "the bundle's identity key is not the one E2eeCreateDevice returned"
    );
    ensure!(
        bundle.registration_id == c.target_registration_id,
        "the bundle's registration id {} is not the device's {}",
        bundle.registration_id,
        c.target_registration_id
    );
    ensure!(
        bundle.device_id == c.target_addr.device_id,
        "the bundle names device {}, expected {}",
        bundle.device_id,
        c.target_addr.device_id
    );
    bundle.verify_signature().map_err(|_| {
        Finding::fail("the signed prekey's signature does not verify under the identity key")
    })?;
    ensure!(
        bundle.signed_pre_key_signature.len() == 64,
        "the signature is {} bytes, expected 64",
        bundle.signed_pre_key_signature.len()
    );
    ensure!(
        bundle.one_time_pre_key.is_some(),
        "a device created with 2 one-time prekeys served a bundle without one"
    );
    let plain = get_bundle(ctx, &c.target_addr, false)?;
    ensure!(
        plain.one_time_pre_key.is_none(),
        "a bundle asked for without a one-time prekey carries one"
    );
    Ok("identity, registration and device ids, 64-byte signature that verifies, one-time prekey on request".into())
}

/// E2eeDeleteSession forgets the session: encrypting is refused until a new
/// session is made, and a new one works.
pub fn delete_session_then_new_session(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let existed = delete_session(ctx, &c)?;
    ensure!(existed, "E2eeDeleteSession reports that no session existed");
    let reply = ctx.call(super::harness::encrypt_op(
        &c.target_addr,
        &c.peer_addr,
        b"x",
    ))?;
    super::harness::expect_rejected(
        ctx,
        reply,
        &[crate::adapter::proto::ErrorCategory::NotFound],
        "encrypting to a deleted session",
    )?;
    ensure!(
        !delete_session(ctx, &c)?,
        "a second E2eeDeleteSession reports a session still existed"
    );
    // The peer starts over from a fresh bundle.
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    c.peer
        .process_bundle(&c.target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    c.peer_to_target(ctx, b"a new session")?;
    c.target_to_peer(ctx, b"on the new session")?;
    Ok("deleted session refused; a new session from a fresh bundle works".into())
}

fn delete_session(ctx: &mut ScenarioCtx, c: &Conversation) -> Result<bool, Finding> {
    use crate::adapter::proto::{request::Op, response, E2eeDeleteSession};
    let op = Op::E2eeDeleteSession(E2eeDeleteSession {
        local: Some(super::harness::proto_address(&c.target_addr)),
        remote: Some(super::harness::proto_address(&c.peer_addr)),
    });
    match ctx.expect_result(op, "E2eeDeleteSession")? {
        response::Reply::E2eeDeleteSession(r) => Ok(r.existed),
        other => Err(crate::scenario::unexpected(
            crate::adapter::client::Reply::Result(other),
            "E2eeDeleteSession",
        )),
    }
}
