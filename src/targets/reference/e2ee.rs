//! The reference target's E2EE devices (docs/e2ee.md), built on the
//! project's own Signal v3 engine (src/peer/signal, run honestly: no knobs).
//! Every mutant of the e2ee suite is consulted here, each at one place.

use std::collections::BTreeMap;

use rand::Rng;
use rand_core::OsRng;

use super::build::Build;
use super::rejected;
use crate::adapter::proto::E2eeLimits;
use crate::adapter::proto::{
    request::Op, response::Reply, E2eeAddress, E2eeApproveIdentity, E2eeApproveIdentityResult,
    E2eeBundle, E2eeCreateDevice, E2eeCreateDeviceResult, E2eeDecrypt, E2eeDecryptResult,
    E2eeDeleteSession, E2eeDeleteSessionResult, E2eeEncrypt, E2eeEncryptResult, E2eeFixedKeys,
    E2eeGetBundle, E2eeGetBundleResult, E2eeProcessBundle, E2eeProcessBundleResult,
    E2eeSafetyNumber, E2eeSafetyNumberResult, ErrorCategory, Unsupported,
};
use crate::peer::signal::wire::PreKeySignalMessage;
use crate::peer::signal::{
    Address, Device, IdentityKeyPair, KeyPair, MessageType, PreKeyBundle, PublicKey, SignalError,
    SignedPreKeyRecord, SkippedKeyPolicy,
};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// Devices one target hosts at most.
pub const MAX_DEVICES: usize = 64;
/// One-time prekeys one device may be created with at most.
pub const MAX_ONE_TIME_PREKEYS: u32 = 1000;
/// Fixed ephemeral keys one device may be given at most.
pub const MAX_FIXED_EPHEMERALS: usize = 1000;
/// Longest address name accepted.
pub const MAX_NAME_LEN: usize = 256;
/// The iteration count of the `e2ee-wrong-fingerprint-iterations` mutant.
const MUTANT_FINGERPRINT_ITERATIONS: u32 = 1024;
/// Largest `max_forward_jump` and `max_skipped_keys` a `Configure` may set:
/// each skipped key costs an HMAC and 80 bytes, so this bounds what one
/// message can make a device compute and hold.
pub const MAX_CONFIGURED_KEYS: u32 = 100_000;

/// Whether the reference can honour `limits` (docs/e2ee.md §Limits): the
/// refusal for `Configure` if not.
pub fn check_limits(limits: &E2eeLimits) -> Result<(), Reply> {
    if limits.max_forward_jump > MAX_CONFIGURED_KEYS
        || limits.max_skipped_keys > MAX_CONFIGURED_KEYS
    {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "e2ee: max_forward_jump {} and max_skipped_keys {} must be at most {MAX_CONFIGURED_KEYS}",
                limits.max_forward_jump, limits.max_skipped_keys
            ),
        ));
    }
    // A ciphertext travels in one adapter frame, with room for the rest of
    // the request.
    let frame_room = (crate::adapter::DEFAULT_MAX_FRAME / 2) as u32;
    if limits.max_body_len > frame_room {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "e2ee: max_body_len {} is more than the {frame_room} bytes a frame carries here",
                limits.max_body_len
            ),
        ));
    }
    Ok(())
}

/// The reference's E2EE state: everything `Reset` clears.
pub struct E2ee {
    /// The mutant or variant this reference runs as.
    build: Build,
    /// The limits from `Configure`; `None`: the default profile's.
    configured: Option<E2eeLimits>,
    devices: BTreeMap<Address, Device>,
}

/// The adapter category for each engine refusal (the table in docs/e2ee.md).
pub fn error_category(error: &SignalError) -> ErrorCategory {
    match error {
        SignalError::BadMac | SignalError::InvalidPadding => ErrorCategory::BadMac,
        SignalError::BadVersion(_) => ErrorCategory::VersionMismatch,
        SignalError::InvalidKey(_) => ErrorCategory::InvalidKey,
        SignalError::DuplicateMessage { .. } => ErrorCategory::DuplicateMessage,
        SignalError::TooFarForward { .. } => ErrorCategory::TooFarForward,
        SignalError::NoSession | SignalError::InvalidKeyId { .. } => ErrorCategory::NotFound,
        SignalError::UntrustedIdentity => ErrorCategory::UntrustedIdentity,
        SignalError::BadSignature => ErrorCategory::BadSignature,
        SignalError::Oversized { .. } | SignalError::SkippedKeysFull { .. } => {
            ErrorCategory::LimitExceeded
        }
        SignalError::Malformed(_) => ErrorCategory::MalformedInput,
    }
}

