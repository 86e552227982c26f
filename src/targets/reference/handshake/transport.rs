//! The transport phase: AES-256-GCM on the keys of `Split()`, with this
//! module's own nonce counters (§5.1).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use super::{refuse, Refusal, KEY, MAX_NOISE_MESSAGE, TAG};
use crate::adapter::proto::ErrorCategory;
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;
use crate::targets::variants::Variant;

/// One direction of the transport phase: a key and its nonce (§5.1).
pub(super) struct Direction {
    key: [u8; KEY],
    pub(super) n: u64,
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
    pub(super) fn rekey(&mut self) -> Result<(), Refusal> {
        let out = self
            .cipher()?
            .encrypt(&gcm_nonce(u64::MAX), [0u8; KEY].as_slice())
            .map_err(|_| refuse(ErrorCategory::HandshakeFailed, "rekey failed"))?;
        self.key.copy_from_slice(&out[..KEY]);
        Ok(())
    }
}

pub(super) struct Transport {
    build: Build,
    /// The variant's choice after a failed DECRYPT(): "delete the
    /// CipherState and terminate the session" instead of going on (§5).
    end_on_failed_decrypt: bool,
    pub(super) send: Direction,
    pub(super) recv: Direction,
    /// Why the session ended, if it did: nonce exhaustion (§5), or a failed
    /// decryption in the variant.
    ended: Option<&'static str>,
}

impl Transport {
    pub(super) fn new(build: Build, send: [u8; KEY], recv: [u8; KEY]) -> Transport {
        Transport {
            build,
            end_on_failed_decrypt: build.is(Variant::HandshakeEndsSessionAfterFailedDecrypt),
            send: Direction::new(send),
            recv: Direction::new(recv),
            ended: None,
        }
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    /// §5: once a nonce is exhausted "the application must delete the
    /// CipherState and terminate the session": both directions end.
    pub(super) fn check_alive(&mut self, exhausted: bool) -> Result<(), Refusal> {
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

    pub(super) fn seal(&mut self, payload: &[u8]) -> Result<Vec<u8>, Refusal> {
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

    pub(super) fn open(&mut self, message: &[u8]) -> Result<Vec<u8>, Refusal> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(build: Build) -> (Transport, Transport) {
        let a = Transport {
            build,
            end_on_failed_decrypt: false,
            send: Direction::new([1; KEY]),
            recv: Direction::new([2; KEY]),
            ended: None,
        };
        let b = Transport {
            build: Build::default(),
            end_on_failed_decrypt: false,
            send: Direction::new([2; KEY]),
            recv: Direction::new([1; KEY]),
            ended: None,
        };
        (a, b)
    }

    #[test]
    fn failed_open_keeps_the_nonce_and_replays_are_refused() {
        let (mut a, mut b) = transport(Build::default());
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
        let (mut a, mut b) = transport(Build::default());
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
        let (mut a, mut b) = transport(Build::default());
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
}
