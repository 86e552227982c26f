//! Noise Pipes drivers (Noise rev34 §10.4, §10.5): the responder tries IK
//! and switches to XXfallback when IK message 0 does not decrypt; the
//! initiator tells the two kinds of response apart by trial decryption.

use super::error::{NoiseError, NoiseResult};
use super::handshake_state::{HandshakeConfig, HandshakeState};
use super::patterns::{Protocol, Role};

/// How a Noise Pipes responder continues after message 0.
#[derive(Debug)]
pub enum PipeStart {
    /// IK message 0 decrypted (zero-RTT, §10.3); `payload` is its payload
    /// and `state` writes IK message 1 next.
    ZeroRtt {
        state: HandshakeState,
        payload: Vec<u8>,
    },
    /// IK message 0 did not decrypt; `state` is the XXfallback responder and
    /// writes the next message (§10.4 "switch handshake").
    Fallback { state: HandshakeState },
}

/// Responder side: "Bob will attempt to decrypt the first message as an IK
/// message, and will switch to XXfallback if decryption fails" (§10.5).
/// `config` must be an IK responder config.
pub fn respond_to_first_message(config: HandshakeConfig, message: &[u8]) -> NoiseResult<PipeStart> {
    if config.protocol != Protocol::IK || config.role != Role::Responder {
        return Err(NoiseError::FallbackNotAllowed(
            "a Noise Pipes responder starts as the IK responder",
        ));
    }
    let mut state = HandshakeState::new(config)?;
    match state.read_message(message) {
        Ok(payload) => Ok(PipeStart::ZeroRtt { state, payload }),
        Err(NoiseError::Decrypt | NoiseError::MessageTooShort { .. }) => Ok(PipeStart::Fallback {
            state: state.into_fallback()?,
        }),
        Err(other) => Err(other),
    }
}

/// Initiator side: "An Alice who sends an IK initial message can use trial
/// decryption to differentiate between a response using IK or XXfallback"
/// (§10.5). `state` is the IK initiator after writing message 0. Returns
/// the state to continue with, the payload, and whether it fell back.
pub fn initiator_read_response(
    state: HandshakeState,
    message: &[u8],
) -> NoiseResult<(HandshakeState, Vec<u8>, bool)> {
    let mut ik = state.clone();
    match ik.read_message(message) {
        Ok(payload) => Ok((ik, payload, false)),
        Err(NoiseError::Decrypt | NoiseError::MessageTooShort { .. }) => {
            let mut fb = state.into_fallback()?;
            let payload = fb.read_message(message)?;
            Ok((fb, payload, true))
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::super::dh::KeyPair;
    use super::*;

    fn alice(cached_bob: [u8; 32]) -> HandshakeState {
        let cfg = HandshakeConfig::new(Protocol::IK, Role::Initiator)
            .prologue(b"WA\x06\x03")
            .local_static(KeyPair::from_private([1; 32]))
            .remote_static(cached_bob);
        HandshakeState::new(cfg).unwrap()
    }

    fn bob_cfg() -> HandshakeConfig {
        HandshakeConfig::new(Protocol::IK, Role::Responder)
            .prologue(b"WA\x06\x03")
            .local_static(KeyPair::from_private([2; 32]))
    }

    #[test]
    fn fresh_cache_gives_zero_rtt() {
        let bob_pub = KeyPair::from_private([2; 32]).public();
        let mut a = alice(bob_pub);
        let m0 = a.write_message(b"early data").unwrap();
        let PipeStart::ZeroRtt { mut state, payload } =
            respond_to_first_message(bob_cfg(), &m0).unwrap()
        else {
            panic!("expected zero-RTT");
        };
        assert_eq!(payload, b"early data");
        let m1 = state.write_message(b"ok").unwrap();
        let (a, p, fell_back) = initiator_read_response(a, &m1).unwrap();
        assert!(!fell_back && a.is_finished() && state.is_finished());
        assert_eq!(p, b"ok");
        assert_eq!(a.handshake_hash(), state.handshake_hash());
    }

    #[test]
    fn stale_cache_falls_back_and_completes() {
        let stale = KeyPair::from_private([3; 32]).public();
        let mut a = alice(stale);
        let m0 = a.write_message(b"early data").unwrap();
        let PipeStart::Fallback { mut state } = respond_to_first_message(bob_cfg(), &m0).unwrap()
        else {
            panic!("expected fallback");
        };
        let m1 = state.write_message(b"switch").unwrap();
        let (mut a, p, fell_back) = initiator_read_response(a, &m1).unwrap();
        assert!(fell_back);
        assert_eq!(p, b"switch");
        let m2 = a.write_message(b"").unwrap();
        assert!(state.read_message(&m2).is_ok());
        assert_eq!(a.handshake_hash(), state.handshake_hash());
    }

    #[test]
    fn full_handshake_alice_sends_e_plus_padding() {
        // §10.5: an Alice without a cached key sends e and random padding and
        // handles the response with XXfallback.
        let e = KeyPair::from_private([5; 32]);
        let mut m0 = e.public().to_vec();
        m0.extend_from_slice(&[0x33; 20]);
        let PipeStart::Fallback { mut state } = respond_to_first_message(bob_cfg(), &m0).unwrap()
        else {
            panic!("expected fallback");
        };
        let cfg = HandshakeConfig::new(Protocol::XX_FALLBACK, Role::Initiator)
            .prologue(b"WA\x06\x03")
            .local_static(KeyPair::from_private([1; 32]))
            .local_ephemeral(e);
        let mut a = HandshakeState::new(cfg).unwrap();
        let m1 = state.write_message(b"").unwrap();
        assert!(a.read_message(&m1).is_ok());
        let m2 = a.write_message(b"").unwrap();
        assert!(state.read_message(&m2).is_ok());
        assert!(a.is_finished() && state.is_finished());
    }

    #[test]
    fn wrong_config_is_refused() {
        let cfg = HandshakeConfig::new(Protocol::XX, Role::Responder)
            .local_static(KeyPair::from_private([2; 32]));
        assert!(respond_to_first_message(cfg, &[0u8; 40]).is_err());
    }
}
