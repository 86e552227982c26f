//! Handshakes that must complete: XX and IK in both roles, XXfallback when
//! a cached static key is stale, fixed-key byte equality, the login payload
//! and the profile's empty-payload convention.

use super::drive::*;
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::noise::{
    initiator_read_response, respond_to_first_message, HandshakeConfig, HandshakeState, KeyPair,
    NoiseKnobs, PipeStart, Protocol, Role, TransportState,
};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// One transport message each way after the handshake: the split agrees.
fn transport_smoke(ctx: &mut ScenarioCtx, peer: HandshakeState) -> Result<(), Finding> {
    let mut t: TransportState = peer.into_transport().map_err(|e| harness("split", e))?;
    let down = random_payload(ctx, 64);
    let m = t.write_message(&down).map_err(|e| harness("seal", e))?;
    let got = hs_open(ctx, &m, "the peer's first transport message")?;
    ensure!(
        got == down,
        "the first transport message opened to other bytes"
    );
    let up = random_payload(ctx, 64);
    let sealed = hs_seal(ctx, &up)?;
    let got = t.read_message(&sealed.message).map_err(|e| {
        Finding::fail(format!(
            "the peer could not open the target's first transport message: {e}"
        ))
    })?;
    ensure!(
        got == up,
        "the target's first transport message opened to other bytes"
    );
    Ok(())
}

/// An honest handshake with the target as `role`, then one transport
/// message each way.
pub fn honest(ctx: &mut ScenarioCtx, &(protocol, role): &(Protocol, Role)) -> Check {
    let mut live = start(ctx, &Setup::new(protocol, role))?;
    complete(ctx, &mut live)?;
    check_agreement(ctx, &live, false)?;
    transport_smoke(ctx, live.peer)?;
    Ok(format!(
        "{} with the target as {role:?}: payloads, handshake hash, static keys and transport agree",
        protocol.name()
    ))
}

/// The target (client) caches a server key that has changed: the peer's
/// Noise Pipes responder falls back and the target must follow (§10.5).
pub fn fallback_target_initiator(ctx: &mut ScenarioCtx) -> Check {
    let mut setup = Setup::new(Protocol::IK, Role::Initiator).pipes();
    setup.target_cached_peer_key = Some(KeyPair::from_private(random_key(ctx)).public());
    let mut live = start(ctx, &setup)?;
    let zero_rtt = random_payload(ctx, 32);
    let w0 = hs_write(ctx, &zero_rtt, "IK message 0")?;
    let PipeStart::Fallback { state: mut peer } =
        respond_to_first_message(live.peer_config.clone(), &w0.message)
            .map_err(|e| Finding::fail(format!("the peer refused IK message 0 outright: {e}")))?
    else {
        return Err(Finding::error(
            "the peer decrypted IK message 0 although the target used a stale key",
        ));
    };
    file_target_ephemeral(ctx, &peer, "IK message 0")?;
    let p1 = random_payload(ctx, 32);
    let m1 = peer
        .write_message(&p1)
        .map_err(|e| harness("write the fallback", e))?;
    let read = hs_read(ctx, &m1, "the XXfallback response")?;
    ensure!(
        read.fell_back,
        "the target read the XXfallback response without reporting fell_back"
    );
    ensure!(
        read.payload == p1,
        "the XXfallback response's payload arrived changed"
    );
    let p2 = random_payload(ctx, 32);
    let w2 = hs_write(ctx, &p2, "XXfallback message 1")?;
    let got = peer.read_message(&w2.message).map_err(|e| {
        Finding::fail(format!(
            "the peer refused the target's XXfallback message: {e}"
        ))
    })?;
    ensure!(got == p2, "the target's XXfallback payload arrived changed");
    file_target_ephemeral(ctx, &peer, "XXfallback message 1")?;
    live.peer = peer;
    check_agreement(ctx, &live, true)?;
    transport_smoke(ctx, live.peer)?;
    Ok(
        "stale server key: the target fell back to XXfallback, learnt the new key and agrees"
            .into(),
    )
}

