//! Safety numbers: libsignal's displayable fingerprint of two identities.

use std::ffi::{c_int, CStr, CString};
use std::ptr;

use libsignal_protocol_sys as sys;
use sys::{SG_ERR_INVAL, SG_ERR_NOMEM};

use super::ffi::{Failure, Owned, RemoteAddress};
use super::Device;

// libsignal-protocol-c declares this in fingerprint.h, but the -sys crate's
// generated bindings leave it out; the symbol is in the library it links.
extern "C" {
    fn fingerprint_generator_create(
        generator: *mut *mut sys::fingerprint_generator,
        iterations: c_int,
        scannable_version: c_int,
        global_context: *mut sys::signal_context,
    ) -> c_int;
}

/// libsignal's NumericFingerprintGenerator iteration count for displayable
/// safety numbers (libsignal-protocol-c fingerprint.h: "5200 > 112 bits").
const FINGERPRINT_ITERATIONS: c_int = 5200;
/// Scannable fingerprint format version (fingerprint.h: 0 or 1).
const SCANNABLE_VERSION: c_int = 1;

impl Device {
    /// libsignal's 60-digit displayable fingerprint with `remote`, whose
    /// trusted identity must be known; names are the stable identifiers.
    pub fn safety_number(
        &self,
        remote: &RemoteAddress,
        remote_identity: &[u8],
    ) -> Result<String, Failure> {
        let local_name = CString::new(self.name.as_bytes())
            .map_err(|_| Failure::local("safety number", SG_ERR_INVAL, "name holds a NUL byte"))?;

        let local_key = self.decode_public("local identity", &self.identity_key())?;
        let remote_key = self.decode_public("remote identity", remote_identity)?;
        let mut generator: *mut sys::fingerprint_generator = ptr::null_mut();
        self.call("fingerprint generator", |ctx, _| unsafe {
            fingerprint_generator_create(
                &mut generator,
                FINGERPRINT_ITERATIONS,
                SCANNABLE_VERSION,
                ctx,
            )
        })?;
        let mut fingerprint = Owned::<sys::fingerprint>::null();
        let result = self.call("fingerprint", |_, _| unsafe {
            sys::fingerprint_generator_create_for(
                generator,
                local_name.as_ptr(),
                local_key.0,
                remote.name_nul.as_ptr(),
                remote_key.0,
                fingerprint.out(),
            )
        });
        // SAFETY: created above, freed once.
        unsafe { sys::fingerprint_generator_free(generator) };
        result?;
        // SAFETY: the displayable part and its text are borrowed from the
        // live fingerprint and copied out.
        let text = unsafe {
            let displayable = sys::fingerprint_get_displayable(fingerprint.0);
            let text = if displayable.is_null() {
                ptr::null()
            } else {
                sys::displayable_fingerprint_text(displayable)
            };
            if text.is_null() {
                return Err(Failure::local(
                    "fingerprint",
                    SG_ERR_NOMEM,
                    "no displayable text",
                ));
            }
            CStr::from_ptr(text).to_string_lossy().into_owned()
        };
        Ok(text)
    }
}
