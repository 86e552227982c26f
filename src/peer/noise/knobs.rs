//! Deliberate misbehaviours of the peer engine.
//!
//! The harness uses a [`NoiseKnobs`] to build handshake messages and
//! transport frames that are wrong in exactly one way and otherwise valid.
//! Every knob defaults to off ([`NoiseKnobs::default`] is an honest peer).
//! Each field names the branch that honours it:
//!
//! | field | honoured in |
//! | --- | --- |
//! | `flip_bit` | `HandshakeState::write_message`, after the message is built |
//! | `truncate` / `extend` | `HandshakeState::write_message`, after the message is built |
//! | `low_order_ephemeral` | `HandshakeState::write_message`, token `e` |
//! | `wrong_prologue` | `HandshakeState::new` (the `MixHash(prologue)` of §5.3) |
//! | `unexpected_static` | `HandshakeState::write_message`, token `s` |
//! | `skip_payload_mixhash` | `HandshakeState::write_message`, payload step |
//! | `skip_empty_payload_mixhash_without_key` | `HandshakeState::{write,read}_message`, payload step |
//! | `replay_transport_frame` | `TransportState::write_message` |
//! | `reuse_nonce` | `TransportState::write_message` |
//! | `skip_nonce` | `TransportState::write_message` |
//! | `oversized_transport_frame` | `TransportState::write_message` |
//! | `wrong_connection_header` | `FrameEncoder::encode` (framing) |
//! | `high_bit_public_keys` | `HandshakeState::write_message`, tokens `e` and `s` |
//!
//! Message indices count the handshake messages of the whole pattern from 0
//! (both directions); a knob only fires when this party writes that message.
//! Transport indices count only this party's sent transport messages from 0.

use super::dh::LowOrderPoint;

/// The part of a handshake message a bit flip targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagePart {
    /// The cleartext ephemeral public key written for token `e`.
    Ephemeral,
    /// The (encrypted, if a key exists) static public key of token `s`,
    /// including its tag.
    EncryptedStatic,
    /// The payload ciphertext without its tag (or the cleartext payload when
    /// no key exists yet).
    Payload,
    /// The 16-byte tag of the payload ciphertext.
    Tag,
}

/// Flip one bit of one part of one handshake message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitFlip {
    /// Handshake message index (pattern-wide, from 0).
    pub message: usize,
    /// Which part of the message.
    pub part: MessagePart,
    /// Bit index inside the part (bit 0 is the low bit of the part's first
    /// byte); taken modulo the part's length in bits.
    pub bit: usize,
}

