//! One handshake session: the Noise handshake run by snow or by the
//! project's engine, the Noise Pipes switch to XXfallback, and the hand-over
//! to the transport phase.

use rand_core::{OsRng, RngCore};

use super::framing::{FrameIn, FrameOut};
use super::transport::Transport;
use super::{refuse, Refusal, IK, MAX_NOISE_MESSAGE, TAG, XX, XX_FALLBACK};
use crate::adapter::proto::{ErrorCategory, HsConventions, HsRole, HsStart, HsStatusResult};
use crate::peer::noise::{self as engine, wrapping, HandshakePattern};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;
use crate::targets::variants::Variant;

pub(super) enum StartError {
    Unsupported(String),
    Refused(Refusal),
    Internal(String),
}

fn key32(bytes: &[u8], what: &str) -> Result<[u8; 32], StartError> {
    bytes.try_into().map_err(|_| {
        StartError::Refused(refuse(
            ErrorCategory::InvalidKey,
            format!("{what} must be 32 bytes, got {}", bytes.len()),
        ))
    })
}

fn random_key() -> Result<[u8; 32], StartError> {
    let mut key = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut key)
        .map_err(|e| StartError::Internal(format!("no randomness: {e}")))?;
    Ok(key)
}

/// Whether an X25519 public key has small order (all-zero DH output for
/// every private key): clamped scalars are multiples of the cofactor 8, so
/// one multiplication tells (RFC 7748 §6.1; Noise §12.1 lets an
/// implementation refuse such keys).
fn is_low_order(public: &[u8]) -> bool {
    let Ok(point) = <[u8; 32]>::try_from(public) else {
        return false;
    };
    x25519_dalek::x25519([0x5a; 32], point) == [0u8; 32]
}

pub(super) enum Phase {
    Snow(Box<snow::HandshakeState>),
    Own(Box<engine::HandshakeState>),
    Transport(Transport),
    Failed,
}

pub(super) struct Session {
    /// The mutant or variant this reference runs as.
    pub(super) build: Build,
    initiator: bool,
    allow_fallback: bool,
    prologue: Vec<u8>,
    static_private: [u8; 32],
    /// The IK initiator's ephemeral, kept for the §10.2 switch.
    ephemeral_private: Option<[u8; 32]>,
    fixed_ephemeral: Option<[u8; 32]>,
    skip_empty_payload_mixhash: bool,
    wrap: bool,
    pattern: HandshakePattern,
    /// Index of the next handshake message within `pattern`.
    index: usize,
    pub(super) phase: Phase,
    fell_back: bool,
    handshake_hash: Vec<u8>,
    /// The remote static key the completed handshake authenticated.
    remote_static: Option<[u8; 32]>,
    /// The IK initiator's pre-message key (§7.5 `<- s`): the pinned or
    /// cached server key.
    pre_message_remote: Option<[u8; 32]>,
    stream_out: FrameOut,
    pub(super) stream_in: FrameIn,
}

