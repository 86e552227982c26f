//! Target `builtin:libsignal` (cargo feature `libsignal`): the e2ee
//! operations of docs/e2ee.md run by libsignal-protocol-c, Signal's C
//! library of the signal-v3 wire profile, through its -sys crate's FFI.
//! The `libsignal-protocol` 0.1 wrapper offers neither decryption nor
//! fingerprints, so this module calls the C API itself: one
//! `signal_context` per device ([`device`]), stores on the Rust side
//! ([`stores`]), a RustCrypto provider ([`crypto`]), and libsignal's result
//! codes and log turned into adapter categories ([`refusal`]).
//!
//! What the target does around libsignal (bounds libsignal leaves to its
//! caller, inputs that would crash it, undoing what a refused decryption
//! saved) is listed in docs/e2ee.md, "The libsignal target".

mod crypto;
pub mod device;
mod refusal;
mod stores;

use std::collections::{BTreeMap, HashMap};
use std::io;

use crate::adapter::proto::{
    request::Op, response::Reply, Capability, Configure, ConfigureResult, E2eeAddress,
    E2eeApproveIdentity, E2eeApproveIdentityResult, E2eeBundle, E2eeCreateDevice,
    E2eeCreateDeviceResult, E2eeDecrypt, E2eeDecryptResult, E2eeDeleteSession,
    E2eeDeleteSessionResult, E2eeEncrypt, E2eeEncryptResult, E2eeFixedKeys, E2eeGetBundle,
    E2eeGetBundleResult, E2eeProcessBundle, E2eeProcessBundleResult, E2eeSafetyNumber,
    E2eeSafetyNumberResult, ErrorCategory, HelloResult, InternalError, PingResult, RecallResult,
    RememberResult, Request, ResetResult, Response, Unsupported,
};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::peer::signal::config::DEFAULT_MAX_BODY_LEN;
use crate::peer::signal::Address;
use crate::targets::reference::e2ee::{address, malformed, may_create_device, private_key};
use crate::targets::reference::rejected;
use crate::targets::stdio::{self, AdapterTarget};
use device::{Bundle, Device, Failure, FixedKeys, RemoteAddress};

/// The bundled libsignal-protocol-c release (its CMakeLists.txt
/// SIGNAL_PROTOCOL_C_VERSION), as `libsignal-protocol-sys` 0.1.0 ships it.
const LIBSIGNAL_C_VERSION: &str = "2.3.2";
/// Longest signed-prekey signature accepted in a bundle.
const MAX_SIGNATURE_LEN: usize = 1024;
/// libsignal-protocol-c's compiled-in receiver limits: session_cipher.c
/// refuses a counter `> 2000` ahead ("Over 2000 messages into the
/// future!"); session_state.c `#define MAX_MESSAGE_KEYS 2000` keeps that
/// many skipped keys per receiving chain, evicting the oldest.
pub const LIBSIGNAL_MAX_FORWARD_JUMP: u32 = 2000;
pub const LIBSIGNAL_MAX_SKIPPED_KEYS: u32 = 2000;

/// The target's state: `Reset` clears the devices and remembered values;
/// the configured body bound is kept.
pub struct LibsignalTarget {
    remembered: HashMap<String, Vec<u8>>,
    devices: BTreeMap<Address, Device>,
    /// Largest ciphertext body (`Configure.e2ee.max_body_len`): the target's
    /// own bound around libsignal, which sets none.
    max_body_len: usize,
}

impl Default for LibsignalTarget {
    fn default() -> Self {
        LibsignalTarget {
            remembered: HashMap::new(),
            devices: BTreeMap::new(),
            max_body_len: DEFAULT_MAX_BODY_LEN,
        }
    }
}

/// Serves the adapter protocol on stdin and stdout.
pub fn serve_stdio() -> io::Result<()> {
    stdio::serve_stdio(&mut LibsignalTarget::default())
}

