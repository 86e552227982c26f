//! libsignal's curve25519 signatures: an Ed25519-style Schnorr signature made
//! with the Montgomery private scalar directly, the Edwards public key's sign
//! bit carried in bit 7 of the signature's last byte.
//!
//! Construction follows libsignal-protocol-c
//! src/curve25519/ed25519/additions/curve_sigs.c (`curve25519_sign`,
//! `curve25519_verify`), sign_modified.c (`crypto_sign_modified`) and
//! open_modified.c (`crypto_sign_open_modified`).

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use subtle::ConstantTimeEq;

use super::error::SignalError;

/// Signature length.
// libsignal-protocol-c src/curve.h: CURVE_SIGNATURE_LEN 64.
pub const SIGNATURE_LEN: usize = 64;

/// Domain-separation prefix hashed before the private key when deriving the nonce.
// libsignal-protocol-c additions/sign_modified.c: sm[0] = 0xFE; sm[1..32] = 0xFF.
fn nonce_prefix() -> [u8; 32] {
    let mut p = [0xFFu8; 32];
    p[0] = 0xFE;
    p
}

/// Sign `msg` with the Curve25519 private scalar `a` (already clamped) using 64
/// bytes of caller-supplied randomness, exactly as `curve25519_sign` does.
pub fn sign(a: &[u8; 32], msg: &[u8], random: &[u8; 64]) -> [u8; SIGNATURE_LEN] {
    let a_scalar = Scalar::from_bytes_mod_order(*a);
    // Edwards public key A = aB; its encoding's top bit is the sign of x.
    let ed_pub = EdwardsPoint::mul_base(&a_scalar).compress().to_bytes();
    let sign_bit = ed_pub[31] & 0x80;

    // r = SHA-512(prefix || a || M || Z) mod L
    let mut h = Sha512::new();
    h.update(nonce_prefix());
    h.update(a);
    h.update(msg);
    h.update(random);
    let r = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    let big_r = EdwardsPoint::mul_base(&r).compress().to_bytes();

    // k = SHA-512(R || A || M) mod L ; S = k*a + r mod L
    let mut h = Sha512::new();
    h.update(big_r);
    h.update(ed_pub);
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    let s = k * a_scalar + r;

    let mut sig = [0u8; SIGNATURE_LEN];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(s.as_bytes());
    // curve_sigs.c: signature_out[63] &= 0x7F; signature_out[63] |= sign_bit;
    sig[63] &= 0x7F;
    sig[63] |= sign_bit;
    sig
}