impl Session {
    pub(super) fn start(start: HsStart, build: Build) -> Result<(Session, [u8; 32]), StartError> {
        let initiator = match HsRole::try_from(start.role) {
            Ok(HsRole::Initiator) => true,
            Ok(HsRole::Responder) => false,
            _ => {
                return Err(StartError::Refused(refuse(
                    ErrorCategory::SchemaViolation,
                    "role must be HS_ROLE_INITIATOR or HS_ROLE_RESPONDER",
                )))
            }
        };
        let pattern = match start.protocol_name.as_str() {
            XX => HandshakePattern::XX,
            IK => HandshakePattern::IK,
            other => {
                return Err(StartError::Unsupported(format!(
                    "protocol {other:?}: this target starts {XX} and {IK} (XXfallback is reached from IK)"
                )))
            }
        };
        let conventions = start.conventions.unwrap_or(HsConventions {
            length_prefix_bytes: 2,
            max_frame: MAX_NOISE_MESSAGE as u32,
            ..HsConventions::default()
        });
        let static_private = match &start.local_static_private {
            Some(bytes) => key32(bytes, "local_static_private")?,
            None => random_key()?,
        };
        let fixed_ephemeral = match &start.fixed_ephemeral_private {
            Some(bytes) => Some(key32(bytes, "fixed_ephemeral_private")?),
            None if build.has(Mutant::HandshakeReusesEphemeral) => Some(process_ephemeral()?),
            None => None,
        };
        let remote_static = match &start.remote_static {
            Some(bytes) => Some(key32(bytes, "remote_static")?),
            None => None,
        };
        if pattern == HandshakePattern::IK && initiator && remote_static.is_none() {
            return Err(StartError::Refused(refuse(
                ErrorCategory::SchemaViolation,
                "the IK initiator needs remote_static (§7.5 pre-message <- s)",
            )));
        }
        if remote_static.is_some_and(|k| is_low_order(&k)) {
            return Err(StartError::Refused(refuse(
                ErrorCategory::InvalidKey,
                "remote_static is a low-order point",
            )));
        }
        let (stream_out, stream_in) = FrameOut::pair(&conventions, initiator)
            .map_err(|(c, d)| StartError::Refused((c, d)))?;
        let public = engine::KeyPair::from_private(static_private).public();
        let mut session = Session {
            build,
            initiator,
            allow_fallback: start.allow_fallback,
            prologue: start.prologue,
            static_private,
            ephemeral_private: None,
            fixed_ephemeral,
            skip_empty_payload_mixhash: conventions.skip_empty_payload_mixhash,
            wrap: conventions.wrap_handshake_messages,
            pattern,
            index: 0,
            phase: Phase::Failed,
            fell_back: false,
            handshake_hash: Vec::new(),
            remote_static: None,
            pre_message_remote: remote_static.filter(|_| initiator),
            stream_out,
            stream_in,
        };
        session.phase = session.build_engine(remote_static)?;
        Ok((session, public))
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    /// The prologue the engine hashes (§6).
    fn engine_prologue(&self) -> Vec<u8> {
        if self.has(Mutant::HandshakeIgnoresPrologue) {
            return Vec::new();
        }
        self.prologue.clone()
    }

    fn build_engine(&mut self, remote_static: Option<[u8; 32]>) -> Result<Phase, StartError> {
        let name = match self.pattern {
            HandshakePattern::IK => IK,
            _ => XX,
        };
        // The deviation (and the payload mutants) need the own engine.
        if self.skip_empty_payload_mixhash
            || self.has(Mutant::HandshakePayloadNotHashed)
            || self.has(Mutant::HandshakeIgnoresPayloadDecryptError)
        {
            let protocol = engine::Protocol::from_name(name)
                .map_err(|e| StartError::Internal(e.to_string()))?;
            let role = if self.initiator {
                engine::Role::Initiator
            } else {
                engine::Role::Responder
            };
            let mut config = engine::HandshakeConfig::new(protocol, role)
                .prologue(&self.engine_prologue())
                .local_static(engine::KeyPair::from_private(self.static_private));
            if let Some(rs) = remote_static {
                config = config.remote_static(rs);
            }
            let ephemeral = self.initiator_ephemeral()?;
            if let Some(e) = ephemeral.or(self.fixed_ephemeral) {
                config = config.local_ephemeral(engine::KeyPair::from_private(e));
            }
            config.knobs.skip_empty_payload_mixhash_without_key = self.skip_empty_payload_mixhash;
            // The engine checks DH outputs itself (§12.1), snow does not;
            // the mutant has neither check.
            config.knobs.accept_all_zero_dh = self.has(Mutant::HandshakeNoLowOrderCheck);
            config.knobs.payload_decrypt_failure_as_empty =
                self.has(Mutant::HandshakeIgnoresPayloadDecryptError);
            if self.has(Mutant::HandshakePayloadNotHashed) {
                // Forgets MixHash(ciphertext) after encrypting the payload of
                // the pattern's last message.
                config.knobs.skip_payload_mixhash = Some(self.pattern.messages().len() - 1);
            }
            let state = engine::HandshakeState::new(config)
                .map_err(|e| StartError::Internal(e.to_string()))?;
            return Ok(Phase::Own(Box::new(state)));
        }
        let params: snow::params::NoiseParams = name
            .parse()
            .map_err(|e| StartError::Internal(format!("snow: {e:?}")))?;
        let prologue = self.engine_prologue();
        let ephemeral = self.initiator_ephemeral()?.or(self.fixed_ephemeral);
        let mut builder = snow::Builder::new(params)
            .prologue(&prologue)
            .local_private_key(&self.static_private);
        if let Some(e) = &ephemeral {
            builder = builder.fixed_ephemeral_key_for_testing_only(e);
        }
        if let Some(rs) = &remote_static {
            builder = builder.remote_public_key(rs);
        }
        let state = if self.initiator {
            builder.build_initiator()
        } else {
            builder.build_responder()
        }
        .map_err(|e| StartError::Internal(format!("snow: {e:?}")))?;
        Ok(Phase::Snow(Box::new(state)))
    }

    /// The IK initiator draws its own ephemeral (see the module comment).
    fn initiator_ephemeral(&mut self) -> Result<Option<[u8; 32]>, StartError> {
        if !(self.initiator && self.pattern == HandshakePattern::IK) {
            return Ok(None);
        }
        let e = match self.fixed_ephemeral {
            Some(e) => e,
            None => random_key()?,
        };
        self.ephemeral_private = Some(e);
        Ok(Some(e))
    }

    fn protocol_name(&self) -> &'static str {
        match self.pattern {
            HandshakePattern::XX => XX,
            HandshakePattern::IK => IK,
            HandshakePattern::XXfallback => XX_FALLBACK,
        }
    }

