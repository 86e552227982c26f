//! The e2ee operations of docs/e2ee.md as every built-in target serves
//! them. [`E2eeHost`] is the adapter side, written once: it matches the
//! request, decodes its messages, checks the bounds every built-in target
//! shares, looks the local device up, and turns the result or the refusal
//! into the reply. A target implements [`E2eeOps`], the operations
//! themselves, on its own devices.

mod host;
mod library_target;
mod messages;

pub use host::E2eeHost;
pub use library_target::{is_e2ee, E2eeLibrary, LibraryTarget};
pub use messages::{Bundle, FixedKeys};

use crate::adapter::proto::{
    response::Reply, E2eeDescribeResult, ErrorCategory, InternalError, Rejected, Unsupported,
};
use crate::peer::signal::Address;

/// Devices one target hosts at most.
pub const MAX_DEVICES: usize = 64;
/// One-time prekeys one device may be created with at most.
pub const MAX_ONE_TIME_PREKEYS: u32 = 1000;
/// Fixed ephemeral keys one device may be given at most.
pub const MAX_FIXED_EPHEMERALS: usize = 1000;
/// Longest address name accepted.
pub const MAX_NAME_LEN: usize = 256;
/// Longest signed-prekey signature accepted in a bundle.
pub const MAX_SIGNATURE_LEN: usize = 1024;

/// Why an operation was not carried out, before it becomes a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The input was refused, under an adapter category.
    Rejected {
        category: ErrorCategory,
        detail: String,
    },
    /// The target does not offer the operation (an optional capability).
    Unsupported(String),
    /// The target failed for a reason that is no refusal of the input.
    Internal(String),
}

impl Refusal {
    pub fn new(category: ErrorCategory, detail: impl Into<String>) -> Refusal {
        Refusal::Rejected {
            category,
            detail: detail.into(),
        }
    }

    pub fn malformed(detail: impl Into<String>) -> Refusal {
        Refusal::new(ErrorCategory::MalformedInput, detail)
    }

    pub fn into_reply(self) -> Reply {
        match self {
            Refusal::Rejected { category, detail } => Reply::Rejected(Rejected {
                category: category as i32,
                detail,
            }),
            Refusal::Unsupported(detail) => Reply::Unsupported(Unsupported { detail }),
            Refusal::Internal(detail) => Reply::InternalError(InternalError { detail }),
        }
    }
}

/// A device to create, its request decoded and within the shared bounds.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub address: Address,
    /// 0: the target draws one.
    pub registration_id: u32,
    pub one_time_prekeys: u32,
    pub fixed_keys: Option<FixedKeys>,
}

/// What `E2eeCreateDevice` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub identity_key: Vec<u8>,
    pub registration_id: u32,
}

/// The e2ee operations a target performs on its devices. Every method is
/// handed decoded input; the host has already looked the local device up.
pub trait E2eeOps {
    /// One device as the target keeps it.
    type Device;
    /// A remote address in the target's form.
    type Remote;
    /// A received bundle in the target's form.
    type Bundle;

    /// `address` (a remote one, or the address of a device to create) in
    /// the target's form; refused when it does not fit.
    fn remote(&self, address: &Address) -> Result<Self::Remote, Refusal>;

    /// Whether `E2eeCreateDevice` takes fixed keys (E2EE_FIXED_KEYS).
    fn takes_fixed_keys(&self) -> bool {
        true
    }

    /// Whether `E2eeSafetyNumber` is answered (E2EE_SAFETY_NUMBERS).
    fn shows_safety_numbers(&self) -> bool {
        true
    }

    /// Whether every refused `E2eeDecrypt` and `E2eeProcessBundle` is
    /// reported as BAD_MAC (the reference's one-category variant).
    fn one_refusal_category(&self) -> bool {
        false
    }

    fn create_device(&self, device: NewDevice) -> Result<(Self::Device, Created), Refusal>;

    /// The device's bundle, with a one-time prekey if asked and one is left.
    fn bundle(&self, device: &mut Self::Device, with_one_time_prekey: bool) -> Bundle;

    /// A received bundle in the target's form (its keys decoded, if the
    /// target decodes them before use).
    fn read_bundle(&self, bundle: Bundle) -> Result<Self::Bundle, Refusal>;

    fn process_bundle(
        &self,
        device: &mut Self::Device,
        remote: &Self::Remote,
        bundle: Self::Bundle,
    ) -> Result<(), Refusal>;

    /// The largest ciphertext body the device accepts (and so produces).
    fn max_body_len(&self, device: &Self::Device) -> usize;

    /// (message type, serialized message).
    fn encrypt(
        &self,
        device: &mut Self::Device,
        remote: &Self::Remote,
        plaintext: &[u8],
    ) -> Result<(u32, Vec<u8>), Refusal>;

    fn decrypt(
        &self,
        device: &mut Self::Device,
        remote: &Self::Remote,
        message_type: u32,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, Refusal>;

    fn safety_number(
        &self,
        device: &mut Self::Device,
        remote: &Self::Remote,
    ) -> Result<String, Refusal>;

    fn approve_identity(
        &self,
        device: &mut Self::Device,
        remote: &Self::Remote,
        identity_key: &[u8],
    ) -> Result<(), Refusal>;

    /// Whether a session existed.
    fn delete_session(&self, device: &mut Self::Device, remote: &Self::Remote) -> bool;

    /// The receiver bounds the devices created from now on keep
    /// (`E2eeDescribe`, docs/e2ee.md §Limits). `Unsupported` (the default)
    /// leaves the profile's values as the target's.
    fn describe(&self) -> Result<E2eeDescribeResult, Refusal> {
        Err(Refusal::Unsupported(
            "this target does not describe its bounds: the profile's are its own".into(),
        ))
    }

    /// Whether `E2eeCloneDevice` is answered (E2EE_CLONE_DEVICE).
    fn clones_devices(&self) -> bool {
        false
    }

    /// The attacker's copy of `device` (docs/e2ee.md §Cloning a device):
    /// everything it holds now, with randomness of its own from here on.
    /// The original's randomness is renewed too (`device` is mutable for
    /// that), so neither can foresee the other's next keys.
    fn clone_device(&self, device: &mut Self::Device) -> Result<Self::Device, Refusal> {
        let _ = device;
        Err(Refusal::Unsupported(
            "this target does not clone devices (no E2EE_CLONE_DEVICE)".into(),
        ))
    }
}