/// The deliberate misbehaviours (all off by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoiseKnobs {
    /// Flip one bit in a chosen part of a chosen handshake message.
    pub flip_bit: Option<BitFlip>,
    /// `(message, n)`: drop the last `n` bytes of handshake message
    /// `message`.
    pub truncate: Option<(usize, usize)>,
    /// `(message, bytes)`: append `bytes` to handshake message `message`.
    pub extend: Option<(usize, Vec<u8>)>,
    /// Send this invalid point instead of our ephemeral public key (it is
    /// also what we hash, as an attacker would). Every DH with our
    /// ephemeral then mixes all zeros, as an attacker would: that is what
    /// any party without §12.1's check computes with such a point (every
    /// clamped scalar is a multiple of the cofactor 8), so a target that
    /// does not refuse the point reads the message as authentic.
    pub low_order_ephemeral: Option<LowOrderPoint>,
    /// Play an implementation without §12.1's check: an all-zero DH output
    /// is mixed instead of aborting the handshake. Not a change on the
    /// wire (the reference's `handshake-no-low-order-check` mutant, where
    /// it runs on this engine).
    pub accept_all_zero_dh: bool,
    /// Hash this prologue instead of the configured one (§6: "If both
    /// parties do not provide identical prologue data, the handshake will
    /// fail due to a decryption error").
    pub wrong_prologue: Option<Vec<u8>>,
    /// Send this static public key for token `s` instead of ours (we keep
    /// using our real static private key for DH).
    pub unexpected_static: Option<[u8; 32]>,
    /// Handshake message index whose payload ciphertext is left out of the
    /// handshake hash (EncryptWithAd without the MixHash of §5.2).
    pub skip_payload_mixhash: Option<usize>,
    /// Known deployed deviation, as a switch for both directions: when a
    /// message's payload is empty and no key exists yet, skip its
    /// `MixHash` (WhatsApp's clients never hash the empty first payload; see
    /// `framing.rs` for the sources).
    pub skip_empty_payload_mixhash_without_key: bool,
    /// Transport index at which, instead of a new frame, the previously sent
    /// frame is sent again verbatim (no nonce consumed).
    pub replay_transport_frame: Option<u64>,
    /// Transport index at which the previous frame's nonce is used again
    /// (`n` is stepped back by one before encrypting).
    pub reuse_nonce: Option<u64>,
    /// `(index, by)`: advance the sending nonce by `by` before sending
    /// transport message `index`.
    pub skip_nonce: Option<(u64, u64)>,
    /// Transport index at which the plaintext is zero-padded so that the
    /// ciphertext is 65536 bytes, one more than §3 allows.
    pub oversized_transport_frame: Option<u64>,
    /// Framing: send this 4-byte connection header instead of the real one
    /// (the Noise prologue stays the configured one).
    pub wrong_connection_header: Option<[u8; 4]>,
    /// Send our genuine ephemeral and static public keys with bit 255 of
    /// their last byte set, and hash them as sent. Not a fault: RFC 7748
    /// §5 has the receiver mask that bit ("implementations of X25519 (but
    /// not X448) MUST mask the most significant bit in the final byte"), so
    /// the DH outputs are those of the genuine keys and a conforming
    /// target completes the handshake.
    pub high_bit_public_keys: bool,
    /// Play an implementation that ignores a failed DecryptAndHash of a
    /// handshake payload and goes on with an empty payload (an unchecked
    /// result). Not a change on the wire (the reference's
    /// `handshake-ignores-payload-decrypt-error` mutant, where it runs on
    /// this engine).
    pub payload_decrypt_failure_as_empty: bool,
}

impl NoiseKnobs {
    /// An honest peer: every knob off.
    pub fn honest() -> Self {
        NoiseKnobs::default()
    }

    /// Whether any knob that acts on handshake messages is on.
    pub fn any_handshake_knob(&self) -> bool {
        // Destructured so that a new knob does not compile until it is
        // sorted into handshake or not.
        let NoiseKnobs {
            flip_bit,
            truncate,
            extend,
            low_order_ephemeral,
            // Changes nothing on the wire: how this side judges a DH output.
            accept_all_zero_dh: _,
            // Changes nothing on the wire: how this side reads a payload.
            payload_decrypt_failure_as_empty: _,
            wrong_prologue,
            unexpected_static,
            skip_payload_mixhash,
            skip_empty_payload_mixhash_without_key,
            replay_transport_frame: _,
            reuse_nonce: _,
            skip_nonce: _,
            oversized_transport_frame: _,
            wrong_connection_header: _,
            high_bit_public_keys,
        } = self;
        flip_bit.is_some()
            || truncate.is_some()
            || extend.is_some()
            || low_order_ephemeral.is_some()
            || wrong_prologue.is_some()
            || unexpected_static.is_some()
            || skip_payload_mixhash.is_some()
            || *skip_empty_payload_mixhash_without_key
            || *high_bit_public_keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_honest() {
        let k = NoiseKnobs::default();
        assert_eq!(k, NoiseKnobs::honest());
        assert!(!k.any_handshake_knob());
        let k = NoiseKnobs {
            truncate: Some((1, 1)),
            ..NoiseKnobs::default()
        };
        assert!(k.any_handshake_knob());
    }

    #[test]
    fn transport_framing_and_judging_knobs_are_not_handshake_knobs() {
        let k = NoiseKnobs {
            accept_all_zero_dh: true,
            replay_transport_frame: Some(0),
            reuse_nonce: Some(1),
            skip_nonce: Some((0, 2)),
            oversized_transport_frame: Some(0),
            wrong_connection_header: Some(*b"XX\x05\x02"),
            ..NoiseKnobs::default()
        };
        assert!(!k.any_handshake_knob());
        let k = NoiseKnobs {
            skip_empty_payload_mixhash_without_key: true,
            ..NoiseKnobs::default()
        };
        assert!(k.any_handshake_knob());
    }
}
