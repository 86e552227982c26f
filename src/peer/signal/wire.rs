//! Wire format of the two Signal v3 ciphertext messages.
//!
//! Protobuf definitions follow libsignal-protocol-java protobuf/WhisperTextProtocol.proto
//! (proto2, every field `optional`); the text form is `proto/signal_wire.proto`.

use hmac::{Hmac, Mac};
use prost::Message;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::SignalError;
use super::keys::{PublicKey, DJB_TYPE, SERIALIZED_PUBLIC_KEY_LEN};

/// Protocol version carried in both nibbles of the version byte.
// libsignal-protocol-java protocol/CiphertextMessage.java: CURRENT_VERSION = 3.
pub const CURRENT_VERSION: u8 = 3;
/// Highest unsupported (legacy) version.
// libsignal-protocol-java protocol/CiphertextMessage.java: UNSUPPORTED_VERSION = 1
// (SignalMessage refuses <= 1 as legacy and > 3 as unknown; PreKeySignalMessage refuses anything != 3).
pub const UNSUPPORTED_VERSION: u8 = 1;
/// Truncated MAC length.
// libsignal-protocol-java protocol/SignalMessage.java: MAC_LENGTH = 8.
pub const MAC_LEN: usize = 8;

/// `(version << 4) | CURRENT_VERSION`.
// libsignal-protocol-java SignalMessage: ByteUtil.intsToByteHighAndLow(messageVersion, CURRENT_VERSION).
pub const fn version_byte(version: u8) -> u8 {
    (version << 4) | CURRENT_VERSION
}

/// The v3 version byte, 0x33.
pub const VERSION_BYTE: u8 = version_byte(CURRENT_VERSION);

/// Messages generated from `proto/signal_wire.proto`
/// (libsignal-protocol-java WhisperTextProtocol.proto, proto2).
#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/textsecure.rs"));
}

pub use generated::{
    PreKeySignalMessage as PreKeySignalMessageProto, SignalMessage as SignalMessageProto,
};

/// First 8 bytes of HMAC-SHA256(mac_key, sender identity || receiver identity || data).
// libsignal-protocol-java SignalMessage.getMac: for version >= 3 the two serialized identity keys
// (sender then receiver) precede version byte || protobuf.
pub fn compute_mac(
    mac_key: &[u8; 32],
    sender_identity: &PublicKey,
    receiver_identity: &PublicKey,
    data: &[u8],
) -> [u8; MAC_LEN] {
    let mut out = [0u8; MAC_LEN];
    // HMAC takes keys of any length; new_from_slice cannot fail.
    if let Ok(mut m) = Hmac::<Sha256>::new_from_slice(mac_key) {
        m.update(&sender_identity.serialize());
        m.update(&receiver_identity.serialize());
        m.update(data);
        let full = m.finalize().into_bytes();
        out.copy_from_slice(&full[..MAC_LEN]);
    }
    out
}

/// Sender-side description of a SignalMessage, every field as raw as the wire
/// allows so that knobs can bend exactly one of them.
#[derive(Clone, Debug)]
pub struct SignalMessageParts {
    pub version_byte: u8,
    pub ratchet_key: Vec<u8>,
    pub counter: u32,
    pub previous_counter: u32,
    pub ciphertext: Vec<u8>,
}

impl SignalMessageParts {
    /// `version || protobuf` (the MAC input after the identities).
    pub fn encode_unmacced(&self) -> Vec<u8> {
        let proto = SignalMessageProto {
            ratchet_key: Some(self.ratchet_key.clone()),
            counter: Some(self.counter),
            previous_counter: Some(self.previous_counter),
            ciphertext: Some(self.ciphertext.clone()),
        };
        let mut out = Vec::with_capacity(1 + proto.encoded_len() + MAC_LEN);
        out.push(self.version_byte);
        proto.encode_raw(&mut out);
        out
    }
}

/// A parsed, not yet authenticated SignalMessage.
#[derive(Clone, Debug)]
pub struct SignalMessage {
    pub version: u8,
    pub ratchet_key: PublicKey,
    pub counter: u32,
    pub previous_counter: u32,
    pub ciphertext: Vec<u8>,
    serialized: Vec<u8>,
}

/// Refuse a version byte whose high nibble is not CURRENT_VERSION.
fn check_version(b: u8) -> Result<u8, SignalError> {
    let v = b >> 4;
    // Legacy (<= UNSUPPORTED_VERSION), v2 and anything above CURRENT_VERSION are all refused:
    // only v3 sessions exist here. The low nibble is ignored, as libsignal does.
    if v != CURRENT_VERSION {
        return Err(SignalError::BadVersion(b));
    }
    Ok(v)
}

