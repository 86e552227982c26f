//! Key derivation: HKDF-SHA256 (RFC 5869, libsignal "HKDFv3"), the symmetric
//! chain step and the root (DH) ratchet step.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use super::error::SignalError;
use super::keys::{PrivateKey, PublicKey};

type HmacSha256 = Hmac<Sha256>;

/// HKDF info for the X3DH master secret.
// libsignal-protocol-java ratchet/RatchetingSession.java calculateDerivedKeys: "WhisperText", 64 bytes.
pub const INFO_TEXT: &[u8] = b"WhisperText";
/// HKDF info for the root (DH) ratchet.
// libsignal-protocol-java ratchet/RootKey.java createChain: "WhisperRatchet" (DerivedRootSecrets.SIZE = 64).
pub const INFO_RATCHET: &[u8] = b"WhisperRatchet";
/// HKDF info for per-message keys.
// libsignal-protocol-java ratchet/ChainKey.java getMessageKeys: "WhisperMessageKeys" (DerivedMessageSecrets.SIZE = 80).
pub const INFO_MESSAGE_KEYS: &[u8] = b"WhisperMessageKeys";
/// HMAC input that yields the message-key seed.
// libsignal-protocol-java ratchet/ChainKey.java: MESSAGE_KEY_SEED = {0x01}.
pub const MESSAGE_KEY_SEED: u8 = 0x01;
/// HMAC input that yields the next chain key.
// libsignal-protocol-java ratchet/ChainKey.java: CHAIN_KEY_SEED = {0x02}.
pub const CHAIN_KEY_SEED: u8 = 0x02;
/// Sizes of the derived message secrets.
// libsignal-protocol-java kdf/DerivedMessageSecrets.java: CIPHER_KEY_LENGTH 32, MAC_KEY_LENGTH 32, IV_LENGTH 16.
pub const CIPHER_KEY_LEN: usize = 32;
pub const MAC_KEY_LEN: usize = 32;
pub const IV_LEN: usize = 16;
pub const MESSAGE_SECRETS_LEN: usize = CIPHER_KEY_LEN + MAC_KEY_LEN + IV_LEN;

/// HKDF-SHA256. `salt = None` means RFC 5869's default (32 zero bytes), which is
/// what libsignal's HKDFv3.deriveSecrets(ikm, info, len) uses.
pub fn hkdf_sha256<const N: usize>(salt: Option<&[u8]>, ikm: &[u8], info: &[u8]) -> [u8; N] {
    let zero = [0u8; 32];
    let hk = Hkdf::<Sha256>::new(Some(salt.unwrap_or(&zero)), ikm);
    let mut out = [0u8; N];
    // N is a compile-time constant of at most 80 here, far below 255*32, so expand cannot fail.
    if hk.expand(info, &mut out).is_err() {
        out = [0u8; N];
    }
    out
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so new_from_slice is infallible here.
    match HmacSha256::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.finalize().into_bytes().into()
        }
        Err(_) => [0u8; 32],
    }
}

/// The keys protecting one message.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageKeys {
    pub cipher_key: [u8; CIPHER_KEY_LEN],
    pub mac_key: [u8; MAC_KEY_LEN],
    pub iv: [u8; IV_LEN],
    pub counter: u32,
}

impl std::fmt::Debug for MessageKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MessageKeys(counter={})", self.counter)
    }
}

impl Drop for MessageKeys {
    fn drop(&mut self) {
        self.cipher_key.zeroize();
        self.mac_key.zeroize();
        self.iv.zeroize();
    }
}

/// A symmetric-ratchet chain key and its index (the counter of the next message).
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey {
    pub key: [u8; 32],
    pub index: u32,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChainKey(index={})", self.index)
    }
}

impl ChainKey {
    pub fn new(key: [u8; 32], index: u32) -> Self {
        ChainKey { key, index }
    }

    /// next ck = HMAC-SHA256(ck, 0x02). Refuses to wrap the u32 counter.
    pub fn next(&self) -> Result<ChainKey, SignalError> {
        let index = self
            .index
            .checked_add(1)
            .ok_or(SignalError::Malformed("chain counter overflow"))?;
        Ok(ChainKey {
            key: hmac_sha256(&self.key, &[CHAIN_KEY_SEED]),
            index,
        })
    }

