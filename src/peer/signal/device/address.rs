//! Who a message is for, and which kind of ciphertext message it is.

use super::super::error::SignalError;

/// A remote party: name (also its stable identifier for safety numbers) and device id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub name: String,
    pub device_id: u32,
}

impl Address {
    pub fn new(name: impl Into<String>, device_id: u32) -> Self {
        Address {
            name: name.into(),
            device_id,
        }
    }
}

/// Which ciphertext message a byte string is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageType {
    /// SignalMessage.
    Whisper,
    /// PreKeySignalMessage.
    PreKey,
}

impl MessageType {
    /// The envelope type number.
    // libsignal-protocol-java protocol/CiphertextMessage.java: WHISPER_TYPE = 2, PREKEY_TYPE = 3.
    pub fn wire_type(self) -> u32 {
        match self {
            MessageType::Whisper => 2,
            MessageType::PreKey => 3,
        }
    }

    pub fn from_wire_type(t: u32) -> Result<Self, SignalError> {
        match t {
            2 => Ok(MessageType::Whisper),
            3 => Ok(MessageType::PreKey),
            _ => Err(SignalError::Malformed("unknown ciphertext message type")),
        }
    }
}
