//! Talking to the target's E2EE devices, and the peer side of a
//! conversation: typed wrappers over the e2ee adapter operations and a
//! [`Conversation`] between one peer device and one target device, with
//! interspec holding every ciphertext in between.

use rand::{Rng, RngCore};

use super::bundle;
use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, E2eeAddress, E2eeApproveIdentity, E2eeBundle, E2eeCreateDevice,
    E2eeDecrypt, E2eeEncrypt, E2eeFixedKeys, E2eeGetBundle, E2eeProcessBundle, E2eeSafetyNumber,
    ErrorCategory,
};
use crate::ensure;
use crate::peer::signal::wire::{PreKeySignalMessage, SignalMessage};
use crate::peer::signal::{Address, Device, MessageType, PreKeyBundle, PublicKey, SignalKnobs};
use crate::scenario::keys::KeyKind;
use crate::scenario::outcome::Finding;
use crate::scenario::{unexpected, ScenarioCtx};

/// Largest ciphertext the harness parses from a target (hostile input).
pub const MAX_PARSE: usize = 1 << 20;

pub type Step<T> = Result<T, Finding>;

/// A ciphertext in flight: its type and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    pub kind: MessageType,
    pub bytes: Vec<u8>,
}

pub fn proto_address(a: &Address) -> E2eeAddress {
    E2eeAddress {
        name: a.name.clone(),
        device_id: a.device_id,
    }
}

/// A phone-number-like name from the scenario RNG (distinct per call).
pub fn fresh_address(ctx: &mut ScenarioCtx) -> Address {
    Address::new(
        format!("+1415{:07}", ctx.rng.gen_range(0..10_000_000u32)),
        ctx.rng.gen_range(1..=8),
    )
}

/// The capability that makes the peer<->target scenarios applicable.
pub const SIGNAL_WIRE: &str = "SIGNAL_V3_WIRE";

/// Scenarios that exchange bytes with the peer need Signal's wire format;
/// a target without it is checked device to device only.
pub fn require_signal_wire(ctx: &ScenarioCtx) -> Step<()> {
    if ctx.hello.declares(SIGNAL_WIRE) {
        Ok(())
    } else {
        Err(Finding::not_applicable(format!(
            "the target does not declare {SIGNAL_WIRE}: its devices are checked device to device only"
        )))
    }
}

/// A peer device with keys from the scenario RNG and the profile's limits.
pub fn peer_device(ctx: &mut ScenarioCtx, addr: &Address) -> Device {
    let registration_id = ctx.rng.gen_range(1..=16380);
    let mut device = Device::new(
        &mut ctx.rng,
        addr.name.as_bytes(),
        registration_id,
        addr.device_id,
    );
    let limits = &ctx.profile.e2ee;
    device.config.max_forward_jump = limits.max_forward_jump;
    device.config.max_skipped_keys = limits.max_skipped_keys as usize;
    device.config.max_body_len = limits.max_body_len as usize;
    device.generate_one_time_prekeys(4);
    device
}

fn result(ctx: &mut ScenarioCtx, op: Op, what: &str) -> Step<response::Reply> {
    ctx.expect_result(op, what)
}

/// Creates a device on the target; returns its identity key.
pub fn create_device(
    ctx: &mut ScenarioCtx,
    addr: &Address,
    one_time_prekeys: u32,
    fixed_keys: Option<(E2eeFixedKeys, u32)>,
) -> Step<(PublicKey, u32)> {
    let (fixed_keys, registration_id) = match fixed_keys {
        Some((keys, id)) => {
            // The device will emit the given keys: the run's ledger leaves
            // this scenario out.
            ctx.scripted_keys = true;
            (Some(keys), id)
        }
        None => (None, 0),
    };
    let op = Op::E2eeCreateDevice(E2eeCreateDevice {
        address: Some(proto_address(addr)),
        registration_id,
        one_time_prekeys,
        fixed_keys,
    });
    match result(ctx, op, "E2eeCreateDevice")? {
        response::Reply::E2eeCreateDevice(r) => {
            let key = PublicKey::deserialize(&r.identity_key).map_err(|e| {
                Finding::fail(format!("the target's identity key is not a valid key: {e}"))
            })?;
            Ok((key, r.registration_id))
        }
        other => Err(unexpected(Reply::Result(other), "E2eeCreateDevice")),
    }
}

