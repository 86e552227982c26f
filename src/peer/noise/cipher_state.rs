//! The `CipherState` object (Noise rev34 §5.1) with the `AESGCM` cipher
//! functions (§4.2, §12.4).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

use super::error::{NoiseError, NoiseResult};

/// Cipher key length: "a cipher key of 32 bytes" (§5.1).
pub const KEYLEN: usize = 32;
/// Authentication data appended by ENCRYPT: "plus 16 bytes" (§4.2, §12.4).
pub const TAGLEN: usize = 16;
/// "The maximum n value (2^64-1) is reserved for other use" (§5.1).
pub const RESERVED_NONCE: u64 = u64::MAX;

/// The 96-bit AESGCM nonce: "32 bits of zeros followed by big-endian
/// encoding of n" (§12.4).
pub fn aesgcm_nonce(n: u64) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[4..].copy_from_slice(&n.to_be_bytes());
    nonce
}

fn cipher(k: &[u8; KEYLEN]) -> NoiseResult<Aes256Gcm> {
    Aes256Gcm::new_from_slice(k).map_err(|_| NoiseError::InvalidKeyLength {
        expected: KEYLEN,
        got: k.len(),
    })
}

/// `ENCRYPT(k, n, ad, plaintext)` (§4.2, §12.4): AES-256-GCM with the
/// 128-bit tag appended.
pub fn encrypt(k: &[u8; KEYLEN], n: u64, ad: &[u8], plaintext: &[u8]) -> NoiseResult<Vec<u8>> {
    let nonce = Nonce::from(aesgcm_nonce(n));
    cipher(k)?
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: ad,
            },
        )
        .map_err(|_| NoiseError::Encrypt)
}

/// `DECRYPT(k, n, ad, ciphertext)` (§4.2, §12.4); an authentication failure
/// is signalled as [`NoiseError::Decrypt`].
pub fn decrypt(k: &[u8; KEYLEN], n: u64, ad: &[u8], ciphertext: &[u8]) -> NoiseResult<Vec<u8>> {
    if ciphertext.len() < TAGLEN {
        return Err(NoiseError::Decrypt);
    }
    let nonce = Nonce::from(aesgcm_nonce(n));
    cipher(k)?
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: ad,
            },
        )
        .map_err(|_| NoiseError::Decrypt)
}

/// `REKEY(k)` (§4.2): AESGCM defines no REKEY of its own, so the default
/// applies: "the first 32 bytes from ENCRYPT(k, maxnonce, zerolen, zeros)".
pub fn rekey_key(k: &[u8; KEYLEN]) -> NoiseResult<[u8; KEYLEN]> {
    let out = encrypt(k, RESERVED_NONCE, &[], &[0u8; KEYLEN])?;
    let mut new_key = [0u8; KEYLEN];
    match out.get(..KEYLEN) {
        Some(first) => new_key.copy_from_slice(first),
        None => return Err(NoiseError::Encrypt),
    }
    Ok(new_key)
}

/// A `CipherState` (§5.1): a key `k` (possibly empty) and a nonce `n`.
#[derive(Clone, Default)]
pub struct CipherState {
    k: Option<[u8; KEYLEN]>,
    n: u64,
}

impl std::fmt::Debug for CipherState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CipherState")
            .field("has_key", &self.k.is_some())
            .field("n", &self.n)
            .finish()
    }
}

impl CipherState {
    /// A CipherState with an empty key (`InitializeKey(empty)`).
    pub fn empty() -> Self {
        CipherState::default()
    }

    /// `InitializeKey(key)` (§5.1): sets `k = key`, `n = 0`.
    pub fn initialize_key(&mut self, key: Option<[u8; KEYLEN]>) {
        self.k = key;
        self.n = 0;
    }

    /// `HasKey()` (§5.1).
    pub fn has_key(&self) -> bool {
        self.k.is_some()
    }

    /// `SetNonce(nonce)` (§5.1, used for §11.4 and by the nonce knobs).
    pub fn set_nonce(&mut self, nonce: u64) {
        self.n = nonce;
    }

    /// The current nonce `n` (the value the next ENCRYPT/DECRYPT uses).
    pub fn nonce(&self) -> u64 {
        self.n
    }

    /// `EncryptWithAd(ad, plaintext)` (§5.1): `ENCRYPT(k, n++, ad,
    /// plaintext)` if `k` is non-empty, else the plaintext. Once `n` has
    /// reached 2^64-1 every call signals [`NoiseError::NonceExhausted`].
    pub fn encrypt_with_ad(&mut self, ad: &[u8], plaintext: &[u8]) -> NoiseResult<Vec<u8>> {
        let Some(k) = self.k else {
            return Ok(plaintext.to_vec());
        };
        if self.n == RESERVED_NONCE {
            return Err(NoiseError::NonceExhausted);
        }
        let ct = encrypt(&k, self.n, ad, plaintext)?;
        self.n += 1;
        Ok(ct)
    }

