//! The reference's handshake suite (docs/handshake.md): one Noise Pipes
//! session at a time.
//!
//! Built on well-kept libraries: snow runs the XX and IK handshakes, and
//! the transport phase is AES-256-GCM from the `aes-gcm` crate on the keys
//! snow's `Split()` yields (snow's `risky-raw-split`), with this module's own
//! nonce counters: one transport code path for snow and fallback sessions,
//! and the nonce rules of §5.1 visible in one place. Two things snow cannot do are
//! done with the project's own engine (`crate::peer::noise`), which is
//! cross-checked byte for byte against snow and dissononce:
//! * the XXfallback modifier (§10.2), which snow does not implement;
//! * the deployed convention of not hashing an empty payload sent before any
//!   key exists (the profile switch `skip_empty_payload_mixhash`).
//!
//! snow gives no access to a generated ephemeral key, and the Noise Pipes
//! switch needs the IK initiator's ephemeral again (it is XXfallback's
//! pre-message, §10.2); so this module draws that ephemeral itself and hands
//! it to snow through `fixed_ephemeral_key_for_testing_only`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand_core::{OsRng, RngCore};

use super::rejected;
use crate::adapter::proto::{
    response::Reply, ErrorCategory, HsConventions, HsFeedResult, HsOpenResult, HsReadResult,
    HsRekey, HsRekeyResult, HsRole, HsSealResult, HsSetNonce, HsSetNonceResult, HsStart,
    HsStartResult, HsStatusResult, HsWriteResult, InternalError, Unsupported,
};
use crate::peer::noise::{self as engine, wrapping, HandshakePattern};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// "All Noise messages are less than or equal to 65535 bytes" (§3).
const MAX_NOISE_MESSAGE: usize = 65535;
/// AESGCM appends a 16-byte tag (§12.4).
const TAG: usize = 16;
const KEY: usize = 32;
const XX: &str = "Noise_XX_25519_AESGCM_SHA256";
const IK: &str = "Noise_IK_25519_AESGCM_SHA256";
const XX_FALLBACK: &str = "Noise_XXfallback_25519_AESGCM_SHA256";

type Refusal = (ErrorCategory, String);

fn refuse(category: ErrorCategory, detail: impl Into<String>) -> Refusal {
    (category, detail.into())
}

/// The handshake suite's state: everything `Reset` clears.
#[derive(Default)]
pub struct HandshakeSuite {
    session: Option<Session>,
    /// The allowed behaviour this reference uses instead of its default.
    pub variant: Option<Variant>,
}

impl HandshakeSuite {
    pub fn reset(&mut self) {
        self.session = None;
    }

    fn is(&self, behaviour: Variant) -> bool {
        self.variant == Some(behaviour)
    }

    /// A refusal as this target reports it: under its own category, or
    /// under HANDSHAKE_FAILED for every refusal in the one-category variant.
    fn refusal(&self, category: ErrorCategory, detail: impl Into<String>) -> Reply {
        if self.is(Variant::HandshakeOneRefusalCategory) {
            return rejected(ErrorCategory::HandshakeFailed, detail);
        }
        rejected(category, detail)
    }

    pub fn start(&mut self, start: HsStart, mutant: Option<Mutant>) -> Reply {
        self.session = None;
        match Session::start(start, mutant, self.variant) {
            Ok((session, public)) => {
                self.session = Some(session);
                Reply::HsStart(HsStartResult {
                    local_static_public: public.to_vec(),
                })
            }
            Err(StartError::Unsupported(detail)) => Reply::Unsupported(Unsupported { detail }),
            Err(StartError::Refused((category, detail))) => self.refusal(category, detail),
            Err(StartError::Internal(detail)) => Reply::InternalError(InternalError { detail }),
        }
    }

    /// Runs `op` on the session; no session is an `INVALID_STATE` refusal.
    fn with_session(&mut self, op: impl FnOnce(&mut Session) -> Result<Reply, Refusal>) -> Reply {
        let Some(session) = self.session.as_mut() else {
            return self.refusal(
                ErrorCategory::InvalidState,
                "no handshake session: send HsStart",
            );
        };
        match op(session) {
            Ok(reply) => reply,
            Err((category, detail)) => self.refusal(category, detail),
        }
    }

