//! One Signal device run by libsignal-protocol-c: its own `signal_context`
//! (so a fixed-keys device's scripted randomness stays its own), its store
//! context, and the safe operations the adapter needs. Every call into C
//! goes through [`Device::call`], which collects libsignal's log and turns
//! a negative result into a [`Failure`].

mod ffi;
mod fingerprint;
mod session;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_int, c_void};
use std::ptr;

use libsignal_protocol_sys as sys;
use sys::SG_ERR_INVAL;

use super::crypto::{self, CryptoState};
use super::stores::{self, Stores};
pub use crate::targets::e2ee::{Bundle, FixedKeys};
use ffi::{take_buffer, Owned};
pub use ffi::{Failure, RemoteAddress};
use session::SIGNATURE_LEN;
pub use session::{BODY_TOO_LONG, SIGNATURE_NOT_64_BYTES};

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
}
