//! A device's sessions: its bundle, X3DH from a received bundle, and
//! encryption and decryption with libsignal's session cipher.

use std::ffi::c_int;
use std::ptr;

use libsignal_protocol_sys as sys;
use sys::{SG_ERR_INVAL, SG_ERR_NOMEM};

use super::ffi::{take_buffer, Failure, Owned, RemoteAddress};
use super::{Bundle, Device};

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
pub(super) const SIGNATURE_LEN: usize = 64;
/// The result code of a bundle whose signature is not 64 bytes (an adapter
/// code, like [`BODY_TOO_LONG`]).
pub const SIGNATURE_NOT_64_BYTES: c_int = -20_001;

impl Device {
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

    pub(super) fn decode_public(
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
