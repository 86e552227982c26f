//! Signal v3 golden vectors (`vectors/signal/*.json`) and their verifier.
//!
//! Schema (`schema_version` 1): a top-level object
//! `{"schema_version": 1, "provenance": "...", "vectors": [...]}`; each vector
//! has `kind`, `name`, `source` (where the values come from) and the fields
//! of its kind, all byte strings in lower-case hex, public keys serialized
//! `05 || 32 bytes`, private keys 32 bytes. Kinds: `curve25519-agreement`,
//! `curve25519-signature`, `numeric-fingerprint`, `chain-key`,
//! `root-key-step`, `x3dh-bob`, `x3dh-alice`, `session-transcript`
//! (the fields of each are the structs below). docs/e2ee.md describes how
//! scenarios feed the transcript to targets with the fixed-keys capability.

use serde::{Deserialize, Serialize};

use super::{VectorCheck, VectorStatus};
use crate::peer::signal::fingerprint::safety_number;
use crate::peer::signal::kdf::{ChainKey, RootKey};
use crate::peer::signal::x3dh::{initialize_alice, initialize_bob, AliceParams, PreKeyBundle};
use crate::peer::signal::{
    Address, Device, IdentityKeyPair, KeyPair, MessageType, PrivateKey, PublicKey,
    SignedPreKeyRecord,
};

/// The schema version this verifier reads.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    pub schema_version: u32,
    pub provenance: String,
    pub vectors: Vec<SignalVector>,
}

// No deny_unknown_fields here: serde does not support it with `flatten`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignalVector {
    pub name: String,
    pub source: String,
    #[serde(flatten)]
    pub body: VectorBody,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VectorBody {
    Curve25519Agreement {
        private_a: String,
        public_a: String,
        private_b: String,
        public_b: String,
        shared: String,
    },
    Curve25519Signature {
        public: String,
        message: String,
        signature: String,
    },
    NumericFingerprint {
        iterations: u32,
        local_id: String,
        local_identity: String,
        remote_id: String,
        remote_identity: String,
        displayable: String,
    },
    ChainKey {
        chain_key: String,
        index: u32,
        cipher_key: String,
        mac_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        iv: Option<String>,
        next_chain_key: String,
    },
    RootKeyStep {
        root_key: String,
        their_ratchet_public: String,
        our_ratchet_private: String,
        new_root_key: String,
        new_chain_key: String,
    },
    X3dhBob {
        bob_identity_private: String,
        bob_signed_prekey_private: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bob_one_time_prekey_private: Option<String>,
        alice_identity_public: String,
        alice_base_public: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        root_key: Option<String>,
        chain_key: String,
    },
    X3dhAlice {
        alice_identity_private: String,
        alice_base_private: String,
        bob_identity_public: String,
        bob_signed_prekey_public: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bob_one_time_prekey_public: Option<String>,
        /// Alice's receiving chain on Bob's signed prekey (the X3DH chain key).
        chain_key: String,
    },
    SessionTranscript(Box<Transcript>),
}

/// One party of a fixed-key session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: String,
    pub device_id: u32,
    pub registration_id: u32,
    pub identity_private: String,
    /// Bob only (Alice's are absent): his signed prekey and its signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_prekey_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_prekey_private: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_prekey_signature: Option<String>,
    #[serde(default)]
    pub one_time_prekeys: Vec<FixedPreKey>,
    /// Used in order for every key pair the party generates (docs/e2ee.md).
    pub ephemeral_privates: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedPreKey {
    pub id: u32,
    pub private: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptMessage {
    /// `alice` or `bob`.
    pub from: String,
    /// 2 SignalMessage, 3 PreKeySignalMessage.
    pub message_type: u32,
    pub plaintext: String,
    pub ciphertext: String,
}

/// Alice processes Bob's bundle (with his first one-time prekey when
/// `with_one_time_prekey`), then the messages go in order, each decrypted by
/// the other party before the next is sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    pub alice: Party,
    pub bob: Party,
    pub with_one_time_prekey: bool,
    pub messages: Vec<TranscriptMessage>,
}

pub fn bytes(h: &str) -> Result<Vec<u8>, String> {
    hex::decode(h).map_err(|e| format!("bad hex {h:.16}..: {e}"))
}

pub fn key32(h: &str) -> Result<[u8; 32], String> {
    bytes(h)?
        .try_into()
        .map_err(|_| format!("{h:.16}.. is not 32 bytes"))
}

pub fn public(h: &str) -> Result<PublicKey, String> {
    PublicKey::deserialize(&bytes(h)?).map_err(|e| format!("public key {h:.16}..: {e}"))
}

