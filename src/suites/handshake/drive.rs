//! Driving one handshake: the target through the adapter, the gatekeeper
//! side through the peer engine (`crate::peer::noise`), both configured from
//! the run's profile.

use rand::{Rng, RngCore};

use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, HsConventions, HsFeed, HsFeedResult, HsOpen, HsRead, HsReadResult,
    HsRekey, HsRole, HsSeal, HsSealResult, HsSetNonce, HsStart, HsStatus, HsStatusResult, HsWrite,
    HsWriteResult,
};
use crate::ensure;
use crate::peer::noise::{
    HandshakeConfig, HandshakeState, KeyPair, NoiseError, NoiseKnobs, Protocol, Role,
    TransportState,
};
use crate::scenario::keys::KeyKind;
use crate::scenario::outcome::Finding;
use crate::scenario::{unexpected, ScenarioCtx};

/// What the target is asked to do, and how the peer behaves.
#[derive(Clone)]
pub struct Setup {
    pub protocol: Protocol,
    pub target_role: Role,
    pub allow_fallback: bool,
    /// Knobs of the peer, on top of the profile's conventions.
    pub knobs: NoiseKnobs,
    /// Target IK initiator: the server key it is given, if not the peer's.
    pub target_cached_peer_key: Option<[u8; 32]>,
    /// Peer IK initiator: the target key it uses, if not the target's.
    pub peer_cached_target_key: Option<[u8; 32]>,
    /// Fixed keys for both sides (byte-for-byte comparisons).
    pub fixed: Option<FixedKeys>,
}

#[derive(Clone, Copy)]
pub struct FixedKeys {
    pub target_static: [u8; 32],
    pub target_ephemeral: [u8; 32],
    pub peer_ephemeral: [u8; 32],
}

impl Setup {
    pub fn new(protocol: Protocol, target_role: Role) -> Setup {
        Setup {
            protocol,
            target_role,
            allow_fallback: false,
            knobs: NoiseKnobs::default(),
            target_cached_peer_key: None,
            peer_cached_target_key: None,
            fixed: None,
        }
    }

    pub fn knobs(mut self, knobs: NoiseKnobs) -> Setup {
        self.knobs = knobs;
        self
    }

    pub fn pipes(mut self) -> Setup {
        self.allow_fallback = true;
        self
    }
}

/// A running handshake: the peer's state and both static keys.
pub struct Live {
    pub peer: HandshakeState,
    pub peer_static: KeyPair,
    pub target_static: [u8; 32],
    /// The peer's configuration (for a Noise Pipes switch on its side).
    pub peer_config: HandshakeConfig,
}

fn role_of(role: Role) -> HsRole {
    match role {
        Role::Initiator => HsRole::Initiator,
        Role::Responder => HsRole::Responder,
    }
}

/// The profile's conventions, as sent in HsStart.
pub fn conventions(ctx: &ScenarioCtx) -> HsConventions {
    let hs = &ctx.profile.handshake;
    HsConventions {
        connection_header: hs.connection_header_bytes(),
        length_prefix_bytes: hs.length_prefix_bytes,
        max_frame: hs.max_frame,
        wrap_handshake_messages: hs.wrap_handshake_messages,
        skip_empty_payload_mixhash: hs.skip_empty_payload_mixhash,
    }
}

pub fn prologue(ctx: &ScenarioCtx) -> Vec<u8> {
    ctx.profile.handshake.prologue_bytes()
}

/// The profile's conventions merged into scenario knobs.
pub fn profile_knobs(ctx: &ScenarioCtx, mut knobs: NoiseKnobs) -> NoiseKnobs {
    knobs.skip_empty_payload_mixhash_without_key = ctx.profile.handshake.skip_empty_payload_mixhash;
    knobs
}

pub fn random_key(ctx: &mut ScenarioCtx) -> [u8; 32] {
    ctx.rng.gen()
}