/// Verify as `curve25519_verify` does: map u to Edwards y = (u-1)/(u+1), take
/// the sign bit from the signature, then verify Ed25519-style.
pub fn verify(u: &[u8; 32], msg: &[u8], signature: &[u8]) -> Result<(), SignalError> {
    if signature.len() != SIGNATURE_LEN {
        // libsignal-protocol-c src/curve.c curve_verify_signature: signature_len != CURVE_SIGNATURE_LEN -> error.
        return Err(SignalError::BadSignature);
    }
    let sign = (signature[63] & 0x80) >> 7;
    // dalek's birational map is the same y = (u-1)/(u+1); it refuses only u = -1,
    // which no honest key has (ref10 maps it to y = 0).
    let a_point = MontgomeryPoint(*u)
        .to_edwards(sign)
        .ok_or(SignalError::BadSignature)?;
    let ed_pub = a_point.compress().to_bytes();
    // Re-decompress from the bytes, as ref10 does from the encoded key.
    let a_point = CompressedEdwardsY(ed_pub)
        .decompress()
        .ok_or(SignalError::BadSignature)?;

    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&signature[..32]);
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&signature[32..]);
    s_bytes[31] &= 0x7F;
    // open_modified.c: `if (sm[63] & 224) goto badsig;` (after the sign bit was cleared).
    if s_bytes[31] & 0xE0 != 0 {
        return Err(SignalError::BadSignature);
    }
    let s = Scalar::from_bytes_mod_order(s_bytes);

    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(ed_pub);
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());

    // R' = s*B - k*A, compared byte-for-byte with R.
    let r_check = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &(-a_point), &s)
        .compress()
        .to_bytes();
    if bool::from(r_check.ct_eq(&r_bytes)) {
        Ok(())
    } else {
        Err(SignalError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::{KeyPair, PublicKey};
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    // Golden vector: libsignal-protocol-c tests/test_curve25519.c, test_curve25519_signature.
    const ALICE_IDENTITY_PRIVATE: &str =
        "c097248412e58bf05df487968205132794178e367637f5818f81e0e6ce73e865";
    const ALICE_IDENTITY_PUBLIC: &str =
        "05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64";
    const ALICE_EPHEMERAL_PUBLIC: &str =
        "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a";
    const ALICE_SIGNATURE: &str = concat!(
        "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfb",
        "ede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88"
    );

    fn golden() -> (PublicKey, Vec<u8>, Vec<u8>) {
        let pk = PublicKey::deserialize(&hex::decode(ALICE_IDENTITY_PUBLIC).unwrap()).unwrap();
        (
            pk,
            hex::decode(ALICE_EPHEMERAL_PUBLIC).unwrap(),
            hex::decode(ALICE_SIGNATURE).unwrap(),
        )
    }

    #[test]
    fn golden_private_matches_public() {
        let mut priv_bytes = [0u8; 32];
        priv_bytes.copy_from_slice(&hex::decode(ALICE_IDENTITY_PRIVATE).unwrap());
        let kp = KeyPair::from_private_bytes(priv_bytes);
        assert_eq!(hex::encode(kp.public.serialize()), ALICE_IDENTITY_PUBLIC);
    }

    #[test]
    fn golden_signature_verifies() {
        let (pk, msg, sig) = golden();
        assert_eq!(pk.verify(&msg, &sig), Ok(()));
    }

    #[test]
    fn golden_signature_every_flipped_byte_rejected() {
        // Mirrors the loop in test_curve25519_signature: xor 0x01 into each byte.
        let (pk, msg, sig) = golden();
        for i in 0..sig.len() {
            let mut m = sig.clone();
            m[i] ^= 0x01;
            assert_eq!(
                pk.verify(&msg, &m),
                Err(SignalError::BadSignature),
                "byte {i}"
            );
        }
        let mut m = msg.clone();
        m[5] ^= 0x80;
        assert_eq!(pk.verify(&m, &sig), Err(SignalError::BadSignature));
        assert_eq!(pk.verify(&msg, &sig[..63]), Err(SignalError::BadSignature));
    }

    #[test]
    fn sign_verify_round_trip_and_rejections() {
        let mut rng = ChaCha20Rng::from_seed([9u8; 32]);
        for _ in 0..8 {
            let kp = KeyPair::generate(&mut rng);
            let other = KeyPair::generate(&mut rng);
            let msg = other.public.serialize();
            let sig = kp.private.sign(&msg, &mut rng);
            assert_eq!(kp.public.verify(&msg, &sig), Ok(()));
            assert_eq!(
                other.public.verify(&msg, &sig),
                Err(SignalError::BadSignature)
            );
            for bit in [0usize, 100, 255, 300, 511] {
                let mut m = sig;
                m[bit / 8] ^= 1 << (bit % 8);
                assert_eq!(kp.public.verify(&msg, &m), Err(SignalError::BadSignature));
            }
        }
    }

    #[test]
    fn signing_is_randomised_by_the_nonce_input() {
        let kp = KeyPair::from_private_bytes([3u8; 32]);
        let a = sign(kp.private.as_bytes(), b"m", &[1u8; 64]);
        let b = sign(kp.private.as_bytes(), b"m", &[2u8; 64]);
        let c = sign(kp.private.as_bytes(), b"m", &[1u8; 64]);
        assert_ne!(a, b);
        assert_eq!(a, c);
        assert_eq!(kp.public.verify(b"m", &a), Ok(()));
        assert_eq!(kp.public.verify(b"m", &b), Ok(()));
    }
}