    pub fn write(&mut self, payload: &[u8]) -> Reply {
        self.with_session(|s| {
            let message = s.write_handshake(payload)?;
            let wire = s.frame_out(&message, true)?;
            Ok(Reply::HsWrite(HsWriteResult { message, wire }))
        })
    }

    pub fn read(&mut self, message: &[u8]) -> Reply {
        self.with_session(|s| {
            let (payload, fell_back) = s.read_handshake(message)?;
            Ok(Reply::HsRead(HsReadResult { payload, fell_back }))
        })
    }

    pub fn status(&mut self) -> Reply {
        self.with_session(|s| Ok(Reply::HsStatus(s.status())))
    }

    pub fn seal(&mut self, payload: &[u8]) -> Reply {
        self.with_session(|s| {
            let message = s.transport()?.seal(payload)?;
            let wire = s.frame_out(&message, false)?;
            Ok(Reply::HsSeal(HsSealResult { message, wire }))
        })
    }

    pub fn open(&mut self, message: &[u8]) -> Reply {
        self.with_session(|s| {
            let payload = s.transport()?.open(message)?;
            Ok(Reply::HsOpen(HsOpenResult { payload }))
        })
    }

    pub fn rekey(&mut self, rekey: HsRekey) -> Reply {
        self.with_session(|s| {
            let transport = s.transport()?;
            transport.check_alive(false)?;
            if rekey.outgoing {
                transport.send.rekey()?;
            }
            if rekey.incoming {
                transport.recv.rekey()?;
            }
            Ok(Reply::HsRekey(HsRekeyResult {}))
        })
    }

    /// The test hook that reaches the reserved nonce.
    pub fn set_nonce(&mut self, nonces: HsSetNonce) -> Reply {
        self.with_session(|s| {
            let transport = s.transport()?;
            transport.check_alive(false)?;
            if let Some(n) = nonces.send {
                transport.send.n = n;
            }
            if let Some(n) = nonces.recv {
                transport.recv.n = n;
            }
            Ok(Reply::HsSetNonce(HsSetNonceResult {}))
        })
    }

    pub fn feed(&mut self, data: &[u8]) -> Reply {
        self.with_session(|s| {
            if let Phase::Transport(t) = &mut s.phase {
                // An ended session takes no more bytes, not even part of a
                // frame.
                t.check_alive(false)?;
            }
            let frames = s.stream_in.push(data, s.mutant)?;
            let mut payloads = Vec::with_capacity(frames.len());
            for frame in frames {
                payloads.push(s.frame_in(&frame)?);
            }
            Ok(Reply::HsFeed(HsFeedResult { payloads }))
        })
    }
}