    /// The remote static key as HsStatus reports it: the one the handshake
    /// authenticated, once complete. The variant reports an IK initiator's
    /// pre-message key from the start, since it is known then (§7.5 `<- s`)
    /// until a switch to XXfallback discards it (§10.2).
    fn reported_remote_static(&self) -> Option<[u8; 32]> {
        if self.remote_static.is_some() {
            return self.remote_static;
        }
        let pinned_known = self.build.is(Variant::HandshakeIkReportsPinnedKey)
            && self.pattern == HandshakePattern::IK;
        self.pre_message_remote.filter(|_| pinned_known)
    }

    pub(super) fn status(&self) -> HsStatusResult {
        HsStatusResult {
            complete: matches!(self.phase, Phase::Transport(_)),
            handshake_hash: self.handshake_hash.clone(),
            remote_static: self
                .reported_remote_static()
                .map(|k| k.to_vec())
                .unwrap_or_default(),
            fell_back: self.fell_back,
            protocol_name: self.protocol_name().into(),
            failed: matches!(self.phase, Phase::Failed),
        }
    }

    fn my_turn(&self) -> bool {
        let initiator_sends = self.pattern.sender_of(self.index) == engine::Role::Initiator;
        initiator_sends == self.initiator
    }

    pub(super) fn transport(&mut self) -> Result<&mut Transport, Refusal> {
        match &mut self.phase {
            Phase::Transport(t) => Ok(t),
            Phase::Failed => Err(refuse(
                ErrorCategory::InvalidState,
                "the session failed and was abandoned",
            )),
            _ => Err(refuse(
                ErrorCategory::InvalidState,
                "the handshake is not complete",
            )),
        }
    }

    fn check_handshake_turn(&self, writing: bool) -> Result<(), Refusal> {
        match self.phase {
            Phase::Snow(_) | Phase::Own(_) => {}
            Phase::Transport(_) => {
                return Err(refuse(
                    ErrorCategory::InvalidState,
                    "the handshake is already complete",
                ))
            }
            Phase::Failed => {
                return Err(refuse(
                    ErrorCategory::InvalidState,
                    "the handshake was aborted by an earlier error (§5)",
                ))
            }
        }
        if self.my_turn() != writing {
            return Err(refuse(
                ErrorCategory::InvalidState,
                if writing {
                    "it is the peer's turn to send"
                } else {
                    "it is this side's turn to send"
                },
            ));
        }
        Ok(())
    }

    /// Ephemeral and static byte lengths of the current message, and
    /// whether its payload is encrypted (a key exists by then).
    fn layout(&self) -> (usize, usize, bool) {
        use engine::patterns::Token;
        let messages = self.pattern.messages();
        let mut keyed = messages[..self.index.min(messages.len())]
            .iter()
            .any(|m| m.iter().any(|t| !matches!(t, Token::E | Token::S)));
        let (mut e, mut s) = (0, 0);
        for token in messages.get(self.index).copied().unwrap_or(&[]) {
            match token {
                Token::E => e = 32,
                Token::S => s = if keyed { 32 + TAG } else { 32 },
                _ => keyed = true,
            }
        }
        (e, s, keyed)
    }