impl SignalMessage {
    /// Parse `version || protobuf || mac`. `max_body` bounds the ciphertext field.
    pub fn parse(bytes: &[u8], max_body: usize) -> Result<Self, SignalError> {
        // SignalMessage(byte[]): split(serialized, 1, len - 1 - MAC_LENGTH, MAC_LENGTH) fails on short input.
        if bytes.len() < 1 + MAC_LEN {
            return Err(SignalError::Malformed("SignalMessage too short"));
        }
        let version = check_version(bytes[0])?;
        let body = &bytes[1..bytes.len() - MAC_LEN];
        let proto = SignalMessageProto::decode(body)?;
        // SignalMessage: "Incomplete message." unless ciphertext, counter and ratchetKey are present.
        let (Some(rk), Some(counter), Some(ciphertext)) =
            (proto.ratchet_key, proto.counter, proto.ciphertext)
        else {
            return Err(SignalError::Malformed(
                "SignalMessage missing a required field",
            ));
        };
        if ciphertext.len() > max_body {
            return Err(SignalError::Oversized {
                len: ciphertext.len(),
                max: max_body,
            });
        }
        let ratchet_key = PublicKey::deserialize(&rk)?;
        Ok(SignalMessage {
            version,
            ratchet_key,
            counter,
            previous_counter: proto.previous_counter.unwrap_or(0),
            ciphertext,
            serialized: bytes.to_vec(),
        })
    }

    /// Constant-time check of the trailing 8-byte MAC.
    pub fn verify_mac(
        &self,
        sender_identity: &PublicKey,
        receiver_identity: &PublicKey,
        mac_key: &[u8; 32],
    ) -> Result<(), SignalError> {
        let split = self.serialized.len().saturating_sub(MAC_LEN);
        let (data, theirs) = self.serialized.split_at(split);
        let ours = compute_mac(mac_key, sender_identity, receiver_identity, data);
        if bool::from(ours.ct_eq(theirs)) {
            Ok(())
        } else {
            Err(SignalError::BadMac)
        }
    }

    pub fn serialized(&self) -> &[u8] {
        &self.serialized
    }
}

/// Sender-side description of a PreKeySignalMessage.
#[derive(Clone, Debug)]
pub struct PreKeyParts {
    pub version_byte: u8,
    pub registration_id: u32,
    pub pre_key_id: Option<u32>,
    pub signed_pre_key_id: u32,
    pub base_key: Vec<u8>,
    pub identity_key: Vec<u8>,
    pub message: Vec<u8>,
}

impl PreKeyParts {
    pub fn encode(&self) -> Vec<u8> {
        let proto = PreKeySignalMessageProto {
            pre_key_id: self.pre_key_id,
            base_key: Some(self.base_key.clone()),
            identity_key: Some(self.identity_key.clone()),
            message: Some(self.message.clone()),
            registration_id: Some(self.registration_id),
            signed_pre_key_id: Some(self.signed_pre_key_id),
        };
        let mut out = Vec::with_capacity(1 + proto.encoded_len());
        out.push(self.version_byte);
        proto.encode_raw(&mut out);
        out
    }
}

/// A parsed PreKeySignalMessage (its inner SignalMessage parsed too).
#[derive(Clone, Debug)]
pub struct PreKeySignalMessage {
    pub version: u8,
    pub registration_id: u32,
    pub pre_key_id: Option<u32>,
    pub signed_pre_key_id: u32,
    pub base_key: PublicKey,
    pub identity_key: PublicKey,
    pub message: SignalMessage,
}

impl PreKeySignalMessage {
    pub fn parse(bytes: &[u8], max_body: usize) -> Result<Self, SignalError> {
        let Some((&vb, rest)) = bytes.split_first() else {
            return Err(SignalError::Malformed("empty PreKeySignalMessage"));
        };
        // PreKeySignalMessage(byte[]): version > CURRENT -> InvalidVersion, < CURRENT -> Legacy.
        let version = check_version(vb)?;
        let proto = PreKeySignalMessageProto::decode(rest)?;
        // PreKeySignalMessage: "Incomplete message." unless signedPreKeyId, baseKey, identityKey, message present.
        let (Some(spk_id), Some(base), Some(ident), Some(inner)) = (
            proto.signed_pre_key_id,
            proto.base_key,
            proto.identity_key,
            proto.message,
        ) else {
            return Err(SignalError::Malformed(
                "PreKeySignalMessage missing a required field",
            ));
        };
        Ok(PreKeySignalMessage {
            version,
            registration_id: proto.registration_id.unwrap_or(0),
            pre_key_id: proto.pre_key_id,
            signed_pre_key_id: spk_id,
            base_key: PublicKey::deserialize(&base)?,
            identity_key: PublicKey::deserialize(&ident)?,
            message: SignalMessage::parse(&inner, max_body)?,
        })
    }
}

