//! The adapter side of the e2ee operations: one request in, one reply out,
//! for any target that implements [`E2eeOps`].

use std::collections::BTreeMap;

use super::messages::{address, may_add_device, may_create_device, Bundle, FixedKeys};
use super::{E2eeOps, NewDevice, Refusal};
use crate::adapter::proto::{
    request::Op, response::Reply, E2eeAddress, E2eeApproveIdentity, E2eeApproveIdentityResult,
    E2eeCloneDevice, E2eeCloneDeviceResult, E2eeCreateDevice, E2eeCreateDeviceResult, E2eeDecrypt,
    E2eeDecryptResult, E2eeDeleteSession, E2eeDeleteSessionResult, E2eeEncrypt, E2eeEncryptResult,
    E2eeGetBundle, E2eeGetBundleResult, E2eeProcessBundle, E2eeProcessBundleResult,
    E2eeSafetyNumber, E2eeSafetyNumberResult, ErrorCategory,
};
use crate::peer::signal::Address;

/// A target's e2ee state: its operations and the devices it hosts
/// (everything `Reset` clears).
pub struct E2eeHost<T: E2eeOps> {
    pub ops: T,
    devices: BTreeMap<Address, T::Device>,
}

/// The local device a request names.
fn local<'d, D>(
    devices: &'d mut BTreeMap<Address, D>,
    proto: Option<&E2eeAddress>,
) -> Result<&'d mut D, Refusal> {
    let addr = address(proto, "local")?;
    devices.get_mut(&addr).ok_or_else(|| {
        Refusal::new(
            ErrorCategory::NotFound,
            format!("no local device {}.{}", addr.name, addr.device_id),
        )
    })
}

impl<T: E2eeOps> E2eeHost<T> {
    pub fn new(ops: T) -> E2eeHost<T> {
        E2eeHost {
            ops,
            devices: BTreeMap::new(),
        }
    }

    pub fn reset(&mut self) {
        self.devices.clear();
    }

    /// The device at `address`, if one was created.
    pub fn device(&self, address: &Address) -> Option<&T::Device> {
        self.devices.get(address)
    }

    /// Answers one e2ee operation; `None` for any other operation.
    pub fn handle(&mut self, op: Op) -> Option<Reply> {
        // The one-category variant names every refusal of a message or a
        // bundle with one generic category.
        let one_category = self.ops.one_refusal_category()
            && matches!(op, Op::E2eeDecrypt(_) | Op::E2eeProcessBundle(_));
        let result = match op {
            Op::E2eeCreateDevice(r) => self.create_device(r),
            Op::E2eeGetBundle(r) => self.get_bundle(r),
            Op::E2eeProcessBundle(r) => self.process_bundle(r),
            Op::E2eeEncrypt(r) => self.encrypt(r),
            Op::E2eeDecrypt(r) => self.decrypt(r),
            Op::E2eeSafetyNumber(r) => self.safety_number(r),
            Op::E2eeApproveIdentity(r) => self.approve_identity(r),
            Op::E2eeDeleteSession(r) => self.delete_session(r),
            Op::E2eeCloneDevice(r) => self.clone_device(r),
            Op::E2eeDescribe(_) => self.ops.describe().map(Reply::E2eeDescribe),
            _ => return None,
        };
        Some(match result {
            Ok(reply) => reply,
            Err(Refusal::Rejected { detail, .. }) if one_category => {
                Refusal::new(ErrorCategory::BadMac, format!("refused ({detail})")).into_reply()
            }
            Err(refusal) => refusal.into_reply(),
        })
    }

    /// The remote address a request names, in the target's form.
    fn remote(&self, proto: Option<&E2eeAddress>) -> Result<T::Remote, Refusal> {
        self.ops.remote(&address(proto, "remote")?)
    }

    fn create_device(&mut self, r: E2eeCreateDevice) -> Result<Reply, Refusal> {
        let addr = address(r.address.as_ref(), "device")?;
        // The device's own address must fit the target's form too.
        self.ops.remote(&addr)?;
        may_create_device(&self.devices, &addr, &r)?;
        let fixed_keys = match &r.fixed_keys {
            None => None,
            Some(_) if !self.ops.takes_fixed_keys() => {
                return Err(Refusal::Unsupported(
                    "this target does not take fixed keys (no E2EE_FIXED_KEYS)".into(),
                ))
            }
            Some(fixed) => Some(FixedKeys::from_message(fixed)?),
        };
        let (device, created) = self.ops.create_device(NewDevice {
            address: addr.clone(),
            registration_id: r.registration_id,
            one_time_prekeys: r.one_time_prekeys,
            fixed_keys,
        })?;
        self.devices.insert(addr, device);
        Ok(Reply::E2eeCreateDevice(E2eeCreateDeviceResult {
            identity_key: created.identity_key,
            registration_id: created.registration_id,
        }))
    }