/// The peer (client) caches a stale key for the target (server): the target
/// must switch to XXfallback (§10.4).
pub fn fallback_target_responder(ctx: &mut ScenarioCtx) -> Check {
    let mut setup = Setup::new(Protocol::IK, Role::Responder).pipes();
    setup.peer_cached_target_key = Some(KeyPair::from_private(random_key(ctx)).public());
    let mut live = start(ctx, &setup)?;
    let peer = finish_fallback_as_client(ctx, live.peer, None)?;
    live.peer = peer;
    check_agreement(ctx, &live, true)?;
    transport_smoke(ctx, live.peer)?;
    Ok("stale client cache: the target switched to XXfallback and the handshake completed".into())
}

/// Sends IK message 0 from `peer` (an IK initiator), requires the target to
/// fall back, and completes XXfallback. `honest_fallback` replaces the
/// peer's state for the fallback (when the IK attempt used a knob).
fn finish_fallback_as_client(
    ctx: &mut ScenarioCtx,
    mut peer: HandshakeState,
    honest_fallback: Option<HandshakeState>,
) -> Result<HandshakeState, Finding> {
    let p0 = random_payload(ctx, 32);
    let m0 = peer
        .write_message(&p0)
        .map_err(|e| harness("write IK message 0", e))?;
    let read = hs_read(ctx, &m0, "IK message 0 that does not decrypt")?;
    ensure!(
        read.fell_back,
        "IK message 0 could not have decrypted, yet the target accepted it ({} payload bytes) instead of falling back",
        read.payload.len()
    );
    ensure!(
        read.payload.is_empty(),
        "the target returned a payload from an IK message 0 it could not decrypt"
    );
    let p1 = random_payload(ctx, 32);
    let w1 = hs_write(ctx, &p1, "the XXfallback message")?;
    let (mut peer, got, fell_back) = match honest_fallback {
        Some(mut fb) => {
            let got = fb.read_message(&w1.message);
            (fb, got, true)
        }
        None => match initiator_read_response(peer, &w1.message) {
            Ok((state, got, fell_back)) => (state, Ok(got), fell_back),
            Err(e) => {
                return Err(Finding::fail(format!(
                    "the peer refused the target's XXfallback message: {e}"
                )))
            }
        },
    };
    let got = got.map_err(|e| {
        Finding::fail(format!(
            "the peer refused the target's XXfallback message: {e}"
        ))
    })?;
    ensure!(fell_back, "the target answered with IK, not XXfallback");
    ensure!(got == p1, "the target's XXfallback payload arrived changed");
    file_target_ephemeral(ctx, &peer, "the XXfallback message")?;
    let p2 = random_payload(ctx, 32);
    let m2 = peer
        .write_message(&p2)
        .map_err(|e| harness("write XXfallback message 1", e))?;
    let read = hs_read(ctx, &m2, "XXfallback message 1")?;
    ensure!(
        read.payload == p2,
        "the last XXfallback payload arrived changed"
    );
    Ok(peer)
}

/// An IK message 0 announcing a static key its sender does not hold: the
/// target must fall back, never accept (§10.4); the fallback then
/// authenticates the real key.
pub fn ik_unexpected_static_falls_back(ctx: &mut ScenarioCtx) -> Check {
    let mut live = start(ctx, &Setup::new(Protocol::IK, Role::Responder).pipes())?;
    let ephemeral = KeyPair::from_private(random_key(ctx));
    let announced = KeyPair::from_private(random_key(ctx)).public();
    let knobs = profile_knobs(
        ctx,
        NoiseKnobs {
            unexpected_static: Some(announced),
            ..NoiseKnobs::default()
        },
    );
    let liar = HandshakeState::new(
        live.peer_config
            .clone()
            .local_ephemeral(ephemeral.clone())
            .knobs(knobs),
    )
    .map_err(|e| harness("start", e))?;
    let honest = HandshakeState::new(
        HandshakeConfig::new(Protocol::XX_FALLBACK, Role::Initiator)
            .prologue(&prologue(ctx))
            .local_static(live.peer_static.clone())
            .local_ephemeral(ephemeral)
            .knobs(profile_knobs(ctx, NoiseKnobs::default())),
    )
    .map_err(|e| harness("start XXfallback", e))?;
    let peer = finish_fallback_as_client(ctx, liar, Some(honest))?;
    live.peer = peer;
    let status = check_agreement(ctx, &live, true)?;
    ensure!(
        status.remote_static != announced,
        "the target reports the unauthenticated announced key"
    );
    Ok("an unauthenticated static key led to XXfallback, which authenticated the real key".into())
}

