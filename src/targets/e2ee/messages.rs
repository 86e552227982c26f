//! The adapter's e2ee messages decoded into what a target works with, and
//! back: addresses, private keys, fixed keys and bundles. Decoding checks
//! sizes only; keys are the target's to judge.

use std::collections::BTreeMap;

use super::{
    Refusal, MAX_DEVICES, MAX_FIXED_EPHEMERALS, MAX_NAME_LEN, MAX_ONE_TIME_PREKEYS,
    MAX_SIGNATURE_LEN,
};
use crate::adapter::proto::{
    E2eeAddress, E2eeBundle, E2eeCreateDevice, E2eeFixedKeys, ErrorCategory,
};
use crate::peer::signal::Address;

/// A prekey bundle as served or given (keys serialized `0x05 || 32`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bundle {
    pub registration_id: u32,
    pub device_id: u32,
    pub identity_key: Vec<u8>,
    pub signed_prekey_id: u32,
    pub signed_prekey: Vec<u8>,
    pub signed_prekey_signature: Vec<u8>,
    pub one_time_prekey: Option<(u32, Vec<u8>)>,
}

impl Bundle {
    /// A bundle from the wire; a signature longer than any is malformed.
    pub fn from_message(b: E2eeBundle) -> Result<Bundle, Refusal> {
        if b.signed_prekey_signature.len() > MAX_SIGNATURE_LEN {
            return Err(Refusal::malformed(
                "signed prekey signature longer than 1 KiB",
            ));
        }
        Ok(Bundle {
            registration_id: b.registration_id,
            device_id: b.device_id,
            identity_key: b.identity_key,
            signed_prekey_id: b.signed_prekey_id,
            signed_prekey: b.signed_prekey,
            signed_prekey_signature: b.signed_prekey_signature,
            one_time_prekey: b
                .has_one_time_prekey
                .then_some((b.one_time_prekey_id, b.one_time_prekey)),
        })
    }

    pub fn into_message(self) -> E2eeBundle {
        E2eeBundle {
            registration_id: self.registration_id,
            device_id: self.device_id,
            identity_key: self.identity_key,
            signed_prekey_id: self.signed_prekey_id,
            signed_prekey: self.signed_prekey,
            signed_prekey_signature: self.signed_prekey_signature,
            has_one_time_prekey: self.one_time_prekey.is_some(),
            one_time_prekey_id: self.one_time_prekey.as_ref().map_or(0, |(id, _)| *id),
            one_time_prekey: self.one_time_prekey.map(|(_, k)| k).unwrap_or_default(),
        }
    }
}

/// Keys a fixed-keys device is created with (private keys 32 bytes).
#[derive(Debug, Clone, Default)]
pub struct FixedKeys {
    pub identity_private: [u8; 32],
    pub signed_prekey_id: u32,
    pub signed_prekey_private: [u8; 32],
    /// As given: each target checks its length (64 bytes) itself.
    pub signed_prekey_signature: Vec<u8>,
    pub one_time_prekeys: Vec<(u32, [u8; 32])>,
    pub ephemeral_privates: Vec<[u8; 32]>,
}

impl FixedKeys {
    /// The fixed keys of a request, private keys checked for size (their
    /// count was checked by [`may_create_device`]).
    pub fn from_message(fixed: &E2eeFixedKeys) -> Result<FixedKeys, Refusal> {
        let mut keys = FixedKeys {
            identity_private: private_key(&fixed.identity_private, "identity_private")?,
            signed_prekey_id: fixed.signed_prekey_id,
            signed_prekey_private: private_key(
                &fixed.signed_prekey_private,
                "signed_prekey_private",
            )?,
            signed_prekey_signature: fixed.signed_prekey_signature.clone(),
            ..FixedKeys::default()
        };
        for prekey in &fixed.one_time_prekeys {
            let private = private_key(&prekey.private_key, "one-time prekey private_key")?;
            keys.one_time_prekeys.push((prekey.id, private));
        }
        for e in &fixed.ephemeral_privates {
            keys.ephemeral_privates
                .push(private_key(e, "ephemeral private key")?);
        }
        Ok(keys)
    }
}

pub fn address(proto: Option<&E2eeAddress>, what: &str) -> Result<Address, Refusal> {
    let Some(a) = proto else {
        return Err(Refusal::malformed(format!("{what} address is missing")));
    };
    if a.name.is_empty() || a.name.len() > MAX_NAME_LEN {
        return Err(Refusal::malformed(format!(
            "{what} address name must be 1 to {MAX_NAME_LEN} bytes"
        )));
    }
    Ok(Address::new(a.name.clone(), a.device_id))
}

fn private_key(bytes: &[u8], what: &str) -> Result<[u8; 32], Refusal> {
    bytes
        .try_into()
        .map_err(|_| Refusal::malformed(format!("{what} must be 32 bytes, not {}", bytes.len())))
}

/// Refuses a device at `addr` (created or cloned) when one exists there or
/// the target hosts as many as it may.
pub fn may_add_device<T>(devices: &BTreeMap<Address, T>, addr: &Address) -> Result<(), Refusal> {
    if devices.contains_key(addr) {
        return Err(Refusal::new(
            ErrorCategory::InvalidState,
            "a device already exists at this address",
        ));
    }
    if devices.len() >= MAX_DEVICES {
        return Err(Refusal::new(
            ErrorCategory::LimitExceeded,
            format!("at most {MAX_DEVICES} devices"),
        ));
    }
    Ok(())
}

/// Refuses a device the request may not create: one exists at `addr`, or
/// the target's bounds (devices, one-time prekeys, fixed keys) are passed.
/// Every built-in e2ee target shares these bounds.
pub fn may_create_device<T>(
    devices: &BTreeMap<Address, T>,
    addr: &Address,
    r: &E2eeCreateDevice,
) -> Result<(), Refusal> {
    may_add_device(devices, addr)?;
    if r.one_time_prekeys > MAX_ONE_TIME_PREKEYS {
        return Err(Refusal::new(
            ErrorCategory::LimitExceeded,
            format!("at most {MAX_ONE_TIME_PREKEYS} one-time prekeys"),
        ));
    }
    if let Some(fixed) = &r.fixed_keys {
        if fixed.one_time_prekeys.len() > MAX_ONE_TIME_PREKEYS as usize
            || fixed.ephemeral_privates.len() > MAX_FIXED_EPHEMERALS
        {
            return Err(Refusal::new(
                ErrorCategory::LimitExceeded,
                "too many fixed one-time prekeys or ephemeral keys",
            ));
        }
    }
    Ok(())
}
