//! The reference target's E2EE devices (docs/e2ee.md), built on the
//! project's own Signal v3 engine (src/peer/signal, run honestly: no knobs).
//! Every mutant of the e2ee suite is consulted here, each at one place. The
//! adapter side of the operations is the shared [`E2eeHost`].

use std::sync::{Mutex, PoisonError};

use rand::Rng;
use rand_core::OsRng;

use super::build::Build;
use super::rejected;
use crate::adapter::proto::{
    response::Reply, E2eeBundle, E2eeDescribeResult, E2eeLimits, ErrorCategory,
};
use crate::peer::signal::wire::PreKeySignalMessage;
use crate::peer::signal::{
    Address, Device, IdentityKeyPair, KeyPair, MessageType, PreKeyBundle, PublicKey, SignalError,
    SignedPreKeyRecord, SkippedKeyPolicy,
};
use crate::targets::e2ee::{Bundle, Created, E2eeHost, E2eeOps, FixedKeys, NewDevice, Refusal};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

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

/// The reference's E2EE state: the host of its devices.
pub type E2ee = E2eeHost<EngineOps>;

/// A fresh E2EE state for `build`.
pub fn new(build: Build) -> E2ee {
    E2eeHost::new(EngineOps {
        build,
        configured: None,
        last_sent: Mutex::new(None),
    })
}

/// The reference's e2ee operations, on devices of the project's engine.
pub struct EngineOps {
    /// The mutant or variant this reference runs as.
    build: Build,
    /// The limits from `Configure`; `None`: the default profile's.
    configured: Option<E2eeLimits>,
    /// The `e2ee-resends-cached-ciphertext` mutant's cache: the last
    /// (remote, plaintext) encrypted and its answer.
    last_sent: Mutex<Option<SentCache>>,
}

type SentCache = ((Address, Vec<u8>), (u32, Vec<u8>));

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

fn refused(error: SignalError) -> Refusal {
    Refusal::new(error_category(&error), error.to_string())
}

fn public_key(bytes: &[u8]) -> Result<PublicKey, Refusal> {
    PublicKey::deserialize(bytes).map_err(refused)
}

fn bundle_to_wire(b: &PreKeyBundle) -> Bundle {
    Bundle {
        registration_id: b.registration_id,
        device_id: b.device_id,
        identity_key: b.identity_key.serialize().to_vec(),
        signed_prekey_id: b.signed_pre_key_id,
        signed_prekey: b.signed_pre_key.serialize().to_vec(),
        signed_prekey_signature: b.signed_pre_key_signature.clone(),
        one_time_prekey: b
            .one_time_pre_key
            .map(|(id, k)| (id, k.serialize().to_vec())),
    }
}

/// A received bundle's keys decoded; a bad key is INVALID_KEY.
fn bundle_from_wire(b: Bundle) -> Result<PreKeyBundle, Refusal> {
    bundle_with_keys(b, public_key)
}

/// A received bundle's keys decoded by `key`.
fn bundle_with_keys(
    b: Bundle,
    key: fn(&[u8]) -> Result<PublicKey, Refusal>,
) -> Result<PreKeyBundle, Refusal> {
    let one_time_pre_key = match &b.one_time_prekey {
        Some((id, k)) => Some((*id, key(k)?)),
        None => None,
    };
    Ok(PreKeyBundle {
        registration_id: b.registration_id,
        device_id: b.device_id,
        identity_key: key(&b.identity_key)?,
        signed_pre_key_id: b.signed_prekey_id,
        signed_pre_key: key(&b.signed_prekey)?,
        signed_pre_key_signature: b.signed_prekey_signature,
        one_time_pre_key,
    })
}

/// The `e2ee-key-trailing-bytes-ignored` variant's key decoding: the first
/// 33 bytes (libsignal-protocol-java, libsignal).
fn public_key_ignoring_trailing_bytes(bytes: &[u8]) -> Result<PublicKey, Refusal> {
    PublicKey::deserialize_ignoring_trailing_bytes(bytes).map_err(refused)
}

/// The `e2ee-bundle-key-from-last-bytes` mutant's key decoding: the type
/// byte checked, the key taken from the last 32 bytes.
fn public_key_from_last_bytes(bytes: &[u8]) -> Result<PublicKey, Refusal> {
    match bytes.len().checked_sub(32) {
        Some(start) if start >= 1 => public_key(&[&bytes[..1], &bytes[start..]].concat()),
        _ => public_key(bytes),
    }
}

