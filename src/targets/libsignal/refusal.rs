//! Which adapter category a libsignal failure is. libsignal-protocol-c
//! folds several refusals into SG_ERR_INVALID_MESSAGE and tells them apart
//! only in its log, so the first warning it logged decides among those
//! (the messages quoted are session_cipher.c's and protocol.c's).

use super::device::{Failure, BODY_TOO_LONG, SIGNATURE_NOT_64_BYTES};
use crate::adapter::proto::ErrorCategory;

// libsignal-protocol-c `signal_protocol.h` result codes.
use libsignal_protocol_sys::{
    SG_ERR_DUPLICATE_MESSAGE, SG_ERR_INVAL, SG_ERR_INVALID_KEY, SG_ERR_INVALID_KEY_ID,
    SG_ERR_INVALID_MAC, SG_ERR_INVALID_MESSAGE, SG_ERR_INVALID_PROTO_BUF, SG_ERR_INVALID_VERSION,
    SG_ERR_LEGACY_MESSAGE, SG_ERR_NO_SESSION, SG_ERR_UNKNOWN, SG_ERR_UNTRUSTED_IDENTITY,
};

/// Log messages of libsignal-protocol-c and the category each names.
const LOGGED_REASONS: &[(&str, ErrorCategory)] = &[
    // session_cipher.c, MAC check of a SignalMessage.
    ("Message mac not verified", ErrorCategory::BadMac),
    // session_cipher.c get_or_create_message_keys.
    (
        "Over 2000 messages into the future",
        ErrorCategory::TooFarForward,
    ),
    (
        "Received message with old counter",
        ErrorCategory::DuplicateMessage,
    ),
    // protocol.c *_deserialize and session_cipher.c version checks.
    ("Unknown version", ErrorCategory::VersionMismatch),
    ("Unsupported legacy version", ErrorCategory::VersionMismatch),
    ("Message version", ErrorCategory::VersionMismatch),
    (
        "Inner message version mismatch",
        ErrorCategory::VersionMismatch,
    ),
    ("Incomplete message", ErrorCategory::MalformedInput),
    ("Message body does not exist", ErrorCategory::MalformedInput),
    // session_builder.c process_pre_key_bundle.
    (
        "invalid signature on device key",
        ErrorCategory::BadSignature,
    ),
    ("no signed pre key", ErrorCategory::InvalidKey),
    // curve.c curve_decode_point.
    ("Invalid key type", ErrorCategory::InvalidKey),
    ("Invalid key length", ErrorCategory::InvalidKey),
    ("No session for", ErrorCategory::NotFound),
    ("Uninitialized session", ErrorCategory::NotFound),
];

/// The category of `failure`, or `None` when libsignal failed for a reason
/// that is no refusal of the input (an internal error).
pub fn category(failure: &Failure) -> Option<ErrorCategory> {
    if failure.body_undecryptable {
        return Some(ErrorCategory::BadMac);
    }
    let logged = failure.log.iter().find_map(|line| {
        LOGGED_REASONS
            .iter()
            .find(|(text, _)| line.contains(text))
            .map(|(_, category)| *category)
    });
    match failure.code {
        SG_ERR_DUPLICATE_MESSAGE => Some(ErrorCategory::DuplicateMessage),
        SG_ERR_INVALID_KEY => Some(match logged {
            Some(ErrorCategory::BadSignature) => ErrorCategory::BadSignature,
            _ => ErrorCategory::InvalidKey,
        }),
        SG_ERR_INVALID_KEY_ID | SG_ERR_NO_SESSION => Some(ErrorCategory::NotFound),
        SG_ERR_INVALID_MAC => Some(ErrorCategory::BadMac),
        SG_ERR_INVALID_VERSION | SG_ERR_LEGACY_MESSAGE => Some(ErrorCategory::VersionMismatch),
        SG_ERR_UNTRUSTED_IDENTITY => Some(ErrorCategory::UntrustedIdentity),
        SG_ERR_INVALID_PROTO_BUF | SG_ERR_INVAL => Some(ErrorCategory::MalformedInput),
        SG_ERR_INVALID_MESSAGE => Some(logged.unwrap_or(ErrorCategory::MalformedInput)),
        SG_ERR_UNKNOWN => logged,
        BODY_TOO_LONG => Some(ErrorCategory::LimitExceeded),
        SIGNATURE_NOT_64_BYTES => Some(ErrorCategory::BadSignature),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: std::ffi::c_int, log: &[&str]) -> Failure {
        Failure {
            step: "test",
            code,
            log: log.iter().map(|s| s.to_string()).collect(),
            body_undecryptable: false,
        }
    }

    #[test]
    fn invalid_message_is_told_apart_by_the_first_reason_logged() {
        let too_far = failure(
            SG_ERR_INVALID_MESSAGE,
            &[
                "Over 2000 messages into the future!",
                "Message mac not verified",
                "No valid sessions",
            ],
        );
        assert_eq!(category(&too_far), Some(ErrorCategory::TooFarForward));
        let bad_mac = failure(
            SG_ERR_INVALID_MESSAGE,
            &["Message mac not verified", "No valid sessions"],
        );
        assert_eq!(category(&bad_mac), Some(ErrorCategory::BadMac));
        assert_eq!(
            category(&failure(SG_ERR_INVALID_MESSAGE, &["No valid sessions"])),
            Some(ErrorCategory::MalformedInput)
        );
    }

    #[test]
    fn a_bad_signature_is_told_from_a_bad_key() {
        let signature = failure(SG_ERR_INVALID_KEY, &["invalid signature on device key!"]);
        assert_eq!(category(&signature), Some(ErrorCategory::BadSignature));
        let key = failure(SG_ERR_INVALID_KEY, &["Invalid key type: 6"]);
        assert_eq!(category(&key), Some(ErrorCategory::InvalidKey));
    }

    #[test]
    fn an_undecryptable_body_is_bad_mac_and_unknown_codes_are_internal() {
        let mut body = failure(SG_ERR_UNKNOWN, &[]);
        body.body_undecryptable = true;
        assert_eq!(category(&body), Some(ErrorCategory::BadMac));
        assert_eq!(category(&failure(-12, &[])), None);
        assert_eq!(category(&failure(SG_ERR_UNKNOWN, &[])), None);
    }
}