/// Whether the target can be judged under `configure`'s e2ee values: the
/// forward-jump and skipped-key limits must be libsignal-protocol-c's own
/// (it has them compiled in); the body bound is the target's and any value
/// a frame can carry is honoured. Other suites' values are ignored: the
/// target declares no other capability. `Ok` holds the body bound to use.
pub fn check_configure(configure: &Configure) -> Result<Option<usize>, Reply> {
    let Some(e2ee) = &configure.e2ee else {
        return Ok(None);
    };
    if e2ee.max_forward_jump != LIBSIGNAL_MAX_FORWARD_JUMP
        || e2ee.max_skipped_keys != LIBSIGNAL_MAX_SKIPPED_KEYS
    {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "profile {:?} asks max_forward_jump {} and max_skipped_keys {}; libsignal-protocol-c {LIBSIGNAL_C_VERSION} has {LIBSIGNAL_MAX_FORWARD_JUMP} and {LIBSIGNAL_MAX_SKIPPED_KEYS} compiled in (session_cipher.c, session_state.c MAX_MESSAGE_KEYS) and cannot change them",
                configure.profile, e2ee.max_forward_jump, e2ee.max_skipped_keys
            ),
        ));
    }
    let frame_room = DEFAULT_MAX_FRAME / 2;
    let body = e2ee.max_body_len as usize;
    if body > frame_room || body < 16 {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "max_body_len {body} must be 16 to {frame_room} bytes (a ciphertext travels in one adapter frame)"
            ),
        ));
    }
    Ok(Some(body))
}

impl AdapterTarget for LibsignalTarget {
    fn handle(&mut self, request: Request) -> Response {
        let reply = match request.op {
            Some(Op::Hello(hello)) if hello.protocol_major != PROTOCOL_MAJOR => rejected(
                ErrorCategory::VersionMismatch,
                format!(
                    "this target speaks adapter protocol {PROTOCOL_MAJOR}.x, not {}.x",
                    hello.protocol_major
                ),
            ),
            Some(Op::Hello(_)) => Reply::Hello(hello()),
            Some(Op::Reset(_)) => {
                self.remembered.clear();
                self.devices.clear();
                Reply::Reset(ResetResult {})
            }
            Some(Op::Configure(configure)) => match check_configure(&configure) {
                Ok(body) => {
                    if let Some(body) = body {
                        self.max_body_len = body;
                    }
                    Reply::Configure(ConfigureResult {})
                }
                Err(refusal) => refusal,
            },
            Some(Op::Ping(ping)) => Reply::Ping(PingResult {
                payload: ping.payload,
            }),
            Some(Op::Remember(r)) => {
                self.remembered.insert(r.key, r.value);
                Reply::Remember(RememberResult {})
            }
            Some(Op::Recall(r)) => match self.remembered.get(&r.key) {
                Some(value) => Reply::Recall(RecallResult {
                    found: true,
                    value: value.clone(),
                }),
                None => Reply::Recall(RecallResult::default()),
            },
            Some(op) => self.e2ee(op),
            None => Reply::Unsupported(Unsupported {
                detail: "unknown or missing operation".into(),
            }),
        };
        Response {
            id: request.id,
            reply: Some(reply),
        }
    }

    fn max_frame(&self) -> usize {
        DEFAULT_MAX_FRAME
    }
}

fn hello() -> HelloResult {
    HelloResult {
        protocol_major: PROTOCOL_MAJOR,
        protocol_minor: PROTOCOL_MINOR,
        implementation_name: "libsignal-protocol-c".into(),
        implementation_version: LIBSIGNAL_C_VERSION.into(),
        capabilities: vec![
            Capability::E2ee as i32,
            Capability::SignalV3Wire as i32,
            // Fixed keys: a device's scripted randomness (docs/e2ee.md);
            // safety numbers: libsignal's displayable fingerprint.
            Capability::E2eeFixedKeys as i32,
            Capability::E2eeSafetyNumbers as i32,
        ],
        // libsignal-protocol-c's limits are the default profile's (2000
        // skipped keys, 2000 forward); no other profile is claimed.
        profiles: vec!["default".into()],
        max_frame_size: DEFAULT_MAX_FRAME as u64,
    }
}

/// The adapter reply for a libsignal failure.
fn refused(failure: Failure) -> Reply {
    let detail = format!(
        "libsignal {} failed ({}): {}",
        failure.step,
        failure.code,
        failure.log.join("; ")
    );
    match refusal::category(&failure) {
        Some(category) => rejected(category, detail),
        None => Reply::InternalError(InternalError { detail }),
    }
}

