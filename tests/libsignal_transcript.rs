//! Cross-check of the golden session transcripts with libsignal-protocol-c
//! (`cargo test --features libsignal`, needs cmake), two ways:
//! - through the `libsignal-protocol` 0.1 crate, given the vector's fixed
//!   keys as its random stream: it builds Alice's session from Bob's bundle
//!   and must produce Alice's messages up to Bob's first reply byte for byte
//!   (that crate exposes encryption only);
//! - through interspec's own FFI device (`targets::libsignal`), both parties
//!   libsignal: every message of every transcript must be produced byte for
//!   byte by its sender and decrypt to its plaintext at its receiver, after
//!   a forged copy of each SignalMessage was refused.
#![cfg(feature = "libsignal")]

use std::collections::VecDeque;
use std::sync::Mutex;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use libsignal_protocol::crypto::{
    Crypto, OpenSSLCrypto, Sha256Hmac, Sha512Digest, SignalCipherType,
};
use libsignal_protocol::keys::{PrivateKey, PublicKey};
use libsignal_protocol::stores::{
    InMemoryIdentityKeyStore, InMemoryPreKeyStore, InMemorySessionStore, InMemorySignedPreKeyStore,
};
use libsignal_protocol::{Address, Context, InternalError, PreKeyBundle, Serializable};

use interspec::vectors::signal::{builtin_transcripts, bytes, Transcript};

/// libsignal's crypto callbacks: randomness from a script (so its key
/// generation yields the vector's keys, clamped as libsignal clamps), AES
/// from the `aes`/`cbc` crates (the crate's OpenSSL AES wrapper garbles
/// multi-block bodies), HMAC and SHA-512 from OpenSSL.
struct ScriptedCrypto {
    random: Mutex<VecDeque<u8>>,
    openssl: OpenSSLCrypto,
}

impl Crypto for ScriptedCrypto {
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), InternalError> {
        let mut random = self.random.lock().map_err(|_| InternalError::Unknown)?;
        if random.len() < buffer.len() {
            return Err(InternalError::Unknown);
        }
        for b in buffer.iter_mut() {
            *b = random.pop_front().ok_or(InternalError::Unknown)?;
        }
        Ok(())
    }

    fn hmac_sha256(&self, key: &[u8]) -> Result<Box<dyn Sha256Hmac>, InternalError> {
        self.openssl.hmac_sha256(key)
    }

    fn sha512_digest(&self) -> Result<Box<dyn Sha512Digest>, InternalError> {
        self.openssl.sha512_digest()
    }

    fn encrypt(
        &self,
        cipher: SignalCipherType,
        key: &[u8],
        iv: &[u8],
        data: &[u8],
    ) -> Result<Vec<u8>, InternalError> {
        match cipher {
            SignalCipherType::AesCbcPkcs5 => {
                Ok(cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
                    .map_err(|_| InternalError::Unknown)?
                    .encrypt_padded_vec_mut::<Pkcs7>(data))
            }
            _ => Err(InternalError::Unknown),
        }
    }

    fn decrypt(
        &self,
        cipher: SignalCipherType,
        key: &[u8],
        iv: &[u8],
        data: &[u8],
    ) -> Result<Vec<u8>, InternalError> {
        match cipher {
            SignalCipherType::AesCbcPkcs5 => {
                cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
                    .map_err(|_| InternalError::Unknown)?
                    .decrypt_padded_vec_mut::<Pkcs7>(data)
                    .map_err(|_| InternalError::Unknown)
            }
            _ => Err(InternalError::Unknown),
        }
    }
}

