//! vodozemac's errors as adapter categories (docs/adapter.md §Refusals:
//! the category is a diagnostic; what counts is that the input is refused
//! and nothing changed). Error enums of vodozemac 0.10.0: `DecodeError`
//! (src/lib.rs:294-322), `DecryptionError` (src/olm/session/mod.rs:57-86),
//! `SessionCreationError` (src/olm/account/mod.rs:55-97).

use vodozemac::olm::{DecryptionError, SessionCreationError};
use vodozemac::DecodeError;

use crate::adapter::proto::ErrorCategory;
use crate::targets::e2ee::Refusal;

pub fn decode(e: DecodeError) -> Refusal {
    let category = match &e {
        DecodeError::InvalidVersion(..) => ErrorCategory::VersionMismatch,
        DecodeError::InvalidKey(_) => ErrorCategory::InvalidKey,
        _ => ErrorCategory::MalformedInput,
    };
    Refusal::new(category, format!("vodozemac: {e}"))
}

pub fn decryption(e: DecryptionError) -> Refusal {
    let category = match &e {
        DecryptionError::InvalidMAC(_)
        | DecryptionError::InvalidMACLength(..)
        | DecryptionError::InvalidPadding(_) => ErrorCategory::BadMac,
        // Used up, or evicted from the skipped-key store.
        DecryptionError::MissingMessageKey(_) => ErrorCategory::DuplicateMessage,
        DecryptionError::TooBigMessageGap(..) => ErrorCategory::TooFarForward,
        DecryptionError::NonContributoryKey => ErrorCategory::InvalidKey,
    };
    Refusal::new(category, format!("vodozemac: {e}"))
}

pub fn creation(e: SessionCreationError) -> Refusal {
    let detail = format!("vodozemac: {e}");
    let category = match e {
        SessionCreationError::Decryption(d) => return decryption(d),
        SessionCreationError::MissingOneTimeKey(_) => ErrorCategory::NotFound,
        SessionCreationError::MismatchedIdentityKey(..) => ErrorCategory::UntrustedIdentity,
        SessionCreationError::MismatchedSessionConfig { .. } => ErrorCategory::VersionMismatch,
        SessionCreationError::NonContributoryKey => ErrorCategory::InvalidKey,
    };
    Refusal::new(category, detail)
}