/// A serialized key cut to `0x05 || 32 bytes` when more bytes follow
/// (another type byte or a short key is left for the strict parse to refuse).
fn cut_trailing_key_bytes(key: &mut Vec<u8>) -> bool {
    if key.len() > SERIALIZED_PUBLIC_KEY_LEN && key.first() == Some(&DJB_TYPE) {
        key.truncate(SERIALIZED_PUBLIC_KEY_LEN);
        return true;
    }
    false
}

/// `bytes` (a SignalMessage) with a ratchet key of more than 33 bytes cut to
/// 33 and the MAC kept; `None` when there is nothing to cut.
fn signal_message_with_key_cut(bytes: &[u8]) -> Option<Vec<u8>> {
    let split = bytes.len().checked_sub(MAC_LEN).filter(|&n| n >= 1)?;
    let (head, mac) = bytes.split_at(split);
    let mut proto = SignalMessageProto::decode(&head[1..]).ok()?;
    if !cut_trailing_key_bytes(proto.ratchet_key.as_mut()?) {
        return None;
    }
    let mut out = vec![head[0]];
    proto.encode_raw(&mut out);
    out.extend_from_slice(mac);
    Some(out)
}

/// Lenient parsing for a receiver that reads a key with bytes after
/// `0x05 || 32 bytes` as its first 33 bytes (libsignal-protocol-java
/// ecc/Curve.decodePoint, libsignal rust/core/src/curve.rs
/// PublicKey::deserialize); see `SignalConfig::ignore_trailing_key_bytes`.
impl SignalMessage {
    /// As [`SignalMessage::parse`]; the MAC is still checked over the bytes
    /// as received.
    pub fn parse_ignoring_trailing_key_bytes(
        bytes: &[u8],
        max_body: usize,
    ) -> Result<Self, SignalError> {
        match signal_message_with_key_cut(bytes) {
            Some(cut) => {
                let mut m = Self::parse(&cut, max_body)?;
                m.serialized = bytes.to_vec();
                Ok(m)
            }
            None => Self::parse(bytes, max_body),
        }
    }
}

