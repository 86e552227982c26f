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

mod framing;
mod session;
mod transport;

use super::build::Build;
use super::rejected;
use crate::adapter::proto::{
    response::Reply, ErrorCategory, HsFeedResult, HsOpenResult, HsReadResult, HsRekey,
    HsRekeyResult, HsSealResult, HsSetNonce, HsSetNonceResult, HsStart, HsStartResult,
    HsWriteResult, InternalError, Unsupported,
};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;
use session::{Phase, Session, StartError};

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
pub struct HandshakeSuite {
    session: Option<Session>,
    /// The mutant or variant this reference runs as.
    build: Build,
}

impl HandshakeSuite {
    pub fn new(build: Build) -> HandshakeSuite {
        HandshakeSuite {
            session: None,
            build,
        }
    }

    pub fn reset(&mut self) {
        self.session = None;
    }

    /// A refusal as this target reports it: under its own category, or
    /// under HANDSHAKE_FAILED for every refusal in the one-category variant.
    fn refusal(&self, category: ErrorCategory, detail: impl Into<String>) -> Reply {
        if self.build.is(Variant::HandshakeOneRefusalCategory) {
            return rejected(ErrorCategory::HandshakeFailed, detail);
        }
        rejected(category, detail)
    }

    pub fn start(&mut self, start: HsStart) -> Reply {
        self.session = None;
        match Session::start(start, self.build) {
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
            let build = s.build;
            let transport = s.transport()?;
            transport.check_alive(false)?;
            // The defect: rekeying as InitializeKey does, nonce back to 0.
            let resets = build.has(Mutant::HandshakeRekeyResetsNonce);
            if rekey.outgoing {
                transport.send.rekey()?;
                if resets {
                    transport.send.n = 0;
                }
            }
            if rekey.incoming {
                transport.recv.rekey()?;
                if resets {
                    transport.recv.n = 0;
                }
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
            let frames = s.stream_in.push(data, s.build)?;
            let mut payloads = Vec::with_capacity(frames.len());
            for frame in frames {
                payloads.push(s.frame_in(&frame)?);
            }
            Ok(Reply::HsFeed(HsFeedResult { payloads }))
        })
    }
}
