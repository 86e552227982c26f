//! The `HandshakeState` object (Noise rev34 §5.3) for the Noise Pipes
//! patterns, with the misbehaviour knobs and the IK -> XXfallback switch
//! (§10.2, §10.4).
//!
//! One job per file: `config` the `Initialize()` inputs, this file the
//! state itself (initialisation, turn taking, `Split()`), `dh_tokens` the
//! DH tokens both directions mix, `write` and `read` the two message
//! directions (with the message knobs), `fallback` the IK -> XXfallback
//! switch.

mod config;
mod dh_tokens;
mod fallback;
mod read;
mod write;

pub use config::HandshakeConfig;

use super::cipher_state::CipherState;
use super::dh::{KeyPair, DHLEN};
use super::error::{KeyRole, NoiseError, NoiseResult};
use super::hash::HASHLEN;
use super::knobs::NoiseKnobs;
use super::patterns::{Protocol, Role, Token};
use super::symmetric_state::SymmetricState;
use super::transport::TransportState;

/// "All Noise messages are less than or equal to 65535 bytes" (§3).
pub const MAX_MESSAGE_LEN: usize = 65535;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Active,
    Finished,
    /// Failed while processing message `index`; `reading` tells which side.
    Failed {
        index: usize,
        reading: bool,
        error: NoiseError,
    },
}

/// A `HandshakeState` (§5.3).
#[derive(Debug, Clone)]
pub struct HandshakeState {
    protocol: Protocol,
    role: Role,
    prologue: Vec<u8>,
    symmetric: SymmetricState,
    s: Option<KeyPair>,
    e: Option<KeyPair>,
    fixed_e: Option<KeyPair>,
    rs: Option<[u8; DHLEN]>,
    re: Option<[u8; DHLEN]>,
    knobs: NoiseKnobs,
    next: usize,
    status: Status,
}

impl HandshakeState {
    /// `Initialize(handshake_pattern, initiator, prologue, s, e, rs, re)`
    /// (§5.3).
    pub fn new(config: HandshakeConfig) -> NoiseResult<Self> {
        let HandshakeConfig {
            protocol,
            role,
            prologue,
            local_static,
            local_ephemeral,
            remote_static,
            remote_ephemeral,
            knobs,
        } = config;
        let pattern = protocol.pattern;

        // §5.3: InitializeSymmetric(protocol_name).
        let mut symmetric = SymmetricState::initialize(protocol.name().as_bytes());
        // §5.3: MixHash(prologue). Knob `wrong_prologue` hashes another one.
        match &knobs.wrong_prologue {
            Some(wrong) => symmetric.mix_hash(wrong),
            None => symmetric.mix_hash(&prologue),
        }

        let (local_pre, remote_pre) = match role {
            Role::Initiator => (
                pattern.initiator_premessage(),
                pattern.responder_premessage(),
            ),
            Role::Responder => (
                pattern.responder_premessage(),
                pattern.initiator_premessage(),
            ),
        };
        let (e, fixed_e) = if local_pre.contains(&Token::E) {
            (local_ephemeral, None)
        } else {
            (None, local_ephemeral)
        };

        let mut hs = HandshakeState {
            protocol,
            role,
            prologue,
            symmetric,
            s: local_static,
            e,
            fixed_e,
            rs: remote_static,
            re: remote_ephemeral,
            knobs,
            next: 0,
            status: Status::Active,
        };

        // §5.3: MixHash() each pre-message public key, the initiator's first.
        let (first, first_local, second, second_local) = match role {
            Role::Initiator => (local_pre, true, remote_pre, false),
            Role::Responder => (remote_pre, false, local_pre, true),
        };
        for (tokens, local) in [(first, first_local), (second, second_local)] {
            for token in tokens {
                let key = hs.premessage_key(*token, local)?;
                hs.symmetric.mix_hash(&key);
            }
        }

        hs.check_static_keys_present()?;
        Ok(hs)
    }

