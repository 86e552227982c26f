//! The crypto provider libsignal-protocol-c calls back into: HMAC-SHA256,
//! SHA-512 and AES-256-CBC from the RustCrypto crates, randomness from the
//! OS or, for a fixed-keys device, from a script of private keys. Also the
//! log sink, whose warnings name the reason for a refusal.
//!
//! The callback signatures are `signal_crypto_provider`'s in
//! libsignal-protocol-c `signal_protocol.h`. Every callback returns an
//! error code instead of panicking: a panic cannot cross the C frames.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void};

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::digest::{FixedOutputReset, Update};
use hmac::{Hmac, Mac};
use libsignal_protocol_sys as sys;
use rand::RngCore;
use rand_core::OsRng;
use sha2::{Digest, Sha512};
use sys::{SG_ERR_INVAL, SG_ERR_NOMEM, SG_ERR_UNKNOWN};

/// Log lines kept per operation at most (libsignal logs a few per call).
const MAX_LOG_LINES: usize = 64;
/// Longest log line kept, in bytes.
const MAX_LOG_LINE: usize = 512;

/// What one device's context remembers between callbacks.
#[derive(Default)]
pub struct CryptoState {
    /// Private keys handed out, in order, for every 32-byte random request
    /// (libsignal's `curve_generate_private_key` asks for exactly 32).
    pub scripted_privates: VecDeque<[u8; 32]>,
    /// libsignal's log since the last `clear_notes`.
    log: Vec<String>,
    /// Set when a body did not decrypt (bad key or PKCS#7 padding); libsignal
    /// passes our error code on without logging.
    pub body_undecryptable: bool,
}

impl CryptoState {
    /// Forgets the log and the decrypt note, before an operation.
    pub fn clear_notes(&mut self) {
        self.log.clear();
        self.body_undecryptable = false;
    }

    pub fn log(&self) -> &[String] {
        &self.log
    }
}

/// The provider table for a context whose `user_data` is a
/// `RefCell<CryptoState>` that outlives the context.
pub fn provider(state: *const RefCell<CryptoState>) -> sys::signal_crypto_provider {
    sys::signal_crypto_provider {
        random_func: Some(random),
        hmac_sha256_init_func: Some(hmac_init),
        hmac_sha256_update_func: Some(digest_update::<HmacSha256>),
        hmac_sha256_final_func: Some(digest_final::<HmacSha256>),
        hmac_sha256_cleanup_func: Some(digest_cleanup::<HmacSha256>),
        sha512_digest_init_func: Some(sha512_init),
        sha512_digest_update_func: Some(digest_update::<Sha512>),
        sha512_digest_final_func: Some(digest_final::<Sha512>),
        sha512_digest_cleanup_func: Some(digest_cleanup::<Sha512>),
        encrypt_func: Some(encrypt),
        decrypt_func: Some(decrypt),
        user_data: state as *mut c_void,
    }
}

/// # Safety
/// `user_data` is null or the pointer given to [`provider`].
unsafe fn state<'a>(user_data: *mut c_void) -> Option<&'a RefCell<CryptoState>> {
    (user_data as *const RefCell<CryptoState>).as_ref()
}

/// # Safety
/// `data` is null only when `len` is 0; otherwise valid for `len` bytes.
pub(super) unsafe fn slice<'a>(data: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || data.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(data, len)
    }
}

/// Hands `bytes` to libsignal as a freshly allocated buffer it frees.
pub(super) unsafe fn give_buffer(output: *mut *mut sys::signal_buffer, bytes: &[u8]) -> c_int {
    if output.is_null() {
        return SG_ERR_INVAL;
    }
    let buffer = sys::signal_buffer_create(bytes.as_ptr(), bytes.len());
    if buffer.is_null() {
        return SG_ERR_NOMEM;
    }
    *output = buffer;
    0
}

unsafe extern "C" fn random(data: *mut u8, len: usize, user_data: *mut c_void) -> c_int {
    if data.is_null() && len > 0 {
        return SG_ERR_INVAL;
    }
    let out = if len == 0 {
        &mut [][..]
    } else {
        std::slice::from_raw_parts_mut(data, len)
    };
    let scripted = match state(user_data).map(|s| s.try_borrow_mut()) {
        Some(Ok(mut s)) if len == 32 => s.scripted_privates.pop_front(),
        Some(Ok(_)) | None => None,
        Some(Err(_)) => return SG_ERR_UNKNOWN,
    };
    match scripted {
        Some(private) => {
            out.copy_from_slice(&private);
            0
        }
        None => match OsRng.try_fill_bytes(out) {
            Ok(()) => 0,
            Err(_) => SG_ERR_UNKNOWN,
        },
    }
}

type HmacSha256 = Hmac<sha2::Sha256>;

