//! The one error type of the Noise peer engine.
//!
//! Every failure caused by outside input (handshake messages, transport
//! frames, framed byte streams, vector files) is reported as a
//! [`NoiseError`] variant; nothing in this module tree panics on such input.

use std::fmt;

/// Which key a configuration or pattern needed (Noise rev34 §5.3 variables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRole {
    /// `s`: the local static key pair.
    LocalStatic,
    /// `e`: the local ephemeral key pair.
    LocalEphemeral,
    /// `rs`: the remote party's static public key.
    RemoteStatic,
    /// `re`: the remote party's ephemeral public key.
    RemoteEphemeral,
}

impl fmt::Display for KeyRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            KeyRole::LocalStatic => "s",
            KeyRole::LocalEphemeral => "e",
            KeyRole::RemoteStatic => "rs",
            KeyRole::RemoteEphemeral => "re",
        };
        f.write_str(name)
    }
}

/// Errors of the Noise peer engine, its framing and its vector tooling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoiseError {
    /// A Noise message (handshake or transport) exceeds 65535 bytes (§3), or
    /// a plaintext would make one exceed it.
    MessageTooLarge { len: usize, max: usize },
    /// A handshake or transport message is shorter than its pattern needs.
    MessageTooShort { needed: usize, got: usize },
    /// AEAD authentication failed in DECRYPT (§4.2).
    Decrypt,
    /// The operating system's RNG failed while generating a key pair.
    RandomFailure,
    /// The AEAD refused to encrypt (input beyond the cipher's limits).
    Encrypt,
    /// DH produced the all-zero output of an invalid/low-order public key;
    /// signalled as an error, as §12.1 allows.
    DhFailure,
    /// The nonce reached the reserved value 2^64-1 (§5.1).
    NonceExhausted,
    /// The session was ended by nonce exhaustion; the CipherState must not
    /// be used again (§5).
    SessionTerminated,
    /// A DECRYPT or DH failure aborted the handshake (§5); the state is dead.
    HandshakeAborted,
    /// A handshake call after the last message pattern was processed.
    HandshakeFinished,
    /// Split / transport requested before the handshake finished.
    HandshakeNotFinished,
    /// `write_message` when a read was due, or the other way round.
    OutOfTurn { expected_write: bool },
    /// A key the pattern needs was not supplied.
    MissingKey(KeyRole),
    /// A key that must be empty (§5.3 "which must be empty") was already set.
    KeyAlreadySet(KeyRole),
    /// A key had the wrong length.
    InvalidKeyLength { expected: usize, got: usize },
    /// A protocol name this engine does not implement.
    UnsupportedProtocol(String),
    /// `into_fallback` outside the one situation Noise Pipes allows (§10.4).
    FallbackNotAllowed(&'static str),
    /// A misbehaviour knob asked for something this message cannot carry.
    KnobNotApplicable(&'static str),
    /// A frame's length prefix exceeds the decoder's bound (or 2^24-1).
    FrameTooLarge { len: usize, max: usize },
    /// The 4-byte connection header differs from the expected one.
    HeaderMismatch { expected: [u8; 4], got: Vec<u8> },
    /// The frame decoder already failed; it accepts no more input.
    DecoderPoisoned,
    /// A vector file (or one field of it) is not well formed.
    VectorFormat(String),
    /// A `HandshakeMessage` wrapper (wrapping.rs) is not well formed.
    MalformedWrapper(&'static str),
}

impl fmt::Display for NoiseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoiseError::MessageTooLarge { len, max } => {
                write!(f, "message of {len} bytes exceeds the maximum of {max}")
            }
            NoiseError::MessageTooShort { needed, got } => {
                write!(f, "message too short: needed {needed} bytes, got {got}")
            }
            NoiseError::Decrypt => f.write_str("AEAD decryption failed"),
            NoiseError::Encrypt => f.write_str("AEAD encryption failed"),
            NoiseError::RandomFailure => f.write_str("random number generator failed"),
            NoiseError::DhFailure => f.write_str("DH produced an all-zero (invalid) output"),
            NoiseError::NonceExhausted => f.write_str("nonce exhausted (2^64-1 is reserved)"),
            NoiseError::SessionTerminated => f.write_str("session terminated"),
            NoiseError::HandshakeAborted => f.write_str("handshake aborted after an error"),
            NoiseError::HandshakeFinished => f.write_str("handshake already finished"),
            NoiseError::HandshakeNotFinished => f.write_str("handshake not finished"),
            NoiseError::OutOfTurn { expected_write } => {
                if *expected_write {
                    f.write_str("out of turn: a write was expected")
                } else {
                    f.write_str("out of turn: a read was expected")
                }
            }
            NoiseError::MissingKey(k) => write!(f, "missing key {k}"),
            NoiseError::KeyAlreadySet(k) => write!(f, "key {k} must be empty but is set"),
            NoiseError::InvalidKeyLength { expected, got } => {
                write!(f, "key length {got}, expected {expected}")
            }
            NoiseError::UnsupportedProtocol(name) => write!(f, "unsupported protocol {name:?}"),
            NoiseError::FallbackNotAllowed(why) => write!(f, "fallback not allowed: {why}"),
            NoiseError::KnobNotApplicable(why) => write!(f, "knob not applicable: {why}"),
            NoiseError::FrameTooLarge { len, max } => {
                write!(f, "frame of {len} bytes exceeds the bound of {max}")
            }
            NoiseError::HeaderMismatch { expected, got } => write!(
                f,
                "connection header mismatch: expected {}, got {}",
                hex::encode(expected),
                hex::encode(got)
            ),
            NoiseError::DecoderPoisoned => {
                f.write_str("frame decoder poisoned by an earlier error")
            }
            NoiseError::VectorFormat(why) => write!(f, "malformed vector: {why}"),
            NoiseError::MalformedWrapper(why) => write!(f, "malformed HandshakeMessage: {why}"),
        }
    }
}

impl std::error::Error for NoiseError {}

/// Result alias used throughout the engine.
pub type NoiseResult<T> = Result<T, NoiseError>;