fn same(what: &str, got: &[u8], want_hex: &str) -> Result<(), String> {
    let want = bytes(want_hex)?;
    if got == want.as_slice() {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, expected {want_hex}",
            hex::encode(got)
        ))
    }
}

impl Transcript {
    pub fn alice_address(&self) -> Address {
        Address::new(self.alice.name.clone(), self.alice.device_id)
    }

    pub fn bob_address(&self) -> Address {
        Address::new(self.bob.name.clone(), self.bob.device_id)
    }

    /// A device with every key of `party` fixed.
    pub fn device(party: &Party) -> Result<Device, String> {
        let identity = IdentityKeyPair::from_private_bytes(key32(&party.identity_private)?);
        // The seed only feeds what the vector does not fix (nothing the
        // transcript uses).
        let mut device = Device::with_identity(
            identity,
            [0u8; 32],
            party.name.as_bytes(),
            party.registration_id,
            party.device_id,
        );
        if let (Some(id), Some(private), Some(signature)) = (
            party.signed_prekey_id,
            &party.signed_prekey_private,
            &party.signed_prekey_signature,
        ) {
            device.remove_signed_prekey(1);
            device.install_signed_prekey(SignedPreKeyRecord {
                id,
                key_pair: KeyPair::from_private_bytes(key32(private)?),
                signature: bytes(signature)?
                    .try_into()
                    .map_err(|_| "signed_prekey_signature is not 64 bytes".to_string())?,
            });
        }
        for prekey in &party.one_time_prekeys {
            device.add_one_time_prekey(
                prekey.id,
                KeyPair::from_private_bytes(key32(&prekey.private)?),
            );
        }
        let mut ephemerals = Vec::new();
        for e in &party.ephemeral_privates {
            ephemerals.push(key32(e)?);
        }
        device.script_ephemerals(ephemerals);
        Ok(device)
    }

    /// Replays the transcript through two peer devices: every ciphertext must
    /// be produced byte for byte and decrypt to its plaintext.
    pub fn replay(&self) -> Result<usize, String> {
        let mut alice = Self::device(&self.alice)?;
        let mut bob = Self::device(&self.bob)?;
        let (a, b) = (self.alice_address(), self.bob_address());
        let bundle: PreKeyBundle = if self.with_one_time_prekey {
            bob.bundle()
        } else {
            bob.bundle_without_one_time_prekey()
        };
        alice
            .process_bundle(&b, &bundle)
            .map_err(|e| format!("Alice refused Bob's bundle: {e}"))?;
        for (i, m) in self.messages.iter().enumerate() {
            let (sender, receiver, to, from) = match m.from.as_str() {
                "alice" => (&mut alice, &mut bob, &b, &a),
                "bob" => (&mut bob, &mut alice, &a, &b),
                other => return Err(format!("message {i}: unknown sender {other:?}")),
            };
            let plaintext = bytes(&m.plaintext)?;
            let (t, ciphertext) = sender
                .encrypt(to, &plaintext)
                .map_err(|e| format!("message {i}: encrypt: {e}"))?;
            if t.wire_type() != m.message_type {
                return Err(format!(
                    "message {i}: type {}, expected {}",
                    t.wire_type(),
                    m.message_type
                ));
            }
            same(
                &format!("message {i} ciphertext"),
                &ciphertext,
                &m.ciphertext,
            )?;
            let t = MessageType::from_wire_type(m.message_type).map_err(|e| e.to_string())?;
            let got = receiver
                .decrypt(from, t, &ciphertext)
                .map_err(|e| format!("message {i}: decrypt: {e}"))?;
            same(&format!("message {i} plaintext"), &got, &m.plaintext)?;
        }
        Ok(self.messages.len())
    }
}

