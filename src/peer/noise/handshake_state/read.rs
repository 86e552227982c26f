//! `ReadMessage()` (§5.3): every length checked before it is used, any
//! failure aborting the handshake.

use super::super::cipher_state::TAGLEN;
use super::super::dh::DHLEN;
use super::super::error::{KeyRole, NoiseError, NoiseResult};
use super::super::patterns::Token;
use super::{HandshakeState, MAX_MESSAGE_LEN};

impl HandshakeState {
    /// `ReadMessage(message, payload_buffer)` (§5.3). Returns the payload.
    /// Any error (DECRYPT or DH failure, malformed message) aborts the
    /// handshake (§5).
    pub fn read_message(&mut self, message: &[u8]) -> NoiseResult<Vec<u8>> {
        self.check_can_process(false)?;
        match self.read_inner(message) {
            Ok(payload) => {
                self.advance();
                Ok(payload)
            }
            Err(e) => Err(self.fail(true, e)),
        }
    }

    fn read_inner(&mut self, message: &[u8]) -> NoiseResult<Vec<u8>> {
        if message.len() > MAX_MESSAGE_LEN {
            return Err(NoiseError::MessageTooLarge {
                len: message.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        let tokens = self.current_pattern()?;
        let mut rest = message;
        let mut take = |n: usize| -> NoiseResult<&[u8]> {
            if rest.len() < n {
                return Err(NoiseError::MessageTooShort {
                    needed: n,
                    got: rest.len(),
                });
            }
            let (head, tail) = rest.split_at(n);
            rest = tail;
            Ok(head)
        };

        for token in tokens {
            match token {
                Token::E => {
                    // §5.3: "Sets re (which must be empty) to the next DHLEN bytes".
                    if self.re.is_some() {
                        return Err(NoiseError::KeyAlreadySet(KeyRole::RemoteEphemeral));
                    }
                    let mut re = [0u8; DHLEN];
                    re.copy_from_slice(take(DHLEN)?);
                    self.symmetric.mix_hash(&re);
                    self.re = Some(re);
                }
                Token::S => {
                    // §5.3: DHLEN + 16 bytes if HasKey(), else DHLEN.
                    if self.rs.is_some() {
                        return Err(NoiseError::KeyAlreadySet(KeyRole::RemoteStatic));
                    }
                    let len = if self.symmetric.has_key() {
                        DHLEN + TAGLEN
                    } else {
                        DHLEN
                    };
                    let temp = take(len)?;
                    let plain = self.symmetric.decrypt_and_hash(temp)?;
                    let mut rs = [0u8; DHLEN];
                    if plain.len() != DHLEN {
                        return Err(NoiseError::InvalidKeyLength {
                            expected: DHLEN,
                            got: plain.len(),
                        });
                    }
                    rs.copy_from_slice(&plain);
                    self.rs = Some(rs);
                }
                dh => self.mix_dh(*dh)?,
            }
        }

        // §5.3: DecryptAndHash() the remaining bytes.
        if self.knobs.skip_empty_payload_mixhash_without_key
            && rest.is_empty()
            && !self.symmetric.has_key()
        {
            return Ok(Vec::new());
        }
        match self.symmetric.decrypt_and_hash(rest) {
            Err(NoiseError::Decrypt) if self.knobs.payload_decrypt_failure_as_empty => {
                Ok(Vec::new())
            }
            read => read,
        }
    }
}