/// The address in libsignal's form; a name or device id that does not fit
/// it is malformed input.
fn remote_address(a: &Address) -> Result<RemoteAddress, Reply> {
    RemoteAddress::new(&a.name, a.device_id).map_err(|f| malformed(f.log.join("; ")))
}

impl LibsignalTarget {
    fn e2ee(&mut self, op: Op) -> Reply {
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
                detail: "this target runs libsignal's e2ee operations only".into(),
            })),
        };
        reply.unwrap_or_else(|refusal| refusal)
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

    fn create_device(&mut self, r: E2eeCreateDevice) -> Result<Reply, Reply> {
        let addr = address(r.address.as_ref(), "device")?;
        // Its own address must fit libsignal's too (names it logs, and its
        // stable identifier in safety numbers).
        remote_address(&addr)?;
        may_create_device(&self.devices, &addr, &r)?;
        let device = match &r.fixed_keys {
            None => Device::generate(
                &addr.name,
                addr.device_id,
                r.registration_id,
                r.one_time_prekeys,
            ),
            Some(fixed) => Device::with_fixed_keys(
                &addr.name,
                addr.device_id,
                r.registration_id,
                &fixed_keys(fixed)?,
                r.one_time_prekeys,
            ),
        }
        .map_err(refused)?;
        let reply = E2eeCreateDeviceResult {
            identity_key: device.identity_key(),
            registration_id: device.registration_id(),
        };
        self.devices.insert(addr, device);
        Ok(Reply::E2eeCreateDevice(reply))
    }

    fn get_bundle(&mut self, r: E2eeGetBundle) -> Result<Reply, Reply> {
        let device = self.device(r.local.as_ref())?;
        let b = device.bundle(r.with_one_time_prekey);
        Ok(Reply::E2eeGetBundle(E2eeGetBundleResult {
            bundle: Some(E2eeBundle {
                registration_id: b.registration_id,
                device_id: b.device_id,
                identity_key: b.identity_key,
                signed_prekey_id: b.signed_prekey_id,
                signed_prekey: b.signed_prekey,
                signed_prekey_signature: b.signed_prekey_signature,
                has_one_time_prekey: b.one_time_prekey.is_some(),
                one_time_prekey_id: b.one_time_prekey.as_ref().map_or(0, |(id, _)| *id),
                one_time_prekey: b.one_time_prekey.map(|(_, k)| k).unwrap_or_default(),
            }),
        }))
    }

    fn process_bundle(&mut self, r: E2eeProcessBundle) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        let b = r.bundle.ok_or_else(|| malformed("the bundle is missing"))?;
        if b.signed_prekey_signature.len() > MAX_SIGNATURE_LEN {
            return Err(malformed("signed prekey signature longer than 1 KiB"));
        }
        let bundle = Bundle {
            registration_id: b.registration_id,
            device_id: b.device_id,
            identity_key: b.identity_key,
            signed_prekey_id: b.signed_prekey_id,
            signed_prekey: b.signed_prekey,
            signed_prekey_signature: b.signed_prekey_signature,
            one_time_prekey: b
                .has_one_time_prekey
                .then_some((b.one_time_prekey_id, b.one_time_prekey)),
        };
        let device = self.device(r.local.as_ref())?;
        device.process_bundle(&remote, &bundle).map_err(refused)?;
        Ok(Reply::E2eeProcessBundle(E2eeProcessBundleResult {}))
    }

    fn encrypt(&mut self, r: E2eeEncrypt) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        // The ciphertext (plaintext + up to one block of padding) must stay
        // within what a receiver with the same bound accepts.
        let limit = self.max_body_len.saturating_sub(16);
        let device = self.device(r.local.as_ref())?;
        if r.plaintext.len() > limit {
            return Err(rejected(
                ErrorCategory::LimitExceeded,
                format!("plaintext longer than {limit} bytes"),
            ));
        }
        if !device.has_session(&remote) {
            return Err(rejected(
                ErrorCategory::NotFound,
                "no session with this address",
            ));
        }
        let (message_type, ciphertext) = device.encrypt(&remote, &r.plaintext).map_err(refused)?;
        Ok(Reply::E2eeEncrypt(E2eeEncryptResult {
            message_type,
            ciphertext,
        }))
    }

    fn decrypt(&mut self, r: E2eeDecrypt) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        let max_body_len = self.max_body_len;
        let device = self.device(r.local.as_ref())?;
        let plaintext = device
            .decrypt(&remote, r.message_type, &r.ciphertext, max_body_len)
            .map_err(refused)?;
        Ok(Reply::E2eeDecrypt(E2eeDecryptResult { plaintext }))
    }

    fn safety_number(&mut self, r: E2eeSafetyNumber) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        let device = self.device(r.local.as_ref())?;
        let identity = device.trusted_identity(&remote).ok_or_else(|| {
            rejected(
                ErrorCategory::NotFound,
                "no identity known for this address",
            )
        })?;
        let digits = device.safety_number(&remote, &identity).map_err(refused)?;
        Ok(Reply::E2eeSafetyNumber(E2eeSafetyNumberResult { digits }))
    }

    fn approve_identity(&mut self, r: E2eeApproveIdentity) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        let device = self.device(r.local.as_ref())?;
        device
            .approve_identity(&remote, &r.identity_key)
            .map_err(refused)?;
        Ok(Reply::E2eeApproveIdentity(E2eeApproveIdentityResult {}))
    }

    fn delete_session(&mut self, r: E2eeDeleteSession) -> Result<Reply, Reply> {
        let remote = remote_address(&address(r.remote.as_ref(), "remote")?)?;
        let device = self.device(r.local.as_ref())?;
        let existed = device.delete_session(&remote);
        Ok(Reply::E2eeDeleteSession(E2eeDeleteSessionResult {
            existed,
        }))
    }
}