/// Longest opaque identity key accepted from a target that does not speak
/// Signal's wire (docs/e2ee.md: keys of other protocols are opaque bytes).
pub const MAX_OPAQUE_KEY: usize = 1024;

/// Creates a device on a target of any wire format: its identity key as
/// the opaque bytes the target answered (not parsed, at most
/// [`MAX_OPAQUE_KEY`], not empty).
pub fn create_device_opaque(
    ctx: &mut ScenarioCtx,
    addr: &Address,
    one_time_prekeys: u32,
) -> Step<Vec<u8>> {
    let op = Op::E2eeCreateDevice(E2eeCreateDevice {
        address: Some(proto_address(addr)),
        registration_id: 0,
        one_time_prekeys,
        fixed_keys: None,
    });
    match result(ctx, op, "E2eeCreateDevice")? {
        response::Reply::E2eeCreateDevice(r) => {
            let len = r.identity_key.len();
            ensure!(
                (1..=MAX_OPAQUE_KEY).contains(&len),
                "the target's identity key is {len} bytes (1 to {MAX_OPAQUE_KEY} expected)"
            );
            Ok(r.identity_key)
        }
        other => Err(unexpected(Reply::Result(other), "E2eeCreateDevice")),
    }
}

/// Hands a bundle to a target as it was served, unparsed (target to
/// target, any wire format).
pub fn process_bundle_proto(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    bundle: E2eeBundle,
) -> Step<()> {
    let op = Op::E2eeProcessBundle(E2eeProcessBundle {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        bundle: Some(bundle),
    });
    match result(ctx, op, "E2eeProcessBundle")? {
        response::Reply::E2eeProcessBundle(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "E2eeProcessBundle")),
    }
}

pub fn get_bundle_proto(ctx: &mut ScenarioCtx, local: &Address, otp: bool) -> Step<E2eeBundle> {
    let op = Op::E2eeGetBundle(E2eeGetBundle {
        local: Some(proto_address(local)),
        with_one_time_prekey: otp,
    });
    match result(ctx, op, "E2eeGetBundle")? {
        response::Reply::E2eeGetBundle(r) => r
            .bundle
            .ok_or_else(|| Finding::fail("E2eeGetBundleResult carries no bundle")),
        other => Err(unexpected(Reply::Result(other), "E2eeGetBundle")),
    }
}

/// The target's bundle, parsed (a bad key in it is a failure).
pub fn get_bundle(ctx: &mut ScenarioCtx, local: &Address, otp: bool) -> Step<PreKeyBundle> {
    let proto = get_bundle_proto(ctx, local, otp)?;
    bundle::from_target(&proto)
        .map_err(|why| Finding::fail(format!("the target's bundle does not parse: {why}")))
}

pub fn process_bundle_op(local: &Address, remote: &Address, bundle: &PreKeyBundle) -> Op {
    Op::E2eeProcessBundle(E2eeProcessBundle {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        bundle: Some(bundle::to_message(bundle)),
    })
}

pub fn process_bundle(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    bundle: &PreKeyBundle,
) -> Step<()> {
    match result(
        ctx,
        process_bundle_op(local, remote, bundle),
        "E2eeProcessBundle",
    )? {
        response::Reply::E2eeProcessBundle(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "E2eeProcessBundle")),
    }
}

pub fn encrypt_op(local: &Address, remote: &Address, plaintext: &[u8]) -> Op {
    Op::E2eeEncrypt(E2eeEncrypt {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        plaintext: plaintext.to_vec(),
    })
}

pub fn encrypt(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    plaintext: &[u8],
) -> Step<Wire> {
    // User plaintext: reports show only an excerpt of it.
    ctx.plaintext(plaintext);
    match result(ctx, encrypt_op(local, remote, plaintext), "E2eeEncrypt")? {
        response::Reply::E2eeEncrypt(r) => {
            let kind = MessageType::from_wire_type(r.message_type).map_err(|_| {
                Finding::fail(format!(
                    "E2eeEncrypt returned message type {}, not 2 or 3",
                    r.message_type
                ))
            })?;
            let wire = Wire {
                kind,
                bytes: r.ciphertext,
            };
            record_keys(ctx, &wire)?;
            Ok(wire)
        }
        other => Err(unexpected(Reply::Result(other), "E2eeEncrypt")),
    }
}

