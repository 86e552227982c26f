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

use std::io;

use crate::adapter::proto::{response::Reply, Capability, Configure, ErrorCategory, HelloResult};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::peer::signal::config::DEFAULT_MAX_BODY_LEN;
use crate::peer::signal::Address;
use crate::targets::e2ee::{
    Bundle, Created, E2eeLibrary, E2eeOps, LibraryTarget, NewDevice, Refusal,
};
use crate::targets::reference::rejected;
use crate::targets::stdio;
use device::{Device, Failure, RemoteAddress};

/// The bundled libsignal-protocol-c release (its CMakeLists.txt
/// SIGNAL_PROTOCOL_C_VERSION), as `libsignal-protocol-sys` 0.1.0 ships it.
const LIBSIGNAL_C_VERSION: &str = "2.3.2";
/// libsignal-protocol-c's compiled-in receiver limits: session_cipher.c
/// refuses a counter `> 2000` ahead ("Over 2000 messages into the
/// future!"); session_state.c `#define MAX_MESSAGE_KEYS 2000` keeps that
/// many skipped keys per receiving chain, evicting the oldest.
pub const LIBSIGNAL_MAX_FORWARD_JUMP: u32 = 2000;
pub const LIBSIGNAL_MAX_SKIPPED_KEYS: u32 = 2000;

/// The target: the adapter's own operations and libsignal's e2ee ones.
pub type LibsignalTarget = LibraryTarget<LibsignalOps>;

/// The e2ee operations on libsignal's devices.
pub struct LibsignalOps {
    /// Largest ciphertext body (`Configure.e2ee.max_body_len`): the target's
    /// own bound around libsignal, which sets none.
    max_body_len: usize,
}

/// Serves the adapter protocol on stdin and stdout.
pub fn serve_stdio() -> io::Result<()> {
    stdio::serve_stdio(&mut LibsignalTarget::new(LibsignalOps {
        max_body_len: DEFAULT_MAX_BODY_LEN,
    }))
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

impl E2eeLibrary for LibsignalOps {
    const NAME: &'static str = "libsignal";

    fn hello() -> HelloResult {
        hello()
    }

    fn check_configure(configure: &Configure) -> Result<Option<usize>, Reply> {
        check_configure(configure)
    }

    fn set_max_body_len(&mut self, len: usize) {
        self.max_body_len = len;
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

/// The refusal for a libsignal failure.
fn refused(failure: Failure) -> Refusal {
    let detail = format!(
        "libsignal {} failed ({}): {}",
        failure.step,
        failure.code,
        failure.log.join("; ")
    );
    match refusal::category(&failure) {
        Some(category) => Refusal::new(category, detail),
        None => Refusal::Internal(detail),
    }
}

impl E2eeOps for LibsignalOps {
    type Device = Device;
    type Remote = RemoteAddress;
    type Bundle = Bundle;

    /// A name or device id that does not fit libsignal's address is
    /// malformed input.
    fn remote(&self, address: &Address) -> Result<RemoteAddress, Refusal> {
        RemoteAddress::new(&address.name, address.device_id)
            .map_err(|f| Refusal::malformed(f.log.join("; ")))
    }

    fn create_device(&self, new: NewDevice) -> Result<(Device, Created), Refusal> {
        let addr = &new.address;
        let device = match &new.fixed_keys {
            None => Device::generate(
                &addr.name,
                addr.device_id,
                new.registration_id,
                new.one_time_prekeys,
            ),
            Some(fixed) => Device::with_fixed_keys(
                &addr.name,
                addr.device_id,
                new.registration_id,
                fixed,
                new.one_time_prekeys,
            ),
        }
        .map_err(refused)?;
        let created = Created {
            identity_key: device.identity_key(),
            registration_id: device.registration_id(),
        };
        Ok((device, created))
    }

    fn bundle(&self, device: &mut Device, with_one_time_prekey: bool) -> Bundle {
        device.bundle(with_one_time_prekey)
    }

    /// libsignal decodes the keys itself.
    fn read_bundle(&self, bundle: Bundle) -> Result<Bundle, Refusal> {
        Ok(bundle)
    }

    fn process_bundle(
        &self,
        device: &mut Device,
        remote: &RemoteAddress,
        bundle: Bundle,
    ) -> Result<(), Refusal> {
        device.process_bundle(remote, &bundle).map_err(refused)
    }

    fn max_body_len(&self, _device: &Device) -> usize {
        self.max_body_len
    }

    fn encrypt(
        &self,
        device: &mut Device,
        remote: &RemoteAddress,
        plaintext: &[u8],
    ) -> Result<(u32, Vec<u8>), Refusal> {
        if !device.has_session(remote) {
            return Err(Refusal::new(
                ErrorCategory::NotFound,
                "no session with this address",
            ));
        }
        device.encrypt(remote, plaintext).map_err(refused)
    }

    fn decrypt(
        &self,
        device: &mut Device,
        remote: &RemoteAddress,
        message_type: u32,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        device
            .decrypt(remote, message_type, ciphertext, self.max_body_len)
            .map_err(refused)
    }

    fn safety_number(
        &self,
        device: &mut Device,
        remote: &RemoteAddress,
    ) -> Result<String, Refusal> {
        let identity = device.trusted_identity(remote).ok_or_else(|| {
            Refusal::new(
                ErrorCategory::NotFound,
                "no identity known for this address",
            )
        })?;
        device.safety_number(remote, &identity).map_err(refused)
    }

    fn approve_identity(
        &self,
        device: &mut Device,
        remote: &RemoteAddress,
        identity_key: &[u8],
    ) -> Result<(), Refusal> {
        device
            .approve_identity(remote, identity_key)
            .map_err(refused)
    }

    fn delete_session(&self, device: &mut Device, remote: &RemoteAddress) -> bool {
        device.delete_session(remote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::{request::Op, ConfigureResult, E2eeLimits, Rejected, Request};
    use crate::targets::stdio::AdapterTarget;

    fn configure(max_forward_jump: u32, max_skipped_keys: u32, max_body_len: u32) -> Configure {
        Configure {
            profile: "p".into(),
            e2ee: Some(E2eeLimits {
                max_forward_jump,
                max_skipped_keys,
                max_body_len,
                min_skipped_keys: 0,
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
        let mut target = LibsignalTarget::new(LibsignalOps {
            max_body_len: DEFAULT_MAX_BODY_LEN,
        });
        let reply = target
            .handle(Request {
                id: 1,
                op: Some(Op::Configure(configure(2000, 2000, 1024))),
            })
            .reply;
        assert_eq!(reply, Some(Reply::Configure(ConfigureResult {})));
        assert_eq!(target.ops().max_body_len, 1024);
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
