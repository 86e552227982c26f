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
//!
//! One job per file: `model` the file's types and parsing, `fields` the hex
//! fields, `replay` a session transcript through two peer devices, `check`
//! every other kind, `builtin` the committed vectors embedded for
//! scenarios, `generate` (tests only) the generator of the committed file.

mod builtin;
mod check;
mod fields;
#[cfg(test)]
pub(crate) mod generate;
mod model;
mod replay;

pub use builtin::{builtin_safety_number, builtin_transcripts, TRANSCRIPT_SAFETY_NUMBER};
pub use check::{verify_text, MAX_FINGERPRINT_ITERATIONS};
pub use fields::{bytes, key32, public};
pub use model::{
    parse, FixedPreKey, Party, SignalVector, Transcript, TranscriptMessage, VectorBody, VectorFile,
    SCHEMA_VERSION,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::generated;
    use crate::vectors::VectorStatus;

    fn committed() -> String {
        generated::committed(generate::PATH)
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