enum StartError {
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

enum Phase {
    Snow(Box<snow::HandshakeState>),
    Own(Box<engine::HandshakeState>),
    Transport(Transport),
    Failed,
}

struct Session {
    mutant: Option<Mutant>,
    variant: Option<Variant>,
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
    phase: Phase,
    fell_back: bool,
    handshake_hash: Vec<u8>,
    /// The remote static key the completed handshake authenticated.
    remote_static: Option<[u8; 32]>,
    /// The IK initiator's pre-message key (§7.5 `<- s`): the pinned or
    /// cached server key.
    pre_message_remote: Option<[u8; 32]>,
    stream_out: FrameOut,
    stream_in: FrameIn,
}

impl Session {
    fn start(
        start: HsStart,
        mutant: Option<Mutant>,
        variant: Option<Variant>,
    ) -> Result<(Session, [u8; 32]), StartError> {
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
            mutant,
            variant,
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
        self.mutant == Some(defect)
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
        // The deviation (and the payload-hash mutant) need the own engine.
        if self.skip_empty_payload_mixhash || self.has(Mutant::HandshakePayloadNotHashed) {
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
        let pinned_known = self.variant == Some(Variant::HandshakeIkReportsPinnedKey)
            && self.pattern == HandshakePattern::IK;
        self.pre_message_remote.filter(|_| pinned_known)
    }

    fn status(&self) -> HsStatusResult {
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

    fn transport(&mut self) -> Result<&mut Transport, Refusal> {
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

    fn write_handshake(&mut self, payload: &[u8]) -> Result<Vec<u8>, Refusal> {
        self.check_handshake_turn(true)?;
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

    fn read_handshake(&mut self, message: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
        self.check_handshake_turn(false)?;
        match self.read_checked(message) {
            Ok(read) => Ok(read),
            Err(refusal) => Err(self.abort(refusal)),
        }
    }

    fn read_checked(&mut self, message: &[u8]) -> Result<(Vec<u8>, bool), Refusal> {
        if message.len() > MAX_NOISE_MESSAGE {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!("a {}-byte message is over the 65535 of §3", message.len()),
            ));
        }
        let (e, s, keyed) = self.layout();
        let minimum = e + s + if keyed { TAG } else { 0 };
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
        let result = match &mut self.phase {
            Phase::Snow(hs) => {
                let mut buf = vec![0u8; MAX_NOISE_MESSAGE];
                hs.read_message(message, &mut buf)
                    .map(|n| {
                        buf.truncate(n);
                        buf
                    })
                    .map_err(snow_refusal)
            }
            Phase::Own(hs) => hs.read_message(message).map_err(engine_refusal),
            _ => Err(refuse(ErrorCategory::InvalidState, "no handshake running")),
        };
        match result {
            Ok(payload) => {
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
            || (self.initiator && self.has(Mutant::HandshakeAcceptsAnyServerKey));
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
        self.phase = Phase::Transport(Transport {
            mutant: self.mutant,
            end_on_failed_decrypt: self.variant
                == Some(Variant::HandshakeEndsSessionAfterFailedDecrypt),
            send: Direction::new(send),
            recv: Direction::new(recv),
            ended: None,
        });
        Ok(())
    }

    /// Puts an outgoing message on the stream: wrapped (handshake messages,
    /// if the conventions say so), length-prefixed, header first once.
    fn frame_out(&mut self, message: &[u8], handshake: bool) -> Result<Vec<u8>, Refusal> {
        if handshake && self.wrap {
            // `index` already counts the message just written.
            let index = self.index.saturating_sub(1);
            let wrapped = wrapping::wrap(self.pattern, index, message).map_err(engine_refusal)?;
            return self.stream_out.encode(&wrapped);
        }
        self.stream_out.encode(message)
    }

    /// Processes one incoming frame body.
    fn frame_in(&mut self, frame: &[u8]) -> Result<Vec<u8>, Refusal> {
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

/// One direction of the transport phase: a key and its nonce (§5.1).
struct Direction {
    key: [u8; KEY],
    n: u64,
}

/// AESGCM's nonce: "32 bits of zeros followed by big-endian encoding of n"
/// (§12.4).
fn gcm_nonce(n: u64) -> Nonce<aes_gcm::aes::cipher::consts::U12> {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&n.to_be_bytes());
    Nonce::from(nonce)
}

impl Direction {
    fn new(key: [u8; KEY]) -> Direction {
        Direction { key, n: 0 }
    }

    fn cipher(&self) -> Result<Aes256Gcm, Refusal> {
        Aes256Gcm::new_from_slice(&self.key)
            .map_err(|_| refuse(ErrorCategory::HandshakeFailed, "bad transport key"))
    }

    /// `REKEY(k)`: the first 32 bytes of ENCRYPT(k, 2^64-1, "", zeros)
    /// (§4.2); `n` is unchanged (§11.3).
    fn rekey(&mut self) -> Result<(), Refusal> {
        let out = self
            .cipher()?
            .encrypt(&gcm_nonce(u64::MAX), [0u8; KEY].as_slice())
            .map_err(|_| refuse(ErrorCategory::HandshakeFailed, "rekey failed"))?;
        self.key.copy_from_slice(&out[..KEY]);
        Ok(())
    }
}

struct Transport {
    mutant: Option<Mutant>,
    /// The variant's choice after a failed DECRYPT(): "delete the
    /// CipherState and terminate the session" instead of going on (§5).
    end_on_failed_decrypt: bool,
    send: Direction,
    recv: Direction,
    /// Why the session ended, if it did: nonce exhaustion (§5), or a failed
    /// decryption in the variant.
    ended: Option<&'static str>,
}

impl Transport {
    fn has(&self, defect: Mutant) -> bool {
        self.mutant == Some(defect)
    }

    /// §5: once a nonce is exhausted "the application must delete the
    /// CipherState and terminate the session": both directions end.
    fn check_alive(&mut self, exhausted: bool) -> Result<(), Refusal> {
        if exhausted && self.ended.is_none() {
            self.ended = Some("a nonce reached the reserved 2^64-1 (§5.1)");
        }
        match self.ended {
            Some(why) => Err(refuse(
                ErrorCategory::InvalidState,
                format!("the session ended: {why}"),
            )),
            None => Ok(()),
        }
    }

    fn seal(&mut self, payload: &[u8]) -> Result<Vec<u8>, Refusal> {
        if payload.len() > MAX_NOISE_MESSAGE - TAG {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!(
                    "a {}-byte payload makes a message over 65535 bytes",
                    payload.len()
                ),
            ));
        }
        let reserved = self.send.n == u64::MAX && !self.has(Mutant::HandshakeUsesReservedNonce);
        self.check_alive(reserved)?;
        let message = self
            .send
            .cipher()?
            .encrypt(
                &gcm_nonce(self.send.n),
                Payload {
                    msg: payload,
                    aad: &[],
                },
            )
            .map_err(|_| refuse(ErrorCategory::HandshakeFailed, "encryption failed"))?;
        if !self.has(Mutant::HandshakeReusesSendNonce) {
            // Only the reserved-nonce mutant gets here with n = 2^64-1 (and
            // wraps to 0).
            self.send.n = self.send.n.wrapping_add(1);
        }
        Ok(message)
    }

    fn open(&mut self, message: &[u8]) -> Result<Vec<u8>, Refusal> {
        if message.len() > MAX_NOISE_MESSAGE && !self.has(Mutant::HandshakeNoMessageSizeCheck) {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!("a {}-byte message is over the 65535 of §3", message.len()),
            ));
        }
        if message.len() < TAG {
            return Err(refuse(
                ErrorCategory::MalformedInput,
                "a transport message holds at least a 16-byte tag",
            ));
        }
        self.check_alive(self.recv.n == u64::MAX)?;
        let cipher = self.recv.cipher()?;
        let attempt = |n: u64| {
            cipher.decrypt(
                &gcm_nonce(n),
                Payload {
                    msg: message,
                    aad: &[],
                },
            )
        };
        match attempt(self.recv.n) {
            Ok(payload) => {
                self.recv.n += 1;
                Ok(payload)
            }
            Err(_) => {
                if self.has(Mutant::HandshakeAcceptsReplayedFrame) && self.recv.n > 0 {
                    // "Tolerates a retransmitted frame" by trying the last nonce.
                    if let Ok(payload) = attempt(self.recv.n - 1) {
                        return Ok(payload);
                    }
                }
                if self.has(Mutant::HandshakeNonceAdvancesOnFailure) {
                    self.recv.n += 1;
                }
                // §5.1: a failed DECRYPT leaves n as it was; the message is
                // discarded (§5). The reference goes on; the variant takes
                // §5's other choice and ends the session.
                if self.end_on_failed_decrypt {
                    self.ended = Some("a transport message failed to decrypt (Noise §5: the application may terminate the session)");
                }
                Err(refuse(
                    ErrorCategory::BadMac,
                    "transport message did not decrypt",
                ))
            }
        }
    }
}

/// The outgoing side of the stream: header once (initiator only), then
/// big-endian length prefixes.
struct FrameOut {
    header: Vec<u8>,
    prefix: usize,
}

impl FrameOut {
    fn pair(conventions: &HsConventions, initiator: bool) -> Result<(FrameOut, FrameIn), Refusal> {
        let prefix = conventions.length_prefix_bytes as usize;
        if !(2..=3).contains(&prefix) {
            return Err(refuse(
                ErrorCategory::SchemaViolation,
                "length_prefix_bytes must be 2 or 3",
            ));
        }
        if conventions.connection_header.len() > 64 {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                "connection_header longer than 64 bytes",
            ));
        }
        let most = (1usize << (8 * prefix)) - 1;
        let max_frame = match conventions.max_frame as usize {
            0 => most,
            m => m.min(most),
        };
        let (out_header, in_header) = if initiator {
            (conventions.connection_header.clone(), Vec::new())
        } else {
            (Vec::new(), conventions.connection_header.clone())
        };
        Ok((
            FrameOut {
                header: out_header,
                prefix,
            },
            FrameIn {
                header: in_header,
                header_seen: 0,
                prefix,
                max_frame,
                buffer: Vec::new(),
                broken: false,
            },
        ))
    }

