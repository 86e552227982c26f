//! The transport phase (Noise rev34 §5, §5.1, §11.3): the two CipherStates
//! from `Split()`, sorted by direction, plus the transport knobs.

use super::cipher_state::{CipherState, TAGLEN};
use super::dh::DHLEN;
use super::error::{NoiseError, NoiseResult};
use super::handshake_state::MAX_MESSAGE_LEN;
use super::hash::HASHLEN;
use super::knobs::NoiseKnobs;

/// Largest transport plaintext: 65535 bytes minus the 16-byte tag (§3).
pub const MAX_PAYLOAD_LEN: usize = MAX_MESSAGE_LEN - TAGLEN;

/// Post-handshake state of one party.
#[derive(Debug, Clone)]
pub struct TransportState {
    send: CipherState,
    recv: CipherState,
    handshake_hash: [u8; HASHLEN],
    remote_static: Option<[u8; DHLEN]>,
    knobs: NoiseKnobs,
    sent: u64,
    last_sent: Option<Vec<u8>>,
    terminated: bool,
}

impl TransportState {
    /// Wrap a sending and a receiving CipherState.
    pub fn new(
        send: CipherState,
        recv: CipherState,
        handshake_hash: [u8; HASHLEN],
        remote_static: Option<[u8; DHLEN]>,
        knobs: NoiseKnobs,
    ) -> Self {
        TransportState {
            send,
            recv,
            handshake_hash,
            remote_static,
            knobs,
            sent: 0,
            last_sent: None,
            terminated: false,
        }
    }

    /// The handshake hash `h` for channel binding (§11.2).
    pub fn handshake_hash(&self) -> [u8; HASHLEN] {
        self.handshake_hash
    }

    /// The authenticated remote static public key.
    pub fn remote_static(&self) -> Option<[u8; DHLEN]> {
        self.remote_static
    }

    /// Nonce the next sent message will use.
    pub fn send_nonce(&self) -> u64 {
        self.send.nonce()
    }

    /// Nonce the next received message must have been sent with.
    pub fn recv_nonce(&self) -> u64 {
        self.recv.nonce()
    }

