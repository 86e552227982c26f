//! Message body encryption: AES-256-CBC with PKCS#7 padding.
// libsignal-protocol-java SessionCipher.getCipher: "AES/CBC/PKCS5Padding" for version >= 3
// (PKCS5Padding on a 16-byte block cipher is PKCS#7).

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

use super::error::SignalError;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// AES block size.
pub const BLOCK: usize = 16;

/// Encrypt with PKCS#7 padding (output is always a non-empty multiple of 16).
pub fn encrypt(key: &[u8; 32], iv: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    Enc::new(key.into(), iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext)
}

/// Encrypt a caller-padded buffer verbatim. The buffer is zero-extended to a
/// block multiple first. Used only by the `invalid_padding` knob.
pub fn encrypt_unpadded(key: &[u8; 32], iv: &[u8; 16], padded: &[u8]) -> Vec<u8> {
    let mut buf = padded.to_vec();
    let rem = buf.len() % BLOCK;
    if rem != 0 || buf.is_empty() {
        buf.resize(buf.len() + (BLOCK - rem), 0);
    }
    Enc::new(key.into(), iv.into()).encrypt_padded_vec_mut::<NoPadding>(&buf)
}

/// Decrypt and strip PKCS#7 padding.
pub fn decrypt(key: &[u8; 32], iv: &[u8; 16], ciphertext: &[u8]) -> Result<Vec<u8>, SignalError> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK) {
        return Err(SignalError::Malformed(
            "ciphertext length is not a positive multiple of 16",
        ));
    }
    Dec::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| SignalError::InvalidPadding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_padding_rules() {
        let k = [1u8; 32];
        let iv = [2u8; 16];
        for len in [0usize, 1, 15, 16, 17, 100] {
            let pt = vec![0xAB; len];
            let ct = encrypt(&k, &iv, &pt);
            assert_eq!(ct.len(), (len / 16 + 1) * 16);
            assert_eq!(decrypt(&k, &iv, &ct), Ok(pt));
        }
        // Last plaintext byte 0x11 (17) is not valid PKCS#7 for a 16-byte block.
        let mut bad = vec![0u8; 16];
        bad[15] = 0x11;
        let ct = encrypt_unpadded(&k, &iv, &bad);
        assert_eq!(decrypt(&k, &iv, &ct), Err(SignalError::InvalidPadding));
        assert!(matches!(
            decrypt(&k, &iv, &ct[..15]),
            Err(SignalError::Malformed(_))
        ));
        assert!(matches!(
            decrypt(&k, &iv, &[]),
            Err(SignalError::Malformed(_))
        ));
    }
}