fn refused(error: SignalError) -> Reply {
    rejected(error_category(&error), error.to_string())
}

pub(crate) fn malformed(detail: impl Into<String>) -> Reply {
    rejected(ErrorCategory::MalformedInput, detail)
}

pub(crate) fn address(proto: Option<&E2eeAddress>, what: &str) -> Result<Address, Reply> {
    let Some(a) = proto else {
        return Err(malformed(format!("{what} address is missing")));
    };
    if a.name.is_empty() || a.name.len() > MAX_NAME_LEN {
        return Err(malformed(format!(
            "{what} address name must be 1 to {MAX_NAME_LEN} bytes"
        )));
    }
    Ok(Address::new(a.name.clone(), a.device_id))
}

pub(crate) fn private_key(bytes: &[u8], what: &str) -> Result<[u8; 32], Reply> {
    bytes
        .try_into()
        .map_err(|_| malformed(format!("{what} must be 32 bytes, not {}", bytes.len())))
}

fn public_key(bytes: &[u8]) -> Result<PublicKey, Reply> {
    PublicKey::deserialize(bytes).map_err(refused)
}

pub fn bundle_to_proto(b: &PreKeyBundle) -> E2eeBundle {
    E2eeBundle {
        registration_id: b.registration_id,
        device_id: b.device_id,
        identity_key: b.identity_key.serialize().to_vec(),
        signed_prekey_id: b.signed_pre_key_id,
        signed_prekey: b.signed_pre_key.serialize().to_vec(),
        signed_prekey_signature: b.signed_pre_key_signature.clone(),
        has_one_time_prekey: b.one_time_pre_key.is_some(),
        one_time_prekey_id: b.one_time_pre_key.map(|(id, _)| id).unwrap_or(0),
        one_time_prekey: b
            .one_time_pre_key
            .map(|(_, k)| k.serialize().to_vec())
            .unwrap_or_default(),
    }
}

/// A bundle from the wire; a bad key is INVALID_KEY.
pub fn bundle_from_proto(b: &E2eeBundle) -> Result<PreKeyBundle, Reply> {
    let one_time_pre_key = if b.has_one_time_prekey {
        Some((b.one_time_prekey_id, public_key(&b.one_time_prekey)?))
    } else {
        None
    };
    if b.signed_prekey_signature.len() > 1024 {
        return Err(malformed("signed prekey signature longer than 1 KiB"));
    }
    Ok(PreKeyBundle {
        registration_id: b.registration_id,
        device_id: b.device_id,
        identity_key: public_key(&b.identity_key)?,
        signed_pre_key_id: b.signed_prekey_id,
        signed_pre_key: public_key(&b.signed_prekey)?,
        signed_pre_key_signature: b.signed_prekey_signature.clone(),
        one_time_pre_key,
    })
}

impl E2ee {
    pub fn new(build: Build) -> E2ee {
        E2ee {
            build,
            configured: None,
            devices: BTreeMap::new(),
        }
    }

