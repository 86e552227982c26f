//! The vector file's model (schema_version 1, see the parent module) and
//! its parsing.

use serde::{Deserialize, Serialize};

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
