//! Hash functions: `HASH`, `HMAC-HASH` and `HKDF` for SHA256.
//!
//! Noise rev34 §4.3 defines HKDF over HMAC-HASH; §12.5 fixes SHA256 with
//! HASHLEN = 32 and BLOCKLEN = 64 (the `hmac` crate uses the block length of
//! the `sha2` core, which is 64 for SHA-256).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// HASHLEN for SHA256 (§12.5).
pub const HASHLEN: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// `HASH(data)` (§4.3, §12.5). Takes several slices so callers can hash
/// `h || data` without concatenating.
pub fn hash(parts: &[&[u8]]) -> [u8; HASHLEN] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// `HMAC-HASH(key, data)` (§4.3, RFC 2104 over SHA256).
pub fn hmac_hash(key: &[u8], parts: &[&[u8]]) -> [u8; HASHLEN] {
    // HMAC accepts keys of any length, so this constructor cannot fail; the
    // fallback keeps the function total without a panic path.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return [0u8; HASHLEN],
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// `HKDF(chaining_key, input_key_material, 2)` (§4.3): returns
/// `(output1, output2)`.
pub fn hkdf2(chaining_key: &[u8; HASHLEN], ikm: &[u8]) -> ([u8; HASHLEN], [u8; HASHLEN]) {
    // §4.3: temp_key = HMAC-HASH(chaining_key, input_key_material)
    let temp_key = hmac_hash(chaining_key, &[ikm]);
    // §4.3: output1 = HMAC-HASH(temp_key, byte(0x01))
    let out1 = hmac_hash(&temp_key, &[&[0x01]]);
    // §4.3: output2 = HMAC-HASH(temp_key, output1 || byte(0x02))
    let out2 = hmac_hash(&temp_key, &[&out1, &[0x02]]);
    (out1, out2)
}

/// `HKDF(chaining_key, input_key_material, 3)` (§4.3), used by
/// `MixKeyAndHash` (§5.2).
pub fn hkdf3(
    chaining_key: &[u8; HASHLEN],
    ikm: &[u8],
) -> ([u8; HASHLEN], [u8; HASHLEN], [u8; HASHLEN]) {
    let temp_key = hmac_hash(chaining_key, &[ikm]);
    let out1 = hmac_hash(&temp_key, &[&[0x01]]);
    let out2 = hmac_hash(&temp_key, &[&out1, &[0x02]]);
    // §4.3: output3 = HMAC-HASH(temp_key, output2 || byte(0x03))
    let out3 = hmac_hash(&temp_key, &[&out2, &[0x03]]);
    (out1, out2, out3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hkdf_matches_rfc5869_with_ck_as_salt_and_empty_info() {
        // §4.3: "the HKDF() function is simply HKDF from [RFC 5869] with the
        // chaining_key as HKDF salt, and zero-length HKDF info".
        let ck = hash(&[b"chaining key"]);
        for ikm in [&b""[..], &[7u8; 32][..]] {
            let (a, b, c) = hkdf3(&ck, ikm);
            let rfc = hkdf::Hkdf::<Sha256>::new(Some(&ck), ikm);
            let mut okm = [0u8; 96];
            assert!(rfc.expand(&[], &mut okm).is_ok());
            assert_eq!(&okm[..32], &a);
            assert_eq!(&okm[32..64], &b);
            assert_eq!(&okm[64..], &c);
            assert_eq!(hkdf2(&ck, ikm), (a, b));
        }
    }

    #[test]
    fn hash_of_parts_equals_hash_of_concatenation() {
        assert_eq!(hash(&[b"ab", b"cd"]), hash(&[b"abcd"]));
    }
}