    /// Takes the `Configure`d limits; they apply to devices created
    /// afterwards. (`limits` passed [`check_limits`] in `Configure`.)
    pub fn set_profile(&mut self, limits: Option<E2eeLimits>) {
        self.configured = limits;
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    fn is(&self, behaviour: Variant) -> bool {
        self.build.is(behaviour)
    }

    pub fn reset(&mut self) {
        self.devices.clear();
    }

    /// Answers one e2ee operation (anything else is Unsupported).
    pub fn handle(&mut self, op: Op) -> Reply {
        // The `e2ee-one-refusal-category` variant names every refusal of a
        // message or bundle with one generic category.
        let one_category = self.is(Variant::E2eeOneRefusalCategory)
            && matches!(op, Op::E2eeDecrypt(_) | Op::E2eeProcessBundle(_));
        let reply = match op {
            Op::E2eeCreateDevice(r) => self.create_device(r),
            Op::E2eeGetBundle(r) => self.get_bundle(r),
            Op::E2eeProcessBundle(r) => self.process_bundle(r),
            Op::E2eeEncrypt(r) => self.encrypt(r),
            Op::E2eeDecrypt(r) => self.decrypt(r),
            Op::E2eeSafetyNumber(r) => self.safety_number(r),
            Op::E2eeApproveIdentity(r) => self.approve_identity(r),
            Op::E2eeDeleteSession(r) => self.delete_session(r),
            _ => Ok(Reply::Unsupported(Unsupported {
                detail: "not an e2ee operation".into(),
            })),
        };
        match reply.unwrap_or_else(|refusal| refusal) {
            Reply::Rejected(r) if one_category => {
                rejected(ErrorCategory::BadMac, format!("refused ({})", r.detail))
            }
            reply => reply,
        }
    }

    fn device(&mut self, proto: Option<&E2eeAddress>) -> Result<&mut Device, Reply> {
        let addr = address(proto, "local")?;
        self.devices.get_mut(&addr).ok_or_else(|| {
            rejected(
                ErrorCategory::NotFound,
                format!("no local device {}.{}", addr.name, addr.device_id),
            )
        })
    }

    /// The configured limits, the variant's behaviour and the configured
    /// mutant's defects that live in the engine.
    fn configure(&self, device: &mut Device) {
        let config = &mut device.config;
        if let Some(limits) = &self.configured {
            config.max_forward_jump = limits.max_forward_jump;
            config.max_skipped_keys = limits.max_skipped_keys as usize;
            config.max_body_len = limits.max_body_len as usize;
        }
        config.skipped_key_policy = match self.build.variant() {
            Some(Variant::E2eeSkippedKeysEvictNewest) => SkippedKeyPolicy::DropNewest,
            Some(Variant::E2eeSkippedKeysRefuseWhenFull) => SkippedKeyPolicy::RefuseMessage,
            _ => SkippedKeyPolicy::EvictOldest,
        };
        config.defects.accept_replays = self.has(Mutant::E2eeAcceptsReplay);
        config.defects.skip_mac_check = self.has(Mutant::E2eeSkipsMacCheck);
        config.defects.commit_before_mac = self.has(Mutant::E2eeStateBeforeMac);
        config.defects.skip_signature_check = self.has(Mutant::E2eeSkipsPrekeySignatureCheck);
        config.defects.never_ratchet = self.has(Mutant::E2eeNeverRatchets);
        config.defects.constant_iv = self.has(Mutant::E2eeConstantIv);
        if self.has(Mutant::E2eeUnlimitedSkippedKeys) {
            config.max_skipped_keys = usize::MAX;
        }
        if self.has(Mutant::E2eeWrongFingerprintIterations) {
            config.fingerprint_iterations = MUTANT_FINGERPRINT_ITERATIONS;
        }
    }

    fn create_device(&mut self, r: E2eeCreateDevice) -> Result<Reply, Reply> {
        let addr = address(r.address.as_ref(), "device")?;
        may_create_device(&self.devices, &addr, &r)?;
        // libsignal KeyHelper.generateRegistrationId: 14 bits, never 0.
        let registration_id = match r.registration_id {
            0 => OsRng.gen_range(1..=16380),
            id => id,
        };
        if r.fixed_keys.is_some() && self.is(Variant::E2eeNoFixedKeys) {
            return Ok(Reply::Unsupported(Unsupported {
                detail: "this target does not take fixed keys (no E2EE_FIXED_KEYS)".into(),
            }));
        }
        let mut device = match &r.fixed_keys {
            None => Device::new(
                &mut OsRng,
                addr.name.as_bytes(),
                registration_id,
                addr.device_id,
            ),
            Some(fixed) => fixed_device(fixed, &addr, registration_id)?,
        };
        self.configure(&mut device);
        device.generate_one_time_prekeys(r.one_time_prekeys);
        let identity_key = device.identity_key().serialize().to_vec();
        self.devices.insert(addr, device);
        Ok(Reply::E2eeCreateDevice(E2eeCreateDeviceResult {
            identity_key,
            registration_id,
        }))
    }

    fn get_bundle(&mut self, r: E2eeGetBundle) -> Result<Reply, Reply> {
        let device = self.device(r.local.as_ref())?;
        let bundle = if r.with_one_time_prekey {
            device.bundle()
        } else {
            device.bundle_without_one_time_prekey()
        };
        Ok(Reply::E2eeGetBundle(E2eeGetBundleResult {
            bundle: Some(bundle_to_proto(&bundle)),
        }))
    }

    fn process_bundle(&mut self, r: E2eeProcessBundle) -> Result<Reply, Reply> {
        let remote = address(r.remote.as_ref(), "remote")?;
        let bundle = bundle_from_proto(
            r.bundle
                .as_ref()
                .ok_or_else(|| malformed("the bundle is missing"))?,
        )?;
        let ignore_identity_change = self.has(Mutant::E2eeIgnoresIdentityChange);
        let device = self.device(r.local.as_ref())?;
        if ignore_identity_change {
            device.approve_identity(&remote, bundle.identity_key);
        }
        device.process_bundle(&remote, &bundle).map_err(refused)?;
        Ok(Reply::E2eeProcessBundle(E2eeProcessBundleResult {}))
    }

    fn encrypt(&mut self, r: E2eeEncrypt) -> Result<Reply, Reply> {
        let remote = address(r.remote.as_ref(), "remote")?;
        let device = self.device(r.local.as_ref())?;
        // The ciphertext (plaintext + up to one block of padding) must stay
        // within what a receiver with the same limit accepts.
        let limit = device.config.max_body_len.saturating_sub(16);
        if r.plaintext.len() > limit {
            return Err(rejected(
                ErrorCategory::LimitExceeded,
                format!("plaintext longer than {limit} bytes"),
            ));
        }
        let (message_type, ciphertext) = device.encrypt(&remote, &r.plaintext).map_err(refused)?;
        Ok(Reply::E2eeEncrypt(E2eeEncryptResult {
            message_type: message_type.wire_type(),
            ciphertext,
        }))
    }

    fn decrypt(&mut self, r: E2eeDecrypt) -> Result<Reply, Reply> {
        let remote = address(r.remote.as_ref(), "remote")?;
        let message_type = MessageType::from_wire_type(r.message_type).map_err(refused)?;
        let ignore_identity_change = self.has(Mutant::E2eeIgnoresIdentityChange);
        let keep_one_time_prekey = self.has(Mutant::E2eeKeepsUsedOneTimePrekey);
        let device = self.device(r.local.as_ref())?;
        let prekey_message = match message_type {
            MessageType::PreKey => {
                PreKeySignalMessage::parse(&r.ciphertext, device.config.max_body_len).ok()
            }
            MessageType::Whisper => None,
        };
        if let (true, Some(m)) = (ignore_identity_change, &prekey_message) {
            device.approve_identity(&remote, m.identity_key);
        }
        let kept = match (keep_one_time_prekey, &prekey_message) {
            (true, Some(m)) => m
                .pre_key_id
                .and_then(|id| device.one_time_prekey(id).map(|k| (id, k.clone()))),
            _ => None,
        };
        let plaintext = device
            .decrypt(&remote, message_type, &r.ciphertext)
            .map_err(refused)?;
        if let Some((id, key_pair)) = kept {
            device.add_one_time_prekey(id, key_pair);
        }
        Ok(Reply::E2eeDecrypt(E2eeDecryptResult { plaintext }))
    }

    fn safety_number(&mut self, r: E2eeSafetyNumber) -> Result<Reply, Reply> {
        if self.is(Variant::E2eeNoSafetyNumbers) {
            return Ok(Reply::Unsupported(Unsupported {
                detail: "this target shows no safety numbers (no E2EE_SAFETY_NUMBERS)".into(),
            }));
        }
        let remote = address(r.remote.as_ref(), "remote")?;
        let device = self.device(r.local.as_ref())?;
        let digits = device.safety_number(&remote).map_err(refused)?;
        Ok(Reply::E2eeSafetyNumber(E2eeSafetyNumberResult { digits }))
    }

    fn approve_identity(&mut self, r: E2eeApproveIdentity) -> Result<Reply, Reply> {
        let remote = address(r.remote.as_ref(), "remote")?;
        let key = public_key(&r.identity_key)?;
        let device = self.device(r.local.as_ref())?;
        device.approve_identity(&remote, key);
        Ok(Reply::E2eeApproveIdentity(E2eeApproveIdentityResult {}))
    }

    fn delete_session(&mut self, r: E2eeDeleteSession) -> Result<Reply, Reply> {
        let remote = address(r.remote.as_ref(), "remote")?;
        let device = self.device(r.local.as_ref())?;
        let existed = device.delete_session(&remote);
        Ok(Reply::E2eeDeleteSession(E2eeDeleteSessionResult {
            existed,
        }))
    }
}

/// Refuses a device the request may not create: one exists at `addr`, or
/// the target's bounds (devices, one-time prekeys, fixed keys) are passed.
/// Every built-in e2ee target shares these bounds.
pub(crate) fn may_create_device<T>(
    devices: &BTreeMap<Address, T>,
    addr: &Address,
    r: &E2eeCreateDevice,
) -> Result<(), Reply> {
    if devices.contains_key(addr) {
        return Err(rejected(
            ErrorCategory::InvalidState,
            "a device already exists at this address",
        ));
    }
    if devices.len() >= MAX_DEVICES {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!("at most {MAX_DEVICES} devices"),
        ));
    }
    if r.one_time_prekeys > MAX_ONE_TIME_PREKEYS {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!("at most {MAX_ONE_TIME_PREKEYS} one-time prekeys"),
        ));
    }
    if let Some(fixed) = &r.fixed_keys {
        if fixed.one_time_prekeys.len() > MAX_ONE_TIME_PREKEYS as usize
            || fixed.ephemeral_privates.len() > MAX_FIXED_EPHEMERALS
        {
            return Err(rejected(
                ErrorCategory::LimitExceeded,
                "too many fixed one-time prekeys or ephemeral keys",
            ));
        }
    }
    Ok(())
}