unsafe extern "C" fn hmac_init(
    context: *mut *mut c_void,
    key: *const u8,
    key_len: usize,
    _user_data: *mut c_void,
) -> c_int {
    if context.is_null() {
        return SG_ERR_INVAL;
    }
    // HMAC takes keys of any length.
    let Ok(mac) = HmacSha256::new_from_slice(slice(key, key_len)) else {
        return SG_ERR_INVAL;
    };
    *context = Box::into_raw(Box::new(mac)) as *mut c_void;
    0
}

unsafe extern "C" fn sha512_init(context: *mut *mut c_void, _user_data: *mut c_void) -> c_int {
    if context.is_null() {
        return SG_ERR_INVAL;
    }
    *context = Box::into_raw(Box::new(Sha512::new())) as *mut c_void;
    0
}

// Update, finish and free, shared by HMAC-SHA256 and SHA-512 (`D` is the
// type the context was boxed as by its init callback).

unsafe extern "C" fn digest_update<D: Update>(
    context: *mut c_void,
    data: *const u8,
    len: usize,
    _user_data: *mut c_void,
) -> c_int {
    match (context as *mut D).as_mut() {
        Some(digest) => {
            digest.update(slice(data, len));
            0
        }
        None => SG_ERR_INVAL,
    }
}

/// Finishes and resets: libsignal's fingerprint loop reuses one SHA-512
/// context for all 5200 rounds (as libsignal-protocol-c's own test
/// provider allows).
unsafe extern "C" fn digest_final<D: FixedOutputReset>(
    context: *mut c_void,
    output: *mut *mut sys::signal_buffer,
    _user_data: *mut c_void,
) -> c_int {
    match (context as *mut D).as_mut() {
        Some(digest) => {
            let out = digest.finalize_fixed_reset();
            give_buffer(output, &out)
        }
        None => SG_ERR_INVAL,
    }
}

unsafe extern "C" fn digest_cleanup<D>(context: *mut c_void, _user_data: *mut c_void) {
    if !context.is_null() {
        drop(Box::from_raw(context as *mut D));
    }
}

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn encrypt(
    output: *mut *mut sys::signal_buffer,
    cipher: c_int,
    key: *const u8,
    key_len: usize,
    iv: *const u8,
    iv_len: usize,
    plaintext: *const u8,
    plaintext_len: usize,
    _user_data: *mut c_void,
) -> c_int {
    // Signal v3 bodies are AES-256-CBC with PKCS#7 (SG_CIPHER_AES_CBC_PKCS5);
    // the CTR mode of version 2 is not offered.
    if cipher != sys::SG_CIPHER_AES_CBC_PKCS5 as c_int {
        return SG_ERR_UNKNOWN;
    }
    let Ok(enc) = Aes256CbcEnc::new_from_slices(slice(key, key_len), slice(iv, iv_len)) else {
        return SG_ERR_UNKNOWN;
    };
    let body = enc.encrypt_padded_vec_mut::<Pkcs7>(slice(plaintext, plaintext_len));
    give_buffer(output, &body)
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn decrypt(
    output: *mut *mut sys::signal_buffer,
    cipher: c_int,
    key: *const u8,
    key_len: usize,
    iv: *const u8,
    iv_len: usize,
    ciphertext: *const u8,
    ciphertext_len: usize,
    user_data: *mut c_void,
) -> c_int {
    if cipher != sys::SG_CIPHER_AES_CBC_PKCS5 as c_int {
        return SG_ERR_UNKNOWN;
    }
    let plain = Aes256CbcDec::new_from_slices(slice(key, key_len), slice(iv, iv_len))
        .ok()
        .and_then(|dec| {
            dec.decrypt_padded_vec_mut::<Pkcs7>(slice(ciphertext, ciphertext_len))
                .ok()
        });
    match plain {
        Some(plain) => give_buffer(output, &plain),
        None => {
            if let Some(Ok(mut s)) = state(user_data).map(|s| s.try_borrow_mut()) {
                s.body_undecryptable = true;
            }
            // As libsignal-protocol-c's own OpenSSL provider answers.
            SG_ERR_UNKNOWN
        }
    }
}

/// The context's log function: keeps libsignal's messages for the refusal
/// that follows them.
pub unsafe extern "C" fn log(
    _level: c_int,
    message: *const c_char,
    len: usize,
    user_data: *mut c_void,
) {
    let Some(Ok(mut s)) = state(user_data).map(|s| s.try_borrow_mut()) else {
        return;
    };
    if s.log.len() >= MAX_LOG_LINES {
        return;
    }
    let bytes = slice(message as *const u8, len.min(MAX_LOG_LINE));
    s.log.push(String::from_utf8_lossy(bytes).into_owned());
}