/// Files the base key and ratchet key of a target's message in the run's
/// key ledger (`scenario::keys`): a key another scenario already saw is a
/// failure. A message that does not parse as Signal v3 is left to the
/// scenarios that judge the format (and a target without the Signal wire
/// format sends opaque bytes).
fn record_keys(ctx: &mut ScenarioCtx, wire: &Wire) -> Step<()> {
    if !ctx.hello.declares(SIGNAL_WIRE) {
        return Ok(());
    }
    let (base_key, message) = match wire.kind {
        MessageType::Whisper => (None, SignalMessage::parse(&wire.bytes, MAX_PARSE)),
        MessageType::PreKey => match PreKeySignalMessage::parse(&wire.bytes, MAX_PARSE) {
            Ok(m) => (Some(m.base_key), Ok(m.message)),
            Err(e) => (None, Err(e)),
        },
    };
    if let Some(base_key) = base_key {
        ctx.fresh_key(
            KeyKind::X3dhBaseKey,
            &base_key.serialize(),
            "a PreKeySignalMessage",
        )?;
    }
    if let Ok(message) = message {
        ctx.fresh_key(
            KeyKind::RatchetKey,
            &message.ratchet_key.serialize(),
            "a message",
        )?;
    }
    Ok(())
}

pub fn decrypt_op(local: &Address, remote: &Address, message_type: u32, bytes: &[u8]) -> Op {
    Op::E2eeDecrypt(E2eeDecrypt {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        message_type,
        ciphertext: bytes.to_vec(),
    })
}

/// Asks the target to decrypt; the raw reply (negative scenarios look at it).
pub fn decrypt_raw(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    wire: &Wire,
) -> Step<Reply> {
    ctx.call(decrypt_op(
        local,
        remote,
        wire.kind.wire_type(),
        &wire.bytes,
    ))
}

/// The target must decrypt `wire` to exactly `expected`.
pub fn expect_decrypts(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    wire: &Wire,
    expected: &[u8],
    what: &str,
) -> Step<()> {
    ctx.plaintext(expected);
    match decrypt_raw(ctx, local, remote, wire)? {
        Reply::Result(response::Reply::E2eeDecrypt(r)) => {
            ensure!(
                r.plaintext == expected,
                "{what}: decrypted to {} bytes that differ from the {} sent",
                r.plaintext.len(),
                expected.len()
            );
            Ok(())
        }
        other => Err(unexpected_decrypt(other, what)),
    }
}

fn unexpected_decrypt(reply: Reply, what: &str) -> Finding {
    match reply {
        Reply::Rejected { .. } => Finding::fail(format!(
            "{what}: a valid message was refused: {}",
            reply.describe()
        )),
        other => unexpected(other, what),
    }
}

/// The reply must be a refusal; the docs name one of `categories` for it
/// (another category is a recorded deviation, see `suites::refusal`).
pub fn expect_rejected(
    ctx: &mut ScenarioCtx,
    reply: Reply,
    categories: &[ErrorCategory],
    what: &str,
) -> Step<()> {
    ctx.refused(&reply, categories, what)
}

pub fn safety_number(ctx: &mut ScenarioCtx, local: &Address, remote: &Address) -> Step<String> {
    let op = Op::E2eeSafetyNumber(E2eeSafetyNumber {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
    });
    match result(ctx, op, "E2eeSafetyNumber")? {
        response::Reply::E2eeSafetyNumber(r) => Ok(r.digits),
        other => Err(unexpected(Reply::Result(other), "E2eeSafetyNumber")),
    }
}

pub fn approve_identity(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    key: &PublicKey,
) -> Step<()> {
    let op = Op::E2eeApproveIdentity(E2eeApproveIdentity {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        identity_key: key.serialize().to_vec(),
    });
    match result(ctx, op, "E2eeApproveIdentity")? {
        response::Reply::E2eeApproveIdentity(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "E2eeApproveIdentity")),
    }
}

