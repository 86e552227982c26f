//! Olm keys in the adapter's bundle fields, and the Ed25519 signature
//! over each prekey.
//!
//! Olm has no signed prekey: its 3DH runs over the two identity keys and
//! one one-time key of the responder (Matrix spec
//! `content/olm-megolm/olm.md` lines 32-47), and vodozemac checks no
//! signature (`create_outbound_session` takes raw keys,
//! vodozemac 0.10.0 `src/olm/account/mod.rs:193-218`). Matrix signs each
//! one-time and fallback key with the device's Ed25519 key (client-server
//! API `modules/end_to_end_encryption.md` lines 202-204, 237-241); so does
//! this target, over its own byte string instead of canonical JSON:
//! `"interspec-olm-prekey-v1" ‖ curve25519 identity ‖ ed25519 identity ‖
//! kind (0 one-time, 1 fallback) ‖ id (u32 BE) ‖ key`, which also binds the
//! two identity keys together.
//!
//! The bundle fields (docs/olm.md §Bundle):
//! - `identity_key`: Curve25519 identity (32) ‖ Ed25519 identity (32);
//! - `signed_prekey{_id,,_signature}`: the fallback key, its signature;
//! - `one_time_prekey`: the one-time key (32) ‖ its signature (64).

use vodozemac::{Curve25519PublicKey, Ed25519PublicKey, Ed25519Signature};

use crate::adapter::proto::ErrorCategory;
use crate::targets::e2ee::{Bundle, Refusal};

/// Curve25519 public key length (RFC 7748 §5: 32 bytes); vodozemac's
/// `Curve25519PublicKey::LENGTH`, `src/types/curve25519.rs`.
pub const CURVE_LEN: usize = 32;
/// Ed25519 public key length (RFC 8032 §5.1.5).
pub const ED_LEN: usize = 32;
/// Ed25519 signature length (RFC 8032 §5.1.6: 64 octets); vodozemac's
/// `Ed25519Signature::LENGTH`, `src/types/ed25519.rs`.
pub const SIGNATURE_LEN: usize = 64;
/// The label every prekey signature starts with.
const LABEL: &[u8] = b"interspec-olm-prekey-v1";

/// Which prekey a signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OneTime = 0,
    Fallback = 1,
}

/// A device's two identity keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub curve: Curve25519PublicKey,
    pub ed: Ed25519PublicKey,
}

impl Identity {
    /// `curve ‖ ed`, the bundle's identity field.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = self.curve.to_vec();
        out.extend_from_slice(self.ed.as_bytes());
        out
    }

    /// Reads `curve ‖ ed` (64 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Identity, Refusal> {
        if bytes.len() != CURVE_LEN + ED_LEN {
            return Err(invalid_key(format!(
                "an Olm identity is {} bytes (Curve25519 ‖ Ed25519), not {}",
                CURVE_LEN + ED_LEN,
                bytes.len()
            )));
        }
        let (curve, ed) = bytes.split_at(CURVE_LEN);
        Ok(Identity {
            curve: curve_key(curve)?,
            ed: ed_key(ed)?,
        })
    }
}

fn invalid_key(detail: String) -> Refusal {
    Refusal::new(ErrorCategory::InvalidKey, detail)
}

pub fn curve_key(bytes: &[u8]) -> Result<Curve25519PublicKey, Refusal> {
    let array: [u8; CURVE_LEN] = bytes.try_into().map_err(|_| {
        invalid_key(format!(
            "a Curve25519 key is {CURVE_LEN} bytes, not {}",
            bytes.len()
        ))
    })?;
    Ok(Curve25519PublicKey::from_bytes(array))
}

pub fn ed_key(bytes: &[u8]) -> Result<Ed25519PublicKey, Refusal> {
    let array: [u8; ED_LEN] = bytes.try_into().map_err(|_| {
        invalid_key(format!(
            "an Ed25519 key is {ED_LEN} bytes, not {}",
            bytes.len()
        ))
    })?;
    Ed25519PublicKey::from_slice(&array)
        .map_err(|e| invalid_key(format!("not an Ed25519 public key: {e}")))
}