pub fn random_payload(ctx: &mut ScenarioCtx, max: usize) -> Vec<u8> {
    let mut payload = vec![0u8; ctx.rng.gen_range(0..=max)];
    ctx.rng.fill_bytes(&mut payload);
    payload
}

/// A harness-side failure of the peer engine: the scenario is broken, not
/// the target.
pub fn harness(what: &str, e: NoiseError) -> Finding {
    Finding::error(format!("the peer could not {what}: {e}"))
}

/// Starts the target and the peer as `setup` says.
pub fn start(ctx: &mut ScenarioCtx, setup: &Setup) -> Result<Live, Finding> {
    let peer_static = KeyPair::from_private(random_key(ctx));
    let peer_role = setup.target_role.other();
    if setup.fixed.is_some() {
        // The target's ephemeral is given: the run's ledger leaves it out.
        ctx.scripted_keys = true;
    }
    let ik_target_initiator =
        setup.protocol == Protocol::IK && setup.target_role == Role::Initiator;
    let remote_static = ik_target_initiator.then(|| {
        setup
            .target_cached_peer_key
            .unwrap_or(peer_static.public())
            .to_vec()
    });
    let started = hs_start(
        ctx,
        HsStart {
            role: role_of(setup.target_role) as i32,
            protocol_name: setup.protocol.name(),
            prologue: prologue(ctx),
            local_static_private: setup.fixed.map(|f| f.target_static.to_vec()),
            remote_static,
            fixed_ephemeral_private: setup.fixed.map(|f| f.target_ephemeral.to_vec()),
            allow_fallback: setup.allow_fallback,
            conventions: Some(conventions(ctx)),
        },
    )?;
    let target_static: [u8; 32] = started.as_slice().try_into().map_err(|_| {
        Finding::fail(format!(
            "HsStartResult.local_static_public has {} bytes, expected 32",
            started.len()
        ))
    })?;
    if let Some(fixed) = setup.fixed {
        ensure!(
            target_static == KeyPair::from_private(fixed.target_static).public(),
            "HsStartResult.local_static_public is not the public key of the given private key"
        );
    }
    let mut config = HandshakeConfig::new(setup.protocol, peer_role)
        .prologue(&prologue(ctx))
        .local_static(peer_static.clone())
        .knobs(profile_knobs(ctx, setup.knobs.clone()));
    if setup.protocol == Protocol::IK && peer_role == Role::Initiator {
        config = config.remote_static(setup.peer_cached_target_key.unwrap_or(target_static));
    }
    // The peer's ephemeral comes from the scenario's RNG too, so a run seed
    // replays the same messages.
    let peer_ephemeral = match setup.fixed {
        Some(fixed) => fixed.peer_ephemeral,
        None => random_key(ctx),
    };
    config = config.local_ephemeral(KeyPair::from_private(peer_ephemeral));
    let peer = HandshakeState::new(config.clone()).map_err(|e| harness("start", e))?;
    Ok(Live {
        peer,
        peer_static,
        target_static,
        peer_config: config,
    })
}

/// Runs the handshake to its end with honest messages and random payloads,
/// checking that every payload arrives intact on the other side.
pub fn complete(ctx: &mut ScenarioCtx, live: &mut Live) -> Result<(), Finding> {
    while !live.peer.is_finished() {
        let index = live.peer.message_index();
        let payload = random_payload(ctx, 48);
        exchange(ctx, live, index, &payload)?;
    }
    Ok(())
}