impl PreKeySignalMessage {
    /// As [`PreKeySignalMessage::parse`], for the base, identity and inner
    /// ratchet keys.
    pub fn parse_ignoring_trailing_key_bytes(
        bytes: &[u8],
        max_body: usize,
    ) -> Result<Self, SignalError> {
        let Some((&vb, rest)) = bytes.split_first() else {
            return Self::parse(bytes, max_body);
        };
        let Ok(mut proto) = PreKeySignalMessageProto::decode(rest) else {
            return Self::parse(bytes, max_body);
        };
        let inner = proto.message.clone();
        let mut cut = false;
        for key in [&mut proto.base_key, &mut proto.identity_key]
            .into_iter()
            .flatten()
        {
            cut |= cut_trailing_key_bytes(key);
        }
        if let Some(m) = proto
            .message
            .as_mut()
            .and_then(|m| signal_message_with_key_cut(m).map(|c| (m, c)))
        {
            *m.0 = m.1;
            cut = true;
        }
        if !cut {
            return Self::parse(bytes, max_body);
        }
        let mut out = vec![vb];
        proto.encode_raw(&mut out);
        let mut m = Self::parse(&out, max_body)?;
        if let Some(inner) = inner {
            m.message = SignalMessage::parse_ignoring_trailing_key_bytes(&inner, max_body)?;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::KeyPair;
    use super::*;

    fn keys() -> (PublicKey, PublicKey, PublicKey) {
        (
            KeyPair::from_private_bytes([1; 32]).public,
            KeyPair::from_private_bytes([2; 32]).public,
            KeyPair::from_private_bytes([3; 32]).public,
        )
    }

    fn build(mac_key: &[u8; 32], a: &PublicKey, b: &PublicKey, rk: &PublicKey) -> Vec<u8> {
        let parts = SignalMessageParts {
            version_byte: VERSION_BYTE,
            ratchet_key: rk.serialize().to_vec(),
            counter: 5,
            previous_counter: 0,
            ciphertext: vec![0u8; 16],
        };
        let mut out = parts.encode_unmacced();
        let mac = compute_mac(mac_key, a, b, &out);
        out.extend_from_slice(&mac);
        out
    }

    #[test]
    fn protobuf_field_numbers_and_layout() {
        let (a, b, rk) = keys();
        let bytes = build(&[9; 32], &a, &b, &rk);
        assert_eq!(bytes[0], 0x33);
        // field 1 (ratchetKey, wire type 2) = 0x0a, length 33, then 0x05 type byte
        assert_eq!(&bytes[1..4], &[0x0a, 33, 0x05]);
        // field 2 counter = 0x10 05, field 3 previousCounter = 0x18 00 (proto2 optional is emitted)
        assert_eq!(&bytes[36..40], &[0x10, 5, 0x18, 0]);
        // field 4 ciphertext = 0x22 len 16
        assert_eq!(&bytes[40..42], &[0x22, 16]);
        assert_eq!(bytes.len(), 42 + 16 + MAC_LEN);

        let m = SignalMessage::parse(&bytes, 1024).unwrap();
        assert_eq!(m.counter, 5);
        assert_eq!(m.ratchet_key, rk);
        assert_eq!(m.verify_mac(&a, &b, &[9; 32]), Ok(()));
        assert_eq!(m.verify_mac(&b, &a, &[9; 32]), Err(SignalError::BadMac));
        assert_eq!(m.verify_mac(&a, &b, &[8; 32]), Err(SignalError::BadMac));
    }

    #[test]
    fn prekey_layout_in_field_order() {
        let (a, _, rk) = keys();
        let p = PreKeyParts {
            version_byte: VERSION_BYTE,
            registration_id: 0x1234,
            pre_key_id: Some(7),
            signed_pre_key_id: 1,
            base_key: rk.serialize().to_vec(),
            identity_key: a.serialize().to_vec(),
            message: vec![1, 2, 3],
        };
        let bytes = p.encode();
        assert_eq!(&bytes[..3], &[0x33, 0x08, 7]); // preKeyId = field 1 first
        assert_eq!(bytes[3], 0x12); // baseKey field 2
        assert_eq!(bytes[3 + 35], 0x1a); // identityKey field 3
        assert_eq!(bytes[3 + 70], 0x22); // message field 4
        let tail = &bytes[bytes.len() - 5..];
        assert_eq!(tail, &[0x28, 0xb4, 0x24, 0x30, 1]); // registrationId 5 (varint 0x1234), signedPreKeyId 6
        let decoded = PreKeySignalMessageProto::decode(&bytes[1..]).unwrap();
        assert_eq!(decoded.pre_key_id, Some(7));
        assert_eq!(decoded.registration_id, Some(0x1234));
    }

    #[test]
    fn parse_refusals() {
        let (a, b, rk) = keys();
        let good = build(&[9; 32], &a, &b, &rk);
        assert!(matches!(
            SignalMessage::parse(&good[..8], 1024),
            Err(SignalError::Malformed(_))
        ));
        for vb in [0x13u8, 0x23, 0x43, 0xf3] {
            let mut m = good.clone();
            m[0] = vb;
            assert_eq!(
                SignalMessage::parse(&m, 1024).map(|_| ()),
                Err(SignalError::BadVersion(vb))
            );
        }
        assert!(matches!(
            SignalMessage::parse(&good, 15),
            Err(SignalError::Oversized { len: 16, max: 15 })
        ));
        // Missing counter.
        let proto = SignalMessageProto {
            ratchet_key: Some(rk.serialize().to_vec()),
            counter: None,
            previous_counter: None,
            ciphertext: Some(vec![0; 16]),
        };
        let mut m = vec![VERSION_BYTE];
        proto.encode_raw(&mut m);
        m.extend_from_slice(&[0; 8]);
        assert!(matches!(
            SignalMessage::parse(&m, 1024),
            Err(SignalError::Malformed(_))
        ));
        // Garbage protobuf.
        let m = [VERSION_BYTE, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            SignalMessage::parse(&m, 1024),
            Err(SignalError::Malformed(_))
        ));
        assert!(matches!(
            PreKeySignalMessage::parse(&[], 1024),
            Err(SignalError::Malformed(_))
        ));
        assert!(matches!(
            PreKeySignalMessage::parse(&[0x33], 1024),
            Err(SignalError::Malformed(_))
        ));
        assert_eq!(
            PreKeySignalMessage::parse(&[0x23], 1024).map(|_| ()),
            Err(SignalError::BadVersion(0x23))
        );
    }
}