/// A device whose every key is given (the fixed-keys capability).
fn fixed_device(
    fixed: &E2eeFixedKeys,
    addr: &Address,
    registration_id: u32,
) -> Result<Device, Reply> {
    let identity = IdentityKeyPair::from_private_bytes(private_key(
        &fixed.identity_private,
        "identity_private",
    )?);
    let signed = KeyPair::from_private_bytes(private_key(
        &fixed.signed_prekey_private,
        "signed_prekey_private",
    )?);
    let signature: [u8; 64] = fixed
        .signed_prekey_signature
        .as_slice()
        .try_into()
        .map_err(|_| malformed("signed_prekey_signature must be 64 bytes"))?;
    let mut seed = [0u8; 32];
    OsRng.fill(&mut seed);
    let mut device = Device::with_identity(
        identity,
        seed,
        addr.name.as_bytes(),
        registration_id,
        addr.device_id,
    );
    device.remove_signed_prekey(1);
    device.install_signed_prekey(SignedPreKeyRecord {
        id: fixed.signed_prekey_id,
        key_pair: signed,
        signature,
    });
    for prekey in &fixed.one_time_prekeys {
        let private = private_key(&prekey.private_key, "one-time prekey private_key")?;
        device.add_one_time_prekey(prekey.id, KeyPair::from_private_bytes(private));
    }
    let mut ephemerals = Vec::with_capacity(fixed.ephemeral_privates.len());
    for e in &fixed.ephemeral_privates {
        ephemerals.push(private_key(e, "ephemeral private key")?);
    }
    device.script_ephemerals(ephemerals);
    Ok(device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::{E2eeFixedPreKey, Rejected};

    fn a(name: &str) -> Option<E2eeAddress> {
        Some(E2eeAddress {
            name: name.into(),
            device_id: 1,
        })
    }

    fn create(e: &mut E2ee, name: &str, fixed_keys: Option<E2eeFixedKeys>) -> Reply {
        e.handle(Op::E2eeCreateDevice(E2eeCreateDevice {
            address: a(name),
            registration_id: 0,
            one_time_prekeys: 2,
            fixed_keys,
        }))
    }

    fn category(reply: &Reply) -> Option<ErrorCategory> {
        match reply {
            Reply::Rejected(Rejected { category, .. }) => ErrorCategory::try_from(*category).ok(),
            _ => None,
        }
    }

    #[test]
    fn two_local_devices_talk_and_reset_forgets_them() {
        let mut e = E2ee::new(Build::default());
        assert!(matches!(
            create(&mut e, "alice", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert!(matches!(
            create(&mut e, "bob", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            category(&create(&mut e, "bob", None)),
            Some(ErrorCategory::InvalidState)
        );
        let Reply::E2eeGetBundle(b) = e.handle(Op::E2eeGetBundle(E2eeGetBundle {
            local: a("bob"),
            with_one_time_prekey: true,
        })) else {
            panic!("bundle")
        };
        let processed = e.handle(Op::E2eeProcessBundle(E2eeProcessBundle {
            local: a("alice"),
            remote: a("bob"),
            bundle: b.bundle,
        }));
        assert!(matches!(processed, Reply::E2eeProcessBundle(_)));
        let Reply::E2eeEncrypt(m) = e.handle(Op::E2eeEncrypt(E2eeEncrypt {
            local: a("alice"),
            remote: a("bob"),
            plaintext: b"hi".to_vec(),
        })) else {
            panic!("encrypt")
        };
        assert_eq!(m.message_type, 3);
        let decrypt = E2eeDecrypt {
            local: a("bob"),
            remote: a("alice"),
            message_type: m.message_type,
            ciphertext: m.ciphertext,
        };
        assert_eq!(
            e.handle(Op::E2eeDecrypt(decrypt.clone())),
            Reply::E2eeDecrypt(E2eeDecryptResult {
                plaintext: b"hi".to_vec()
            })
        );
        assert_eq!(
            category(&e.handle(Op::E2eeDecrypt(decrypt))),
            Some(ErrorCategory::DuplicateMessage)
        );
        e.reset();
        assert_eq!(
            category(&e.handle(Op::E2eeSafetyNumber(E2eeSafetyNumber {
                local: a("bob"),
                remote: a("alice"),
            }))),
            Some(ErrorCategory::NotFound)
        );
    }

    #[test]
    fn configured_limits_and_the_variant_apply_to_devices_created_afterwards() {
        let mut e = E2ee::new(Build::new(
            None,
            Some(Variant::E2eeSkippedKeysRefuseWhenFull),
        ));
        assert!(matches!(
            create(&mut e, "before", None),
            Reply::E2eeCreateDevice(_)
        ));
        let limits = E2eeLimits {
            max_forward_jump: 5,
            max_skipped_keys: 3,
            max_body_len: 1000,
        };
        assert!(check_limits(&limits).is_ok());
        e.set_profile(Some(limits));
        assert!(matches!(
            create(&mut e, "after", None),
            Reply::E2eeCreateDevice(_)
        ));
        let config =
            |e: &E2ee, name: &str| e.devices[&Address::new(name.to_string(), 1)].config.clone();
        let after = config(&e, "after");
        assert_eq!(
            (
                after.max_forward_jump,
                after.max_skipped_keys,
                after.max_body_len
            ),
            (5, 3, 1000)
        );
        assert_eq!(after.skipped_key_policy, SkippedKeyPolicy::RefuseMessage);
        let before = config(&e, "before");
        assert_eq!(before.max_forward_jump, 2000);
        // The variant is the build's: it applies from the start.
        assert_eq!(before.skipped_key_policy, SkippedKeyPolicy::RefuseMessage);
        let mut plain = E2ee::new(Build::default());
        assert!(matches!(
            create(&mut plain, "plain", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            config(&plain, "plain").skipped_key_policy,
            SkippedKeyPolicy::EvictOldest
        );
        // A plaintext the configured body bound cannot carry is refused.
        for too_big in [
            E2eeLimits {
                max_skipped_keys: MAX_CONFIGURED_KEYS + 1,
                ..limits
            },
            E2eeLimits {
                max_forward_jump: u32::MAX,
                ..limits
            },
            E2eeLimits {
                max_body_len: u32::MAX,
                ..limits
            },
        ] {
            assert_eq!(
                check_limits(&too_big).err().as_ref().and_then(category),
                Some(ErrorCategory::LimitExceeded)
            );
        }
    }

    #[test]
    fn without_the_optional_capabilities_their_operations_are_unsupported() {
        let fixed = E2eeFixedKeys {
            identity_private: vec![1; 32],
            signed_prekey_private: vec![2; 32],
            signed_prekey_signature: vec![0; 64],
            ..Default::default()
        };
        let mut e = E2ee::new(Build::default());
        assert!(matches!(
            create(&mut e, "f", Some(fixed.clone())),
            Reply::E2eeCreateDevice(_)
        ));
        let mut e = E2ee::new(Build::new(None, Some(Variant::E2eeNoFixedKeys)));
        assert!(matches!(
            create(&mut e, "g", Some(fixed)),
            Reply::Unsupported(_)
        ));
        let mut e = E2ee::new(Build::new(None, Some(Variant::E2eeNoSafetyNumbers)));
        assert!(matches!(
            e.handle(Op::E2eeSafetyNumber(E2eeSafetyNumber {
                local: a("f"),
                remote: a("x"),
            })),
            Reply::Unsupported(_)
        ));
    }

    #[test]
    fn the_one_category_variant_names_every_decrypt_refusal_bad_mac() {
        let mut e = E2ee::new(Build::new(None, Some(Variant::E2eeOneRefusalCategory)));
        assert!(matches!(
            create(&mut e, "z", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            category(&e.handle(Op::E2eeDecrypt(E2eeDecrypt {
                local: a("z"),
                remote: a("x"),
                message_type: 3,
                ciphertext: vec![0x33, 0xff, 0xff],
            }))),
            Some(ErrorCategory::BadMac)
        );
        // Other operations keep their categories.
        assert_eq!(
            category(&create(&mut e, "z", None)),
            Some(ErrorCategory::InvalidState)
        );
    }

    #[test]
    fn malformed_requests_are_refused_not_panicked_on() {
        let mut e = E2ee::new(Build::default());
        let short = E2eeFixedKeys {
            identity_private: vec![1; 31],
            ..Default::default()
        };
        assert_eq!(
            category(&create(&mut e, "x", Some(short))),
            Some(ErrorCategory::MalformedInput)
        );
        let bad_otp = E2eeFixedKeys {
            identity_private: vec![1; 32],
            signed_prekey_private: vec![2; 32],
            signed_prekey_signature: vec![0; 64],
            one_time_prekeys: vec![E2eeFixedPreKey {
                id: 1,
                private_key: vec![3; 5],
            }],
            ..Default::default()
        };
        assert_eq!(
            category(&create(&mut e, "y", Some(bad_otp))),
            Some(ErrorCategory::MalformedInput)
        );
        assert_eq!(
            category(&create(&mut e, "", None)),
            Some(ErrorCategory::MalformedInput)
        );
        assert_eq!(
            category(&e.handle(Op::E2eeEncrypt(E2eeEncrypt {
                local: a("nobody"),
                remote: a("x"),
                plaintext: vec![],
            }))),
            Some(ErrorCategory::NotFound)
        );
        assert!(matches!(
            create(&mut e, "z", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            category(&e.handle(Op::E2eeDecrypt(E2eeDecrypt {
                local: a("z"),
                remote: a("x"),
                message_type: 3,
                ciphertext: vec![0x33, 0xff, 0xff],
            }))),
            Some(ErrorCategory::MalformedInput)
        );
        assert_eq!(
            category(&e.handle(Op::E2eeApproveIdentity(E2eeApproveIdentity {
                local: a("z"),
                remote: a("x"),
                identity_key: vec![5; 33],
            }))),
            None,
            "a well-formed key is accepted"
        );
        assert_eq!(
            category(&e.handle(Op::E2eeApproveIdentity(E2eeApproveIdentity {
                local: a("z"),
                remote: a("x"),
                identity_key: vec![6; 33],
            }))),
            Some(ErrorCategory::InvalidKey)
        );
    }
}