    fn get_bundle(&mut self, r: E2eeGetBundle) -> Result<Reply, Refusal> {
        let device = local(&mut self.devices, r.local.as_ref())?;
        let bundle = self.ops.bundle(device, r.with_one_time_prekey);
        Ok(Reply::E2eeGetBundle(E2eeGetBundleResult {
            bundle: Some(bundle.into_message()),
        }))
    }

    fn process_bundle(&mut self, r: E2eeProcessBundle) -> Result<Reply, Refusal> {
        let remote = self.remote(r.remote.as_ref())?;
        let bundle = r
            .bundle
            .ok_or_else(|| Refusal::malformed("the bundle is missing"))?;
        let bundle = self.ops.read_bundle(Bundle::from_message(bundle)?)?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        self.ops.process_bundle(device, &remote, bundle)?;
        Ok(Reply::E2eeProcessBundle(E2eeProcessBundleResult {}))
    }

    fn encrypt(&mut self, r: E2eeEncrypt) -> Result<Reply, Refusal> {
        let remote = self.remote(r.remote.as_ref())?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        // The ciphertext (plaintext + up to one block of padding) must stay
        // within what a receiver with the same limit accepts.
        let limit = self.ops.max_body_len(device).saturating_sub(16);
        if r.plaintext.len() > limit {
            return Err(Refusal::new(
                ErrorCategory::LimitExceeded,
                format!("plaintext longer than {limit} bytes"),
            ));
        }
        let (message_type, ciphertext) = self.ops.encrypt(device, &remote, &r.plaintext)?;
        Ok(Reply::E2eeEncrypt(E2eeEncryptResult {
            message_type,
            ciphertext,
        }))
    }

    fn decrypt(&mut self, r: E2eeDecrypt) -> Result<Reply, Refusal> {
        let remote = self.remote(r.remote.as_ref())?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        let plaintext = self
            .ops
            .decrypt(device, &remote, r.message_type, &r.ciphertext)?;
        Ok(Reply::E2eeDecrypt(E2eeDecryptResult { plaintext }))
    }

    fn safety_number(&mut self, r: E2eeSafetyNumber) -> Result<Reply, Refusal> {
        if !self.ops.shows_safety_numbers() {
            return Err(Refusal::Unsupported(
                "this target shows no safety numbers (no E2EE_SAFETY_NUMBERS)".into(),
            ));
        }
        let remote = self.remote(r.remote.as_ref())?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        let digits = self.ops.safety_number(device, &remote)?;
        Ok(Reply::E2eeSafetyNumber(E2eeSafetyNumberResult { digits }))
    }

    fn approve_identity(&mut self, r: E2eeApproveIdentity) -> Result<Reply, Refusal> {
        let remote = self.remote(r.remote.as_ref())?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        self.ops
            .approve_identity(device, &remote, &r.identity_key)?;
        Ok(Reply::E2eeApproveIdentity(E2eeApproveIdentityResult {}))
    }

    fn delete_session(&mut self, r: E2eeDeleteSession) -> Result<Reply, Refusal> {
        let remote = self.remote(r.remote.as_ref())?;
        let device = local(&mut self.devices, r.local.as_ref())?;
        let existed = self.ops.delete_session(device, &remote);
        Ok(Reply::E2eeDeleteSession(E2eeDeleteSessionResult {
            existed,
        }))
    }

    fn clone_device(&mut self, r: E2eeCloneDevice) -> Result<Reply, Refusal> {
        if !self.ops.clones_devices() {
            return Err(Refusal::Unsupported(
                "this target does not clone devices (no E2EE_CLONE_DEVICE)".into(),
            ));
        }
        let at = address(r.clone.as_ref(), "clone")?;
        self.ops.remote(&at)?;
        may_add_device(&self.devices, &at)?;
        let original = local(&mut self.devices, r.local.as_ref())?;
        let copy = self.ops.clone_device(original)?;
        self.devices.insert(at, copy);
        Ok(Reply::E2eeCloneDevice(E2eeCloneDeviceResult {}))
    }
}
