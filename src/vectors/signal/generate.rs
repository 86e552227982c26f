//! The generator of `vectors/signal/interspec-generated.json`: fixed keys
//! (each the SHA-256 of a label) run through the engine. A test keeps the
//! committed file equal to what this produces.

use sha2::{Digest, Sha256};

use super::model::{
    FixedPreKey, Party, SignalVector, Transcript, TranscriptMessage, VectorBody, VectorFile,
    SCHEMA_VERSION,
};
use super::TRANSCRIPT_SAFETY_NUMBER;
use crate::peer::signal::fingerprint::safety_number;
use crate::peer::signal::kdf::{ChainKey, RootKey};
use crate::peer::signal::x3dh::initialize_bob;
use crate::peer::signal::{xeddsa, IdentityKeyPair, KeyPair, PrivateKey};

pub const PATH: &str = "vectors/signal/interspec-generated.json";

fn k(label: &str) -> [u8; 32] {
    Sha256::digest(format!("interspec signal vector: {label}").as_bytes()).into()
}

fn h(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn public_of(label: &str) -> String {
    h(&KeyPair::from_private_bytes(k(label)).public.serialize())
}

fn vector(name: &str, body: VectorBody) -> SignalVector {
    SignalVector {
        name: name.into(),
        source: "interspec (src/peer/signal), fixed keys; see provenance".into(),
        body,
    }
}

fn party(role: &str, name: &str, registration_id: u32, bob: bool) -> Party {
    let identity = IdentityKeyPair::from_private_bytes(k(&format!("{role} identity")));
    let (spk_id, spk_private, spk_signature) = if bob {
        let spk = KeyPair::from_private_bytes(k("bob signed prekey"));
        let mut random = [0u8; 64];
        random[..32].copy_from_slice(&k("bob signature nonce 1"));
        random[32..].copy_from_slice(&k("bob signature nonce 2"));
        let sig = xeddsa::sign(
            identity.private().as_bytes(),
            &spk.public.serialize(),
            &random,
        );
        (Some(7), Some(h(&k("bob signed prekey"))), Some(h(&sig)))
    } else {
        (None, None, None)
    };
    Party {
        name: name.into(),
        device_id: 1,
        registration_id,
        identity_private: h(&k(&format!("{role} identity"))),
        signed_prekey_id: spk_id,
        signed_prekey_private: spk_private,
        signed_prekey_signature: spk_signature,
        one_time_prekeys: if bob {
            (0..2)
                .map(|i| FixedPreKey {
                    id: 31 + i,
                    private: h(&k(&format!("bob one-time prekey {i}"))),
                })
                .collect()
        } else {
            Vec::new()
        },
        ephemeral_privates: (0..6)
            .map(|i| h(&k(&format!("{role} ephemeral {i}"))))
            .collect(),
    }
}

/// Runs the conversation and records every message.
fn transcript(with_one_time_prekey: bool, script: &[(&str, &[u8])]) -> Transcript {
    let mut t = Transcript {
        alice: party("alice", "+14152222222", 1234, false),
        bob: party("bob", "+14153333333", 5678, true),
        with_one_time_prekey,
        messages: Vec::new(),
    };
    let mut alice = Transcript::device(&t.alice).expect("alice");
    let mut bob = Transcript::device(&t.bob).expect("bob");
    let (a, b) = (t.alice_address(), t.bob_address());
    let bundle = if with_one_time_prekey {
        bob.bundle()
    } else {
        bob.bundle_without_one_time_prekey()
    };
    alice.process_bundle(&b, &bundle).expect("bundle");
    for (from, plaintext) in script {
        let (sender, receiver, to, back) = if *from == "alice" {
            (&mut alice, &mut bob, &b, &a)
        } else {
            (&mut bob, &mut alice, &a, &b)
        };
        let (kind, ciphertext) = sender.encrypt(to, plaintext).expect("encrypt");
        assert_eq!(
            receiver.decrypt(back, kind, &ciphertext).expect("decrypt"),
            *plaintext
        );
        t.messages.push(TranscriptMessage {
            from: from.to_string(),
            message_type: kind.wire_type(),
            plaintext: h(plaintext),
            ciphertext: h(&ciphertext),
        });
    }
    t
}

pub fn file() -> VectorFile {
    let mut vectors = Vec::new();
    // Three consecutive chain steps from one chain key.
    let mut ck = ChainKey::new(k("chain key"), 0);
    for step in 0..3 {
        let mk = ck.message_keys();
        let next = ck.next().expect("next");
        vectors.push(vector(
            &format!("chain key step {step}"),
            VectorBody::ChainKey {
                chain_key: h(&ck.key),
                index: ck.index,
                cipher_key: h(&mk.cipher_key),
                mac_key: h(&mk.mac_key),
                iv: Some(h(&mk.iv)),
                next_chain_key: h(&next.key),
            },
        ));
        ck = next;
    }
    let (root, chain) = RootKey(k("root key"))
        .create_chain(
            &KeyPair::from_private_bytes(k("their ratchet")).public,
            &PrivateKey::from_bytes(k("our ratchet")),
        )
        .expect("root step");
    vectors.push(vector(
        "root key step",
        VectorBody::RootKeyStep {
            root_key: h(&k("root key")),
            their_ratchet_public: public_of("their ratchet"),
            our_ratchet_private: h(&k("our ratchet")),
            new_root_key: h(&root.0),
            new_chain_key: h(&chain.key),
        },
    ));
    let bob_state = initialize_bob(
        &IdentityKeyPair::from_private_bytes(k("bob identity")),
        &KeyPair::from_private_bytes(k("bob signed prekey")),
        Some(&KeyPair::from_private_bytes(k("bob one-time prekey 0"))),
        IdentityKeyPair::from_private_bytes(k("alice identity")).public(),
        &KeyPair::from_private_bytes(k("alice ephemeral 0")).public,
    )
    .expect("x3dh");
    vectors.push(vector(
        "x3dh with one-time prekey, Bob",
        VectorBody::X3dhBob {
            bob_identity_private: h(&k("bob identity")),
            bob_signed_prekey_private: h(&k("bob signed prekey")),
            bob_one_time_prekey_private: Some(h(&k("bob one-time prekey 0"))),
            alice_identity_public: public_of("alice identity"),
            alice_base_public: public_of("alice ephemeral 0"),
            root_key: Some(h(&bob_state.root_key.0)),
            chain_key: h(&bob_state.sender_chain.chain_key.key),
        },
    ));
    vectors.push(vector(
        "x3dh with one-time prekey, Alice",
        VectorBody::X3dhAlice {
            alice_identity_private: h(&k("alice identity")),
            alice_base_private: h(&k("alice ephemeral 0")),
            bob_identity_public: public_of("bob identity"),
            bob_signed_prekey_public: public_of("bob signed prekey"),
            bob_one_time_prekey_public: Some(public_of("bob one-time prekey 0")),
            chain_key: h(&bob_state.sender_chain.chain_key.key),
        },
    ));
    let alice_identity = IdentityKeyPair::from_private_bytes(k("alice identity"));
    let bob_identity = IdentityKeyPair::from_private_bytes(k("bob identity"));
    vectors.push(vector(
        TRANSCRIPT_SAFETY_NUMBER,
        VectorBody::NumericFingerprint {
            iterations: 5200,
            local_id: "+14152222222".into(),
            local_identity: h(&alice_identity.public().serialize()),
            remote_id: "+14153333333".into(),
            remote_identity: h(&bob_identity.public().serialize()),
            displayable: safety_number(
                5200,
                b"+14152222222",
                alice_identity.public(),
                b"+14153333333",
                bob_identity.public(),
            ),
        },
    ));
    let forty = [0x2au8; 40];
    let block = [0x10u8; 16];
    vectors.push(vector(
        "session transcript with one-time prekey",
        VectorBody::SessionTranscript(Box::new(transcript(
            true,
            &[
                ("alice", b"Hello Bob, this is the first message."),
                ("alice", b""),
                ("bob", b"Hi Alice."),
                ("alice", &forty),
                ("alice", &block),
                ("bob", b"two"),
                ("bob", b"three"),
                ("alice", b"on Alice's third sending chain"),
            ],
        ))),
    ));
    vectors.push(vector(
        "session transcript without one-time prekey",
        VectorBody::SessionTranscript(Box::new(transcript(
            false,
            &[
                ("alice", b"no one-time prekey"),
                ("bob", b"answer"),
                ("alice", b"third"),
            ],
        ))),
    ));
    VectorFile {
        schema_version: SCHEMA_VERSION,
        // Pinned by the committed file, so it still names this module by
        // its path before the split (now src/vectors/signal/generate.rs).
        provenance: "Generated by interspec's own Signal v3 engine (src/peer/signal) from fixed keys, each the SHA-256 of a label (src/vectors/signal.rs, mod generate). Not an upstream vector: it pins the engine's exact wire bytes and lets scenarios check a target byte for byte. The engine itself is checked against libsignal's published known answers in libsignal-published.json, and libsignal-protocol-c given the same fixed keys reproduces each transcript's initiator messages up to the first reply byte for byte (tests/libsignal_transcript.rs, `cargo test --features libsignal`); the later messages are not yet confirmed by libsignal.".into(),
        vectors,
    }
}

pub fn text() -> String {
    let mut out = serde_json::to_string_pretty(&file()).expect("json");
    out.push('\n');
    out
}
