//! Cross-check of the golden session transcripts with libsignal-protocol-c
//! (`cargo test --features libsignal`, needs cmake): libsignal, given the
//! vector's fixed keys as its random stream, builds Alice's session from
//! Bob's bundle and must produce Alice's messages up to Bob's first reply
//! byte for byte. (The `libsignal-protocol` 0.1 crate exposes encryption
//! only, so the later messages are confirmed by interspec's engine alone.)
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
