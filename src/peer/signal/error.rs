//! Typed errors for every way an input from outside (message bytes, keys,
//! bundles) can be refused. Nothing in this module tree panics on such input.

use std::fmt;

/// Which kind of locally held prekey a message named but we do not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreKeyKind {
    /// A signed prekey (`signedPreKeyId`, PreKeySignalMessage field 6).
    Signed,
    /// A one-time prekey (`preKeyId`, PreKeySignalMessage field 1): unknown or already consumed.
    OneTime,
}

/// Every refusal the engine can report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalError {
    /// The truncated HMAC-SHA256 over identities || version || body did not match.
    BadMac,
    /// The version byte's high nibble is not 3 (legacy <= 2 or unknown > 3).
    BadVersion(u8),
    /// A public key is not 0x05 || 32 bytes, is a low-order point, or a DH was non-contributory.
    InvalidKey(&'static str),
    /// The message's counter was already used in its chain and its key is gone.
    DuplicateMessage { counter: u32, chain_index: u32 },
    /// The counter jumps further ahead of the chain than the configured limit.
    TooFarForward {
        counter: u32,
        chain_index: u32,
        limit: u32,
    },
    /// Storing the keys this counter skips would pass the receiver's
    /// skipped-key bound (only under `SkippedKeyPolicy::RefuseMessage`).
    SkippedKeysFull {
        counter: u32,
        stored: usize,
        limit: usize,
    },
    /// No session exists for the address (or the session has no usable state).
    NoSession,
    /// The peer's identity key differs from the one trusted for its address.
    UntrustedIdentity,
    /// A curve25519 (XEdDSA-style) signature did not verify.
    BadSignature,
    /// The decrypted body's PKCS#7 padding is invalid.
    InvalidPadding,
    /// A message named a prekey id we do not hold (never existed or already consumed).
    InvalidKeyId { kind: PreKeyKind, id: u32 },
    /// The message body exceeds the receiver's configured maximum.
    Oversized { len: usize, max: usize },
    /// Structurally broken input: too short, protobuf decode failure, missing field, bad length.
    Malformed(&'static str),
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalError::BadMac => write!(f, "bad MAC"),
            SignalError::BadVersion(v) => write!(f, "bad version byte 0x{v:02x}"),
            SignalError::InvalidKey(why) => write!(f, "invalid key: {why}"),
            SignalError::DuplicateMessage {
                counter,
                chain_index,
            } => write!(
                f,
                "duplicate message: counter {counter} below chain index {chain_index}"
            ),
            SignalError::TooFarForward {
                counter,
                chain_index,
                limit,
            } => write!(
                f,
                "counter {counter} is more than {limit} ahead of chain index {chain_index}"
            ),
            SignalError::SkippedKeysFull {
                counter,
                stored,
                limit,
            } => write!(
                f,
                "counter {counter} would skip keys past the store's bound of {limit} ({stored} stored)"
            ),
            SignalError::NoSession => write!(f, "no session"),
            SignalError::UntrustedIdentity => write!(f, "untrusted identity"),
            SignalError::BadSignature => write!(f, "bad signature"),
            SignalError::InvalidPadding => write!(f, "invalid PKCS#7 padding"),
            SignalError::InvalidKeyId { kind, id } => write!(f, "unknown {kind:?} prekey id {id}"),
            SignalError::Oversized { len, max } => {
                write!(f, "body of {len} bytes exceeds the maximum {max}")
            }
            SignalError::Malformed(why) => write!(f, "malformed: {why}"),
        }
    }
}

impl std::error::Error for SignalError {}

impl From<prost::DecodeError> for SignalError {
    fn from(_: prost::DecodeError) -> Self {
        SignalError::Malformed("protobuf decode error")
    }
}
