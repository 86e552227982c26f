//! libsignal-protocol-c's C types made safe to hold: a failed call, a
//! remote address, a reference-counted object and a returned buffer.

use std::ffi::{c_int, CString};
use std::ptr;

use libsignal_protocol_sys as sys;
use sys::SG_ERR_INVAL;

use super::super::stores::RemoteKey;

/// A refused or failed libsignal call: its result code and what libsignal
/// logged on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub step: &'static str,
    pub code: c_int,
    pub log: Vec<String>,
    /// The body did not decrypt (AES key or PKCS#7 padding).
    pub body_undecryptable: bool,
}

impl Failure {
    pub(super) fn local(step: &'static str, code: c_int, note: &str) -> Failure {
        Failure {
            step,
            code,
            log: vec![note.to_string()],
            body_undecryptable: false,
        }
    }
}

/// A remote address as libsignal wants it; the name must outlive every
/// builder or cipher made with [`RemoteAddress::raw`].
pub struct RemoteAddress {
    /// The name and a NUL: libsignal takes `name_len`, but also logs the
    /// name as a C string ("No session for: %s:%d", session_cipher.c).
    pub(super) name_nul: CString,
    device_id: i32,
}

impl RemoteAddress {
    /// Names with a NUL byte and device ids above 2^31 - 1 do not fit
    /// libsignal's address (a C string and an `int32_t`).
    pub fn new(name: &str, device_id: u32) -> Result<RemoteAddress, Failure> {
        let device_id = i32::try_from(device_id)
            .map_err(|_| Failure::local("address", SG_ERR_INVAL, "device id above 2^31 - 1"))?;
        let name_nul = CString::new(name)
            .map_err(|_| Failure::local("address", SG_ERR_INVAL, "name holds a NUL byte"))?;
        Ok(RemoteAddress {
            name_nul,
            device_id,
        })
    }

    pub(super) fn name(&self) -> &[u8] {
        self.name_nul.as_bytes()
    }

    pub(super) fn raw(&self) -> sys::signal_protocol_address {
        sys::signal_protocol_address {
            name: self.name_nul.as_ptr(),
            name_len: self.name().len(),
            device_id: self.device_id,
        }
    }

    pub(super) fn key(&self) -> RemoteKey {
        (self.name().to_vec(), self.device_id)
    }
}

/// A reference-counted libsignal object, released on drop.
pub(super) struct Owned<T>(pub(super) *mut T);

impl<T> Owned<T> {
    pub(super) fn null() -> Owned<T> {
        Owned(ptr::null_mut())
    }
    pub(super) fn out(&mut self) -> *mut *mut T {
        &mut self.0
    }
}

impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: every T used here starts with signal_type_base and was
            // handed to us with one reference.
            unsafe { sys::signal_type_unref(self.0 as *mut sys::signal_type_base) }
        }
    }
}

/// Copies a libsignal buffer and frees it.
///
/// # Safety
/// `buffer` is null or a buffer we own.
pub(super) unsafe fn take_buffer(buffer: *mut sys::signal_buffer) -> Vec<u8> {
    if buffer.is_null() {
        return Vec::new();
    }
    let len = sys::signal_buffer_len(buffer);
    let data = sys::signal_buffer_data(buffer);
    let bytes = if len == 0 || data.is_null() {
        Vec::new()
    } else {
        std::slice::from_raw_parts(data, len).to_vec()
    };
    sys::signal_buffer_free(buffer);
    bytes
}
