//! Safety numbers: libsignal's 60-digit displayable numeric fingerprint.
//!
//! Follows libsignal-protocol-java fingerprint/NumericFingerprintGenerator.java
//! (getFingerprint, getDisplayStringFor/getEncodedChunk) and
//! DisplayableFingerprint.java (sorted concatenation).

use sha2::{Digest, Sha512};

use super::keys::PublicKey;

/// Iteration count used by Signal clients.
// libsignal-protocol-java NumericFingerprintGenerator javadoc: "5200 > 112 bits";
// NumericFingerprintGeneratorTest uses `new NumericFingerprintGenerator(5200)`.
pub const DEFAULT_ITERATIONS: u32 = 5200;

/// Version prefix hashed in front of the key. It is a constant 0 for the
/// displayable number in every fingerprint "version" (the version argument of
/// createFor(version, ...) only selects the scannable encoding).
// libsignal-protocol-java NumericFingerprintGenerator.java: `private static final int FINGERPRINT_VERSION = 0;`
// hashed as ByteUtil.shortToByteArray(FINGERPRINT_VERSION) (2 bytes, big-endian).
pub const FINGERPRINT_HASH_VERSION: u16 = 0;

/// Bytes of the iterated hash that become digits.
// NumericFingerprintGenerator: 30 bytes -> six 5-byte chunks, each `% 100000`, "%05d".
const DISPLAY_BYTES: usize = 30;
const CHUNK: usize = 5;
const CHUNK_MOD: u64 = 100_000;

/// The 30-digit half of a safety number for one party.
pub fn party_digits(iterations: u32, stable_identifier: &[u8], identity: &PublicKey) -> String {
    let key = identity.serialize();
    let mut hash: Vec<u8> = Vec::with_capacity(2 + key.len() + stable_identifier.len());
    hash.extend_from_slice(&FINGERPRINT_HASH_VERSION.to_be_bytes());
    hash.extend_from_slice(&key);
    hash.extend_from_slice(stable_identifier);
    for _ in 0..iterations {
        // digest.update(hash); hash = digest.digest(publicKey);  i.e. SHA-512(hash || key)
        let mut d = Sha512::new();
        d.update(&hash);
        d.update(key);
        hash = d.finalize().to_vec();
    }
    let mut out = String::with_capacity(DISPLAY_BYTES);
    for chunk in hash
        .iter()
        .take(DISPLAY_BYTES)
        .collect::<Vec<_>>()
        .chunks(CHUNK)
    {
        let v = chunk
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(**b));
        out.push_str(&format!("{:05}", v % CHUNK_MOD));
    }
    out
}

/// The 60-digit displayable safety number: both halves sorted, then concatenated.
pub fn safety_number(
    iterations: u32,
    local_id: &[u8],
    local_key: &PublicKey,
    remote_id: &[u8],
    remote_key: &PublicKey,
) -> String {
    let l = party_digits(iterations, local_id, local_key);
    let r = party_digits(iterations, remote_id, remote_key);
    if l <= r {
        l + &r
    } else {
        r + &l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden vector: libsignal-protocol-java tests/.../fingerprint/NumericFingerprintGeneratorTest.java
    // (VERSION = 1, iterations 5200) and libsignal-protocol-c tests/test_fingerprint.c (v0 and v1 share it).
    const ALICE_IDENTITY: &str =
        "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
    const BOB_IDENTITY: &str = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
    const DISPLAYABLE: &str = "300354477692869396892869876765458257569162576843440918079131";

    fn key(h: &str) -> PublicKey {
        PublicKey::deserialize(&hex::decode(h).unwrap()).unwrap()
    }

    #[test]
    fn golden_displayable_fingerprint() {
        let a = key(ALICE_IDENTITY);
        let b = key(BOB_IDENTITY);
        let from_alice = safety_number(5200, b"+14152222222", &a, b"+14153333333", &b);
        let from_bob = safety_number(5200, b"+14153333333", &b, b"+14152222222", &a);
        assert_eq!(from_alice, DISPLAYABLE);
        assert_eq!(from_bob, DISPLAYABLE);
        assert_eq!(from_alice.len(), 60);
    }

    #[test]
    fn wrong_iterations_or_identifier_change_the_number() {
        let a = key(ALICE_IDENTITY);
        let b = key(BOB_IDENTITY);
        assert_ne!(
            safety_number(1024, b"+14152222222", &a, b"+14153333333", &b),
            DISPLAYABLE
        );
        assert_ne!(
            safety_number(5200, b"+141512222222", &a, b"+14153333333", &b),
            DISPLAYABLE
        );
    }
}
