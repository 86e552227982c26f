//! The Noise Pipes switch from a failed IK handshake to XXfallback
//! (§10.2, §10.4).

use super::super::error::{NoiseError, NoiseResult};
use super::super::patterns::{HandshakePattern, Protocol, Role};
use super::{HandshakeConfig, HandshakeState, Status};

impl HandshakeState {
    /// Noise Pipes switch (§10.2, §10.4): turn a failed IK handshake into an
    /// `XXfallback` one.
    ///
    /// * IK responder (Bob): allowed only if reading IK message 0 failed
    ///   after its ephemeral was read, with a DECRYPT failure (or a message
    ///   too short to hold the encrypted static and tag, which is how a
    ///   full-handshake Alice looks under §10.5). Bob becomes the XXfallback
    ///   responder with `re` = Alice's ephemeral from message 0 as the
    ///   pre-message, and sends next.
    /// * IK initiator (Alice): allowed only after IK message 0 was sent and
    ///   before message 1 was read successfully (either not yet read, or its
    ///   read failed to decrypt: the §10.5 trial decryption). Alice becomes
    ///   the XXfallback initiator with her ephemeral as pre-message and
    ///   forgets Bob's cached static key; she then reads Bob's message.
    ///
    /// A DH failure never allows fallback: it aborts the handshake.
    pub fn into_fallback(self) -> NoiseResult<HandshakeState> {
        if self.protocol.pattern != HandshakePattern::IK {
            return Err(NoiseError::FallbackNotAllowed(
                "fallback only follows an IK first message",
            ));
        }
        let decrypt_like =
            |e: &NoiseError| matches!(e, NoiseError::Decrypt | NoiseError::MessageTooShort { .. });
        let allowed = match (self.role, &self.status) {
            (
                Role::Responder,
                Status::Failed {
                    index: 0,
                    reading: true,
                    error,
                },
            ) => decrypt_like(error) && self.re.is_some(),
            (Role::Initiator, Status::Active) => self.next == 1 && self.e.is_some(),
            (
                Role::Initiator,
                Status::Failed {
                    index: 1,
                    reading: true,
                    error,
                },
            ) => decrypt_like(error) && self.e.is_some(),
            _ => false,
        };
        if !allowed {
            return Err(NoiseError::FallbackNotAllowed(
                "needs an IK message 0 whose decryption failed (responder) or was sent (initiator)",
            ));
        }
        let mut config = HandshakeConfig::new(Protocol::XX_FALLBACK, self.role)
            .prologue(&self.prologue)
            .knobs(self.knobs);
        config.local_static = self.s;
        match self.role {
            Role::Responder => {
                config.remote_ephemeral = self.re;
                config.local_ephemeral = self.fixed_e;
            }
            Role::Initiator => {
                config.local_ephemeral = self.e;
            }
        }
        HandshakeState::new(config)
    }
}