/// The handshake messages the target writes with fixed keys equal the
/// peer engine's (itself cross-checked against snow) byte for byte.
pub fn fixed_keys_match_peer_bytes(ctx: &mut ScenarioCtx) -> Check {
    let mut compared = 0;
    for (protocol, role) in [
        (Protocol::XX, Role::Initiator),
        (Protocol::XX, Role::Responder),
        (Protocol::IK, Role::Initiator),
        (Protocol::IK, Role::Responder),
    ] {
        let fixed = FixedKeys {
            target_static: random_key(ctx),
            target_ephemeral: random_key(ctx),
            peer_ephemeral: random_key(ctx),
        };
        let mut setup = Setup::new(protocol, role);
        setup.fixed = Some(fixed);
        let mut live = start(ctx, &setup)?;
        let mut twin_config = HandshakeConfig::new(protocol, role)
            .prologue(&prologue(ctx))
            .local_static(KeyPair::from_private(fixed.target_static))
            .local_ephemeral(KeyPair::from_private(fixed.target_ephemeral))
            .knobs(profile_knobs(ctx, NoiseKnobs::default()));
        if protocol == Protocol::IK && role == Role::Initiator {
            twin_config = twin_config.remote_static(live.peer_static.public());
        }
        let mut twin = HandshakeState::new(twin_config).map_err(|e| harness("start", e))?;
        while !live.peer.is_finished() {
            let index = live.peer.message_index();
            let payload = random_payload(ctx, 24);
            if live.peer.is_my_turn() {
                let m = live
                    .peer
                    .write_message(&payload)
                    .map_err(|e| harness("write", e))?;
                twin.read_message(&m).map_err(|e| harness("replay", e))?;
                hs_read(ctx, &m, &format!("message {index}"))?;
            } else {
                let expected = twin
                    .write_message(&payload)
                    .map_err(|e| harness("write", e))?;
                let written = hs_write(ctx, &payload, &format!("message {index}"))?;
                ensure!(
                    written.message == expected,
                    "{} message {index} written by the target as {role:?} differs from the expected bytes: got {}, expected {}",
                    protocol.name(),
                    hex::encode(&written.message),
                    hex::encode(&expected)
                );
                live.peer
                    .read_message(&written.message)
                    .map_err(|e| Finding::fail(format!("the peer refused message {index}: {e}")))?;
                compared += 1;
            }
        }
        check_agreement(ctx, &live, false)?;
    }
    Ok(format!(
        "{compared} handshake messages of XX and IK, both roles, equal the expected bytes"
    ))
}

/// The login payload (the client's last handshake payload) reaches the
/// peer intact and never travels in clear.
pub fn login_payload_intact(ctx: &mut ScenarioCtx) -> Check {
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    exchange(ctx, &mut live, 0, &[])?;
    let p1 = random_payload(ctx, 32);
    exchange(ctx, &mut live, 1, &p1)?;
    let mut login = vec![0u8; 300 + random_payload(ctx, 300).len()];
    rand::RngCore::fill_bytes(&mut ctx.rng, &mut login);
    let written = hs_write(ctx, &login, "the message carrying the login payload")?;
    let got = live.peer.read_message(&written.message).map_err(|e| {
        Finding::fail(format!(
            "the peer refused the message with the login payload: {e}"
        ))
    })?;
    file_target_ephemeral(ctx, &live.peer, "the message carrying the login payload")?;
    ensure!(
        got == login,
        "the login payload arrived as {} bytes that differ from the {} sent",
        got.len(),
        login.len()
    );
    ensure!(
        !written
            .wire
            .windows(32)
            .any(|w| login.windows(32).any(|l| l == w)),
        "part of the login payload travels in clear on the wire"
    );
    check_agreement(ctx, &live, false)?;
    Ok(format!(
        "a {}-byte login payload arrived intact and encrypted",
        login.len()
    ))
}

