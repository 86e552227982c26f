//! `WriteMessage()` (§5.3), and the knobs that alter a message as it is
//! written.

use super::super::cipher_state::TAGLEN;
use super::super::dh::{KeyPair, DHLEN};
use super::super::error::{KeyRole, NoiseError, NoiseResult};
use super::super::knobs::MessagePart;
use super::super::patterns::Token;
use super::{HandshakeState, MAX_MESSAGE_LEN};

/// Byte ranges of the parts of a message this party just wrote.
#[derive(Debug, Default)]
struct Layout {
    ephemeral: Option<std::ops::Range<usize>>,
    static_key: Option<std::ops::Range<usize>>,
    payload: Option<std::ops::Range<usize>>,
    tag: Option<std::ops::Range<usize>>,
}

impl HandshakeState {
    /// `WriteMessage(payload, message_buffer)` (§5.3). Returns the message.
    /// Any error aborts the handshake.
    pub fn write_message(&mut self, payload: &[u8]) -> NoiseResult<Vec<u8>> {
        self.check_can_process(true)?;
        match self.write_inner(payload) {
            Ok(msg) => {
                self.advance();
                Ok(msg)
            }
            Err(e) => Err(self.fail(false, e)),
        }
    }

    fn write_inner(&mut self, payload: &[u8]) -> NoiseResult<Vec<u8>> {
        let index = self.next;
        let tokens = self.current_pattern()?;
        let mut out = Vec::new();
        let mut layout = Layout::default();

        for token in tokens {
            match token {
                Token::E => {
                    // §5.3: "Sets e (which must be empty) to GENERATE_KEYPAIR()".
                    if self.e.is_some() {
                        return Err(NoiseError::KeyAlreadySet(KeyRole::LocalEphemeral));
                    }
                    let kp = match self.fixed_e.take() {
                        Some(fixed) => fixed,
                        None => KeyPair::generate_os()?,
                    };
                    // Knob `low_order_ephemeral`: put an invalid point on the wire.
                    let mut public = match self.knobs.low_order_ephemeral {
                        Some(point) => point.bytes(),
                        None => kp.public(),
                    };
                    // Knob `high_bit_public_keys`: the same key, bit 255 set.
                    if self.knobs.high_bit_public_keys {
                        public[DHLEN - 1] |= 0x80;
                    }
                    layout.ephemeral = Some(out.len()..out.len() + DHLEN);
                    // §5.3: append e.public_key; MixHash(e.public_key).
                    out.extend_from_slice(&public);
                    self.symmetric.mix_hash(&public);
                    self.e = Some(kp);
                }
                Token::S => {
                    let real = self
                        .s
                        .as_ref()
                        .map(KeyPair::public)
                        .ok_or(NoiseError::MissingKey(KeyRole::LocalStatic))?;
                    // Knob `unexpected_static`: announce a static key we do not hold.
                    let mut announced = self.knobs.unexpected_static.unwrap_or(real);
                    // Knob `high_bit_public_keys`: the same key, bit 255 set.
                    if self.knobs.high_bit_public_keys {
                        announced[DHLEN - 1] |= 0x80;
                    }
                    // §5.3: append EncryptAndHash(s.public_key).
                    let ct = self.symmetric.encrypt_and_hash(&announced)?;
                    layout.static_key = Some(out.len()..out.len() + ct.len());
                    out.extend_from_slice(&ct);
                }
                dh => self.mix_dh(*dh)?,
            }
        }

        // §5.3: append EncryptAndHash(payload).
        let has_key = self.symmetric.has_key();
        let ct = if self.knobs.skip_empty_payload_mixhash_without_key
            && payload.is_empty()
            && !has_key
        {
            // Knob: the deployed deviation hashes nothing for this payload.
            Vec::new()
        } else if self.knobs.skip_payload_mixhash == Some(index) {
            // Knob: encrypt with h as AD but leave the ciphertext out of h.
            self.symmetric.encrypt_without_hash(payload)?
        } else {
            self.symmetric.encrypt_and_hash(payload)?
        };
        let start = out.len();
        if has_key {
            let body_end = start + ct.len().saturating_sub(TAGLEN);
            layout.payload = Some(start..body_end);
            layout.tag = Some(body_end..start + ct.len());
        } else {
            layout.payload = Some(start..start + ct.len());
        }
        out.extend_from_slice(&ct);

        if out.len() > MAX_MESSAGE_LEN {
            return Err(NoiseError::MessageTooLarge {
                len: out.len(),
                max: MAX_MESSAGE_LEN,
            });
        }

        self.apply_message_knobs(index, &mut out, &layout)?;
        Ok(out)
    }

    /// Knobs `flip_bit`, `truncate`, `extend`: alter the finished message.
    fn apply_message_knobs(
        &self,
        index: usize,
        out: &mut Vec<u8>,
        layout: &Layout,
    ) -> NoiseResult<()> {
        if let Some(flip) = self.knobs.flip_bit.filter(|f| f.message == index) {
            let range = match flip.part {
                MessagePart::Ephemeral => layout.ephemeral.clone(),
                MessagePart::EncryptedStatic => layout.static_key.clone(),
                MessagePart::Payload => layout.payload.clone(),
                MessagePart::Tag => layout.tag.clone(),
            }
            .filter(|r| !r.is_empty())
            .ok_or(NoiseError::KnobNotApplicable(
                "flip_bit: this message has no such (non-empty) part",
            ))?;
            let bit = flip.bit % (range.len() * 8);
            let byte = out
                .get_mut(range.start + bit / 8)
                .ok_or(NoiseError::KnobNotApplicable("flip_bit: out of range"))?;
            *byte ^= 1 << (bit % 8);
        }
        if let Some((_, n)) = self.knobs.truncate.filter(|(m, _)| *m == index) {
            if n == 0 || n > out.len() {
                return Err(NoiseError::KnobNotApplicable(
                    "truncate: count must be 1..=message length",
                ));
            }
            out.truncate(out.len() - n);
        }
        if let Some((_, extra)) = self.knobs.extend.as_ref().filter(|(m, _)| *m == index) {
            out.extend_from_slice(extra);
        }
        Ok(())
    }
}