    /// Whether nonce exhaustion ended the session (§5).
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }

    /// Testing and §11.4 support: set the sending nonce.
    pub fn set_send_nonce(&mut self, n: u64) {
        self.send.set_nonce(n);
    }

    /// Testing and §11.4 support: set the receiving nonce.
    pub fn set_recv_nonce(&mut self, n: u64) {
        self.recv.set_nonce(n);
    }

    fn check_alive(&self) -> NoiseResult<()> {
        if self.terminated {
            return Err(NoiseError::SessionTerminated);
        }
        Ok(())
    }

    /// Nonce exhaustion: "the application must delete the CipherState and
    /// terminate the session" (§5).
    fn note(&mut self, result: NoiseResult<Vec<u8>>) -> NoiseResult<Vec<u8>> {
        if result == Err(NoiseError::NonceExhausted) {
            self.terminated = true;
            self.send = CipherState::empty();
            self.recv = CipherState::empty();
        }
        result
    }

    /// Encrypt one transport message: `EncryptWithAd(zerolen, payload)`
    /// (§5), honouring the transport knobs.
    pub fn write_message(&mut self, payload: &[u8]) -> NoiseResult<Vec<u8>> {
        self.check_alive()?;
        let index = self.sent;

        // Knob `replay_transport_frame`: resend the previous frame verbatim.
        if self.knobs.replay_transport_frame == Some(index) {
            let frame = self.last_sent.clone().ok_or(NoiseError::KnobNotApplicable(
                "replay_transport_frame: no earlier frame to replay",
            ))?;
            self.sent += 1;
            return Ok(frame);
        }

        let oversized = self.knobs.oversized_transport_frame == Some(index);
        if payload.len() > MAX_PAYLOAD_LEN && !oversized {
            return Err(NoiseError::MessageTooLarge {
                len: payload.len() + TAGLEN,
                max: MAX_MESSAGE_LEN,
            });
        }
        let mut plaintext = payload.to_vec();
        if oversized && plaintext.len() < MAX_PAYLOAD_LEN + 1 {
            // Knob `oversized_transport_frame`: 65520 + 16 = 65536 bytes.
            plaintext.resize(MAX_PAYLOAD_LEN + 1, 0);
        }

        // Knob `reuse_nonce`: step back to the previous message's nonce.
        if self.knobs.reuse_nonce == Some(index) {
            let n = self.send.nonce();
            if n == 0 {
                return Err(NoiseError::KnobNotApplicable(
                    "reuse_nonce: no nonce has been used yet",
                ));
            }
            self.send.set_nonce(n - 1);
        }
        // Knob `skip_nonce`: jump ahead.
        if let Some((_, by)) = self.knobs.skip_nonce.filter(|(at, _)| *at == index) {
            let n = self.send.nonce().saturating_add(by);
            self.send.set_nonce(n);
        }

        let result = self.send.encrypt_with_ad(&[], &plaintext);
        let frame = self.note(result)?;
        self.sent += 1;
        self.last_sent = Some(frame.clone());
        Ok(frame)
    }

    /// Decrypt one transport message: `DecryptWithAd(zerolen, message)`.
    /// A DECRYPT failure discards the message and leaves the nonce as it was
    /// (§5, §5.1); the session goes on. An oversized message is discarded
    /// before any decryption (§3).
    pub fn read_message(&mut self, message: &[u8]) -> NoiseResult<Vec<u8>> {
        self.check_alive()?;
        if message.len() > MAX_MESSAGE_LEN {
            return Err(NoiseError::MessageTooLarge {
                len: message.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        let result = self.recv.decrypt_with_ad(&[], message);
        self.note(result)
    }

    /// `Rekey()` the sending CipherState (§4.2, §11.3); `n` is unchanged.
    pub fn rekey_outgoing(&mut self) -> NoiseResult<()> {
        self.check_alive()?;
        self.send.rekey()
    }

    /// `Rekey()` the receiving CipherState (§4.2, §11.3).
    pub fn rekey_incoming(&mut self) -> NoiseResult<()> {
        self.check_alive()?;
        self.recv.rekey()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair_with(knobs: NoiseKnobs) -> (TransportState, TransportState) {
        let mut c1 = CipherState::empty();
        c1.initialize_key(Some([1; 32]));
        let mut c2 = CipherState::empty();
        c2.initialize_key(Some([2; 32]));
        let a = TransportState::new(c1.clone(), c2.clone(), [0; 32], None, knobs);
        let b = TransportState::new(c2, c1, [0; 32], None, NoiseKnobs::default());
        (a, b)
    }

    #[test]
    fn failed_transport_decrypt_discards_without_advancing_nonce() {
        let (mut a, mut b) = pair_with(NoiseKnobs::default());
        let good = a.write_message(b"one").unwrap();
        let mut bad = good.clone();
        bad[1] ^= 4;
        assert_eq!(b.read_message(&bad), Err(NoiseError::Decrypt));
        assert_eq!(b.recv_nonce(), 0);
        assert_eq!(b.read_message(&good).unwrap(), b"one");
        assert_eq!(b.recv_nonce(), 1);
        assert!(!b.is_terminated());
    }

    #[test]
    fn nonce_exhaustion_ends_the_session() {
        let (mut a, mut b) = pair_with(NoiseKnobs::default());
        a.set_send_nonce(u64::MAX - 1);
        b.set_recv_nonce(u64::MAX - 1);
        let last = a.write_message(b"last").unwrap();
        assert_eq!(b.read_message(&last).unwrap(), b"last");
        assert_eq!(a.write_message(b"x"), Err(NoiseError::NonceExhausted));
        assert!(a.is_terminated());
        assert_eq!(a.write_message(b"x"), Err(NoiseError::SessionTerminated));
        assert_eq!(b.read_message(&last), Err(NoiseError::NonceExhausted));
        assert_eq!(b.read_message(&last), Err(NoiseError::SessionTerminated));
    }

    #[test]
    fn size_limits() {
        let (mut a, mut b) = pair_with(NoiseKnobs::default());
        let max = a.write_message(&vec![7u8; MAX_PAYLOAD_LEN]).unwrap();
        assert_eq!(max.len(), MAX_MESSAGE_LEN);
        assert_eq!(b.read_message(&max).unwrap().len(), MAX_PAYLOAD_LEN);
        assert!(matches!(
            a.write_message(&vec![7u8; MAX_PAYLOAD_LEN + 1]),
            Err(NoiseError::MessageTooLarge { .. })
        ));
    }

    #[test]
    fn rekey_both_sides_keeps_working_one_side_breaks() {
        let (mut a, mut b) = pair_with(NoiseKnobs::default());
        a.rekey_outgoing().unwrap();
        b.rekey_incoming().unwrap();
        let m = a.write_message(b"rekeyed").unwrap();
        assert_eq!(b.read_message(&m).unwrap(), b"rekeyed");
        a.rekey_outgoing().unwrap();
        let m = a.write_message(b"only a").unwrap();
        assert_eq!(b.read_message(&m), Err(NoiseError::Decrypt));
        assert_eq!(b.recv_nonce(), 1);
    }

    fn honest_reader_rejects(knobs: NoiseKnobs, at: u64) -> NoiseError {
        let (mut a, mut b) = pair_with(knobs);
        for i in 0..at {
            let m = a.write_message(format!("m{i}").as_bytes()).unwrap();
            assert_eq!(b.read_message(&m).unwrap(), format!("m{i}").as_bytes());
        }
        let before = b.recv_nonce();
        let m = a.write_message(b"knobbed").unwrap();
        let err = b.read_message(&m).unwrap_err();
        assert_eq!(
            b.recv_nonce(),
            before,
            "rejection must not advance the nonce"
        );
        err
    }

    #[test]
    fn transport_knobs_are_rejected_by_an_honest_reader() {
        let replay = NoiseKnobs {
            replay_transport_frame: Some(2),
            ..NoiseKnobs::default()
        };
        assert_eq!(honest_reader_rejects(replay, 2), NoiseError::Decrypt);
        let reuse = NoiseKnobs {
            reuse_nonce: Some(1),
            ..NoiseKnobs::default()
        };
        assert_eq!(honest_reader_rejects(reuse, 1), NoiseError::Decrypt);
        let skip = NoiseKnobs {
            skip_nonce: Some((1, 1)),
            ..NoiseKnobs::default()
        };
        assert_eq!(honest_reader_rejects(skip, 1), NoiseError::Decrypt);
        let big = NoiseKnobs {
            oversized_transport_frame: Some(0),
            ..NoiseKnobs::default()
        };
        assert!(matches!(
            honest_reader_rejects(big, 0),
            NoiseError::MessageTooLarge { len: 65536, .. }
        ));
    }

    #[test]
    fn reused_nonce_really_repeats_the_keystream() {
        let knobs = NoiseKnobs {
            reuse_nonce: Some(1),
            ..NoiseKnobs::default()
        };
        let (mut a, _) = pair_with(knobs);
        let m0 = a.write_message(b"AAAA").unwrap();
        let m1 = a.write_message(b"AAAA").unwrap();
        assert_eq!(m0, m1);
        // Replay with nothing sent before is not applicable.
        let knobs = NoiseKnobs {
            replay_transport_frame: Some(0),
            ..NoiseKnobs::default()
        };
        let (mut a, _) = pair_with(knobs);
        assert!(matches!(
            a.write_message(b""),
            Err(NoiseError::KnobNotApplicable(_))
        ));
    }
}