    /// `DecryptWithAd(ad, ciphertext)` (§5.1). "If an authentication failure
    /// occurs in DECRYPT() then n is not incremented and an error is
    /// signaled to the caller."
    pub fn decrypt_with_ad(&mut self, ad: &[u8], ciphertext: &[u8]) -> NoiseResult<Vec<u8>> {
        let Some(k) = self.k else {
            return Ok(ciphertext.to_vec());
        };
        if self.n == RESERVED_NONCE {
            return Err(NoiseError::NonceExhausted);
        }
        let pt = decrypt(&k, self.n, ad, ciphertext)?;
        self.n += 1;
        Ok(pt)
    }

    /// `Rekey()` (§5.1, §11.3): `k = REKEY(k)`; `n` is left unchanged ("rekey
    /// only updates the cipherstate's k value, it doesn't reset ... n").
    /// Without a key this is a no-op.
    pub fn rekey(&mut self) -> NoiseResult<()> {
        if let Some(k) = self.k {
            self.k = Some(rekey_key(&k)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed() -> CipherState {
        let mut cs = CipherState::empty();
        cs.initialize_key(Some([0x42; KEYLEN]));
        cs
    }

    #[test]
    fn nonce_layout_is_zero_prefix_then_big_endian_counter() {
        assert_eq!(
            aesgcm_nonce(0x0102_0304_0506_0708),
            [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]
        );
    }

    #[test]
    fn empty_key_is_identity() {
        let mut cs = CipherState::empty();
        assert_eq!(cs.encrypt_with_ad(b"ad", b"pt"), Ok(b"pt".to_vec()));
        assert_eq!(cs.nonce(), 0);
    }

    #[test]
    fn roundtrip_and_tag_length() {
        let (mut a, mut b) = (keyed(), keyed());
        let ct = a.encrypt_with_ad(b"ad", b"hello");
        let ct = ct.unwrap_or_default();
        assert_eq!(ct.len(), 5 + TAGLEN);
        assert_eq!(b.decrypt_with_ad(b"ad", &ct), Ok(b"hello".to_vec()));
        assert_eq!((a.nonce(), b.nonce()), (1, 1));
    }

    #[test]
    fn failed_decrypt_does_not_advance_nonce() {
        let (mut a, mut b) = (keyed(), keyed());
        let mut ct = a.encrypt_with_ad(b"", b"x").unwrap_or_default();
        ct[0] ^= 1;
        assert_eq!(b.decrypt_with_ad(b"", &ct), Err(NoiseError::Decrypt));
        assert_eq!(b.nonce(), 0);
        assert_eq!(b.decrypt_with_ad(b"", &[1, 2, 3]), Err(NoiseError::Decrypt));
        assert_eq!(b.nonce(), 0);
    }

    #[test]
    fn reserved_nonce_is_never_used() {
        let mut a = keyed();
        a.set_nonce(RESERVED_NONCE - 1);
        assert!(a.encrypt_with_ad(b"", b"last").is_ok());
        assert_eq!(a.nonce(), RESERVED_NONCE);
        assert_eq!(
            a.encrypt_with_ad(b"", b"x"),
            Err(NoiseError::NonceExhausted)
        );
        assert_eq!(
            a.decrypt_with_ad(b"", &[0u8; 16]),
            Err(NoiseError::NonceExhausted)
        );
    }

    #[test]
    fn rekey_keeps_nonce_and_matches_default_definition() {
        let (mut a, mut b) = (keyed(), keyed());
        a.set_nonce(5);
        b.set_nonce(5);
        assert!(a.rekey().is_ok());
        assert_eq!(a.nonce(), 5);
        // Both sides rekey: they still agree.
        assert!(b.rekey().is_ok());
        let ct = a.encrypt_with_ad(b"", b"after").unwrap_or_default();
        assert_eq!(b.decrypt_with_ad(b"", &ct), Ok(b"after".to_vec()));
        // Only one side rekeyed: decryption fails.
        let mut c = keyed();
        c.set_nonce(6);
        assert_eq!(c.decrypt_with_ad(b"", &ct), Err(NoiseError::Decrypt));
        // The new key is the first 32 bytes of ENCRYPT(k, 2^64-1, "", zeros).
        let direct = encrypt(&[0x42; KEYLEN], u64::MAX, &[], &[0u8; 32]).unwrap_or_default();
        assert_eq!(
            rekey_key(&[0x42; KEYLEN]).ok(),
            direct[..32].try_into().ok()
        );
    }
}