    fn premessage_key(&self, token: Token, local: bool) -> NoiseResult<[u8; DHLEN]> {
        match (token, local) {
            (Token::E, true) => self
                .e
                .as_ref()
                .map(KeyPair::public)
                .ok_or(NoiseError::MissingKey(KeyRole::LocalEphemeral)),
            (Token::S, true) => self
                .s
                .as_ref()
                .map(KeyPair::public)
                .ok_or(NoiseError::MissingKey(KeyRole::LocalStatic)),
            (Token::E, false) => self
                .re
                .ok_or(NoiseError::MissingKey(KeyRole::RemoteEphemeral)),
            (Token::S, false) => self.rs.ok_or(NoiseError::MissingKey(KeyRole::RemoteStatic)),
            _ => Err(NoiseError::KnobNotApplicable(
                "DH token in a pre-message pattern",
            )),
        }
    }

    /// Every pattern here sends `s` from both sides (or has it pre-known):
    /// fail early rather than mid-handshake.
    fn check_static_keys_present(&self) -> NoiseResult<()> {
        if self.s.is_none() {
            return Err(NoiseError::MissingKey(KeyRole::LocalStatic));
        }
        Ok(())
    }

    /// The protocol.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// This party's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The configured prologue (not the knob's wrong one).
    pub fn prologue(&self) -> &[u8] {
        &self.prologue
    }

    /// Index of the next handshake message.
    pub fn message_index(&self) -> usize {
        self.next
    }

    /// Whether every message pattern has been processed.
    pub fn is_finished(&self) -> bool {
        self.status == Status::Finished
    }

    /// Whether the handshake was aborted by an error.
    pub fn is_failed(&self) -> bool {
        matches!(self.status, Status::Failed { .. })
    }