/// A bundle from the wire, as the reference reads it.
pub fn bundle_from_proto(b: &E2eeBundle) -> Result<PreKeyBundle, Refusal> {
    bundle_from_wire(Bundle::from_message(b.clone())?)
}

/// `0x33`: a PreKeySignalMessage version byte libsignal-protocol-javascript
/// lets through (the `e2ee-prekey-version-js-check` mutant) read as v3.
fn js_checked_prekey_version(ciphertext: &[u8]) -> Option<Vec<u8>> {
    let (&version, rest) = ciphertext.split_first()?;
    // libsignal-protocol-javascript SessionCipher.decryptPreKeyWhisperMessage:
    // `if ((version & 0xF) > 3 || (version >> 4) < 3) throw ...`.
    if (version & 0xF) > 3 || (version >> 4) < 3 {
        return None;
    }
    Some([&[crate::peer::signal::wire::VERSION_BYTE][..], rest].concat())
}

impl EngineOps {
    /// Takes the `Configure`d limits; they apply to devices created
    /// afterwards. (`limits` passed [`check_limits`] in `Configure`.)
    pub fn set_profile(&mut self, limits: Option<E2eeLimits>) {
        self.configured = limits;
    }

    /// The forward-jump and skipped-key bounds devices keep (and
    /// `E2eeDescribe` names): the configured ones, or the engine's
    /// defaults. Under a profile that accepts a range of skipped-key
    /// bounds, the largest, or the smallest for the variant that keeps it.
    fn bounds(&self) -> (u32, u32) {
        let defaults = crate::peer::signal::SignalConfig::default();
        let Some(limits) = &self.configured else {
            return (defaults.max_forward_jump, defaults.max_skipped_keys as u32);
        };
        let skipped = if self.is(Variant::E2eeKeepsFewestSkippedKeys) && limits.min_skipped_keys > 0
        {
            limits.min_skipped_keys
        } else {
            limits.max_skipped_keys
        };
        (limits.max_forward_jump, skipped)
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    fn is(&self, behaviour: Variant) -> bool {
        self.build.is(behaviour)
    }

    /// The configured limits, the variant's behaviour and the configured
    /// mutant's defects that live in the engine.
    fn configure(&self, device: &mut Device) {
        let config = &mut device.config;
        let (max_forward_jump, max_skipped_keys) = self.bounds();
        config.max_forward_jump = max_forward_jump;
        config.max_skipped_keys = max_skipped_keys as usize;
        if let Some(limits) = &self.configured {
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
        config.defects.keep_session_of_bad_prekey_message =
            self.has(Mutant::E2eeKeepsSessionOfBadPrekeyMessage);
        config.ignore_trailing_key_bytes = self.is(Variant::E2eeKeyTrailingBytesIgnored);
        if self.has(Mutant::E2eeUnlimitedSkippedKeys) {
            config.max_skipped_keys = usize::MAX;
        }
        if self.has(Mutant::E2eeWrongFingerprintIterations) {
            config.fingerprint_iterations = MUTANT_FINGERPRINT_ITERATIONS;
        }
        if self.has(Mutant::E2eeNoSkippedKeys) {
            config.max_skipped_keys = 0;
        }
        if self.has(Mutant::E2eeForwardJumpOffByOne) {
            config.max_forward_jump = config.max_forward_jump.saturating_sub(1);
        }
        if self.has(Mutant::E2eeNoForwardJumpLimit) {
            config.max_forward_jump = u32::MAX;
        }
    }
}

impl E2eeOps for EngineOps {
    type Device = Device;
    type Remote = Address;
    type Bundle = PreKeyBundle;

    fn remote(&self, address: &Address) -> Result<Address, Refusal> {
        Ok(address.clone())
    }

    fn takes_fixed_keys(&self) -> bool {
        !self.is(Variant::E2eeNoFixedKeys)
    }

    fn shows_safety_numbers(&self) -> bool {
        !self.is(Variant::E2eeNoSafetyNumbers)
    }

    fn one_refusal_category(&self) -> bool {
        self.is(Variant::E2eeOneRefusalCategory)
    }

    fn create_device(&self, new: NewDevice) -> Result<(Device, Created), Refusal> {
        let addr = &new.address;
        // libsignal KeyHelper.generateRegistrationId: 14 bits, never 0.
        let registration_id = match new.registration_id {
            0 => OsRng.gen_range(1..=16380),
            id => id,
        };
        let mut device = match &new.fixed_keys {
            None => Device::new(
                &mut OsRng,
                addr.name.as_bytes(),
                registration_id,
                addr.device_id,
            ),
            Some(fixed) => fixed_device(
                fixed,
                addr,
                registration_id,
                !self.has(Mutant::E2eeFixedKeysIgnoreEphemerals),
            )?,
        };
        self.configure(&mut device);
        device.generate_one_time_prekeys(new.one_time_prekeys);
        let identity_key = device.identity_key().serialize().to_vec();
        Ok((
            device,
            Created {
                identity_key,
                registration_id,
            },
        ))
    }

    fn bundle(&self, device: &mut Device, with_one_time_prekey: bool) -> Bundle {
        let bundle = if with_one_time_prekey {
            device.bundle()
        } else {
            device.bundle_without_one_time_prekey()
        };
        let mut wire = bundle_to_wire(&bundle);
        // The defect: the registration id in the device id's place.
        if self.has(Mutant::E2eeBundleIdsSwapped) {
            wire.device_id = wire.registration_id;
        }
        wire
    }

    fn read_bundle(&self, bundle: Bundle) -> Result<PreKeyBundle, Refusal> {
        if self.has(Mutant::E2eeBundleKeyFromLastBytes) {
            bundle_with_keys(bundle, public_key_from_last_bytes)
        } else if self.is(Variant::E2eeKeyTrailingBytesIgnored) {
            bundle_with_keys(bundle, public_key_ignoring_trailing_bytes)
        } else {
            bundle_from_wire(bundle)
        }
    }

    fn process_bundle(
        &self,
        device: &mut Device,
        remote: &Address,
        bundle: PreKeyBundle,
    ) -> Result<(), Refusal> {
        if self.has(Mutant::E2eeIgnoresIdentityChange) {
            device.approve_identity(remote, bundle.identity_key);
        }
        if bundle.one_time_pre_key.is_none() && self.has(Mutant::E2eeRequiresOneTimePrekey) {
            return Err(Refusal::new(
                ErrorCategory::InvalidKey,
                "the bundle has no one-time prekey",
            ));
        }
        if device.scripted_ephemerals_left() == 0 {
            // Engine order: the base key, then the first sending ratchet key.
            if self.has(Mutant::E2eeReusesBaseKey) {
                device.script_ephemerals([process_ephemeral(&BASE_KEY)]);
            } else if self.has(Mutant::E2eeReusesRatchetKey) {
                let mut base = [0u8; 32];
                OsRng.fill(&mut base);
                device.script_ephemerals([base, process_ephemeral(&RATCHET_KEY)]);
            }
        }
        let identity_key = bundle.identity_key;
        device
            .process_bundle(remote, &bundle)
            .inspect_err(|e| self.trust_after_refusal(device, remote, e, identity_key))
            .map_err(refused)
    }

    fn max_body_len(&self, device: &Device) -> usize {
        // The defect: no limit on what it writes.
        if self.has(Mutant::E2eeEncryptLimitUnchecked) {
            return usize::MAX;
        }
        device.config.max_body_len
    }

    fn encrypt(
        &self,
        device: &mut Device,
        remote: &Address,
        plaintext: &[u8],
    ) -> Result<(u32, Vec<u8>), Refusal> {
        let cache = self.has(Mutant::E2eeResendsCachedCiphertext);
        let key = (remote.clone(), plaintext.to_vec());
        if cache {
            let last = self
                .last_sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((sent, answer)) = last.as_ref() {
                if *sent == key {
                    return Ok(answer.clone());
                }
            }
        }
        let (message_type, mut ciphertext) = device.encrypt(remote, plaintext).map_err(refused)?;
        // The defect: version 4's byte on a v3 PreKeySignalMessage.
        if message_type == MessageType::PreKey && self.has(Mutant::E2eeNewerVersionByte) {
            if let Some(first) = ciphertext.first_mut() {
                *first = 0x44;
            }
        }
        let answer = (message_type.wire_type(), ciphertext);
        if cache {
            *self
                .last_sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some((key, answer.clone()));
        }
        Ok(answer)
    }

    fn decrypt(
        &self,
        device: &mut Device,
        remote: &Address,
        message_type: u32,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let message_type = MessageType::from_wire_type(message_type).map_err(refused)?;
        let rewritten = match (self.has(Mutant::E2eePrekeyVersionJsCheck), message_type) {
            (true, MessageType::PreKey) => js_checked_prekey_version(ciphertext),
            _ => None,
        };
        let ciphertext = rewritten.as_deref().unwrap_or(ciphertext);
        let prekey_message = match message_type {
            MessageType::PreKey => {
                PreKeySignalMessage::parse(ciphertext, device.config.max_body_len).ok()
            }
            MessageType::Whisper => None,
        };
        if message_type == MessageType::Whisper
            && !device.has_session(remote)
            && self.has(Mutant::E2eeUnknownSenderInternalError)
        {
            return Err(Refusal::Internal("no session record for the sender".into()));
        }
        if prekey_message.is_some()
            && device.has_session(remote)
            && self.has(Mutant::E2eeOneSessionPerAddress)
        {
            return Err(Refusal::new(
                ErrorCategory::InvalidState,
                "a session with this address exists already",
            ));
        }
        if let (true, Some(m)) = (self.has(Mutant::E2eeIgnoresIdentityChange), &prekey_message) {
            device.approve_identity(remote, m.identity_key);
        }
        let kept = match (
            self.has(Mutant::E2eeKeepsUsedOneTimePrekey),
            &prekey_message,
        ) {
            (true, Some(m)) => m
                .pre_key_id
                .and_then(|id| device.one_time_prekey(id).map(|k| (id, k.clone()))),
            _ => None,
        };
        let plaintext = device
            .decrypt(remote, message_type, ciphertext)
            .inspect_err(|e| {
                if let Some(m) = &prekey_message {
                    self.trust_after_refusal(device, remote, e, m.identity_key);
                }
            })
            .map_err(refused)?;
        if let Some((id, key_pair)) = kept {
            device.add_one_time_prekey(id, key_pair);
        }
        if plaintext.is_empty() && self.has(Mutant::E2eeEmptyPlaintextRefused) {
            // The defect: an empty result read as "nothing decrypted".
            return Err(Refusal::new(ErrorCategory::BadMac, "decryption failed"));
        }
        Ok(plaintext)
    }

    fn safety_number(&self, device: &mut Device, remote: &Address) -> Result<String, Refusal> {
        device.safety_number(remote).map_err(refused)
    }

    fn approve_identity(
        &self,
        device: &mut Device,
        remote: &Address,
        identity_key: &[u8],
    ) -> Result<(), Refusal> {
        device.approve_identity(remote, public_key(identity_key)?);
        Ok(())
    }

    fn delete_session(&self, device: &mut Device, remote: &Address) -> bool {
        // The defect: reported deleted, still there.
        if self.has(Mutant::E2eeDeleteKeepsSession) {
            return device.has_session(remote);
        }
        device.delete_session(remote)
    }

    fn describe(&self) -> Result<E2eeDescribeResult, Refusal> {
        if self.is(Variant::E2eeNoDescribe) {
            return Err(Refusal::Unsupported(
                "E2eeDescribe is not offered (adapter protocol 1.2)".into(),
            ));
        }
        let (max_forward_jump, max_skipped_keys) = self.bounds();
        Ok(E2eeDescribeResult {
            max_forward_jump,
            max_skipped_keys,
            protocol: "Signal v3 (interspec reference)".into(),
        })
    }

    fn clones_devices(&self) -> bool {
        !self.is(Variant::E2eeNoCloneDevice)
    }

    fn clone_device(&self, device: &mut Device) -> Result<Device, Refusal> {
        let mut copy = device.clone();
        // A device's keys come from one seeded stream; the copy and the
        // original each get a fresh one, as a real device draws fresh OS
        // randomness for every key after the moment it was copied.
        copy.reseed(OsRng.gen());
        device.reseed(OsRng.gen());
        Ok(copy)
    }
}

impl EngineOps {
    /// The mutant `e2ee-trusts-identity-after-refusal`: an identity refused
    /// as untrusted is saved as trusted all the same.
    fn trust_after_refusal(
        &self,
        device: &mut Device,
        remote: &Address,
        error: &SignalError,
        identity_key: PublicKey,
    ) {
        if self.has(Mutant::E2eeTrustsIdentityAfterRefusal)
            && *error == SignalError::UntrustedIdentity
        {
            device.approve_identity(remote, identity_key);
        }
    }
}

/// The process-wide keys of the mutants `e2ee-reuses-base-key` and
/// `e2ee-reuses-ratchet-key`, drawn once.
static BASE_KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
static RATCHET_KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();

fn process_ephemeral(cell: &std::sync::OnceLock<[u8; 32]>) -> [u8; 32] {
    *cell.get_or_init(|| {
        let mut key = [0u8; 32];
        OsRng.fill(&mut key);
        key
    })
}

/// A device whose every key is given (the fixed-keys capability).
fn fixed_device(
    fixed: &FixedKeys,
    addr: &Address,
    registration_id: u32,
    scripted_ephemerals: bool,
) -> Result<Device, Refusal> {
    let identity = IdentityKeyPair::from_private_bytes(fixed.identity_private);
    let signed = KeyPair::from_private_bytes(fixed.signed_prekey_private);
    let signature: [u8; 64] = fixed
        .signed_prekey_signature
        .as_slice()
        .try_into()
        .map_err(|_| Refusal::malformed("signed_prekey_signature must be 64 bytes"))?;
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
    for (id, private) in &fixed.one_time_prekeys {
        device.add_one_time_prekey(*id, KeyPair::from_private_bytes(*private));
    }
    // The `e2ee-fixed-keys-ignore-ephemerals` defect: the script is not used.
    if scripted_ephemerals {
        device.script_ephemerals(fixed.ephemeral_privates.clone());
    }
    Ok(device)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::{
        request::Op, E2eeAddress, E2eeApproveIdentity, E2eeCloneDevice, E2eeCreateDevice,
        E2eeDecrypt, E2eeDecryptResult, E2eeEncrypt, E2eeFixedKeys, E2eeFixedPreKey, E2eeGetBundle,
        E2eeProcessBundle, E2eeSafetyNumber, Rejected,
    };

    fn handle(e: &mut E2ee, op: Op) -> Reply {
        e.handle(op).expect("an e2ee operation")
    }

    fn a(name: &str) -> Option<E2eeAddress> {
        Some(E2eeAddress {
            name: name.into(),
            device_id: 1,
        })
    }

    fn create(e: &mut E2ee, name: &str, fixed_keys: Option<E2eeFixedKeys>) -> Reply {
        handle(
            e,
            Op::E2eeCreateDevice(E2eeCreateDevice {
                address: a(name),
                registration_id: 0,
                one_time_prekeys: 2,
                fixed_keys,
            }),
        )
    }

    fn category(reply: &Reply) -> Option<ErrorCategory> {
        match reply {
            Reply::Rejected(Rejected { category, .. }) => ErrorCategory::try_from(*category).ok(),
            _ => None,
        }
    }

    #[test]
    fn two_local_devices_talk_and_reset_forgets_them() {
        let mut e = new(Build::default());
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
        let Reply::E2eeGetBundle(b) = handle(
            &mut e,
            Op::E2eeGetBundle(E2eeGetBundle {
                local: a("bob"),
                with_one_time_prekey: true,
            }),
        ) else {
            panic!("bundle")
        };
        let processed = handle(
            &mut e,
            Op::E2eeProcessBundle(E2eeProcessBundle {
                local: a("alice"),
                remote: a("bob"),
                bundle: b.bundle,
            }),
        );
        assert!(matches!(processed, Reply::E2eeProcessBundle(_)));
        let Reply::E2eeEncrypt(m) = handle(
            &mut e,
            Op::E2eeEncrypt(E2eeEncrypt {
                local: a("alice"),
                remote: a("bob"),
                plaintext: b"hi".to_vec(),
            }),
        ) else {
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
            handle(&mut e, Op::E2eeDecrypt(decrypt.clone())),
            Reply::E2eeDecrypt(E2eeDecryptResult {
                plaintext: b"hi".to_vec()
            })
        );
        assert_eq!(
            category(&handle(&mut e, Op::E2eeDecrypt(decrypt))),
            Some(ErrorCategory::DuplicateMessage)
        );
        e.reset();
        assert_eq!(
            category(&handle(
                &mut e,
                Op::E2eeSafetyNumber(E2eeSafetyNumber {
                    local: a("bob"),
                    remote: a("alice"),
                })
            )),
            Some(ErrorCategory::NotFound)
        );
    }

    #[test]
    fn configured_limits_and_the_variant_apply_to_devices_created_afterwards() {
        let mut e = new(Build::new(
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
            min_skipped_keys: 0,
        };
        assert!(check_limits(&limits).is_ok());
        e.ops.set_profile(Some(limits));
        assert!(matches!(
            create(&mut e, "after", None),
            Reply::E2eeCreateDevice(_)
        ));
        let config = |e: &E2ee, name: &str| {
            e.device(&Address::new(name.to_string(), 1))
                .expect("device")
                .config
                .clone()
        };
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
        let mut plain = new(Build::default());
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

    /// `E2eeDescribe` names the bounds devices keep: the configured ones,
    /// the smallest of a range for the variant that keeps it, Unsupported
    /// for the variant without the operation.
    #[test]
    fn describe_names_the_kept_bounds() {
        let range = E2eeLimits {
            max_forward_jump: 2000,
            max_skipped_keys: 2000,
            max_body_len: 1 << 18,
            min_skipped_keys: 32,
        };
        let described = |variant: Option<Variant>| {
            let mut e = new(Build::new(None, variant));
            let before = e.ops.describe().map(|d| d.max_skipped_keys);
            e.ops.set_profile(Some(range));
            let after = e
                .ops
                .describe()
                .map(|d| (d.max_forward_jump, d.max_skipped_keys));
            (before, after)
        };
        let (before, after) = described(None);
        assert_eq!(before.ok(), Some(2000));
        assert_eq!(after.ok(), Some((2000, 2000)));
        let (_, fewest) = described(Some(Variant::E2eeKeepsFewestSkippedKeys));
        assert_eq!(fewest.ok(), Some((2000, 32)));
        let (_, none) = described(Some(Variant::E2eeNoDescribe));
        assert!(matches!(none, Err(Refusal::Unsupported(_))));
    }

    #[test]
    fn without_the_optional_capabilities_their_operations_are_unsupported() {
        let fixed = E2eeFixedKeys {
            identity_private: vec![1; 32],
            signed_prekey_private: vec![2; 32],
            signed_prekey_signature: vec![0; 64],
            ..Default::default()
        };
        let mut e = new(Build::default());
        assert!(matches!(
            create(&mut e, "f", Some(fixed.clone())),
            Reply::E2eeCreateDevice(_)
        ));
        let mut e = new(Build::new(None, Some(Variant::E2eeNoFixedKeys)));
        assert!(matches!(
            create(&mut e, "g", Some(fixed)),
            Reply::Unsupported(_)
        ));
        let mut e = new(Build::new(None, Some(Variant::E2eeNoSafetyNumbers)));
        assert!(matches!(
            handle(
                &mut e,
                Op::E2eeSafetyNumber(E2eeSafetyNumber {
                    local: a("f"),
                    remote: a("x"),
                })
            ),
            Reply::Unsupported(_)
        ));
    }

    #[test]
    fn the_one_category_variant_names_every_decrypt_refusal_bad_mac() {
        let mut e = new(Build::new(None, Some(Variant::E2eeOneRefusalCategory)));
        assert!(matches!(
            create(&mut e, "z", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            category(&handle(
                &mut e,
                Op::E2eeDecrypt(E2eeDecrypt {
                    local: a("z"),
                    remote: a("x"),
                    message_type: 3,
                    ciphertext: vec![0x33, 0xff, 0xff],
                })
            )),
            Some(ErrorCategory::BadMac)
        );
        // Other operations keep their categories.
        assert_eq!(
            category(&create(&mut e, "z", None)),
            Some(ErrorCategory::InvalidState)
        );
    }

    #[test]
    fn the_key_and_version_readings_of_the_variant_and_mutants() {
        let key = KeyPair::from_private_bytes([7; 32]).public;
        let mut long = key.serialize().to_vec();
        long.push(0xA0);
        // The reference refuses bytes after 0x05 || 32 bytes; the variant
        // reads the first 33; the mutant reads the last 32, another key.
        assert!(public_key(&long).is_err());
        assert_eq!(public_key_ignoring_trailing_bytes(&long).ok(), Some(key));
        assert_eq!(public_key_from_last_bytes(&key.serialize()).ok(), Some(key));
        assert_ne!(public_key_from_last_bytes(&long).ok(), Some(key));
        assert!(public_key_ignoring_trailing_bytes(&long[..32]).is_err());
        // libsignal-protocol-javascript's check lets 0x43 through, not 0x23.
        assert_eq!(
            js_checked_prekey_version(&[0x43, 1, 2]),
            Some(vec![0x33, 1, 2])
        );
        assert_eq!(js_checked_prekey_version(&[0x23, 1, 2]), None);
        assert_eq!(js_checked_prekey_version(&[0x34]), None);
    }

    #[test]
    fn malformed_requests_are_refused_not_panicked_on() {
        let mut e = new(Build::default());
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
            category(&handle(
                &mut e,
                Op::E2eeEncrypt(E2eeEncrypt {
                    local: a("nobody"),
                    remote: a("x"),
                    plaintext: vec![],
                })
            )),
            Some(ErrorCategory::NotFound)
        );
        assert!(matches!(
            create(&mut e, "z", None),
            Reply::E2eeCreateDevice(_)
        ));
        assert_eq!(
            category(&handle(
                &mut e,
                Op::E2eeDecrypt(E2eeDecrypt {
                    local: a("z"),
                    remote: a("x"),
                    message_type: 3,
                    ciphertext: vec![0x33, 0xff, 0xff],
                })
            )),
            Some(ErrorCategory::MalformedInput)
        );
        assert_eq!(
            category(&handle(
                &mut e,
                Op::E2eeApproveIdentity(E2eeApproveIdentity {
                    local: a("z"),
                    remote: a("x"),
                    identity_key: vec![5; 33],
                })
            )),
            None,
            "a well-formed key is accepted"
        );
        assert_eq!(
            category(&handle(
                &mut e,
                Op::E2eeApproveIdentity(E2eeApproveIdentity {
                    local: a("z"),
                    remote: a("x"),
                    identity_key: vec![6; 33],
                })
            )),
            Some(ErrorCategory::InvalidKey)
        );
    }

    fn clone_op(e: &mut E2ee, local: &str, clone: &str) -> Reply {
        handle(
            e,
            Op::E2eeCloneDevice(E2eeCloneDevice {
                local: a(local),
                clone: a(clone),
            }),
        )
    }

    #[test]
    fn a_clone_holds_the_sessions_and_then_goes_its_own_way() {
        let mut e = new(Build::default());
        create(&mut e, "alice", None);
        create(&mut e, "bob", None);
        let Reply::E2eeGetBundle(b) = handle(
            &mut e,
            Op::E2eeGetBundle(E2eeGetBundle {
                local: a("bob"),
                with_one_time_prekey: true,
            }),
        ) else {
            panic!("bundle")
        };
        handle(
            &mut e,
            Op::E2eeProcessBundle(E2eeProcessBundle {
                local: a("alice"),
                remote: a("bob"),
                bundle: b.bundle,
            }),
        );
        assert!(matches!(
            clone_op(&mut e, "alice", "mallory"),
            Reply::E2eeCloneDevice(_)
        ));
        let encrypt = |e: &mut E2ee, from: &str| {
            let Reply::E2eeEncrypt(r) = handle(
                e,
                Op::E2eeEncrypt(E2eeEncrypt {
                    local: a(from),
                    remote: a("bob"),
                    plaintext: b"hi".to_vec(),
                }),
            ) else {
                panic!("encrypt")
            };
            r
        };
        // The copy holds the very session: its next message is the one the
        // original sends (its randomness differs only from the next DH step).
        let original = encrypt(&mut e, "alice");
        let copy = encrypt(&mut e, "mallory");
        assert_eq!(original.ciphertext, copy.ciphertext);
        // Refusals: an occupied address, an unknown original.
        assert_eq!(
            category(&clone_op(&mut e, "alice", "bob")),
            Some(ErrorCategory::InvalidState)
        );
        assert_eq!(
            category(&clone_op(&mut e, "nobody", "eve")),
            Some(ErrorCategory::NotFound)
        );
    }

    #[test]
    fn the_no_clone_variant_answers_unsupported() {
        let mut e = new(Build::new(None, Some(Variant::E2eeNoCloneDevice)));
        create(&mut e, "alice", None);
        assert!(matches!(
            clone_op(&mut e, "alice", "mallory"),
            Reply::Unsupported(_)
        ));
    }
}