/// The fixed keys of a request, private keys checked for size (their count
/// was checked by `may_create_device`, the signature's length is checked by
/// `Device::with_fixed_keys`).
fn fixed_keys(fixed: &E2eeFixedKeys) -> Result<FixedKeys, Reply> {
    let mut keys = FixedKeys {
        identity_private: private_key(&fixed.identity_private, "identity_private")?,
        signed_prekey_id: fixed.signed_prekey_id,
        signed_prekey_private: private_key(&fixed.signed_prekey_private, "signed_prekey_private")?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::{E2eeLimits, Rejected};

    fn configure(max_forward_jump: u32, max_skipped_keys: u32, max_body_len: u32) -> Configure {
        Configure {
            profile: "p".into(),
            e2ee: Some(E2eeLimits {
                max_forward_jump,
                max_skipped_keys,
                max_body_len,
            }),
            ..Configure::default()
        }
    }

    #[test]
    fn hello_declares_fixed_keys_and_safety_numbers() {
        let caps = hello().capabilities;
        for c in [Capability::E2eeFixedKeys, Capability::E2eeSafetyNumbers] {
            assert!(caps.contains(&(c as i32)), "{c:?}");
        }
    }

    #[test]
    fn configure_takes_libsignals_limits_and_refuses_others() {
        let default = crate::catalog::profile::Profile::load("default").expect("profile");
        let request = crate::runner::configure::configure_request(&default);
        assert_eq!(
            check_configure(&request),
            Ok(Some(default.e2ee.max_body_len as usize))
        );
        let mut target = LibsignalTarget::default();
        let reply = target
            .handle(Request {
                id: 1,
                op: Some(Op::Configure(configure(2000, 2000, 1024))),
            })
            .reply;
        assert_eq!(reply, Some(Reply::Configure(ConfigureResult {})));
        assert_eq!(target.max_body_len, 1024);
        for (jump, skipped) in [(1999, 2000), (2000, 4000), (0, 0)] {
            let Err(Reply::Rejected(Rejected { category, detail })) =
                check_configure(&configure(jump, skipped, 1024))
            else {
                panic!("{jump}/{skipped} accepted");
            };
            assert_eq!(category, ErrorCategory::LimitExceeded as i32);
            assert!(detail.contains("compiled in"), "{detail}");
        }
        assert!(check_configure(&configure(2000, 2000, u32::MAX)).is_err());
        assert_eq!(check_configure(&Configure::default()), Ok(None));
    }
}