    fn encode(&mut self, body: &[u8]) -> Result<Vec<u8>, Refusal> {
        if body.len() >= 1 << (8 * self.prefix) {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                "frame too long for its length prefix",
            ));
        }
        let mut out = std::mem::take(&mut self.header);
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[4 - self.prefix..]);
        out.extend_from_slice(body);
        Ok(out)
    }
}

/// The incoming side of the stream: expects the header (responder), then
/// frames of at most `max_frame` bytes, refused from the prefix alone.
struct FrameIn {
    header: Vec<u8>,
    header_seen: usize,
    prefix: usize,
    max_frame: usize,
    buffer: Vec<u8>,
    broken: bool,
}

impl FrameIn {
    fn push(&mut self, mut data: &[u8], mutant: Option<Mutant>) -> Result<Vec<Vec<u8>>, Refusal> {
        if self.broken {
            return Err(refuse(
                ErrorCategory::InvalidState,
                "the stream was refused earlier",
            ));
        }
        if self.header_seen < self.header.len() {
            let take = (self.header.len() - self.header_seen).min(data.len());
            let expected = &self.header[self.header_seen..self.header_seen + take];
            if expected != &data[..take] {
                self.broken = true;
                return Err(refuse(
                    ErrorCategory::MalformedInput,
                    "the connection header differs from the expected one",
                ));
            }
            self.header_seen += take;
            data = &data[take..];
        }
        self.buffer.extend_from_slice(data);
        let mut frames = Vec::new();
        let mut at = 0;
        while let Some(prefix) = self.buffer.get(at..at + self.prefix) {
            let length = prefix
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            if length > self.max_frame {
                self.broken = true;
                return Err(refuse(
                    ErrorCategory::LimitExceeded,
                    format!(
                        "a frame of {length} bytes is over the limit of {}",
                        self.max_frame
                    ),
                ));
            }
            let Some(body) = self.buffer.get(at + self.prefix..at + self.prefix + length) else {
                break;
            };
            frames.push(body.to_vec());
            at += self.prefix + length;
            if mutant == Some(Mutant::HandshakeOneFramePerRead) {
                break;
            }
        }
        self.buffer.drain(..at);
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conventions(header: &[u8], prefix: u32, max_frame: u32) -> HsConventions {
        HsConventions {
            connection_header: header.to_vec(),
            length_prefix_bytes: prefix,
            max_frame,
            ..HsConventions::default()
        }
    }

    #[test]
    fn frames_come_out_whatever_the_chunking() {
        let (mut out, _) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), true).unwrap();
        let (_, mut inbound) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), false).unwrap();
        let mut wire = out.encode(b"first").unwrap();
        assert_eq!(&wire[..7], b"WA\x06\x03\x00\x00\x05");
        wire.extend(out.encode(b"").unwrap());
        wire.extend(out.encode(b"third").unwrap());
        let mut frames = Vec::new();
        for byte in &wire {
            frames.extend(inbound.push(std::slice::from_ref(byte), None).unwrap());
        }
        assert_eq!(frames, vec![b"first".to_vec(), vec![], b"third".to_vec()]);
    }

    #[test]
    fn wrong_header_and_oversized_prefix_are_refused_and_poison_the_stream() {
        let (_, mut inbound) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), false).unwrap();
        let err = inbound.push(b"WA\x05", None).unwrap_err();
        assert_eq!(err.0, ErrorCategory::MalformedInput);
        assert_eq!(
            inbound.push(b"", None).unwrap_err().0,
            ErrorCategory::InvalidState
        );
        let (_, mut inbound) = FrameOut::pair(&conventions(b"", 2, 100), false).unwrap();
        assert_eq!(
            inbound.push(&[0, 101], None).unwrap_err().0,
            ErrorCategory::LimitExceeded
        );
        assert!(FrameOut::pair(&conventions(b"", 4, 100), false).is_err());
    }

    fn transport(mutant: Option<Mutant>) -> (Transport, Transport) {
        let a = Transport {
            mutant,
            end_on_failed_decrypt: false,
            send: Direction::new([1; KEY]),
            recv: Direction::new([2; KEY]),
            ended: None,
        };
        let b = Transport {
            mutant: None,
            end_on_failed_decrypt: false,
            send: Direction::new([2; KEY]),
            recv: Direction::new([1; KEY]),
            ended: None,
        };
        (a, b)
    }

    #[test]
    fn failed_open_keeps_the_nonce_and_replays_are_refused() {
        let (mut a, mut b) = transport(None);
        let m0 = b.seal(b"zero").unwrap();
        let mut forged = m0.clone();
        forged[0] ^= 1;
        assert_eq!(a.open(&forged).unwrap_err().0, ErrorCategory::BadMac);
        assert_eq!(a.recv.n, 0);
        assert_eq!(a.open(&m0).unwrap(), b"zero");
        assert_eq!(a.open(&m0).unwrap_err().0, ErrorCategory::BadMac);
        assert_eq!(
            a.open(&[0; 15]).unwrap_err().0,
            ErrorCategory::MalformedInput
        );
        assert_eq!(
            a.open(&vec![0; 65536]).unwrap_err().0,
            ErrorCategory::LimitExceeded
        );
    }

    #[test]
    fn the_variant_ends_the_session_after_a_failed_decrypt() {
        let (mut a, mut b) = transport(None);
        a.end_on_failed_decrypt = true;
        let m0 = b.seal(b"zero").unwrap();
        // Size checks come before DECRYPT() and end nothing.
        assert_eq!(
            a.open(&[0; 15]).unwrap_err().0,
            ErrorCategory::MalformedInput
        );
        let mut forged = m0.clone();
        forged[0] ^= 1;
        assert_eq!(a.open(&forged).unwrap_err().0, ErrorCategory::BadMac);
        assert_eq!(a.open(&m0).unwrap_err().0, ErrorCategory::InvalidState);
        assert_eq!(a.seal(b"x").unwrap_err().0, ErrorCategory::InvalidState);
    }

    #[test]
    fn nonce_layout_and_exhaustion() {
        let (mut a, mut b) = transport(None);
        // The peer engine's AESGCM (cross-checked with snow) opens ours.
        let m = a.seal(b"x").unwrap();
        let n1 = a.seal(b"x").unwrap();
        assert_ne!(m, n1);
        assert_eq!(b.open(&m).unwrap(), b"x");
        let direct = crate::peer::noise::cipher_state::encrypt(&[1; KEY], 1, &[], b"x").unwrap();
        assert_eq!(n1, direct);
        a.send.n = u64::MAX;
        assert_eq!(a.seal(b"x").unwrap_err().0, ErrorCategory::InvalidState);
        // The whole session ended, the receiving side too.
        let m = b.seal(b"y").unwrap();
        assert_eq!(a.open(&m).unwrap_err().0, ErrorCategory::InvalidState);
    }

    #[test]
    fn rekey_matches_the_default_definition() {
        let mut d = Direction::new([0x42; KEY]);
        d.rekey().unwrap();
        assert_eq!(
            Some(d.key),
            crate::peer::noise::cipher_state::rekey_key(&[0x42; KEY]).ok()
        );
    }

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