/// The target hashes (strict, §5.3) or skips (deployed deviation) an empty
/// payload sent before any key exists, exactly as the profile says: a peer
/// following the other rule cannot complete with it.
pub fn empty_payload_hash_convention(ctx: &mut ScenarioCtx) -> Check {
    let deviation = ctx.profile.handshake.skip_empty_payload_mixhash;
    let opposite = NoiseKnobs {
        skip_empty_payload_mixhash_without_key: !deviation,
        ..NoiseKnobs::default()
    };
    // Target initiator: its empty message 0 is read by a peer with the other
    // rule, whose message 1 the target must then refuse.
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    let w0 = hs_write(ctx, &[], "XX message 0 with an empty payload")?;
    ensure!(
        w0.message.len() == 32,
        "XX message 0 with an empty payload is {} bytes, expected 32",
        w0.message.len()
    );
    let mut other = HandshakeState::new(live.peer_config.clone().knobs(opposite.clone()))
        .map_err(|e| harness("start", e))?;
    other
        .read_message(&w0.message)
        .map_err(|e| harness("read", e))?;
    file_target_ephemeral(ctx, &other, "XX message 0")?;
    let m1 = other.write_message(b"").map_err(|e| harness("write", e))?;
    expect_refused(
        ctx,
        read_op(&m1),
        ErrorCategory::BadMac,
        "message 1 from a peer with the other empty-payload rule",
    )?;
    // And the profile's rule completes.
    live = start(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
    exchange(ctx, &mut live, 0, &[])?;
    complete(ctx, &mut live)?;
    check_agreement(ctx, &live, false)?;
    // Target responder: after an empty message 0 from a peer with the other
    // rule, that peer cannot read the target's message 1.
    live = start(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    let mut other = HandshakeState::new(live.peer_config.clone().knobs(opposite))
        .map_err(|e| harness("start", e))?;
    let m0 = other.write_message(b"").map_err(|e| harness("write", e))?;
    hs_read(ctx, &m0, "XX message 0 with an empty payload")?;
    let w1 = hs_write(ctx, b"", "XX message 1")?;
    ensure!(
        other.read_message(&w1.message).is_err(),
        "a peer hashing the empty payload {} could read the target's message 1: the target ignores the profile's rule",
        if deviation { "(strict)" } else { "not at all (deviation)" }
    );
    Ok(format!(
        "the target {} the empty pre-key payload, as the profile says, in both roles",
        if deviation { "skips hashing" } else { "hashes" }
    ))
}

/// Noise rev34 §14 ("Ephemeral key reuse"): "Every party in a Noise
/// protocol must send a fresh ephemeral public key prior to sending any
/// encrypted data. Ephemeral keys must never be reused." The target's
/// ephemeral is collected from every handshake of both patterns in both
/// roles, before and after a Reset, and must never repeat.
pub fn fresh_ephemeral_every_handshake(ctx: &mut ScenarioCtx) -> Check {
    use crate::adapter::proto::{request::Op, Reset};
    let mut seen: Vec<([u8; 32], String)> = Vec::new();
    for round in 0..2 {
        if round == 1 {
            // A target that derives its ephemerals from state Reset
            // restores would repeat them only across a Reset.
            ctx.expect_result(Op::Reset(Reset {}), "Reset")?;
        }
        for (protocol, role) in [
            (Protocol::XX, Role::Initiator),
            (Protocol::XX, Role::Responder),
            (Protocol::IK, Role::Initiator),
            (Protocol::IK, Role::Responder),
        ] {
            let mut live = start(ctx, &Setup::new(protocol, role))?;
            complete(ctx, &mut live)?;
            let ephemeral = live.peer.remote_ephemeral().ok_or_else(|| {
                Finding::error("scenario bug: the peer holds no remote ephemeral key")
            })?;
            let handshake = format!("{} as {role:?} (round {})", protocol.name(), round + 1);
            if let Some((_, earlier)) = seen.iter().find(|(e, _)| *e == ephemeral) {
                return Err(Finding::fail(format!(
                    "the target's ephemeral key in {handshake} is the one it sent in {earlier} (Noise §14: ephemeral keys must never be reused)"
                )));
            }
            seen.push((ephemeral, handshake));
        }
    }
    Ok(format!(
        "{} handshakes, before and after a Reset: every ephemeral key fresh",
        seen.len()
    ))
}