/// One handshake message, in whichever direction is due.
pub fn exchange(
    ctx: &mut ScenarioCtx,
    live: &mut Live,
    index: usize,
    payload: &[u8],
) -> Result<(), Finding> {
    if live.peer.is_my_turn() {
        let message = live
            .peer
            .write_message(payload)
            .map_err(|e| harness(&format!("write message {index}"), e))?;
        let read = hs_read(ctx, &message, &format!("handshake message {index}"))?;
        ensure!(
            !read.fell_back,
            "the target reported a fallback on message {index} of an honest handshake"
        );
        ensure!(
            read.payload == payload,
            "the payload of message {index} arrived as {} bytes that differ from the {} sent",
            read.payload.len(),
            payload.len()
        );
    } else {
        let written = hs_write(ctx, payload, &format!("handshake message {index}"))?;
        let got = live.peer.read_message(&written.message).map_err(|e| {
            Finding::fail(format!(
                "the peer refused the target's handshake message {index}: {e}"
            ))
        })?;
        ensure!(
            got == payload,
            "the payload of the target's message {index} arrived changed"
        );
        file_target_ephemeral(ctx, &live.peer, &format!("handshake message {index}"))?;
    }
    Ok(())
}

/// Files the target's ephemeral, as the peer state `reader` learnt it from a
/// target message it has just read, in the run's key ledger: every
/// ephemeral the target sends goes there, wherever a scenario reads it.
pub fn file_target_ephemeral(
    ctx: &mut ScenarioCtx,
    reader: &HandshakeState,
    what: &str,
) -> Result<(), Finding> {
    match reader.remote_ephemeral() {
        Some(ephemeral) => ctx.fresh_key(KeyKind::NoiseEphemeral, &ephemeral, what),
        None => Ok(()),
    }
}

/// Checks the status after a completed handshake: complete, same handshake
/// hash, each side knows the other's static key.
pub fn check_agreement(
    ctx: &mut ScenarioCtx,
    live: &Live,
    fell_back: bool,
) -> Result<HsStatusResult, Finding> {
    let status = hs_status(ctx)?;
    ensure!(
        status.complete && !status.failed,
        "after the last message the target reports complete={} failed={}",
        status.complete,
        status.failed
    );
    ensure!(
        status.handshake_hash == live.peer.handshake_hash(),
        "handshake hashes differ: target {}, peer {}",
        hex::encode(&status.handshake_hash),
        hex::encode(live.peer.handshake_hash())
    );
    ensure!(
        status.remote_static == live.peer_static.public(),
        "the target reports remote static {}, the peer's is {}",
        hex::encode(&status.remote_static),
        hex::encode(live.peer_static.public())
    );
    ensure!(
        live.peer.remote_static() == Some(live.target_static),
        "the static key the target authenticated with is not the one HsStart reported"
    );
    ensure!(
        status.fell_back == fell_back,
        "the target reports fell_back={}, expected {fell_back}",
        status.fell_back
    );
    let expected_name = if fell_back {
        Protocol::XX_FALLBACK.name()
    } else {
        live.peer.protocol().name()
    };
    ensure!(
        status.protocol_name == expected_name,
        "the target reports protocol {:?}, expected {expected_name:?}",
        status.protocol_name
    );
    Ok(status)
}

/// Starts and completes an honest handshake; returns the peer's transport.
pub fn established(ctx: &mut ScenarioCtx, setup: &Setup) -> Result<TransportState, Finding> {
    let mut live = start(ctx, setup)?;
    complete(ctx, &mut live)?;
    check_agreement(ctx, &live, false)?;
    live.peer.into_transport().map_err(|e| harness("split", e))
}

// ---- adapter calls ----

pub fn hs_start(ctx: &mut ScenarioCtx, start: HsStart) -> Result<Vec<u8>, Finding> {
    match ctx.expect_result(Op::HsStart(start), "HsStart")? {
        response::Reply::HsStart(r) => Ok(r.local_static_public),
        other => Err(unexpected(Reply::Result(other), "HsStart")),
    }
}

pub fn hs_write(
    ctx: &mut ScenarioCtx,
    payload: &[u8],
    what: &str,
) -> Result<HsWriteResult, Finding> {
    let op = Op::HsWrite(HsWrite {
        payload: payload.to_vec(),
    });
    match ctx.expect_result(op, &format!("HsWrite of {what}"))? {
        response::Reply::HsWrite(r) => Ok(r),
        other => Err(unexpected(Reply::Result(other), "HsWrite")),
    }
}

