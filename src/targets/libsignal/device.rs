//! One Signal device run by libsignal-protocol-c: its own `signal_context`
//! (so a fixed-keys device's scripted randomness stays its own), its store
//! context, and the safe operations the adapter needs. Every call into C
//! goes through [`Device::call`], which collects libsignal's log and turns
//! a negative result into a [`Failure`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_int, c_void, CStr, CString};
use std::ptr;

use libsignal_protocol_sys as sys;
use sys::{SG_ERR_INVAL, SG_ERR_NOMEM};

use super::crypto::{self, CryptoState};
use super::stores::{self, RemoteKey, Stores};

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
    fn local(step: &'static str, code: c_int, note: &str) -> Failure {
        Failure {
            step,
            code,
            log: vec![note.to_string()],
            body_undecryptable: false,
        }
    }
}

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

/// Keys a fixed-keys device is created with (private keys 32 bytes).
#[derive(Debug, Clone, Default)]
pub struct FixedKeys {
    pub identity_private: [u8; 32],
    pub signed_prekey_id: u32,
    pub signed_prekey_private: [u8; 32],
    pub signed_prekey_signature: Vec<u8>,
    pub one_time_prekeys: Vec<(u32, [u8; 32])>,
    pub ephemeral_privates: Vec<[u8; 32]>,
}

/// A remote address as libsignal wants it; the name must outlive every
/// builder or cipher made with [`RemoteAddress::raw`].
pub struct RemoteAddress {
    /// The name and a NUL: libsignal takes `name_len`, but also logs the
    /// name as a C string ("No session for: %s:%d", session_cipher.c).
    name_nul: CString,
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

    fn name(&self) -> &[u8] {
        self.name_nul.as_bytes()
    }

    fn raw(&self) -> sys::signal_protocol_address {
        sys::signal_protocol_address {
            name: self.name_nul.as_ptr(),
            name_len: self.name().len(),
            device_id: self.device_id,
        }
    }

    fn key(&self) -> RemoteKey {
        (self.name().to_vec(), self.device_id)
    }
}

/// A reference-counted libsignal object, released on drop.
struct Owned<T>(*mut T);