/// The ratchet key and counter of a target's ciphertext, parsed as Signal v3.
pub fn ratchet_and_counter(wire: &Wire) -> Step<(PublicKey, u32)> {
    let parsed = match wire.kind {
        MessageType::Whisper => SignalMessage::parse(&wire.bytes, MAX_PARSE),
        MessageType::PreKey => {
            PreKeySignalMessage::parse(&wire.bytes, MAX_PARSE).map(|m| m.message)
        }
    };
    let m = parsed.map_err(|e| {
        Finding::fail(format!(
            "the target's {:?} message does not parse as Signal v3: {e}",
            wire.kind
        ))
    })?;
    Ok((m.ratchet_key, m.counter))
}

/// A peer device and a target device with a session between them.
pub struct Conversation {
    pub peer: Device,
    pub peer_addr: Address,
    pub target_addr: Address,
    pub target_identity: PublicKey,
    /// The registration id E2eeCreateDevice reported.
    pub target_registration_id: u32,
}

/// Who starts the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Initiator {
    Peer,
    Target,
}

impl Conversation {
    /// A target device and a peer device, no session yet.
    pub fn devices(ctx: &mut ScenarioCtx, target_otps: u32) -> Step<Conversation> {
        require_signal_wire(ctx)?;
        let target_addr = fresh_address(ctx);
        let mut peer_addr = fresh_address(ctx);
        while peer_addr == target_addr {
            peer_addr = fresh_address(ctx);
        }
        let (target_identity, target_registration_id) =
            create_device(ctx, &target_addr, target_otps, None)?;
        let peer = peer_device(ctx, &peer_addr);
        Ok(Conversation {
            peer,
            peer_addr,
            target_addr,
            target_identity,
            target_registration_id,
        })
    }

    /// A session started by `who`, with a one-time prekey when `otp`. When
    /// the peer starts, the target has not yet seen a message.
    pub fn start(ctx: &mut ScenarioCtx, who: Initiator, otp: bool) -> Step<Conversation> {
        let mut c = Conversation::devices(ctx, 4)?;
        match who {
            Initiator::Peer => {
                let bundle = get_bundle(ctx, &c.target_addr, otp)?;
                ensure!(
                    bundle.identity_key == c.target_identity,
                    "the bundle's identity key is not the device's"
                );
                c.peer
                    .process_bundle(&c.target_addr, &bundle)
                    .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
            }
            Initiator::Target => {
                let bundle = if otp {
                    c.peer.bundle()
                } else {
                    c.peer.bundle_without_one_time_prekey()
                };
                process_bundle(ctx, &c.target_addr, &c.peer_addr, &bundle)?;
            }
        }
        Ok(c)
    }

    /// A session the peer started, with one message each way already
    /// exchanged, so both sides send SignalMessages.
    pub fn talking(ctx: &mut ScenarioCtx) -> Step<Conversation> {
        let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
        c.peer_to_target(ctx, b"hello target")?;
        c.target_to_peer(ctx, b"hello peer")?;
        Ok(c)
    }

    /// The peer encrypts (honestly unless knobs are set).
    pub fn peer_encrypt(&mut self, plaintext: &[u8]) -> Step<Wire> {
        let (kind, bytes) = self
            .peer
            .encrypt(&self.target_addr, plaintext)
            .map_err(|e| Finding::error(format!("the peer could not encrypt: {e}")))?;
        Ok(Wire { kind, bytes })
    }

    /// The peer encrypts once under `knobs` (its honest chain does not move).
    pub fn peer_encrypt_with(&mut self, knobs: SignalKnobs, plaintext: &[u8]) -> Step<Wire> {
        self.peer.knobs = knobs;
        let out = self.peer_encrypt(plaintext);
        self.peer.knobs = SignalKnobs::default();
        out
    }

    pub fn deliver_to_target(
        &mut self,
        ctx: &mut ScenarioCtx,
        wire: &Wire,
        expected: &[u8],
        what: &str,
    ) -> Step<()> {
        expect_decrypts(
            ctx,
            &self.target_addr,
            &self.peer_addr,
            wire,
            expected,
            what,
        )
    }

    /// The target's reply to handing it `wire`.
    pub fn offer_to_target(&mut self, ctx: &mut ScenarioCtx, wire: &Wire) -> Step<Reply> {
        decrypt_raw(ctx, &self.target_addr, &self.peer_addr, wire)
    }

