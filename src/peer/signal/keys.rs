//! Curve25519 keys in libsignal's "DJB" serialisation.

use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::CryptoRngCore;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::error::SignalError;
use super::xeddsa;

/// Type byte prefixed to every serialised public key.
// libsignal-protocol-c src/curve.c: `#define DJB_TYPE 0x05`; libsignal-protocol-java ecc/Curve.java DJB_TYPE = 0x05.
pub const DJB_TYPE: u8 = 0x05;
/// Raw key length.
// libsignal-protocol-c src/curve.c: `#define DJB_KEY_LEN 32`.
pub const KEY_LEN: usize = 32;
/// Serialised public key length (type byte + key).
pub const SERIALIZED_PUBLIC_KEY_LEN: usize = KEY_LEN + 1;

/// A Curve25519 (Montgomery u-coordinate) public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey([u8; KEY_LEN]);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey(")?;
        for b in &self.0[..6] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

/// True when `u` is the u-coordinate of a point whose order divides 8 (on the
/// curve or its twist): multiplying by the cofactor yields the identity (u = 0).
pub fn is_low_order(u: &[u8; KEY_LEN]) -> bool {
    let p8 = MontgomeryPoint(*u) * Scalar::from(8u8);
    bool::from(p8.0.ct_eq(&[0u8; KEY_LEN]))
}

impl PublicKey {
    /// Accept raw 32 bytes (no type byte). Rejects low-order points.
    pub fn from_raw(bytes: [u8; KEY_LEN]) -> Result<Self, SignalError> {
        if is_low_order(&bytes) {
            return Err(SignalError::InvalidKey("low-order point"));
        }
        Ok(PublicKey(bytes))
    }

    /// Parse `0x05 || 32 bytes`.
    // libsignal-protocol-c src/curve.c curve_decode_point: type byte must be DJB_TYPE, length DJB_KEY_LEN + 1.
    pub fn deserialize(bytes: &[u8]) -> Result<Self, SignalError> {
        match bytes.first() {
            None => return Err(SignalError::InvalidKey("empty key")),
            Some(&t) if t != DJB_TYPE => return Err(SignalError::InvalidKey("bad key type byte")),
            _ => {}
        }
        if bytes.len() != SERIALIZED_PUBLIC_KEY_LEN {
            return Err(SignalError::InvalidKey("bad key length"));
        }
        let mut raw = [0u8; KEY_LEN];
        raw.copy_from_slice(&bytes[1..]);
        Self::from_raw(raw)
    }

    /// Parse `0x05 || 32 bytes`, ignoring any bytes after them (as
    /// libsignal-protocol-java ecc/Curve.decodePoint and libsignal
    /// rust/core/src/curve.rs PublicKey::deserialize do); shorter input and
    /// another type byte are refused as by [`PublicKey::deserialize`].
    pub fn deserialize_ignoring_trailing_bytes(bytes: &[u8]) -> Result<Self, SignalError> {
        match bytes.get(..SERIALIZED_PUBLIC_KEY_LEN) {
            Some(prefix) => Self::deserialize(prefix),
            None => Self::deserialize(bytes),
        }
    }

    /// `0x05 || 32 bytes`.
    pub fn serialize(&self) -> [u8; SERIALIZED_PUBLIC_KEY_LEN] {
        let mut out = [0u8; SERIALIZED_PUBLIC_KEY_LEN];
        out[0] = DJB_TYPE;
        out[1..].copy_from_slice(&self.0);
        out
    }

    /// The raw u-coordinate.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Verify a libsignal curve25519 signature made by this key's owner.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignalError> {
        xeddsa::verify(&self.0, message, signature)
    }
}

/// A clamped Curve25519 private scalar.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey([u8; KEY_LEN]);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(..)")
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl PrivateKey {
    /// Take 32 bytes and clamp them.
    // libsignal-protocol-c src/curve.c curve_generate_private_key: data[0] &= 248; data[31] &= 127; data[31] |= 64.
    pub fn from_bytes(mut bytes: [u8; KEY_LEN]) -> Self {
        bytes[0] &= 248;
        bytes[31] &= 127;
        bytes[31] |= 64;
        PrivateKey(bytes)
    }

    /// Fresh random private key.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        let mut b = [0u8; KEY_LEN];
        rng.fill_bytes(&mut b);
        let k = Self::from_bytes(b);
        b.zeroize();
        k
    }

    /// The (clamped) scalar bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// X25519 public key (base point u = 9).
    pub fn public_key(&self) -> PublicKey {
        let secret = x25519_dalek::StaticSecret::from(self.0);
        PublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
    }

    /// X25519 agreement. Refuses a non-contributory (all-zero) result.
    pub fn agree(&self, their: &PublicKey) -> Result<[u8; KEY_LEN], SignalError> {
        let secret = x25519_dalek::StaticSecret::from(self.0);
        let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(their.0));
        if !shared.was_contributory() {
            return Err(SignalError::InvalidKey("non-contributory agreement"));
        }
        Ok(shared.to_bytes())
    }

    /// libsignal curve25519 signature (randomised with 64 bytes from `rng`).
    pub fn sign(&self, message: &[u8], rng: &mut impl CryptoRngCore) -> [u8; 64] {
        let mut random = [0u8; 64];
        rng.fill_bytes(&mut random);
        let sig = xeddsa::sign(&self.0, message, &random);
        random.zeroize();
        sig
    }
}

