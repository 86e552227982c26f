//! The `SymmetricState` object (Noise rev34 §5.2).

use super::cipher_state::{CipherState, KEYLEN};
use super::error::NoiseResult;
use super::hash::{hash, hkdf2, hkdf3, HASHLEN};

/// A `SymmetricState` (§5.2): a CipherState plus the chaining key `ck` and
/// the handshake hash `h`.
#[derive(Clone, Debug)]
pub struct SymmetricState {
    cs: CipherState,
    ck: [u8; HASHLEN],
    h: [u8; HASHLEN],
}

impl SymmetricState {
    /// `InitializeSymmetric(protocol_name)` (§5.2): `h` is the name padded
    /// with zeros if it fits in HASHLEN bytes, else `HASH(protocol_name)`;
    /// `ck = h`; `InitializeKey(empty)`.
    pub fn initialize(protocol_name: &[u8]) -> Self {
        let h = if protocol_name.len() <= HASHLEN {
            let mut h = [0u8; HASHLEN];
            h[..protocol_name.len()].copy_from_slice(protocol_name);
            h
        } else {
            hash(&[protocol_name])
        };
        SymmetricState {
            cs: CipherState::empty(),
            ck: h,
            h,
        }
    }

    /// `MixKey(input_key_material)` (§5.2): `ck, temp_k = HKDF(ck, ikm, 2)`;
    /// `InitializeKey(temp_k)` (HASHLEN is 32, so no truncation).
    pub fn mix_key(&mut self, ikm: &[u8]) {
        let (ck, temp_k) = hkdf2(&self.ck, ikm);
        self.ck = ck;
        self.cs.initialize_key(Some(temp_k));
    }

    /// `MixHash(data)` (§5.2): `h = HASH(h || data)`.
    pub fn mix_hash(&mut self, data: &[u8]) {
        self.h = hash(&[&self.h, data]);
    }

    /// `MixKeyAndHash(input_key_material)` (§5.2). Only PSK handshakes use it
    /// (§9); kept for completeness of the object.
    pub fn mix_key_and_hash(&mut self, ikm: &[u8]) {
        let (ck, temp_h, temp_k) = hkdf3(&self.ck, ikm);
        self.ck = ck;
        self.mix_hash(&temp_h);
        self.cs.initialize_key(Some(temp_k));
    }

    /// `GetHandshakeHash()` (§5.2, §11.2).
    pub fn handshake_hash(&self) -> [u8; HASHLEN] {
        self.h
    }

    /// `HasKey()` of the inner CipherState.
    pub fn has_key(&self) -> bool {
        self.cs.has_key()
    }

    /// `EncryptAndHash(plaintext)` (§5.2): `ciphertext = EncryptWithAd(h,
    /// plaintext)`, `MixHash(ciphertext)`.
    pub fn encrypt_and_hash(&mut self, plaintext: &[u8]) -> NoiseResult<Vec<u8>> {
        let ct = self.cs.encrypt_with_ad(&self.h, plaintext)?;
        self.mix_hash(&ct);
        Ok(ct)
    }

    /// `EncryptWithAd(h, plaintext)` *without* the `MixHash` that §5.2
    /// requires. Only the `skip_payload_mixhash` knob calls this.
    pub(super) fn encrypt_without_hash(&mut self, plaintext: &[u8]) -> NoiseResult<Vec<u8>> {
        self.cs.encrypt_with_ad(&self.h, plaintext)
    }

    /// `DecryptAndHash(ciphertext)` (§5.2): `plaintext = DecryptWithAd(h,
    /// ciphertext)`, `MixHash(ciphertext)`. On a DECRYPT failure `h` is left
    /// unchanged and the error is returned.
    pub fn decrypt_and_hash(&mut self, ciphertext: &[u8]) -> NoiseResult<Vec<u8>> {
        let pt = self.cs.decrypt_with_ad(&self.h, ciphertext)?;
        self.mix_hash(ciphertext);
        Ok(pt)
    }

    /// The two keys `Split()` (§5.2) derives, `(temp_k1, temp_k2)`.
    pub fn split_keys(&self) -> ([u8; KEYLEN], [u8; KEYLEN]) {
        hkdf2(&self.ck, &[])
    }

    /// `Split()` (§5.2): `temp_k1, temp_k2 = HKDF(ck, zerolen, 2)`; returns
    /// `(c1, c2)`, c1 for initiator-to-responder traffic (§5).
    pub fn split(&self) -> (CipherState, CipherState) {
        let (k1, k2) = self.split_keys();
        let mut c1 = CipherState::empty();
        let mut c2 = CipherState::empty();
        c1.initialize_key(Some(k1));
        c2.initialize_key(Some(k2));
        (c1, c2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_zero_padded_long_names_hashed() {
        let short = SymmetricState::initialize(b"Noise_XX_25519_AESGCM_SHA256");
        let mut expect = [0u8; 32];
        expect[..28].copy_from_slice(b"Noise_XX_25519_AESGCM_SHA256");
        assert_eq!(short.handshake_hash(), expect);
        let long = SymmetricState::initialize(b"Noise_XXfallback_25519_AESGCM_SHA256");
        assert_eq!(
            long.handshake_hash(),
            hash(&[b"Noise_XXfallback_25519_AESGCM_SHA256"])
        );
    }

    #[test]
    fn encrypt_and_hash_without_key_is_cleartext_but_hashed() {
        let mut s = SymmetricState::initialize(b"x");
        let before = s.handshake_hash();
        assert_eq!(s.encrypt_and_hash(b"pl"), Ok(b"pl".to_vec()));
        assert_eq!(s.handshake_hash(), hash(&[&before, b"pl"]));
    }

    #[test]
    fn failed_decrypt_leaves_h_unchanged() {
        let mut a = SymmetricState::initialize(b"x");
        a.mix_key(&[1u8; 32]);
        let mut b = a.clone();
        let mut ct = a.encrypt_and_hash(b"secret").unwrap_or_default();
        ct[3] ^= 0x80;
        let h = b.handshake_hash();
        assert!(b.decrypt_and_hash(&ct).is_err());
        assert_eq!(b.handshake_hash(), h);
    }
}