    pub fn target_encrypt(&mut self, ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire> {
        encrypt(ctx, &self.target_addr, &self.peer_addr, plaintext)
    }

    /// The peer must decrypt `wire` to `expected`.
    pub fn deliver_to_peer(&mut self, wire: &Wire, expected: &[u8], what: &str) -> Step<()> {
        let got = self
            .peer
            .decrypt(&self.target_addr, wire.kind, &wire.bytes)
            .map_err(|e| {
                Finding::fail(format!(
                    "{what}: the peer refused the target's message: {e}"
                ))
            })?;
        ensure!(
            got == expected,
            "{what}: the peer decrypted {} bytes that differ from the {} the target was given",
            got.len(),
            expected.len()
        );
        Ok(())
    }

    /// One message peer -> target, checked.
    pub fn peer_to_target(&mut self, ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire> {
        let wire = self.peer_encrypt(plaintext)?;
        self.deliver_to_target(ctx, &wire, plaintext, "a peer message")?;
        Ok(wire)
    }

    /// One message target -> peer, checked.
    pub fn target_to_peer(&mut self, ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire> {
        let wire = self.target_encrypt(ctx, plaintext)?;
        self.deliver_to_peer(&wire, plaintext, "a target message")?;
        Ok(wire)
    }

    /// After a refused first message from the peer (the target had no
    /// session with it): the target speaks first and must have no session
    /// to speak on. A target that kept a session built from the refused
    /// message would be repaired by the peer's honest first message, so this
    /// is asked before the peer speaks again.
    pub fn no_session_after_refusal(&mut self, ctx: &mut ScenarioCtx, what: &str) -> Step<()> {
        let reply = ctx.call(encrypt_op(
            &self.target_addr,
            &self.peer_addr,
            b"the target speaks first",
        ))?;
        expect_rejected(
            ctx,
            reply,
            &[ErrorCategory::NotFound],
            &format!("encrypting to the peer after {what} was refused (it must make no session)"),
        )
    }

    /// After a refused session-opening message while a session exists: the
    /// target speaks first, and its message must be on the session it had
    /// (the peer's device, which may since have started another session,
    /// reads it on a copy so its own state does not move).
    pub fn target_speaks_first_after_refusal(
        &mut self,
        ctx: &mut ScenarioCtx,
        what: &str,
    ) -> Step<()> {
        let text = b"the target speaks first after a refusal";
        let wire = self.target_encrypt(ctx, text)?;
        let mut reader = self.peer.clone();
        let got = reader
            .decrypt(&self.target_addr, wire.kind, &wire.bytes)
            .map_err(|e| {
                Finding::fail(format!(
                    "after {what} was refused, the target's next message is not on its session: the peer refused it: {e}"
                ))
            })?;
        ensure!(
            got == text,
            "after {what} was refused, the target's next message decrypted to other bytes"
        );
        Ok(())
    }

    /// A refusal while the target has a session with the peer, seen from
    /// both sides: `reply` must be a refusal (one of `categories`), and then
    /// the target speaks first on its session
    /// ([`Self::target_speaks_first_after_refusal`]) before the peer's next
    /// message could repair it.
    pub fn refused(
        &mut self,
        ctx: &mut ScenarioCtx,
        reply: Reply,
        categories: &[ErrorCategory],
        what: &str,
    ) -> Step<()> {
        expect_rejected(ctx, reply, categories, what)?;
        self.target_speaks_first_after_refusal(ctx, what)
    }

    /// A knobbed message must be refused with one of `categories`, and then
    /// the session must be intact: the target's own next message reads on
    /// it, the next honest message (which reuses the counter the refused one
    /// claimed) decrypts, and the target can answer.
    pub fn refused_then_intact(
        &mut self,
        ctx: &mut ScenarioCtx,
        bad: &Wire,
        categories: &[ErrorCategory],
        what: &str,
    ) -> Step<()> {
        let reply = self.offer_to_target(ctx, bad)?;
        self.refused(ctx, reply, categories, what)?;
        let mut text = vec![0u8; 24];
        ctx.rng.fill_bytes(&mut text);
        let next = self.peer_encrypt(&text)?;
        self.deliver_to_target(
            ctx,
            &next,
            &text,
            &format!("the honest message after {what}"),
        )?;
        self.target_to_peer(ctx, b"still talking")?;
        Ok(())
    }
}