pub fn hs_read(ctx: &mut ScenarioCtx, message: &[u8], what: &str) -> Result<HsReadResult, Finding> {
    let op = Op::HsRead(HsRead {
        message: message.to_vec(),
    });
    match ctx.expect_result(op, &format!("HsRead of {what}"))? {
        response::Reply::HsRead(r) => Ok(r),
        other => Err(unexpected(Reply::Result(other), "HsRead")),
    }
}

pub fn hs_status(ctx: &mut ScenarioCtx) -> Result<HsStatusResult, Finding> {
    match ctx.expect_result(Op::HsStatus(HsStatus {}), "HsStatus")? {
        response::Reply::HsStatus(r) => Ok(r),
        other => Err(unexpected(Reply::Result(other), "HsStatus")),
    }
}

pub fn hs_seal(ctx: &mut ScenarioCtx, payload: &[u8]) -> Result<HsSealResult, Finding> {
    let op = Op::HsSeal(HsSeal {
        payload: payload.to_vec(),
    });
    match ctx.expect_result(op, "HsSeal")? {
        response::Reply::HsSeal(r) => Ok(r),
        other => Err(unexpected(Reply::Result(other), "HsSeal")),
    }
}

pub fn hs_open(ctx: &mut ScenarioCtx, message: &[u8], what: &str) -> Result<Vec<u8>, Finding> {
    let op = Op::HsOpen(HsOpen {
        message: message.to_vec(),
    });
    match ctx.expect_result(op, &format!("HsOpen of {what}"))? {
        response::Reply::HsOpen(r) => Ok(r.payload),
        other => Err(unexpected(Reply::Result(other), "HsOpen")),
    }
}

pub fn hs_rekey(ctx: &mut ScenarioCtx, outgoing: bool, incoming: bool) -> Result<(), Finding> {
    match ctx.expect_result(Op::HsRekey(HsRekey { outgoing, incoming }), "HsRekey")? {
        response::Reply::HsRekey(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "HsRekey")),
    }
}

/// The optional test hook; Unsupported makes the scenario not applicable.
pub fn hs_set_nonce(
    ctx: &mut ScenarioCtx,
    send: Option<u64>,
    recv: Option<u64>,
) -> Result<(), Finding> {
    match ctx.expect_result(Op::HsSetNonce(HsSetNonce { send, recv }), "HsSetNonce")? {
        response::Reply::HsSetNonce(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "HsSetNonce")),
    }
}

pub fn hs_feed(ctx: &mut ScenarioCtx, data: &[u8], what: &str) -> Result<HsFeedResult, Finding> {
    let op = Op::HsFeed(HsFeed {
        data: data.to_vec(),
    });
    match ctx.expect_result(op, &format!("HsFeed of {what}"))? {
        response::Reply::HsFeed(r) => Ok(r),
        other => Err(unexpected(Reply::Result(other), "HsFeed")),
    }
}

pub fn read_op(message: &[u8]) -> Op {
    Op::HsRead(HsRead {
        message: message.to_vec(),
    })
}

pub fn open_op(message: &[u8]) -> Op {
    Op::HsOpen(HsOpen {
        message: message.to_vec(),
    })
}

/// After a refusal during the handshake the session must be dead (§5).
pub fn expect_aborted(ctx: &mut ScenarioCtx, what: &str) -> Result<(), Finding> {
    let status = hs_status(ctx)?;
    ensure!(
        !status.complete,
        "after {what} the target reports the handshake complete"
    );
    ensure!(
        status.failed,
        "after {what} the target does not report the handshake as failed (§5: it aborts)"
    );
    Ok(())
}

pub use crate::scenario::expect_rejected as expect_refused;