    /// The error that aborted the handshake, if any.
    pub fn failure(&self) -> Option<&NoiseError> {
        match &self.status {
            Status::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether the next call must be `write_message`.
    pub fn is_my_turn(&self) -> bool {
        self.status == Status::Active && self.protocol.pattern.sender_of(self.next) == self.role
    }

    /// `GetHandshakeHash()` (§5.2, §11.2). Meant to be read after the
    /// handshake; available at any time for diagnostics.
    pub fn handshake_hash(&self) -> [u8; HASHLEN] {
        self.symmetric.handshake_hash()
    }

    /// `rs`: the remote static public key, once known.
    pub fn remote_static(&self) -> Option<[u8; DHLEN]> {
        self.rs
    }

    /// `re`: the remote ephemeral public key, once known.
    pub fn remote_ephemeral(&self) -> Option<[u8; DHLEN]> {
        self.re
    }

    /// The local ephemeral public key, once generated (or pre-set).
    pub fn local_ephemeral_public(&self) -> Option<[u8; DHLEN]> {
        self.e.as_ref().map(KeyPair::public)
    }

    /// The knobs in force.
    pub fn knobs(&self) -> &NoiseKnobs {
        &self.knobs
    }

    fn check_can_process(&self, writing: bool) -> NoiseResult<()> {
        match &self.status {
            Status::Finished => return Err(NoiseError::HandshakeFinished),
            Status::Failed { .. } => return Err(NoiseError::HandshakeAborted),
            Status::Active => {}
        }
        let my_turn = self.protocol.pattern.sender_of(self.next) == self.role;
        if my_turn != writing {
            return Err(NoiseError::OutOfTurn {
                expected_write: my_turn,
            });
        }
        Ok(())
    }

    fn current_pattern(&self) -> NoiseResult<&'static [Token]> {
        self.protocol
            .pattern
            .messages()
            .get(self.next)
            .copied()
            .ok_or(NoiseError::HandshakeFinished)
    }

    fn advance(&mut self) {
        self.next += 1;
        if self.next >= self.protocol.pattern.messages().len() {
            self.status = Status::Finished;
        }
    }

    fn fail(&mut self, reading: bool, error: NoiseError) -> NoiseError {
        self.status = Status::Failed {
            index: self.next,
            reading,
            error: error.clone(),
        };
        error
    }

    /// `Split()` (§5.2) after the last message: `(c1, c2)`, c1 encrypting
    /// initiator-to-responder traffic.
    pub fn split(&self) -> NoiseResult<(CipherState, CipherState)> {
        match self.status {
            Status::Finished => Ok(self.symmetric.split()),
            Status::Failed { .. } => Err(NoiseError::HandshakeAborted),
            Status::Active => Err(NoiseError::HandshakeNotFinished),
        }
    }

    /// The raw keys of `Split()` after the last message: `(k1, k2)`, k1 for
    /// initiator-to-responder traffic. For users that run the transport
    /// phase with their own nonce bookkeeping.
    pub fn split_keys(&self) -> NoiseResult<([u8; 32], [u8; 32])> {
        match self.status {
            Status::Finished => Ok(self.symmetric.split_keys()),
            Status::Failed { .. } => Err(NoiseError::HandshakeAborted),
            Status::Active => Err(NoiseError::HandshakeNotFinished),
        }
    }

    /// Split and wrap the two CipherStates by direction for this role.
    pub fn into_transport(self) -> NoiseResult<TransportState> {
        let (c1, c2) = self.split()?;
        let (send, recv) = match self.role {
            Role::Initiator => (c1, c2),
            Role::Responder => (c2, c1),
        };
        Ok(TransportState::new(
            send,
            recv,
            self.symmetric.handshake_hash(),
            self.rs,
            self.knobs,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::dh::LowOrderPoint;
    use super::super::knobs::{BitFlip, MessagePart};
    use super::*;

    fn kp(seed: u8) -> KeyPair {
        KeyPair::from_private([seed; 32])
    }

    fn pair(
        protocol: Protocol,
        ik: NoiseKnobs,
        rk: NoiseKnobs,
    ) -> (HandshakeState, HandshakeState) {
        let mut ic = HandshakeConfig::new(protocol, Role::Initiator)
            .prologue(b"pro")
            .local_static(kp(1))
            .knobs(ik);
        let mut rc = HandshakeConfig::new(protocol, Role::Responder)
            .prologue(b"pro")
            .local_static(kp(2))
            .knobs(rk);
        if protocol == Protocol::IK {
            ic = ic.remote_static(kp(2).public());
        }
        if protocol == Protocol::XX_FALLBACK {
            ic = ic.local_ephemeral(kp(3));
            rc = rc.remote_ephemeral(kp(3).public());
        }
        (
            HandshakeState::new(ic).unwrap(),
            HandshakeState::new(rc).unwrap(),
        )
    }

    /// Run the handshake to the end; the first error is returned with the
    /// index of the failing message and whether the reader failed.
    fn run(
        i: &mut HandshakeState,
        r: &mut HandshakeState,
    ) -> Result<(), (usize, bool, NoiseError)> {
        let mut idx = 0;
        while !(i.is_finished() && r.is_finished()) {
            let (w, rd) = if i.is_my_turn() {
                (&mut *i, &mut *r)
            } else {
                (&mut *r, &mut *i)
            };
            let msg = w.write_message(b"payload").map_err(|e| (idx, false, e))?;
            let p = rd.read_message(&msg).map_err(|e| (idx, true, e))?;
            assert_eq!(p, b"payload");
            idx += 1;
        }
        Ok(())
    }

    #[test]
    fn honest_runs_complete_for_all_three_patterns() {
        for p in [Protocol::XX, Protocol::IK, Protocol::XX_FALLBACK] {
            let (mut i, mut r) = pair(p, NoiseKnobs::default(), NoiseKnobs::default());
            assert!(run(&mut i, &mut r).is_ok(), "{p:?}");
            assert_eq!(i.handshake_hash(), r.handshake_hash());
            assert_eq!(i.remote_static(), Some(kp(2).public()));
            assert_eq!(r.remote_static(), Some(kp(1).public()));
            let (a1, a2) = i.split().unwrap();
            let (b1, b2) = r.split().unwrap();
            assert_eq!(format!("{a1:?}{a2:?}"), format!("{b1:?}{b2:?}"));
        }
    }

    #[test]
    fn out_of_turn_and_after_finish_are_errors() {
        let (mut i, mut r) = pair(Protocol::XX, NoiseKnobs::default(), NoiseKnobs::default());
        assert_eq!(
            r.write_message(b""),
            Err(NoiseError::OutOfTurn {
                expected_write: false
            })
        );
        assert!(run(&mut i, &mut r).is_ok());
        assert_eq!(i.write_message(b""), Err(NoiseError::HandshakeFinished));
    }

    #[test]
    fn truncated_garbage_never_panics_and_aborts() {
        for len in [0usize, 1, 31, 32, 33, 47, 79, 80, 95, 96, 200] {
            let (_, mut r) = pair(Protocol::IK, NoiseKnobs::default(), NoiseKnobs::default());
            let garbage = vec![0x5a; len];
            assert!(r.read_message(&garbage).is_err(), "len {len}");
            assert!(r.is_failed());
            assert_eq!(r.read_message(&garbage), Err(NoiseError::HandshakeAborted));
        }
        let (_, mut r) = pair(Protocol::XX, NoiseKnobs::default(), NoiseKnobs::default());
        assert!(matches!(
            r.read_message(&vec![0u8; MAX_MESSAGE_LEN + 1]),
            Err(NoiseError::MessageTooLarge { .. })
        ));
    }

    #[test]
    fn missing_keys_are_config_errors() {
        let c = HandshakeConfig::new(Protocol::IK, Role::Initiator).local_static(kp(1));
        assert_eq!(
            HandshakeState::new(c).err(),
            Some(NoiseError::MissingKey(KeyRole::RemoteStatic))
        );
        let c = HandshakeConfig::new(Protocol::XX_FALLBACK, Role::Responder).local_static(kp(1));
        assert_eq!(
            HandshakeState::new(c).err(),
            Some(NoiseError::MissingKey(KeyRole::RemoteEphemeral))
        );
        let c = HandshakeConfig::new(Protocol::XX, Role::Initiator);
        assert_eq!(
            HandshakeState::new(c).err(),
            Some(NoiseError::MissingKey(KeyRole::LocalStatic))
        );
    }

    fn knob_case(
        protocol: Protocol,
        initiator_knobs: bool,
        knobs: NoiseKnobs,
    ) -> (usize, bool, NoiseError) {
        let (mut i, mut r) = if initiator_knobs {
            pair(protocol, knobs, NoiseKnobs::default())
        } else {
            pair(protocol, NoiseKnobs::default(), knobs)
        };
        match run(&mut i, &mut r) {
            Err(e) => e,
            Ok(()) => (usize::MAX, false, NoiseError::HandshakeNotFinished),
        }
    }

    #[test]
    fn bit_flips_in_each_part_are_rejected_by_the_honest_reader() {
        use MessagePart::*;
        // XX message 1 (responder -> initiator) has every part.
        for part in [Ephemeral, EncryptedStatic, Payload, Tag] {
            for bit in [0usize, 7, 100] {
                let knobs = NoiseKnobs {
                    flip_bit: Some(BitFlip {
                        message: 1,
                        part,
                        bit,
                    }),
                    ..NoiseKnobs::default()
                };
                let (idx, reading, err) = knob_case(Protocol::XX, false, knobs);
                assert_eq!((idx, reading), (1, true), "{part:?} bit {bit}");
                assert_eq!(err, NoiseError::Decrypt, "{part:?}");
            }
        }
        // A part the message does not have.
        let knobs = NoiseKnobs {
            flip_bit: Some(BitFlip {
                message: 0,
                part: Tag,
                bit: 0,
            }),
            ..NoiseKnobs::default()
        };
        let (idx, reading, err) = knob_case(Protocol::XX, true, knobs);
        assert_eq!((idx, reading), (0, false));
        assert!(matches!(err, NoiseError::KnobNotApplicable(_)));
    }

    #[test]
    fn truncate_and_extend_are_rejected() {
        for (knobs, expect) in [
            (
                NoiseKnobs {
                    truncate: Some((2, 1)),
                    ..NoiseKnobs::default()
                },
                NoiseError::Decrypt,
            ),
            (
                NoiseKnobs {
                    truncate: Some((2, 10)),
                    ..NoiseKnobs::default()
                },
                NoiseError::Decrypt,
            ),
            (
                NoiseKnobs {
                    extend: Some((2, vec![0])),
                    ..NoiseKnobs::default()
                },
                NoiseError::Decrypt,
            ),
        ] {
            let (idx, reading, err) = knob_case(Protocol::XX, true, knobs);
            assert_eq!((idx, reading, err), (2, true, expect));
        }
        // Truncating IK message 0 below its fixed part: too short.
        let knobs = NoiseKnobs {
            truncate: Some((0, 100)),
            ..NoiseKnobs::default()
        };
        let (idx, reading, err) = knob_case(Protocol::IK, true, knobs);
        assert_eq!((idx, reading), (0, true));
        assert!(matches!(err, NoiseError::MessageTooShort { .. }));
    }

    #[test]
    fn low_order_ephemerals_are_dh_failures() {
        for point in [
            LowOrderPoint::AllZero,
            LowOrderPoint::One,
            LowOrderPoint::Order8,
        ] {
            let knobs = NoiseKnobs {
                low_order_ephemeral: Some(point),
                ..NoiseKnobs::default()
            };
            // IK: the responder's `es` on reading message 0 fails.
            assert_eq!(
                knob_case(Protocol::IK, true, knobs.clone()),
                (0, true, NoiseError::DhFailure)
            );
            // XX, responder misbehaves: the initiator's `ee` on reading fails.
            assert_eq!(
                knob_case(Protocol::XX, false, knobs.clone()),
                (1, true, NoiseError::DhFailure)
            );
            // XX, initiator misbehaves: the honest responder's `ee` while
            // writing message 1 fails and aborts its handshake.
            assert_eq!(
                knob_case(Protocol::XX, true, knobs),
                (1, false, NoiseError::DhFailure)
            );
        }
    }

    #[test]
    fn wrong_prologue_is_a_mismatch() {
        let knobs = NoiseKnobs {
            wrong_prologue: Some(b"other".to_vec()),
            ..NoiseKnobs::default()
        };
        // The first encrypted field after the mismatch fails to decrypt.
        assert_eq!(
            knob_case(Protocol::IK, true, knobs.clone()),
            (0, true, NoiseError::Decrypt)
        );
        assert_eq!(
            knob_case(Protocol::XX, false, knobs),
            (1, true, NoiseError::Decrypt)
        );
    }

    #[test]
    fn unexpected_static_is_rejected() {
        let knobs = NoiseKnobs {
            unexpected_static: Some(kp(77).public()),
            ..NoiseKnobs::default()
        };
        // XX message 2: `s, se` -- the honest responder computes se with the
        // announced key and cannot decrypt the payload.
        assert_eq!(
            knob_case(Protocol::XX, true, knobs.clone()),
            (2, true, NoiseError::Decrypt)
        );
        // IK message 0: `ss` uses the announced key.
        assert_eq!(
            knob_case(Protocol::IK, true, knobs),
            (0, true, NoiseError::Decrypt)
        );
    }

    #[test]
    fn skipped_payload_mixhash_is_detected() {
        // Knobbed responder skips hashing message 1's payload; the honest
        // initiator encrypts message 2 under a different h, and the responder
        // rejects it.
        let knobs = NoiseKnobs {
            skip_payload_mixhash: Some(1),
            ..NoiseKnobs::default()
        };
        assert_eq!(
            knob_case(Protocol::XX, false, knobs),
            (2, true, NoiseError::Decrypt)
        );
        // On the last message nothing is encrypted afterwards: the handshake
        // hashes (channel binding, §11.2) differ.
        let knobs = NoiseKnobs {
            skip_payload_mixhash: Some(2),
            ..NoiseKnobs::default()
        };
        let (mut i, mut r) = pair(Protocol::XX, knobs, NoiseKnobs::default());
        assert!(run(&mut i, &mut r).is_ok());
        assert_ne!(i.handshake_hash(), r.handshake_hash());
    }

    #[test]
    fn empty_payload_deviation_switch() {
        let dev = NoiseKnobs {
            skip_empty_payload_mixhash_without_key: true,
            ..NoiseKnobs::default()
        };
        // Two deviating peers interoperate (payload of message 0 is empty).
        let (mut i, mut r) = pair(Protocol::XX, dev.clone(), dev.clone());
        let m0 = i.write_message(b"").unwrap();
        assert_eq!(m0.len(), 32);
        assert!(r.read_message(&m0).is_ok());
        let m1 = r.write_message(b"").unwrap();
        assert!(i.read_message(&m1).is_ok());
        // A deviating initiator against an honest responder: mismatch.
        let (mut i, mut r) = pair(Protocol::XX, dev, NoiseKnobs::default());
        let m0 = i.write_message(b"").unwrap();
        assert!(r.read_message(&m0).is_ok());
        let m1 = r.write_message(b"").unwrap();
        assert_eq!(i.read_message(&m1), Err(NoiseError::Decrypt));
    }

    #[test]
    fn ik_responder_falls_back_after_decrypt_failure_only() {
        // Alice uses a stale static key for Bob.
        let alice_cfg = HandshakeConfig::new(Protocol::IK, Role::Initiator)
            .prologue(b"pro")
            .local_static(kp(1))
            .remote_static(kp(99).public());
        let mut alice = HandshakeState::new(alice_cfg).unwrap();
        let (_, mut bob) = pair(Protocol::IK, NoiseKnobs::default(), NoiseKnobs::default());
        let m0 = alice.write_message(b"0-rtt").unwrap();
        assert_eq!(bob.read_message(&m0), Err(NoiseError::Decrypt));
        let mut bob = bob.into_fallback().unwrap();
        assert_eq!(bob.protocol(), Protocol::XX_FALLBACK);
        assert!(bob.is_my_turn());
        let m1 = bob.write_message(b"fb").unwrap();
        // Alice's trial decryption as IK fails, then she switches.
        assert_eq!(alice.read_message(&m1), Err(NoiseError::Decrypt));
        let mut alice = alice.into_fallback().unwrap();
        assert_eq!(alice.read_message(&m1).unwrap(), b"fb");
        let m2 = alice.write_message(b"done").unwrap();
        assert_eq!(bob.read_message(&m2).unwrap(), b"done");
        assert!(alice.is_finished() && bob.is_finished());
        assert_eq!(alice.handshake_hash(), bob.handshake_hash());
        assert_eq!(bob.remote_static(), Some(kp(1).public()));
        assert_eq!(alice.remote_static(), Some(kp(2).public()));
        let mut at = alice.into_transport().unwrap();
        let mut bt = bob.into_transport().unwrap();
        let ct = bt.write_message(b"hi alice").unwrap();
        assert_eq!(at.read_message(&ct).unwrap(), b"hi alice");
        let ct = at.write_message(b"hi bob").unwrap();
        assert_eq!(bt.read_message(&ct).unwrap(), b"hi bob");
    }

    #[test]
    fn fallback_is_refused_elsewhere() {
        // Not IK.
        let (_, r) = pair(Protocol::XX, NoiseKnobs::default(), NoiseKnobs::default());
        assert!(matches!(
            r.into_fallback(),
            Err(NoiseError::FallbackNotAllowed(_))
        ));
        // IK responder that has not failed.
        let (_, r) = pair(Protocol::IK, NoiseKnobs::default(), NoiseKnobs::default());
        assert!(r.into_fallback().is_err());
        // IK responder whose failure was a DH failure.
        let knobs = NoiseKnobs {
            low_order_ephemeral: Some(LowOrderPoint::AllZero),
            ..NoiseKnobs::default()
        };
        let (mut i, mut r) = pair(Protocol::IK, knobs, NoiseKnobs::default());
        let m0 = i.write_message(b"").unwrap();
        assert_eq!(r.read_message(&m0), Err(NoiseError::DhFailure));
        assert!(r.into_fallback().is_err());
        // IK initiator that has not sent message 0 yet.
        let (i, _) = pair(Protocol::IK, NoiseKnobs::default(), NoiseKnobs::default());
        assert!(i.into_fallback().is_err());
        // A successful IK handshake cannot fall back.
        let (mut i, mut r) = pair(Protocol::IK, NoiseKnobs::default(), NoiseKnobs::default());
        assert!(run(&mut i, &mut r).is_ok());
        assert!(i.into_fallback().is_err());
        assert!(r.into_fallback().is_err());
    }
}
