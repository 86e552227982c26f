//! The media vector file (`vectors/media/*.json`, schema_version 1): byte
//! strings in lowercase hex.

use serde::{Deserialize, Serialize};

/// The schema version this verifier reads.
pub const SCHEMA_VERSION: u32 = 1;
/// Longest plaintext a vector may ask for (vector files are hostile input).
pub const MAX_PLAINTEXT: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaVectorFile {
    pub schema_version: u32,
    pub provenance: String,
    pub attachments: Vec<Attachment>,
    pub refusals: Vec<RefusalCase>,
}

/// A plaintext: `pattern` repeated and cut to `length` bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plaintext {
    pub pattern: String,
    pub length: u64,
}

/// One attachment encrypted under a fixed media key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub name: String,
    /// A media type name (docs/media.md §Types).
    #[serde(rename = "type")]
    pub media_type: String,
    pub hkdf_info: String,
    pub media_key: String,
    pub plaintext: Plaintext,
    pub iv: String,
    pub cipher_key: String,
    pub mac_key: String,
    pub ref_key: String,
    /// The whole blob (`ciphertext ‖ mac`), for blobs of at most 4 KiB;
    /// larger ones are pinned by `file_enc_sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    pub blob_length: u64,
    pub mac: String,
    pub file_sha256: String,
    pub file_enc_sha256: String,
    pub file_length: u64,
    /// Streaming sidecars, for audio and video, one per convention.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<SidecarCase>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidecarCase {
    /// `iv+ciphertext` or `ciphertext`.
    pub stream: String,
    pub with_mac_trailer: bool,
    pub sidecar: String,
}

/// A blob and message fields the receiver must refuse, and at which check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusalCase {
    pub name: String,
    pub what: String,
    #[serde(rename = "type")]
    pub media_type: String,
    pub media_key: String,
    pub blob: String,
    pub file_enc_sha256: String,
    pub file_sha256: String,
    /// A [`crate::peer::media::Refusal`] name.
    pub refusal: String,
}