    pub(super) fn write_handshake(&mut self, payload: &[u8]) -> Result<Vec<u8>, Refusal> {
        self.check_handshake_turn(true)?;
        // The defect: the payload's length is kept in one byte.
        let payload = if self.has(Mutant::HandshakeTruncatesLongPayload) {
            &payload[..payload.len().min(255)]
        } else {
            payload
        };
        let (e, s, keyed) = self.layout();
        let length = e + s + payload.len() + if keyed { TAG } else { 0 };
        if length > MAX_NOISE_MESSAGE {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!("the message would be {length} bytes, over the 65535 of §3"),
            ));
        }
        let result = match &mut self.phase {
            Phase::Snow(hs) => {
                let mut buf = vec![0u8; MAX_NOISE_MESSAGE];
                hs.write_message(payload, &mut buf)
                    .map(|n| {
                        buf.truncate(n);
                        buf
                    })
                    .map_err(snow_refusal)
            }
            Phase::Own(hs) => hs.write_message(payload).map_err(engine_refusal),
            _ => Err(refuse(ErrorCategory::InvalidState, "no handshake running")),
        };
        match result {
            Ok(message) => {
                self.index += 1;
                self.finish_if_done()?;
                Ok(message)
            }
            Err(refusal) => Err(self.abort(refusal)),
        }
    }

    /// A failure during the handshake aborts it (§5).
    fn abort(&mut self, refusal: Refusal) -> Refusal {
        if !self.has(Mutant::HandshakeRetryAfterFailure) {
            self.phase = Phase::Failed;
        }
        refusal
    }

    pub(super) fn read_handshake(&mut self, message: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
        self.check_handshake_turn(false)?;
        // The defect: the message's length is taken from its last non-zero
        // byte.
        let message = if self.has(Mutant::HandshakeTrimsTrailingZeros) {
            let end = message.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            &message[..end]
        } else {
            message
        };
        match self.read_checked(message) {
            Ok(read) => Ok(read),
            Err(refusal) => Err(self.abort(refusal)),
        }
    }

    fn read_checked(&mut self, message: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
        let padded;
        let mut message = message;
        if message.len() > MAX_NOISE_MESSAGE {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!("a {}-byte message is over the 65535 of §3", message.len()),
            ));
        }
        let (e, s, keyed) = self.layout();
        let minimum = e + s + if keyed { TAG } else { 0 };
        if message.len() < minimum && self.has(Mutant::HandshakeZeroPadsShortMessage) {
            // The defect: the missing bytes are read as zeros.
            let mut zeros = message.to_vec();
            zeros.resize(minimum, 0);
            padded = zeros;
            message = &padded;
        }
        if message.len() < minimum {
            return Err(refuse(
                ErrorCategory::MalformedInput,
                format!(
                    "a {}-byte message cannot hold this pattern's {minimum} bytes",
                    message.len()
                ),
            ));
        }
        if e > 0 && is_low_order(&message[..32]) && !self.has(Mutant::HandshakeNoLowOrderCheck) {
            return Err(refuse(
                ErrorCategory::InvalidKey,
                "the remote ephemeral is a low-order point",
            ));
        }
        // The mutant reads u from all 256 bits (RFC 7748 §5 masks bit 255)
        // and refuses what it takes for a value of p or more.
        if e > 0 && message[31] & 0x80 != 0 && self.has(Mutant::HandshakeRefusesHighBitKey) {
            return Err(refuse(
                ErrorCategory::InvalidKey,
                "the remote ephemeral is not a canonical X25519 encoding",
            ));
        }
        let result = match &mut self.phase {
            Phase::Snow(hs) => {
                let mut buf = vec![0u8; MAX_NOISE_MESSAGE];
                let whole_buffer = self.build.has(Mutant::HandshakeIgnoresReadLength);
                hs.read_message(message, &mut buf)
                    .map(|n| {
                        // The defect: the returned length is ignored.
                        if !whole_buffer {
                            buf.truncate(n);
                        }
                        buf
                    })
                    .map_err(snow_refusal)
            }
            Phase::Own(hs) => hs.read_message(message).map_err(engine_refusal),
            _ => Err(refuse(ErrorCategory::InvalidState, "no handshake running")),
        };
        match result {
            Ok(mut payload) => {
                // The defect: IK's zero-RTT payload is dropped.
                if self.pattern == HandshakePattern::IK
                    && !self.initiator
                    && self.index == 0
                    && self.has(Mutant::HandshakeDropsZeroRttPayload)
                {
                    payload.clear();
                }
                self.index += 1;
                self.finish_if_done()?;
                Ok((payload, false))
            }
            Err((ErrorCategory::BadMac, detail)) if self.may_fall_back() => {
                // Trial decryption (§10.5) failing both ways is still an
                // authentication failure of this message.
                self.fall_back(message).map_err(|refusal| {
                    refuse(
                        ErrorCategory::BadMac,
                        format!("{detail}; as XXfallback: {}", refusal.1),
                    )
                })
            }
            Err(refusal) => Err(refusal),
        }
    }

    /// Noise Pipes (§10.4): only an IK handshake, only on its first
    /// exchange, and only when the session allows it.
    fn may_fall_back(&self) -> bool {
        if self.pattern != HandshakePattern::IK || self.has(Mutant::HandshakeCannotFallBack) {
            return false;
        }
        // The initiator side is where a pinned server key is enforced.
        let allowed = self.allow_fallback
            || (self.initiator && self.has(Mutant::HandshakeAcceptsAnyServerKey))
            || (!self.initiator && self.has(Mutant::HandshakeResponderAlwaysFallsBack));
        allowed && self.index == usize::from(self.initiator)
    }

    /// Switches to XXfallback with the project's engine (§10.2).
    fn fall_back(&mut self, message: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
        let internal =
            |e: engine::NoiseError| refuse(ErrorCategory::HandshakeFailed, e.to_string());
        let role = if self.initiator {
            engine::Role::Initiator
        } else {
            engine::Role::Responder
        };
        let mut config = engine::HandshakeConfig::new(engine::Protocol::XX_FALLBACK, role)
            .prologue(&self.engine_prologue())
            .local_static(engine::KeyPair::from_private(self.static_private));
        config.knobs.skip_empty_payload_mixhash_without_key = self.skip_empty_payload_mixhash;
        config.knobs.accept_all_zero_dh = self.has(Mutant::HandshakeNoLowOrderCheck);
        config.knobs.payload_decrypt_failure_as_empty =
            self.has(Mutant::HandshakeIgnoresPayloadDecryptError);
        if self.initiator {
            // Alice: her IK ephemeral is the pre-message; read Bob's reply.
            let e = self.ephemeral_private.ok_or_else(|| {
                refuse(
                    ErrorCategory::HandshakeFailed,
                    "the IK ephemeral was not kept",
                )
            })?;
            config = config.local_ephemeral(engine::KeyPair::from_private(e));
            let mut state = engine::HandshakeState::new(config).map_err(internal)?;
            let payload = state.read_message(message).map_err(engine_refusal)?;
            self.pattern = HandshakePattern::XXfallback;
            self.index = 1;
            self.fell_back = true;
            self.phase = Phase::Own(Box::new(state));
            Ok((payload, true))
        } else {
            // Bob: Alice's ephemeral from IK message 0 is the pre-message.
            let mut re = [0u8; 32];
            re.copy_from_slice(&message[..32]);
            config = config.remote_ephemeral(re);
            if let Some(e) = self.fixed_ephemeral {
                config = config.local_ephemeral(engine::KeyPair::from_private(e));
            }
            let state = engine::HandshakeState::new(config).map_err(internal)?;
            self.pattern = HandshakePattern::XXfallback;
            self.index = 0;
            self.fell_back = true;
            self.phase = Phase::Own(Box::new(state));
            Ok((Vec::new(), true))
        }
    }

    fn finish_if_done(&mut self) -> Result<(), Refusal> {
        if self.index < self.pattern.messages().len() {
            return Ok(());
        }
        let (hash, remote, (k1, k2)) = match &mut self.phase {
            Phase::Snow(hs) => {
                let remote = hs
                    .get_remote_static()
                    .and_then(|k| <[u8; 32]>::try_from(k).ok());
                let hash = hs.get_handshake_hash().to_vec();
                (hash, remote, hs.dangerously_get_raw_split())
            }
            Phase::Own(hs) => (
                hs.handshake_hash().to_vec(),
                hs.remote_static(),
                hs.split_keys().map_err(engine_refusal)?,
            ),
            _ => return Err(refuse(ErrorCategory::InvalidState, "no handshake running")),
        };
        if remote.is_none_or(|k| is_low_order(k.as_slice())) {
            return Err(refuse(
                ErrorCategory::InvalidKey,
                "the remote static key is missing or a low-order point",
            ));
        }
        let (send, recv) = if self.initiator { (k1, k2) } else { (k2, k1) };
        self.handshake_hash = hash;
        self.remote_static = remote;
        self.phase = Phase::Transport(Transport::new(self.build, send, recv));
        Ok(())
    }

    /// Puts an outgoing message on the stream: wrapped (handshake messages,
    /// if the conventions say so), length-prefixed, header first once.
    pub(super) fn frame_out(
        &mut self,
        message: &[u8],
        handshake: bool,
    ) -> Result<Vec<u8>, Refusal> {
        if handshake && self.wrap {
            // `index` already counts the message just written.
            let index = self.index.saturating_sub(1);
            let wrapped = wrapping::wrap(self.pattern, index, message).map_err(engine_refusal)?;
            return self.stream_out.encode(&wrapped, self.build);
        }
        self.stream_out.encode(message, self.build)
    }

    /// Processes one incoming frame body.
    pub(super) fn frame_in(&mut self, frame: &[u8]) -> Result<Vec<u8>, Refusal> {
        match self.phase {
            Phase::Transport(_) => self.transport()?.open(frame),
            _ => {
                let message = if self.wrap {
                    self.check_handshake_turn(false)?;
                    let unwrapped = wrapping::unwrap(self.pattern, self.index, frame);
                    match unwrapped {
                        Ok(m) => m,
                        // An IK initiator may be answered with XXfallback's
                        // first message, which has another shape (§10.5).
                        Err(_) if self.initiator && self.may_fall_back() => {
                            match wrapping::unwrap(HandshakePattern::XXfallback, 0, frame) {
                                Ok(m) => m,
                                Err(e) => return Err(self.abort(engine_refusal(e))),
                            }
                        }
                        Err(e) => return Err(self.abort(engine_refusal(e))),
                    }
                } else {
                    frame.to_vec()
                };
                self.read_handshake(&message).map(|(payload, _)| payload)
            }
        }
    }
}