impl<T> Owned<T> {
    fn null() -> Owned<T> {
        Owned(ptr::null_mut())
    }
    fn out(&mut self) -> *mut *mut T {
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
unsafe fn take_buffer(buffer: *mut sys::signal_buffer) -> Vec<u8> {
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

/// The result code of a body above the adapter's bound (not libsignal's:
/// below its range, so no libsignal code collides with it).
pub const BODY_TOO_LONG: c_int = -20_000;

fn check_body_len(message: *const sys::signal_message, max_body_len: usize) -> Result<(), Failure> {
    if message.is_null() {
        return Err(Failure::local(
            "decrypt",
            SG_ERR_INVAL,
            "no inner SignalMessage",
        ));
    }
    // SAFETY: `message` is live; the body buffer is borrowed from it.
    let len = unsafe {
        let body = sys::signal_message_get_body(message);
        if body.is_null() {
            0
        } else {
            sys::signal_buffer_len(body)
        }
    };
    if len > max_body_len {
        return Err(Failure::local(
            "decrypt",
            BODY_TOO_LONG,
            &format!("body of {len} bytes above the bound of {max_body_len}"),
        ));
    }
    Ok(())
}

/// libsignal's curve25519 signature length (curve.h CURVE_SIGNATURE_LEN).
const SIGNATURE_LEN: usize = 64;
/// The result code of a bundle whose signature is not 64 bytes (an adapter
/// code, like [`BODY_TOO_LONG`]).
pub const SIGNATURE_NOT_64_BYTES: c_int = -20_001;

/// libsignal's clamping of a Curve25519 private key (curve.c
/// `curve_generate_private_key`).
fn clamp(mut key: [u8; 32]) -> [u8; 32] {
    key[0] &= 248;
    key[31] &= 127;
    key[31] |= 64;
    key
}

pub struct Device {
    name: String,
    device_id: u32,
    context: *mut sys::signal_context,
    store: *mut sys::signal_protocol_store_context,
    // Boxed so the pointers libsignal holds stay put; dropped after the
    // contexts (Drop below runs first).
    crypto: Box<RefCell<CryptoState>>,
    stores: Box<RefCell<Stores>>,
    signed_prekey: (u32, Vec<u8>, Vec<u8>),
    one_time_publics: BTreeMap<u32, Vec<u8>>,
    served_up_to: Option<u32>,
    write_identities_through: bool,
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: both were created in `empty` and are freed once, store first
        // (it refers to the context).
        unsafe {
            if !self.store.is_null() {
                sys::signal_protocol_store_context_destroy(self.store);
            }
            if !self.context.is_null() {
                sys::signal_context_destroy(self.context);
            }
        }
    }
}

impl Device {
    /// A device with keys from the OS's randomness: an identity, signed
    /// prekey 1 and `one_time_prekeys` one-time prekeys with ids 1…n.
    pub fn generate(
        name: &str,
        device_id: u32,
        registration_id: u32,
        one_time_prekeys: u32,
    ) -> Result<Device, Failure> {
        let mut device = Device::empty(name, device_id)?;
        let registration_id = match registration_id {
            0 => device.random_registration_id()?,
            id => id,
        };
        let mut identity = Owned::<sys::ratchet_identity_key_pair>::null();
        device.call("identity", |ctx, _| unsafe {
            sys::signal_protocol_key_helper_generate_identity_key_pair(identity.out(), ctx)
        })?;
        device.install_identity(&identity, registration_id)?;
        let mut signed = Owned::<sys::session_signed_pre_key>::null();
        device.call("signed prekey", |ctx, _| unsafe {
            sys::signal_protocol_key_helper_generate_signed_pre_key(
                signed.out(),
                identity.0,
                1,
                0,
                ctx,
            )
        })?;
        device.install_signed_prekey(&signed)?;
        device.generate_one_time_prekeys(0, one_time_prekeys)?;
        Ok(device)
    }

    /// `count` one-time prekeys with ids after `after`.
    fn generate_one_time_prekeys(&mut self, after: u32, count: u32) -> Result<(), Failure> {
        for i in 1..=count {
            let id = after.checked_add(i).ok_or_else(|| {
                Failure::local("one-time prekey", SG_ERR_INVAL, "prekey ids run out")
            })?;
            let mut pair = Owned::<sys::ec_key_pair>::null();
            self.call("one-time prekey", |ctx, _| unsafe {
                sys::curve_generate_key_pair(ctx, pair.out())
            })?;
            self.install_one_time_prekey(id, &pair)?;
        }
        Ok(())
    }

    /// A device whose every key is given (the fixed-keys capability):
    /// later key generation takes `ephemeral_privates` in order.
    /// `extra_one_time_prekeys` more are generated, with ids after the
    /// largest fixed one (before the script starts).
    pub fn with_fixed_keys(
        name: &str,
        device_id: u32,
        registration_id: u32,
        keys: &FixedKeys,
        extra_one_time_prekeys: u32,
    ) -> Result<Device, Failure> {
        // session_signed_pre_key_create asserts a non-empty signature.
        if keys.signed_prekey_signature.len() != SIGNATURE_LEN {
            return Err(Failure::local(
                "fixed keys",
                SG_ERR_INVAL,
                "signed prekey signature not 64 bytes",
            ));
        }
        let mut device = Device::empty(name, device_id)?;
        let registration_id = match registration_id {
            0 => device.random_registration_id()?,
            id => id,
        };
        let identity_pair = device.key_pair(&keys.identity_private)?;
        let mut identity = Owned::<sys::ratchet_identity_key_pair>::null();
        device.call("identity", |_, _| unsafe {
            sys::ratchet_identity_key_pair_create(
                identity.out(),
                sys::ec_key_pair_get_public(identity_pair.0),
                sys::ec_key_pair_get_private(identity_pair.0),
            )
        })?;
        device.install_identity(&identity, registration_id)?;
        let signed_pair = device.key_pair(&keys.signed_prekey_private)?;
        let mut signed = Owned::<sys::session_signed_pre_key>::null();
        device.call("signed prekey", |_, _| unsafe {
            sys::session_signed_pre_key_create(
                signed.out(),
                keys.signed_prekey_id,
                0,
                signed_pair.0,
                keys.signed_prekey_signature.as_ptr(),
                keys.signed_prekey_signature.len(),
            )
        })?;
        device.install_signed_prekey(&signed)?;
        for (id, private) in &keys.one_time_prekeys {
            let pair = device.key_pair(private)?;
            device.install_one_time_prekey(*id, &pair)?;
        }
        let last_id = device.one_time_publics.keys().next_back().copied();
        device.generate_one_time_prekeys(last_id.unwrap_or(0), extra_one_time_prekeys)?;
        // libsignal clamps what it draws (curve_generate_private_key).
        device
            .crypto
            .borrow_mut()
            .scripted_privates
            .extend(keys.ephemeral_privates.iter().copied());
        Ok(device)
    }

    fn empty(name: &str, device_id: u32) -> Result<Device, Failure> {
        let crypto = Box::new(RefCell::new(CryptoState::default()));
        let stores = Box::new(RefCell::new(Stores::default()));
        let mut device = Device {
            name: name.to_string(),
            device_id,
            context: ptr::null_mut(),
            store: ptr::null_mut(),
            crypto,
            stores,
            signed_prekey: (0, Vec::new(), Vec::new()),
            one_time_publics: BTreeMap::new(),
            served_up_to: None,
            write_identities_through: false,
        };
        let crypto_ptr: *const RefCell<CryptoState> = &*device.crypto;
        let stores_ptr: *const RefCell<Stores> = &*device.stores;
        // SAFETY: the out-pointers are ours; the provider and store tables
        // are copied by libsignal; the user_data pointers are boxed and live
        // as long as the device.
        unsafe {
            let check = |code: c_int, step| {
                (code >= 0)
                    .then_some(())
                    .ok_or_else(|| Failure::local(step, code, "libsignal setup failed"))
            };
            check(
                sys::signal_context_create(&mut device.context, crypto_ptr as *mut c_void),
                "context",
            )?;
            let provider = crypto::provider(crypto_ptr);
            check(
                sys::signal_context_set_crypto_provider(device.context, &provider),
                "crypto provider",
            )?;
            check(
                sys::signal_context_set_log_function(device.context, Some(crypto::log)),
                "log function",
            )?;
            check(
                sys::signal_protocol_store_context_create(&mut device.store, device.context),
                "store context",
            )?;
            let session = stores::session_store(stores_ptr);
            let pre_key = stores::pre_key_store(stores_ptr);
            let signed = stores::signed_pre_key_store(stores_ptr);
            let identity = stores::identity_key_store(stores_ptr);
            check(
                sys::signal_protocol_store_context_set_session_store(device.store, &session),
                "session store",
            )?;
            check(
                sys::signal_protocol_store_context_set_pre_key_store(device.store, &pre_key),
                "prekey store",
            )?;
            check(
                sys::signal_protocol_store_context_set_signed_pre_key_store(device.store, &signed),
                "signed prekey store",
            )?;
            check(
                sys::signal_protocol_store_context_set_identity_key_store(device.store, &identity),
                "identity store",
            )?;
        }
        Ok(device)
    }

    /// Runs one libsignal call with a fresh log; a negative result becomes
    /// a [`Failure`] carrying what libsignal logged.
    fn call(
        &self,
        step: &'static str,
        f: impl FnOnce(*mut sys::signal_context, *mut sys::signal_protocol_store_context) -> c_int,
    ) -> Result<c_int, Failure> {
        if let Ok(mut c) = self.crypto.try_borrow_mut() {
            c.clear_notes();
        }
        let code = f(self.context, self.store);
        if code >= 0 {
            return Ok(code);
        }
        let (log, body_undecryptable) = match self.crypto.try_borrow() {
            Ok(c) => (c.log().to_vec(), c.body_undecryptable),
            Err(_) => (Vec::new(), false),
        };
        Err(Failure {
            step,
            code,
            log,
            body_undecryptable,
        })
    }

    fn random_registration_id(&self) -> Result<u32, Failure> {
        let mut id = 0u32;
        self.call("registration id", |ctx, _| unsafe {
            sys::signal_protocol_key_helper_generate_registration_id(&mut id, 0, ctx)
        })?;
        Ok(id)
    }

    /// A key pair from a 32-byte private key (clamped as libsignal does).
    fn key_pair(&self, private: &[u8; 32]) -> Result<Owned<sys::ec_key_pair>, Failure> {
        let private = clamp(*private);
        let mut private_key = Owned::<sys::ec_private_key>::null();
        self.call("private key", |ctx, _| unsafe {
            sys::curve_decode_private_point(private_key.out(), private.as_ptr(), 32, ctx)
        })?;
        let mut public_key = Owned::<sys::ec_public_key>::null();
        self.call("public key", |_, _| unsafe {
            sys::curve_generate_public_key(public_key.out(), private_key.0)
        })?;
        let mut pair = Owned::<sys::ec_key_pair>::null();
        self.call("key pair", |_, _| unsafe {
            sys::ec_key_pair_create(pair.out(), public_key.0, private_key.0)
        })?;
        Ok(pair)
    }

    fn serialize_public(&self, key: *const sys::ec_public_key) -> Result<Vec<u8>, Failure> {
        let mut buffer = ptr::null_mut();
        self.call("serialize public key", |_, _| unsafe {
            sys::ec_public_key_serialize(&mut buffer, key)
        })?;
        // SAFETY: libsignal handed us the buffer.
        Ok(unsafe { take_buffer(buffer) })
    }

    fn install_identity(
        &mut self,
        identity: &Owned<sys::ratchet_identity_key_pair>,
        registration_id: u32,
    ) -> Result<(), Failure> {
        // SAFETY: `identity` is a live key pair; the getters borrow from it.
        let public = unsafe { sys::ratchet_identity_key_pair_get_public(identity.0) };
        let private = unsafe { sys::ratchet_identity_key_pair_get_private(identity.0) };
        let public = self.serialize_public(public)?;
        let mut buffer = ptr::null_mut();
        self.call("serialize private key", |_, _| unsafe {
            sys::ec_private_key_serialize(&mut buffer, private)
        })?;
        // SAFETY: libsignal handed us the buffer.
        let private = unsafe { take_buffer(buffer) };
        let mut stores = self.stores.borrow_mut();
        stores.identity_public = public;
        stores.identity_private = private;
        stores.registration_id = registration_id;
        Ok(())
    }

    fn install_signed_prekey(
        &mut self,
        signed: &Owned<sys::session_signed_pre_key>,
    ) -> Result<(), Failure> {
        // SAFETY: `signed` is live; the getters borrow from it.
        let (id, public, signature) = unsafe {
            let pair = sys::session_signed_pre_key_get_key_pair(signed.0);
            let data = sys::session_signed_pre_key_get_signature(signed.0);
            let len = sys::session_signed_pre_key_get_signature_len(signed.0);
            let signature = if data.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(data, len).to_vec()
            };
            (
                sys::session_signed_pre_key_get_id(signed.0),
                sys::ec_key_pair_get_public(pair),
                signature,
            )
        };
        let public = self.serialize_public(public)?;
        self.call("store signed prekey", |_, store| unsafe {
            sys::signal_protocol_signed_pre_key_store_key(store, signed.0)
        })?;
        self.signed_prekey = (id, public, signature);
        Ok(())
    }

    fn install_one_time_prekey(
        &mut self,
        id: u32,
        pair: &Owned<sys::ec_key_pair>,
    ) -> Result<(), Failure> {
        let mut pre_key = Owned::<sys::session_pre_key>::null();
        self.call("one-time prekey", |_, _| unsafe {
            sys::session_pre_key_create(pre_key.out(), id, pair.0)
        })?;
        self.call("store one-time prekey", |_, store| unsafe {
            sys::signal_protocol_pre_key_store_key(store, pre_key.0)
        })?;
        // SAFETY: `pair` is live.
        let public = self.serialize_public(unsafe { sys::ec_key_pair_get_public(pair.0) })?;
        self.one_time_publics.insert(id, public);
        Ok(())
    }

    pub fn identity_key(&self) -> Vec<u8> {
        self.stores.borrow().identity_public.clone()
    }

    pub fn registration_id(&self) -> u32 {
        self.stores.borrow().registration_id
    }

    /// This device's bundle; with a one-time prekey, the next one not
    /// served before that libsignal still holds (none when used up).
    pub fn bundle(&mut self, with_one_time_prekey: bool) -> Bundle {
        let one_time_prekey = if with_one_time_prekey {
            let stores = self.stores.borrow();
            // After serving id u32::MAX there is nothing left to serve.
            let start = match self.served_up_to {
                None => Some(0),
                Some(id) => id.checked_add(1),
            };
            let next = start.and_then(|start| {
                self.one_time_publics
                    .range(start..)
                    .find(|(id, _)| stores.pre_keys.contains_key(id))
                    .map(|(id, public)| (*id, public.clone()))
            });
            drop(stores);
            if let Some((id, _)) = &next {
                self.served_up_to = Some(*id);
            }
            next
        } else {
            None
        };
        let (signed_prekey_id, signed_prekey, signed_prekey_signature) = self.signed_prekey.clone();
        Bundle {
            registration_id: self.registration_id(),
            device_id: self.device_id,
            identity_key: self.identity_key(),
            signed_prekey_id,
            signed_prekey,
            signed_prekey_signature,
            one_time_prekey,
        }
    }

    fn decode_public(
        &self,
        what: &'static str,
        bytes: &[u8],
    ) -> Result<Owned<sys::ec_public_key>, Failure> {
        let mut key = Owned::<sys::ec_public_key>::null();
        self.call(what, |ctx, _| unsafe {
            sys::curve_decode_point(key.out(), bytes.as_ptr(), bytes.len(), ctx)
        })?;
        Ok(key)
    }

    /// X3DH as initiator: libsignal's `session_builder_process_pre_key_bundle`
    /// (signature and trust checks included).
    pub fn process_bundle(
        &mut self,
        remote: &RemoteAddress,
        bundle: &Bundle,
    ) -> Result<(), Failure> {
        // libsignal refuses a signature of another length (SG_ERR_INVAL),
        // but dereferences a missing one (session_pre_key_bundle_create
        // leaves it null for length 0); both are refused here instead.
        if bundle.signed_prekey_signature.len() != SIGNATURE_LEN {
            return Err(Failure::local(
                "bundle",
                SIGNATURE_NOT_64_BYTES,
                &format!(
                    "signed prekey signature of {} bytes, not {SIGNATURE_LEN}",
                    bundle.signed_prekey_signature.len()
                ),
            ));
        }
        let identity = self.decode_public("bundle identity key", &bundle.identity_key)?;
        let signed = self.decode_public("bundle signed prekey", &bundle.signed_prekey)?;
        let one_time = match &bundle.one_time_prekey {
            Some((id, key)) => Some((*id, self.decode_public("bundle one-time prekey", key)?)),
            None => None,
        };
        let device_id = c_int::try_from(bundle.device_id)
            .map_err(|_| Failure::local("bundle", SG_ERR_INVAL, "device id above 2^31"))?;
        let mut raw_bundle = Owned::<sys::session_pre_key_bundle>::null();
        self.call("bundle", |_, _| unsafe {
            sys::session_pre_key_bundle_create(
                raw_bundle.out(),
                bundle.registration_id,
                device_id,
                one_time.as_ref().map_or(0, |(id, _)| *id),
                one_time.as_ref().map_or(ptr::null_mut(), |(_, k)| k.0),
                bundle.signed_prekey_id,
                signed.0,
                bundle.signed_prekey_signature.as_ptr(),
                bundle.signed_prekey_signature.len(),
                identity.0,
            )
        })?;
        let address = remote.raw();
        let mut builder: *mut sys::session_builder = ptr::null_mut();
        self.call("session builder", |ctx, store| unsafe {
            sys::session_builder_create(&mut builder, store, &address, ctx)
        })?;
        let result = self.call("process bundle", |_, _| unsafe {
            sys::session_builder_process_pre_key_bundle(builder, raw_bundle.0)
        });
        // SAFETY: created above, freed once.
        unsafe { sys::session_builder_free(builder) };
        result.map(|_| ())
    }

    pub fn has_session(&self, remote: &RemoteAddress) -> bool {
        self.stores.borrow().sessions.contains_key(&remote.key())
    }

    fn with_cipher<T>(
        &mut self,
        remote: &RemoteAddress,
        f: impl FnOnce(&Device, *mut sys::session_cipher) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let address = remote.raw();
        let mut cipher: *mut sys::session_cipher = ptr::null_mut();
        self.call("session cipher", |ctx, store| unsafe {
            sys::session_cipher_create(&mut cipher, store, &address, ctx)
        })?;
        let result = f(self, cipher);
        // SAFETY: created above, freed once; `address` outlives it.
        unsafe { sys::session_cipher_free(cipher) };
        result
    }

    /// Encrypts to `remote`: (message type 2 or 3, serialized message).
    pub fn encrypt(
        &mut self,
        remote: &RemoteAddress,
        plaintext: &[u8],
    ) -> Result<(u32, Vec<u8>), Failure> {
        self.with_cipher(remote, |device, cipher| {
            let mut message = Owned::<sys::ciphertext_message>::null();
            device.call("encrypt", |_, _| unsafe {
                sys::session_cipher_encrypt(
                    cipher,
                    plaintext.as_ptr(),
                    plaintext.len(),
                    message.out(),
                )
            })?;
            // SAFETY: `message` is live; the serialized buffer is borrowed
            // from it, so it is copied, not freed.
            unsafe {
                let kind = sys::ciphertext_message_get_type(message.0);
                let serialized = sys::ciphertext_message_get_serialized(message.0);
                if serialized.is_null() {
                    return Err(Failure::local(
                        "encrypt",
                        SG_ERR_NOMEM,
                        "no serialized message",
                    ));
                }
                let len = sys::signal_buffer_len(serialized);
                let data = sys::signal_buffer_data(serialized);
                let bytes = std::slice::from_raw_parts(data, len).to_vec();
                Ok((kind as u32, bytes))
            }
        })
    }

    /// Decrypts a message of `message_type` (2 SignalMessage, 3
    /// PreKeySignalMessage) from `remote`.
    /// A body longer than `max_body_len` is refused before decryption
    /// (libsignal itself sets no bound).
    ///
    /// libsignal-protocol-c saves a PreKeySignalMessage's identity before it
    /// checks the MAC (session_builder.c
    /// `session_builder_process_pre_key_signal_message`), so a forged first
    /// message would pin a forged identity. Current libsignal defers that
    /// save until decryption succeeds (rust/protocol/src/session.rs
    /// `IdentityToSave`); so does this device, by undoing the save when the
    /// decryption fails, unless [`Device::write_identities_through`] was set.
    pub fn decrypt(
        &mut self,
        remote: &RemoteAddress,
        message_type: u32,
        bytes: &[u8],
        max_body_len: usize,
    ) -> Result<Vec<u8>, Failure> {
        let trusted_before = self.trusted_identity(remote);
        let script_before = self.crypto.borrow().scripted_privates.clone();
        let result = self.decrypt_with_libsignal(remote, message_type, bytes, max_body_len);
        if result.is_err() {
            // libsignal draws a ratchet key on a copy of the state before it
            // checks the MAC; a refused message must not use up a fixed key.
            self.crypto.borrow_mut().scripted_privates = script_before;
            if !self.write_identities_through {
                let mut stores = self.stores.borrow_mut();
                match trusted_before {
                    Some(key) => stores.trusted.insert(remote.key(), key),
                    None => stores.trusted.remove(&remote.key()),
                };
            }
        }
        result
    }

    /// Keeps libsignal-protocol-c's own order: an identity saved during a
    /// refused decryption stays saved (to show what the deferral prevents).
    pub fn write_identities_through(&mut self) {
        self.write_identities_through = true;
    }

    fn decrypt_with_libsignal(
        &mut self,
        remote: &RemoteAddress,
        message_type: u32,
        bytes: &[u8],
        max_body_len: usize,
    ) -> Result<Vec<u8>, Failure> {
        self.with_cipher(remote, |device, cipher| {
            let mut plaintext: *mut sys::signal_buffer = ptr::null_mut();
            match message_type {
                t if t == sys::CIPHERTEXT_PREKEY_TYPE => {
                    let mut message = Owned::<sys::pre_key_signal_message>::null();
                    device.call("parse PreKeySignalMessage", |ctx, _| unsafe {
                        sys::pre_key_signal_message_deserialize(
                            message.out(),
                            bytes.as_ptr(),
                            bytes.len(),
                            ctx,
                        )
                    })?;
                    // SAFETY: the inner message is borrowed from `message`.
                    let inner =
                        unsafe { sys::pre_key_signal_message_get_signal_message(message.0) };
                    check_body_len(inner, max_body_len)?;
                    device.call("decrypt PreKeySignalMessage", |_, _| unsafe {
                        sys::session_cipher_decrypt_pre_key_signal_message(
                            cipher,
                            message.0,
                            ptr::null_mut(),
                            &mut plaintext,
                        )
                    })?;
                }
                t if t == sys::CIPHERTEXT_SIGNAL_TYPE => {
                    let mut message = Owned::<sys::signal_message>::null();
                    device.call("parse SignalMessage", |ctx, _| unsafe {
                        sys::signal_message_deserialize(
                            message.out(),
                            bytes.as_ptr(),
                            bytes.len(),
                            ctx,
                        )
                    })?;
                    check_body_len(message.0, max_body_len)?;
                    device.call("decrypt SignalMessage", |_, _| unsafe {
                        sys::session_cipher_decrypt_signal_message(
                            cipher,
                            message.0,
                            ptr::null_mut(),
                            &mut plaintext,
                        )
                    })?;
                }
                _ => {
                    return Err(Failure::local(
                        "decrypt",
                        SG_ERR_INVAL,
                        "unknown message type",
                    ));
                }
            }
            // SAFETY: libsignal handed us the plaintext buffer.
            Ok(unsafe { take_buffer(plaintext) })
        })
    }

    /// The identity trusted for `remote`, if any.
    pub fn trusted_identity(&self, remote: &RemoteAddress) -> Option<Vec<u8>> {
        self.stores.borrow().trusted.get(&remote.key()).cloned()
    }

    /// The user approved `key` for `remote`.
    pub fn approve_identity(&mut self, remote: &RemoteAddress, key: &[u8]) -> Result<(), Failure> {
        self.decode_public("identity key", key)?;
        self.stores
            .borrow_mut()
            .trusted
            .insert(remote.key(), key.to_vec());
        Ok(())
    }

    pub fn delete_session(&mut self, remote: &RemoteAddress) -> bool {
        self.stores
            .borrow_mut()
            .sessions
            .remove(&remote.key())
            .is_some()
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::ErrorCategory;
    use crate::peer::signal::wire::PreKeySignalMessage;
    use crate::targets::libsignal::refusal;

    fn pair() -> (Device, Device, RemoteAddress, RemoteAddress) {
        let alice = Device::generate("alice", 1, 0, 0).expect("alice");
        let bob = Device::generate("bob", 1, 0, 2).expect("bob");
        let a = RemoteAddress::new("alice", 1).expect("addr");
        let b = RemoteAddress::new("bob", 1).expect("addr");
        (alice, bob, a, b)
    }

    /// Alice's first message to Bob with the last byte of its inner
    /// SignalMessage's MAC flipped.
    fn forged_first_message(alice: &mut Device, bob: &mut Device, b: &RemoteAddress) -> Vec<u8> {
        let bundle = bob.bundle(true);
        alice.process_bundle(b, &bundle).expect("bundle");
        let (kind, mut message) = alice.encrypt(b, b"hi").expect("encrypt");
        assert_eq!(kind, sys::CIPHERTEXT_PREKEY_TYPE);
        let parsed = PreKeySignalMessage::parse(&message, 1024).expect("parses");
        let inner = parsed.message.serialized();
        let start = message
            .windows(inner.len())
            .position(|w| w == inner)
            .expect("inner message");
        message[start + inner.len() - 1] ^= 1;
        message
    }

    #[test]
    fn sessions_work_both_ways_and_safety_numbers_agree() {
        let (mut alice, mut bob, a, b) = pair();
        let bundle = bob.bundle(true);
        alice.process_bundle(&b, &bundle).expect("bundle");
        let (kind, first) = alice.encrypt(&b, b"hello").expect("encrypt");
        assert_eq!(
            bob.decrypt(&a, kind, &first, 1024).expect("decrypt"),
            b"hello"
        );
        let (kind, reply) = bob.encrypt(&a, b"back").expect("encrypt");
        assert_eq!(kind, sys::CIPHERTEXT_SIGNAL_TYPE);
        assert_eq!(
            alice.decrypt(&b, kind, &reply, 1024).expect("decrypt"),
            b"back"
        );
        let at_alice = alice
            .safety_number(&b, &bob.identity_key())
            .expect("number");
        let at_bob = bob
            .safety_number(&a, &alice.identity_key())
            .expect("number");
        assert_eq!(at_alice.len(), 60);
        assert_eq!(at_alice, at_bob);
    }

    #[test]
    fn a_forged_first_message_pins_no_identity_though_libsignal_saves_it_first() {
        let (mut alice, mut bob, a, b) = pair();
        let forged = forged_first_message(&mut alice, &mut bob, &b);
        let failure = bob
            .decrypt(&a, sys::CIPHERTEXT_PREKEY_TYPE, &forged, 1024)
            .expect_err("a bad MAC is refused");
        assert_eq!(
            refusal::category(&failure),
            Some(ErrorCategory::BadMac),
            "{failure:?}"
        );
        assert_eq!(bob.trusted_identity(&a), None, "the save was undone");

        // libsignal-protocol-c's own order, with a store that keeps every
        // save: the refused message's identity is now trusted.
        let (mut alice, mut bob, a, b) = pair();
        bob.write_identities_through();
        let forged = forged_first_message(&mut alice, &mut bob, &b);
        assert!(bob
            .decrypt(&a, sys::CIPHERTEXT_PREKEY_TYPE, &forged, 1024)
            .is_err());
        assert_eq!(bob.trusted_identity(&a), Some(alice.identity_key()));
    }

    #[test]
    fn a_bundle_without_a_64_byte_signature_is_refused_not_crashed_on() {
        let (mut alice, mut bob, _, b) = pair();
        for len in [0, 63, 65] {
            let mut bundle = bob.bundle(true);
            bundle.signed_prekey_signature.resize(len, 0);
            let failure = alice.process_bundle(&b, &bundle).expect_err("refused");
            assert_eq!(
                refusal::category(&failure),
                Some(ErrorCategory::BadSignature),
                "{len} bytes"
            );
        }
        assert!(!alice.has_session(&b));
    }

    #[test]
    fn a_message_without_a_session_is_not_found_and_logs_the_name_exactly() {
        let (mut alice, mut bob, a, b) = pair();
        let bundle = bob.bundle(true);
        alice.process_bundle(&b, &bundle).expect("bundle");
        let (kind, first) = alice.encrypt(&b, b"hi").expect("encrypt");
        bob.decrypt(&a, kind, &first, 1024).expect("decrypt");
        let (kind, reply) = bob.encrypt(&a, b"back").expect("encrypt");
        assert!(alice.delete_session(&b));
        let failure = alice
            .decrypt(&b, kind, &reply, 1024)
            .expect_err("no session");
        assert_eq!(refusal::category(&failure), Some(ErrorCategory::NotFound));
        assert_eq!(failure.log, vec!["No session for: bob:1".to_string()]);
    }

    #[test]
    fn bodies_above_the_bound_are_refused_before_libsignal() {
        let (mut alice, mut bob, a, b) = pair();
        let bundle = bob.bundle(false);
        alice.process_bundle(&b, &bundle).expect("bundle");
        let (kind, message) = alice.encrypt(&b, &[7; 64]).expect("encrypt");
        let failure = bob
            .decrypt(&a, kind, &message, 64)
            .expect_err("80-byte body");
        assert_eq!(failure.code, BODY_TOO_LONG);
        assert_eq!(
            bob.decrypt(&a, kind, &message, 80).expect("fits"),
            vec![7; 64]
        );
    }
}