fn check(body: &VectorBody) -> Result<(), String> {
    match body {
        VectorBody::Curve25519Agreement {
            private_a,
            public_a,
            private_b,
            public_b,
            shared,
        } => {
            let a = KeyPair::from_private_bytes(key32(private_a)?);
            let b = KeyPair::from_private_bytes(key32(private_b)?);
            same("public_a", &a.public.serialize(), public_a)?;
            same("public_b", &b.public.serialize(), public_b)?;
            let ab = a
                .private
                .agree(&public(public_b)?)
                .map_err(|e| e.to_string())?;
            let ba = b
                .private
                .agree(&public(public_a)?)
                .map_err(|e| e.to_string())?;
            same("shared (a,B)", &ab, shared)?;
            same("shared (b,A)", &ba, shared)
        }
        VectorBody::Curve25519Signature {
            public: key,
            message,
            signature,
        } => {
            let key = public(key)?;
            let message = bytes(message)?;
            let signature = bytes(signature)?;
            key.verify(&message, &signature)
                .map_err(|e| format!("the signature does not verify: {e}"))?;
            // As libsignal-protocol-c's test does: each byte flipped fails.
            for i in 0..signature.len() {
                let mut bent = signature.clone();
                bent[i] ^= 0x01;
                if key.verify(&message, &bent).is_ok() {
                    return Err(format!(
                        "the signature still verifies with byte {i} flipped"
                    ));
                }
            }
            Ok(())
        }
        VectorBody::NumericFingerprint {
            iterations,
            local_id,
            local_identity,
            remote_id,
            remote_identity,
            displayable,
        } => {
            let (l, r) = (public(local_identity)?, public(remote_identity)?);
            let ours = safety_number(
                *iterations,
                local_id.as_bytes(),
                &l,
                remote_id.as_bytes(),
                &r,
            );
            let theirs = safety_number(
                *iterations,
                remote_id.as_bytes(),
                &r,
                local_id.as_bytes(),
                &l,
            );
            if ours != *displayable || theirs != *displayable {
                return Err(format!(
                    "safety numbers {ours} / {theirs}, expected {displayable}"
                ));
            }
            Ok(())
        }
        VectorBody::ChainKey {
            chain_key,
            index,
            cipher_key,
            mac_key,
            iv,
            next_chain_key,
        } => {
            let ck = ChainKey::new(key32(chain_key)?, *index);
            let mk = ck.message_keys();
            same("cipher_key", &mk.cipher_key, cipher_key)?;
            same("mac_key", &mk.mac_key, mac_key)?;
            if let Some(iv) = iv {
                same("iv", &mk.iv, iv)?;
            }
            let next = ck.next().map_err(|e| e.to_string())?;
            same("next_chain_key", &next.key, next_chain_key)?;
            if next.index != index + 1 || mk.counter != *index {
                return Err("chain indices do not advance by one".into());
            }
            Ok(())
        }
        VectorBody::RootKeyStep {
            root_key,
            their_ratchet_public,
            our_ratchet_private,
            new_root_key,
            new_chain_key,
        } => {
            let (root, chain) = RootKey(key32(root_key)?)
                .create_chain(
                    &public(their_ratchet_public)?,
                    &PrivateKey::from_bytes(key32(our_ratchet_private)?),
                )
                .map_err(|e| e.to_string())?;
            same("new_root_key", &root.0, new_root_key)?;
            same("new_chain_key", &chain.key, new_chain_key)
        }
        VectorBody::X3dhBob {
            bob_identity_private,
            bob_signed_prekey_private,
            bob_one_time_prekey_private,
            alice_identity_public,
            alice_base_public,
            root_key,
            chain_key,
        } => {
            let otp = match bob_one_time_prekey_private {
                Some(k) => Some(KeyPair::from_private_bytes(key32(k)?)),
                None => None,
            };
            let state = initialize_bob(
                &IdentityKeyPair::from_private_bytes(key32(bob_identity_private)?),
                &KeyPair::from_private_bytes(key32(bob_signed_prekey_private)?),
                otp.as_ref(),
                &public(alice_identity_public)?,
                &public(alice_base_public)?,
            )
            .map_err(|e| e.to_string())?;
            if let Some(root_key) = root_key {
                same("root_key", &state.root_key.0, root_key)?;
            }
            same(
                "Bob's first sending chain key",
                &state.sender_chain.chain_key.key,
                chain_key,
            )
        }
        VectorBody::X3dhAlice {
            alice_identity_private,
            alice_base_private,
            bob_identity_public,
            bob_signed_prekey_public,
            bob_one_time_prekey_public,
            chain_key,
        } => {
            let otp = match bob_one_time_prekey_public {
                Some(k) => Some(public(k)?),
                None => None,
            };
            let spk = public(bob_signed_prekey_public)?;
            let state = initialize_alice(AliceParams {
                our_identity: &IdentityKeyPair::from_private_bytes(key32(alice_identity_private)?),
                our_base_key: &KeyPair::from_private_bytes(key32(alice_base_private)?),
                // Any key: the receiving chain does not depend on it.
                our_sending_ratchet: KeyPair::from_private_bytes([0x42; 32]),
                their_identity: &public(bob_identity_public)?,
                their_signed_pre_key: &spk,
                their_one_time_pre_key: otp.as_ref(),
            })
            .map_err(|e| e.to_string())?;
            let receiving = state
                .receiver_chains
                .iter()
                .find(|c| c.ratchet_key == spk)
                .ok_or("no receiving chain on Bob's signed prekey")?;
            same(
                "Alice's receiving chain key",
                &receiving.chain_key.key,
                chain_key,
            )
        }
        VectorBody::SessionTranscript(t) => t.replay().map(|_| ()),
    }
}

