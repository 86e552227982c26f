//! The DH tokens of §5.3 (`ee`, `es`, `se`, `ss`), mixed alike whichever
//! side writes the message.

use super::super::dh::DHLEN;
use super::super::error::{KeyRole, NoiseError, NoiseResult};
use super::super::patterns::{Role, Token};
use super::HandshakeState;

impl HandshakeState {
    /// §5.3 DH tokens: `ee`, `es`, `se`, `ss`, with the initiator/responder
    /// reading of `es`/`se`. A DH failure (§12.1) aborts the handshake.
    pub(super) fn mix_dh(&mut self, token: Token) -> NoiseResult<()> {
        let initiator = self.role == Role::Initiator;
        // (use local ephemeral?, use remote ephemeral?)
        let (local_e, remote_e) = match token {
            Token::EE => (true, true),
            // es: DH(e, rs) if initiator, DH(s, re) if responder.
            Token::ES => (initiator, !initiator),
            // se: DH(s, re) if initiator, DH(e, rs) if responder.
            Token::SE => (!initiator, initiator),
            Token::SS => (false, false),
            Token::E | Token::S => {
                return Err(NoiseError::KnobNotApplicable("not a DH token"));
            }
        };
        let local = if local_e {
            self.e
                .as_ref()
                .ok_or(NoiseError::MissingKey(KeyRole::LocalEphemeral))?
        } else {
            self.s
                .as_ref()
                .ok_or(NoiseError::MissingKey(KeyRole::LocalStatic))?
        };
        let remote = if remote_e {
            self.re
                .ok_or(NoiseError::MissingKey(KeyRole::RemoteEphemeral))?
        } else {
            self.rs
                .ok_or(NoiseError::MissingKey(KeyRole::RemoteStatic))?
        };
        let shared = if local_e && self.knobs.low_order_ephemeral.is_some() {
            // Knob `low_order_ephemeral`: the DH output the other side
            // computes with the point we sent (see the knob).
            [0u8; DHLEN]
        } else if self.knobs.accept_all_zero_dh {
            local.dh_unchecked(&remote)
        } else {
            local.dh(&remote)?
        };
        self.symmetric.mix_key(&shared);
        Ok(())
    }
}