/// The bytes a prekey signature covers.
pub fn signed_bytes(owner: Identity, kind: Kind, id: u32, key: &Curve25519PublicKey) -> Vec<u8> {
    let mut out = LABEL.to_vec();
    out.extend_from_slice(owner.curve.as_bytes());
    out.extend_from_slice(owner.ed.as_bytes());
    out.push(kind as u8);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(key.as_bytes());
    out
}

/// Checks `signature` over a prekey of `owner` (vodozemac's
/// `Ed25519PublicKey::verify` uses ed25519-dalek's `verify_strict`,
/// `src/types/ed25519.rs:386-391`).
pub fn verify(
    owner: Identity,
    kind: Kind,
    id: u32,
    key: &Curve25519PublicKey,
    signature: &[u8],
) -> Result<(), Refusal> {
    let signature = Ed25519Signature::from_slice(signature).map_err(|e| {
        Refusal::new(
            ErrorCategory::BadSignature,
            format!("the {kind:?} prekey signature does not decode: {e}"),
        )
    })?;
    owner
        .ed
        .verify(&signed_bytes(owner, kind, id, key), &signature)
        .map_err(|e| {
            Refusal::new(
                ErrorCategory::BadSignature,
                format!("the {kind:?} prekey signature does not verify: {e}"),
            )
        })
}

/// A prekey with its id and signature, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedKey {
    pub id: u32,
    pub key: Curve25519PublicKey,
    pub signature: [u8; SIGNATURE_LEN],
}

/// A received bundle, decoded and its signatures checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBundle {
    pub identity: Identity,
    /// The key the outbound session is built on: the one-time key if the
    /// bundle has one, else the fallback key (Matrix: a fallback key is used
    /// only when no one-time key is left, end_to_end_encryption.md 211-220).
    pub prekey: Curve25519PublicKey,
    /// The fallback key (the mutant `olm-ignores-one-time-key` uses it
    /// always).
    pub fallback: Curve25519PublicKey,
}

/// Decodes a bundle of this target's layout and checks both signatures
/// (unless `check_signatures` is off: the mutant
/// `olm-skips-key-signature-check`).
pub fn read_bundle(bundle: &Bundle, check_signatures: bool) -> Result<ReadBundle, Refusal> {
    let identity = Identity::from_bytes(&bundle.identity_key)?;
    let fallback = curve_key(&bundle.signed_prekey)?;
    let verify = |identity, kind, id, key: &Curve25519PublicKey, signature: &[u8]| {
        if check_signatures {
            verify(identity, kind, id, key, signature)
        } else {
            Ok(())
        }
    };
    verify(
        identity,
        Kind::Fallback,
        bundle.signed_prekey_id,
        &fallback,
        &bundle.signed_prekey_signature,
    )?;
    let prekey = match &bundle.one_time_prekey {
        None => fallback,
        Some((id, bytes)) => {
            if bytes.len() != CURVE_LEN + SIGNATURE_LEN {
                return Err(invalid_key(format!(
                    "a one-time prekey field is {} bytes (key ‖ signature), not {}",
                    CURVE_LEN + SIGNATURE_LEN,
                    bytes.len()
                )));
            }
            let (key, signature) = bytes.split_at(CURVE_LEN);
            let key = curve_key(key)?;
            verify(identity, Kind::OneTime, *id, &key, signature)?;
            key
        }
    };
    Ok(ReadBundle {
        identity,
        prekey,
        fallback,
    })
}

/// The one-time prekey field: key ‖ signature.
pub fn one_time_field(k: &SignedKey) -> Vec<u8> {
    let mut out = k.key.to_vec();
    out.extend_from_slice(&k.signature);
    out
}
