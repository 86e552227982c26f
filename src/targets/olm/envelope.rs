//! The plaintext envelope `builtin:olm` encrypts around every body: who
//! sends, to whom, and both devices' Ed25519 keys. Olm itself MACs only
//! `version ‖ payload` and leaves the binding of a message to its sender
//! and recipient to the application: "the application must include
//! identifying data for the sending and receiving user in the plain-text
//! of (at least) the pre-key messages" (Matrix spec
//! `content/olm-megolm/olm.md`, "Example attacks", lines 282-310). Matrix
//! does it with the `sender`, `recipient`, `keys.ed25519` and
//! `recipient_keys.ed25519` fields of an Olm payload (client-server API,
//! `modules/end_to_end_encryption.md` lines 1785-1810); this is the same
//! binding without JSON (docs/olm.md §Envelope).
//!
//! Layout (all lengths big-endian):
//! `0x01 ‖ u16 len ‖ sender name ‖ u32 sender device ‖ u16 len ‖ recipient
//! name ‖ u32 recipient device ‖ sender ed25519 (32) ‖ recipient ed25519
//! (32) ‖ body`.
//!
//! What is read here comes out of a decrypted message from a device that
//! may be hostile: every length is checked, nothing panics.

use crate::peer::signal::Address;
use crate::targets::e2ee::MAX_NAME_LEN;

/// The envelope format's version byte.
pub const VERSION: u8 = 1;
/// Length of an Ed25519 public key (RFC 8032 §5.1.5: 32 octets).
pub const ED25519_LEN: usize = 32;

/// A decoded envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub sender: Address,
    pub recipient: Address,
    pub sender_ed25519: [u8; ED25519_LEN],
    pub recipient_ed25519: [u8; ED25519_LEN],
    pub body: Vec<u8>,
}

/// Bytes the envelope adds around a body whose addresses have these names.
pub fn overhead(sender: &Address, recipient: &Address) -> usize {
    1 + 2 + sender.name.len() + 4 + 2 + recipient.name.len() + 4 + 2 * ED25519_LEN
}

fn put_address(out: &mut Vec<u8>, address: &Address) {
    // The host refuses names longer than MAX_NAME_LEN (256), so the length
    // fits a u16; a longer one is cut rather than wrapped.
    let name = address.name.as_bytes();
    let name = name.get(..MAX_NAME_LEN.min(name.len())).unwrap_or_default();
    out.extend_from_slice(&(name.len() as u16).to_be_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(&address.device_id.to_be_bytes());
}

impl Envelope {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(overhead(&self.sender, &self.recipient) + self.body.len());
        out.push(VERSION);
        put_address(&mut out, &self.sender);
        put_address(&mut out, &self.recipient);
        out.extend_from_slice(&self.sender_ed25519);
        out.extend_from_slice(&self.recipient_ed25519);
        out.extend_from_slice(&self.body);
        out
    }

    /// Reads an envelope; `Err` names what is wrong with it.
    pub fn decode(bytes: &[u8]) -> Result<Envelope, String> {
        let mut r = Reader { rest: bytes };
        let version = r.take(1)?.first().copied().unwrap_or_default();
        if version != VERSION {
            return Err(format!("envelope version {version}, expected {VERSION}"));
        }
        let sender = r.address("sender")?;
        let recipient = r.address("recipient")?;
        let sender_ed25519 = r.key("sender ed25519")?;
        let recipient_ed25519 = r.key("recipient ed25519")?;
        Ok(Envelope {
            sender,
            recipient,
            sender_ed25519,
            recipient_ed25519,
            body: r.rest.to_vec(),
        })
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.rest.len() < n {
            return Err(format!(
                "envelope truncated: {n} bytes wanted, {} left",
                self.rest.len()
            ));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn address(&mut self, what: &str) -> Result<Address, String> {
        let len = self.u16()? as usize;
        if len == 0 || len > MAX_NAME_LEN {
            return Err(format!(
                "envelope {what} name of {len} bytes (1 to {MAX_NAME_LEN})"
            ));
        }
        let name = std::str::from_utf8(self.take(len)?)
            .map_err(|_| format!("envelope {what} name is not UTF-8"))?
            .to_owned();
        let device_id = self.u32()?;
        Ok(Address::new(name, device_id))
    }

    fn key(&mut self, what: &str) -> Result<[u8; ED25519_LEN], String> {
        self.take(ED25519_LEN)?
            .try_into()
            .map_err(|_| format!("envelope {what} is not {ED25519_LEN} bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Envelope {
        Envelope {
            sender: Address::new("+14155550001", 1),
            recipient: Address::new("+14155550002", 7),
            sender_ed25519: [1; 32],
            recipient_ed25519: [2; 32],
            body: b"hello".to_vec(),
        }
    }

    #[test]
    fn round_trips_and_states_its_overhead() {
        let e = sample();
        let bytes = e.encode();
        assert_eq!(bytes.len(), overhead(&e.sender, &e.recipient) + 5);
        assert_eq!(Envelope::decode(&bytes), Ok(e));
    }

    #[test]
    fn every_prefix_and_bad_version_is_refused_without_panic() {
        let bytes = sample().encode();
        let fixed = bytes.len() - 5;
        for n in 0..fixed {
            assert!(Envelope::decode(&bytes[..n]).is_err(), "prefix {n}");
        }
        let mut bad = bytes.clone();
        bad[0] = 2;
        assert!(Envelope::decode(&bad).is_err());
        // A name length past the bound, and an empty name.
        let mut long = bytes.clone();
        long[1..3].copy_from_slice(&(MAX_NAME_LEN as u16 + 1).to_be_bytes());
        assert!(Envelope::decode(&long).is_err());
        let mut empty = bytes;
        empty[1..3].copy_from_slice(&0u16.to_be_bytes());
        assert!(Envelope::decode(&empty).is_err());
    }
}