    /// HKDF(HMAC-SHA256(ck, 0x01), salt zeros, "WhisperMessageKeys", 80) split 32/32/16.
    pub fn message_keys(&self) -> MessageKeys {
        let mut seed = hmac_sha256(&self.key, &[MESSAGE_KEY_SEED]);
        let mut okm: [u8; MESSAGE_SECRETS_LEN] = hkdf_sha256(None, &seed, INFO_MESSAGE_KEYS);
        let mut mk = MessageKeys {
            cipher_key: [0; CIPHER_KEY_LEN],
            mac_key: [0; MAC_KEY_LEN],
            iv: [0; IV_LEN],
            counter: self.index,
        };
        mk.cipher_key.copy_from_slice(&okm[..CIPHER_KEY_LEN]);
        mk.mac_key
            .copy_from_slice(&okm[CIPHER_KEY_LEN..CIPHER_KEY_LEN + MAC_KEY_LEN]);
        mk.iv.copy_from_slice(&okm[CIPHER_KEY_LEN + MAC_KEY_LEN..]);
        seed.zeroize();
        okm.zeroize();
        mk
    }
}

/// The root key of the DH ratchet.
#[derive(Clone, PartialEq, Eq)]
pub struct RootKey(pub [u8; 32]);

impl std::fmt::Debug for RootKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RootKey(..)")
    }
}

impl RootKey {
    /// HKDF(salt = root key, ikm = DH(their, our), "WhisperRatchet", 64) -> new root || chain key.
    pub fn create_chain(
        &self,
        their_ratchet: &PublicKey,
        our_ratchet: &PrivateKey,
    ) -> Result<(RootKey, ChainKey), SignalError> {
        let mut dh = our_ratchet.agree(their_ratchet)?;
        let okm: [u8; 64] = hkdf_sha256(Some(&self.0), &dh, INFO_RATCHET);
        dh.zeroize();
        Ok(split_root_chain(&okm))
    }
}

/// Split 64 bytes into (root key, chain key at index 0).
pub fn split_root_chain(okm: &[u8; 64]) -> (RootKey, ChainKey) {
    let mut rk = [0u8; 32];
    let mut ck = [0u8; 32];
    rk.copy_from_slice(&okm[..32]);
    ck.copy_from_slice(&okm[32..]);
    (RootKey(rk), ChainKey::new(ck, 0))
}

#[cfg(test)]
mod tests {
    use super::super::keys::KeyPair;
    use super::*;

    // Independent recomputation with the hmac/hkdf crates used directly.
    #[test]
    fn chain_step_matches_independent_computation() {
        let ck = ChainKey::new([0x42; 32], 7);
        let mut m = HmacSha256::new_from_slice(&[0x42; 32]).unwrap();
        m.update(&[0x02]);
        let expect_next: [u8; 32] = m.finalize().into_bytes().into();
        let next = ck.next().unwrap();
        assert_eq!(next.key, expect_next);
        assert_eq!(next.index, 8);

        let mut m = HmacSha256::new_from_slice(&[0x42; 32]).unwrap();
        m.update(&[0x01]);
        let seed = m.finalize().into_bytes();
        let hk = Hkdf::<Sha256>::new(Some(&[0u8; 32]), &seed);
        let mut okm = [0u8; 80];
        hk.expand(b"WhisperMessageKeys", &mut okm).unwrap();
        let mk = ck.message_keys();
        assert_eq!(&mk.cipher_key[..], &okm[..32]);
        assert_eq!(&mk.mac_key[..], &okm[32..64]);
        assert_eq!(&mk.iv[..], &okm[64..]);
        assert_eq!(mk.counter, 7);
        // Salt of 32 zeros is the same as HKDF's default (no salt).
        let hk2 = Hkdf::<Sha256>::new(None, &seed);
        let mut okm2 = [0u8; 80];
        hk2.expand(b"WhisperMessageKeys", &mut okm2).unwrap();
        assert_eq!(okm, okm2);
    }

    #[test]
    fn counter_overflow_is_an_error_not_a_panic() {
        let ck = ChainKey::new([1; 32], u32::MAX);
        assert!(matches!(ck.next(), Err(SignalError::Malformed(_))));
    }

    #[test]
    fn root_step_matches_independent_computation() {
        let a = KeyPair::from_private_bytes([5; 32]);
        let b = KeyPair::from_private_bytes([6; 32]);
        let rk = RootKey([0x11; 32]);
        let (nrk, nck) = rk.create_chain(&b.public, &a.private).unwrap();
        let dh = a.private.agree(&b.public).unwrap();
        let hk = Hkdf::<Sha256>::new(Some(&[0x11; 32]), &dh);
        let mut okm = [0u8; 64];
        hk.expand(b"WhisperRatchet", &mut okm).unwrap();
        assert_eq!(&nrk.0[..], &okm[..32]);
        assert_eq!(&nck.key[..], &okm[32..]);
        assert_eq!(nck.index, 0);
        // Both sides of the DH derive the same chain.
        let (nrk2, nck2) = rk.create_chain(&a.public, &b.private).unwrap();
        assert_eq!(nrk, nrk2);
        assert_eq!(nck, nck2);
    }
}