/// A private key with its public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPair {
    pub public: PublicKey,
    pub private: PrivateKey,
}

impl KeyPair {
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self::from_private(PrivateKey::generate(rng))
    }

    pub fn from_private(private: PrivateKey) -> Self {
        KeyPair {
            public: private.public_key(),
            private,
        }
    }

    /// From fixed private bytes (clamped first).
    pub fn from_private_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self::from_private(PrivateKey::from_bytes(bytes))
    }
}

/// A long-term identity key pair (the key that signs signed prekeys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityKeyPair(pub KeyPair);

impl IdentityKeyPair {
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        IdentityKeyPair(KeyPair::generate(rng))
    }

    pub fn from_private_bytes(bytes: [u8; KEY_LEN]) -> Self {
        IdentityKeyPair(KeyPair::from_private_bytes(bytes))
    }

    pub fn public(&self) -> &PublicKey {
        &self.0.public
    }

    pub fn private(&self) -> &PrivateKey {
        &self.0.private
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr<const N: usize>(h: &str) -> [u8; N] {
        let v = hex::decode(h).unwrap_or_default();
        let mut a = [0u8; N];
        a.copy_from_slice(&v);
        a
    }

    // libsignal-protocol-c tests/test_curve25519.c test_curve25519_agreement (alice/bob keys, shared).
    #[test]
    fn agreement_known_answer() {
        let alice_pub = "051bb75966f2e93a3691dfff942bb2a466a1c08b8d78ca3f4d6df8b8bfa2e4ee28";
        let alice_priv =
            arr::<32>("c806439dc9d2c476ffed8f2580c0888d58ab406bf7ae3698879021b96bb4bf59");
        let bob_pub = "05653614993d2b15ee9e5fd3d86ce719ef4ec1daae1886a87b3f5fa9565a27a22f";
        let bob_priv =
            arr::<32>("b03b34c33a1c44f225b662d2bf4859b8135411fa7b0386d45fb75dc5b91b4466");
        let shared = "325f239328941ced6e673b86ba41017448e99b649a9c3806c1dd7ca4c477e629";

        let a = KeyPair::from_private_bytes(alice_priv);
        let b = KeyPair::from_private_bytes(bob_priv);
        assert_eq!(hex::encode(a.public.serialize()), alice_pub);
        assert_eq!(hex::encode(b.public.serialize()), bob_pub);
        let bob_pk = PublicKey::deserialize(&hex::decode(bob_pub).unwrap_or_default());
        assert_eq!(bob_pk, Ok(b.public));
        assert_eq!(
            hex::encode(a.private.agree(&b.public).unwrap_or_default()),
            shared
        );
        assert_eq!(
            hex::encode(b.private.agree(&a.public).unwrap_or_default()),
            shared
        );
    }

    #[test]
    fn deserialize_rejects_bad_type_length_and_low_order() {
        let k = KeyPair::from_private_bytes([7u8; 32]).public.serialize();
        let mut wrong_type = k;
        wrong_type[0] = 0x06;
        assert!(matches!(
            PublicKey::deserialize(&wrong_type),
            Err(SignalError::InvalidKey(_))
        ));
        assert!(matches!(
            PublicKey::deserialize(&k[..32]),
            Err(SignalError::InvalidKey(_))
        ));
        assert!(matches!(
            PublicKey::deserialize(&[]),
            Err(SignalError::InvalidKey(_))
        ));
        let mut zero = [0u8; 33];
        zero[0] = DJB_TYPE;
        assert!(matches!(
            PublicKey::deserialize(&zero),
            Err(SignalError::InvalidKey(_))
        ));
        // u = 1 has order 4; the order-8 point below is from the standard low-order list.
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(is_low_order(&one));
        let order8 = arr::<32>("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        assert!(is_low_order(&order8));
        assert!(!is_low_order(k[1..].try_into().unwrap_or(&[0u8; 32])));
        assert!(PublicKey::deserialize(&k).is_ok());
    }
}
