//! The `25519` DH functions (Noise rev34 §4.1, §12.1).

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use x25519_dalek::{PublicKey, StaticSecret};

use super::error::{NoiseError, NoiseResult};

/// DHLEN for 25519 (§12.1).
pub const DHLEN: usize = 32;

/// An X25519 key pair (§4.1 `GENERATE_KEYPAIR()` output).
#[derive(Clone)]
pub struct KeyPair {
    secret: StaticSecret,
    public: [u8; DHLEN],
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        f.debug_struct("KeyPair")
            .field("public", &hex::encode(self.public))
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// Build a key pair from a 32-byte private key (fixed keys for vectors).
    pub fn from_private(private: [u8; DHLEN]) -> Self {
        let secret = StaticSecret::from(private);
        let public = PublicKey::from(&secret).to_bytes();
        KeyPair { secret, public }
    }

    /// Like [`KeyPair::from_private`] for a slice of unchecked length.
    pub fn from_private_slice(private: &[u8]) -> NoiseResult<Self> {
        let bytes: [u8; DHLEN] = private
            .try_into()
            .map_err(|_| NoiseError::InvalidKeyLength {
                expected: DHLEN,
                got: private.len(),
            })?;
        Ok(Self::from_private(bytes))
    }

    /// `GENERATE_KEYPAIR()` (§12.1) from a cryptographic RNG.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let secret = StaticSecret::random_from_rng(rng);
        let public = PublicKey::from(&secret).to_bytes();
        KeyPair { secret, public }
    }

    /// `GENERATE_KEYPAIR()` from the operating system's RNG; an RNG failure
    /// is an error, not a panic.
    pub fn generate_os() -> NoiseResult<Self> {
        let mut private = [0u8; DHLEN];
        rand_core::OsRng
            .try_fill_bytes(&mut private)
            .map_err(|_| NoiseError::RandomFailure)?;
        Ok(Self::from_private(private))
    }

    /// The public key encoding (32 bytes).
    pub fn public(&self) -> [u8; DHLEN] {
        self.public
    }

    /// The private key bytes (needed to write vector files).
    pub fn private_bytes(&self) -> [u8; DHLEN] {
        self.secret.to_bytes()
    }

    /// `DH(key_pair, public_key)` (§4.1). §12.1 lets an implementation
    /// "detect inputs that produce an all-zeros output and signal an error
    /// instead"; this engine does, so a low-order or all-zero remote key is a
    /// DH failure that aborts the handshake (§5).
    pub fn dh(&self, remote_public: &[u8; DHLEN]) -> NoiseResult<[u8; DHLEN]> {
        let out = self.dh_unchecked(remote_public);
        if bool::from(out.ct_eq(&[0u8; DHLEN])) {
            return Err(NoiseError::DhFailure);
        }
        Ok(out)
    }

    /// X25519 without §12.1's all-zero check (for the knob that plays an
    /// implementation without it).
    pub fn dh_unchecked(&self, remote_public: &[u8; DHLEN]) -> [u8; DHLEN] {
        self.secret
            .diffie_hellman(&PublicKey::from(*remote_public))
            .to_bytes()
    }
}

/// Parse a 32-byte public key from a slice of unchecked length.
pub fn public_from_slice(bytes: &[u8]) -> NoiseResult<[u8; DHLEN]> {
    bytes.try_into().map_err(|_| NoiseError::InvalidKeyLength {
        expected: DHLEN,
        got: bytes.len(),
    })
}

/// Invalid X25519 public keys a misbehaving peer can send as its ephemeral.
/// Each makes an honest X25519 output all zeros (clamping multiplies by the
/// cofactor 8), which §12.1 lets the honest side signal as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowOrderPoint {
    /// u = 0: the all-zero encoding, the point (0, 0) of order 2.
    AllZero,
    /// u = 1: a point of order 4.
    One,
    /// A point of order 8 (u = 0x...e0eb7a7c...; the classic published
    /// blacklist entry).
    Order8,
    /// Any other 32-byte encoding, as given: the scenarios send every
    /// low-order encoding Project Wycheproof's `x25519_test.json` tests
    /// (`crate::vectors::wycheproof::x25519_low_order_publics`), the
    /// non-canonical ones (u >= p, bit 255 set) included.
    Encoded([u8; DHLEN]),
}

impl LowOrderPoint {
    /// The 32-byte little-endian u-coordinate encoding.
    pub fn bytes(self) -> [u8; DHLEN] {
        match self {
            LowOrderPoint::AllZero => [0u8; DHLEN],
            LowOrderPoint::One => {
                let mut b = [0u8; DHLEN];
                b[0] = 1;
                b
            }
            LowOrderPoint::Order8 => [
                0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
                0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
                0x5f, 0x49, 0xb8, 0x00,
            ],
            LowOrderPoint::Encoded(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dh_agrees_between_parties() {
        let a = KeyPair::from_private([1u8; 32]);
        let b = KeyPair::from_private([2u8; 32]);
        assert_eq!(a.dh(&b.public()), b.dh(&a.public()));
    }

    #[test]
    fn every_low_order_point_is_a_dh_failure() {
        let a = KeyPair::from_private([9u8; 32]);
        for p in [
            LowOrderPoint::AllZero,
            LowOrderPoint::One,
            LowOrderPoint::Order8,
        ] {
            assert_eq!(a.dh(&p.bytes()), Err(NoiseError::DhFailure), "{p:?}");
        }
    }

    #[test]
    fn slices_of_wrong_length_are_errors() {
        assert!(matches!(
            KeyPair::from_private_slice(&[0u8; 31]),
            Err(NoiseError::InvalidKeyLength { .. })
        ));
        assert!(public_from_slice(&[0u8; 33]).is_err());
        assert!(public_from_slice(&[0u8; 32]).is_ok());
    }
}