/// Parses a vector file, refusing other schema versions.
pub fn parse(text: &str) -> Result<VectorFile, String> {
    let file: VectorFile =
        serde_json::from_str(text).map_err(|e| format!("not a Signal vector file: {e}"))?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "schema_version {} is not {SCHEMA_VERSION}",
            file.schema_version
        ));
    }
    Ok(file)
}

pub fn verify_text(file: &str, text: &str) -> Vec<VectorCheck> {
    let parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err(message) => {
            return vec![VectorCheck {
                file: file.to_string(),
                name: "(file)".into(),
                status: VectorStatus::Fail(message),
            }]
        }
    };
    parsed
        .vectors
        .iter()
        .map(|v| VectorCheck {
            file: file.to_string(),
            name: v.name.clone(),
            status: match check(&v.body) {
                Ok(()) => VectorStatus::Pass,
                Err(why) => VectorStatus::Fail(why),
            },
        })
        .collect()
}

/// Name of the generated vector with the transcript parties' safety number.
pub const TRANSCRIPT_SAFETY_NUMBER: &str = "safety number of the transcript parties";

/// The committed safety number of the transcript parties (embedded).
pub fn builtin_safety_number() -> Result<String, String> {
    let file = parse(include_str!(
        "../../vectors/signal/interspec-generated.json"
    ))?;
    file.vectors
        .into_iter()
        .find_map(|v| match v.body {
            VectorBody::NumericFingerprint { displayable, .. }
                if v.name == TRANSCRIPT_SAFETY_NUMBER =>
            {
                Some(displayable)
            }
            _ => None,
        })
        .ok_or_else(|| format!("no vector named {TRANSCRIPT_SAFETY_NUMBER:?}"))
}

/// The committed session transcripts (embedded, so scenarios can feed them
/// to targets without reading files at run time).
pub fn builtin_transcripts() -> Result<Vec<(String, Transcript)>, String> {
    let file = parse(include_str!(
        "../../vectors/signal/interspec-generated.json"
    ))?;
    Ok(file
        .vectors
        .into_iter()
        .filter_map(|v| match v.body {
            VectorBody::SessionTranscript(t) => Some((v.name, *t)),
            _ => None,
        })
        .collect())
}

/// The generator of `vectors/signal/interspec-generated.json`: fixed keys
/// (each the SHA-256 of a label) run through the engine. A test keeps the
/// committed file equal to what this produces.
#[cfg(test)]
pub(crate) mod generate {
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::peer::signal::xeddsa;

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
            provenance: "Generated by interspec's own Signal v3 engine (src/peer/signal) from fixed keys, each the SHA-256 of a label (src/vectors/signal.rs, mod generate). Not an upstream vector: it pins the engine's exact wire bytes and lets scenarios check a target byte for byte. The engine itself is checked against libsignal's published known answers in libsignal-published.json, and libsignal-protocol-c given the same fixed keys reproduces each transcript's initiator messages up to the first reply byte for byte (tests/libsignal_transcript.rs, `cargo test --features libsignal`); the later messages are not yet confirmed by libsignal.".into(),
            vectors,
        }
    }

    pub fn text() -> String {
        let mut out = serde_json::to_string_pretty(&file()).expect("json");
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn committed() -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(generate::PATH))
            .expect("read")
    }

    /// Run with `--ignored` after a deliberate change to the engine's output.
    #[test]
    #[ignore]
    fn write_generated_vectors() {
        std::fs::write(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(generate::PATH),
            generate::text(),
        )
        .expect("write");
    }

    #[test]
    fn the_committed_generated_file_is_what_the_generator_produces() {
        assert_eq!(committed(), generate::text());
    }

    #[test]
    fn a_changed_transcript_byte_fails_verification() {
        let text = committed();
        let at =
            text.find("\"ciphertext\": \"").expect("ciphertext") + "\"ciphertext\": \"".len() + 20;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        let checks = verify_text("t.json", &String::from_utf8(bytes).expect("utf8"));
        assert!(checks
            .iter()
            .any(|c| c.name.starts_with("session transcript")
                && matches!(c.status, VectorStatus::Fail(_))));
    }

    #[test]
    fn other_schema_versions_are_refused() {
        let checks = verify_text(
            "t.json",
            r#"{"schema_version": 2, "provenance": "", "vectors": []}"#,
        );
        assert!(matches!(checks[0].status, VectorStatus::Fail(_)));
    }

    #[test]
    fn transcripts_are_embedded() {
        let transcripts = builtin_transcripts().expect("parse");
        assert_eq!(transcripts.len(), 2);
        assert!(transcripts[0].1.messages.len() >= 8);
    }
}