fn snow_refusal(error: snow::Error) -> Refusal {
    let category = match error {
        snow::Error::Decrypt => ErrorCategory::BadMac,
        snow::Error::Input => ErrorCategory::MalformedInput,
        snow::Error::Dh => ErrorCategory::InvalidKey,
        snow::Error::State(_) => ErrorCategory::InvalidState,
        _ => ErrorCategory::HandshakeFailed,
    };
    refuse(category, format!("snow: {error}"))
}

fn engine_refusal(error: engine::NoiseError) -> Refusal {
    use engine::NoiseError as E;
    let category = match &error {
        E::Decrypt => ErrorCategory::BadMac,
        E::DhFailure | E::InvalidKeyLength { .. } => ErrorCategory::InvalidKey,
        E::MessageTooShort { .. } | E::MalformedWrapper(_) => ErrorCategory::MalformedInput,
        E::MessageTooLarge { .. } | E::FrameTooLarge { .. } => ErrorCategory::LimitExceeded,
        E::NonceExhausted | E::SessionTerminated | E::OutOfTurn { .. } => {
            ErrorCategory::InvalidState
        }
        _ => ErrorCategory::HandshakeFailed,
    };
    refuse(category, error.to_string())
}

/// The mutant `handshake-reuses-ephemeral`'s one ephemeral key, drawn once
/// per process.
fn process_ephemeral() -> Result<[u8; 32], StartError> {
    static EPHEMERAL: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    if let Some(e) = EPHEMERAL.get() {
        return Ok(*e);
    }
    let drawn = random_key()?;
    Ok(*EPHEMERAL.get_or_init(|| drawn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_order_points_are_recognised() {
        use crate::peer::noise::LowOrderPoint;
        for p in [
            LowOrderPoint::AllZero,
            LowOrderPoint::One,
            LowOrderPoint::Order8,
        ] {
            assert!(is_low_order(&p.bytes()));
        }
        assert!(!is_low_order(
            &engine::KeyPair::from_private([7; 32]).public()
        ));
    }
}