fn clamped(private: &str) -> Vec<u8> {
    let mut k = bytes(private).expect("hex");
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

fn public(ctx: &Context, private: &str) -> PublicKey {
    PrivateKey::decode_point(ctx, &clamped(private))
        .expect("private key")
        .generate_public_key()
        .expect("public key")
}

/// Alice's messages before Bob's first reply, as libsignal encrypts them.
fn libsignal_alice(t: &Transcript) -> Vec<(u32, Vec<u8>)> {
    let mut script = bytes(&t.alice.identity_private).expect("hex");
    for e in &t.alice.ephemeral_privates {
        script.extend(bytes(e).expect("hex"));
    }
    let ctx = Context::new(ScriptedCrypto {
        random: Mutex::new(script.into()),
        openssl: OpenSSLCrypto,
    })
    .expect("context");
    let identity = libsignal_protocol::generate_identity_key_pair(&ctx).expect("identity");
    let store = libsignal_protocol::store_context(
        &ctx,
        InMemoryPreKeyStore::default(),
        InMemorySignedPreKeyStore::default(),
        InMemorySessionStore::default(),
        InMemoryIdentityKeyStore::new(t.alice.registration_id, &identity),
    )
    .expect("store");
    let bob = &t.bob;
    let mut bundle = PreKeyBundle::builder()
        .registration_id(bob.registration_id)
        .device_id(bob.device_id as i32)
        .identity_key(&public(&ctx, &bob.identity_private))
        .signed_pre_key(
            bob.signed_prekey_id.expect("signed prekey id"),
            &public(&ctx, bob.signed_prekey_private.as_deref().expect("spk")),
        )
        .signature(&bytes(bob.signed_prekey_signature.as_deref().expect("sig")).expect("hex"));
    if t.with_one_time_prekey {
        let otp = &bob.one_time_prekeys[0];
        bundle = bundle.pre_key(otp.id, &public(&ctx, &otp.private));
    }
    let bundle = bundle.build().expect("bundle");
    let bob_address = Address::new(&bob.name, bob.device_id as i32);
    libsignal_protocol::session_builder(&ctx, &store, &bob_address)
        .process_pre_key_bundle(&bundle)
        .expect("libsignal accepts the vector's bundle (signature included)");
    let cipher =
        libsignal_protocol::SessionCipher::new(&ctx, &store, &bob_address).expect("cipher");
    t.messages
        .iter()
        .take_while(|m| m.from == "alice")
        .map(|m| {
            let out = cipher
                .encrypt(&bytes(&m.plaintext).expect("hex"))
                .expect("encrypt");
            let kind = match out.get_type().expect("type") {
                libsignal_protocol::messages::CiphertextType::PreKey => 3,
                _ => 2,
            };
            (
                kind,
                out.serialize().expect("serialize").as_slice().to_vec(),
            )
        })
        .collect()
}

#[test]
fn libsignal_reproduces_the_initiators_messages_of_every_transcript() {
    let transcripts = builtin_transcripts().expect("vectors");
    assert!(!transcripts.is_empty());
    for (name, t) in &transcripts {
        let produced = libsignal_alice(t);
        assert!(
            !produced.is_empty(),
            "{name}: no message before Bob's reply"
        );
        for (i, (kind, bytes_out)) in produced.iter().enumerate() {
            let want = &t.messages[i];
            assert_eq!(*kind, want.message_type, "{name}: message {i} type");
            assert_eq!(
                hex::encode(bytes_out),
                want.ciphertext,
                "{name}: message {i} differs from libsignal's"
            );
        }
    }
}

mod both_roles {
    use interspec::targets::libsignal::device::{Device, FixedKeys, RemoteAddress};
    use interspec::vectors::signal::{builtin_transcripts, bytes, key32, Party};

    /// A device with the party's fixed keys. Alice has no signed prekey in
    /// the vectors; hers is never used, so her identity key stands in.
    fn device(p: &Party) -> Device {
        let identity = key32(&p.identity_private).expect("identity");
        let keys = FixedKeys {
            identity_private: identity,
            signed_prekey_id: p.signed_prekey_id.unwrap_or(1),
            signed_prekey_private: p
                .signed_prekey_private
                .as_deref()
                .map_or(identity, |k| key32(k).expect("signed prekey")),
            signed_prekey_signature: p
                .signed_prekey_signature
                .as_deref()
                .map_or(vec![0; 64], |s| bytes(s).expect("signature")),
            one_time_prekeys: p
                .one_time_prekeys
                .iter()
                .map(|k| (k.id, key32(&k.private).expect("one-time prekey")))
                .collect(),
            ephemeral_privates: p
                .ephemeral_privates
                .iter()
                .map(|k| key32(k).expect("ephemeral"))
                .collect(),
        };
        Device::with_fixed_keys(&p.name, p.device_id, p.registration_id, &keys, 0).expect("device")
    }

    #[test]
    fn libsignal_produces_and_decrypts_every_message_of_every_transcript() {
        let transcripts = builtin_transcripts().expect("vectors");
        assert!(!transcripts.is_empty());
        for (name, t) in &transcripts {
            let mut alice = device(&t.alice);
            let mut bob = device(&t.bob);
            let alice_addr = RemoteAddress::new(&t.alice.name, t.alice.device_id).expect("addr");
            let bob_addr = RemoteAddress::new(&t.bob.name, t.bob.device_id).expect("addr");
            let bundle = bob.bundle(t.with_one_time_prekey);
            alice
                .process_bundle(&bob_addr, &bundle)
                .expect("libsignal accepts the vector's bundle");
            assert!(
                t.messages.iter().any(|m| m.from == "bob"),
                "{name}: Bob replies"
            );
            for (i, m) in t.messages.iter().enumerate() {
                let plaintext = bytes(&m.plaintext).expect("hex");
                let (sender, receiver, to, from) = if m.from == "alice" {
                    (&mut alice, &mut bob, &bob_addr, &alice_addr)
                } else {
                    (&mut bob, &mut alice, &alice_addr, &bob_addr)
                };
                let (kind, out) = sender.encrypt(to, &plaintext).expect("encrypt");
                assert_eq!(kind, m.message_type, "{name}: message {i} type");
                assert_eq!(hex::encode(&out), m.ciphertext, "{name}: message {i} bytes");
                let wire = bytes(&m.ciphertext).expect("hex");
                if m.message_type == 2 {
                    // A forged copy first (last MAC byte flipped): refused,
                    // and it must use up none of the receiver's fixed keys,
                    // or its later messages would differ from the vector.
                    let mut forged = wire.clone();
                    if let Some(last) = forged.last_mut() {
                        *last ^= 1;
                    }
                    assert!(
                        receiver.decrypt(from, 2, &forged, 1 << 20).is_err(),
                        "{name}: forged message {i} refused"
                    );
                }
                let got = receiver
                    .decrypt(from, m.message_type, &wire, 1 << 20)
                    .expect("libsignal decrypts the vector's message");
                assert_eq!(got, plaintext, "{name}: message {i} plaintext");
            }
        }
    }
}
