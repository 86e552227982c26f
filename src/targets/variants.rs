//! Variants: the reference target with exactly one behaviour that the cited
//! specifications allow but the reference does not use. They are the dual of
//! mutants: `interspec selftest` requires every variant to pass its suite,
//! so a scenario that encodes one library's habit instead of a spec's rule
//! shows up as a failing variant.

use super::mutants::Base;

/// One allowed behaviour. The reference consults it at the one place the
/// behaviour lives; [`Variant::info`] names and describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    AdapterProtocol10,
    HandshakeEndsSessionAfterFailedDecrypt,
    HandshakeIkReportsPinnedKey,
    HandshakeOneRefusalCategory,
    E2eeSkippedKeysEvictNewest,
    E2eeSkippedKeysRefuseWhenFull,
    E2eeOneRefusalCategory,
    E2eeNoFixedKeys,
    E2eeNoSafetyNumbers,
    StanzaOneRefusalCategory,
    EnlistmentProofTypMediaType,
    EnlistmentEs256Proofs,
    E2eeKeyTrailingBytesIgnored,
    E2eeNoCloneDevice,
    StanzaRefusesNonUriNamespaceNames,
    E2eeNoDescribe,
    E2eeKeepsFewestSkippedKeys,
    OlmOneRefusalCategory,
    MediaServerIgnoresRange,
    MediaServerNotFoundForBadAuthorization,
    MediaServerCapabilityUrls,
    MediaServerChunked,
    MediaDecryptReturnsTrueLength,
    MediaSendsSidecar,
    MediaNoServerStore,
    MediaDownloadFollowsRedirects,
    MediaServerExpiredNotFound,
    MediaServerForbiddenForBadAuthorization,
    MediaServerRangeLengthUnknown,
    MediaServerUnsatisfiableWithoutContentRange,
}

/// A variant as `interspec selftest --list` shows it.
#[derive(Debug, Clone, Copy)]
pub struct VariantInfo {
    pub variant: Variant,
    /// As used in `builtin:variant/NAME`.
    pub name: &'static str,
    /// The suite whose scenarios it must pass.
    pub suite: &'static str,
    /// What the variant does differently.
    pub behaviour: &'static str,
    /// The sentence of a specification (or of this project's documented
    /// contract) that allows it.
    pub allowed_by: &'static str,
    /// The profile it must pass under, when the behaviour only shows under
    /// one (`None`: the selftest's).
    pub profile: Option<&'static str>,
    /// The built-in target it is a behaviour of.
    pub base: Base,
}

impl Variant {
    /// Every variant in declaration order (checked at compile time below):
    /// a new variant is an enum variant, its arm in [`Variant::info`] and
    /// its entry here.
    pub const ALL: [Variant; 30] = [
        Variant::AdapterProtocol10,
        Variant::HandshakeEndsSessionAfterFailedDecrypt,
        Variant::HandshakeIkReportsPinnedKey,
        Variant::HandshakeOneRefusalCategory,
        Variant::E2eeSkippedKeysEvictNewest,
        Variant::E2eeSkippedKeysRefuseWhenFull,
        Variant::E2eeOneRefusalCategory,
        Variant::E2eeNoFixedKeys,
        Variant::E2eeNoSafetyNumbers,
        Variant::StanzaOneRefusalCategory,
        Variant::EnlistmentProofTypMediaType,
        Variant::EnlistmentEs256Proofs,
        Variant::E2eeKeyTrailingBytesIgnored,
        Variant::E2eeNoCloneDevice,
        Variant::StanzaRefusesNonUriNamespaceNames,
        Variant::E2eeNoDescribe,
        Variant::E2eeKeepsFewestSkippedKeys,
        Variant::OlmOneRefusalCategory,
        Variant::MediaServerIgnoresRange,
        Variant::MediaServerNotFoundForBadAuthorization,
        Variant::MediaServerCapabilityUrls,
        Variant::MediaServerChunked,
        Variant::MediaDecryptReturnsTrueLength,
        Variant::MediaSendsSidecar,
        Variant::MediaNoServerStore,
        Variant::MediaDownloadFollowsRedirects,
        Variant::MediaServerExpiredNotFound,
        Variant::MediaServerForbiddenForBadAuthorization,
        Variant::MediaServerRangeLengthUnknown,
        Variant::MediaServerUnsatisfiableWithoutContentRange,
    ];

    /// The variant's name, suite, behaviour and the rule that allows it:
    /// the one place each is written.
    pub const fn info(self) -> VariantInfo {
        use Variant::*;
        let (name, suite, behaviour, allowed_by) = match self {
            AdapterProtocol10 => (
                "adapter-protocol-1-0",
                "adapter",
                "speaks adapter protocol 1.0: answers Configure Unsupported and declares no optional capability",
                "docs/adapter.md §Versions: minor versions are compatible both ways; a 1.0 adapter is driven under the profiles its Hello lists",
            ),
            HandshakeEndsSessionAfterFailedDecrypt => (
                "handshake-ends-session-after-failed-decrypt",
                "handshake",
                "ends the transport session when a transport message fails to decrypt (HsOpen, or a frame of HsFeed): that message is refused with BAD_MAC, and every later HsSeal, HsOpen, HsFeed, HsRekey and HsSetNonce with INVALID_STATE",
                "Noise rev 34 §5 (Processing rules): \"If DecryptWithAd() signals an error due to DECRYPT() failure, then the input message is discarded. The application may choose to delete the CipherState and terminate the session on such an error, or may continue to attempt communications.\"",
            ),
            HandshakeIkReportsPinnedKey => (
                "handshake-ik-reports-pinned-key",
                "handshake",
                "an IK initiator reports its pinned (or cached) server key in HsStatus.remote_static from HsStart on, until the handshake completes or switches to XXfallback",
                "docs/handshake.md §HsStatus: remote_static is reported once known; the IK initiator knows it before the first message from the pre-message `<- s` (Noise rev 34 §7.1: a pre-message pattern for the responder represents \"information about the responder's public keys that is known to the initiator\"; §7.5 IK)",
            ),
            HandshakeOneRefusalCategory => (
                "handshake-one-refusal-category",
                "handshake",
                "reports every handshake and transport refusal (HsStart to HsFeed) as HANDSHAKE_FAILED, as an adapter over a Noise library with one opaque error type would",
                "docs/adapter.md §Refusals: the category is a diagnostic; a refusal for the right reason under another category is a deviation, not a failure (Noise rev 34 names no error kinds: DECRYPT() and DH() just \"signal an error\", §4, §5)",
            ),
            E2eeSkippedKeysEvictNewest => (
                "e2ee-skipped-keys-evict-newest",
                "e2ee",
                "when a receiving chain's skipped-key store is full (max_skipped_keys), keeps the stored keys and drops the newly skipped ones, instead of evicting the oldest as libsignal does",
                "Double Ratchet rev 1 §6.4: \"parties should set reasonable per-session limits on the number of skipped message keys that will be stored\" and \"delete skipped message keys after an appropriate interval. Deletion could be triggered by a timer, or by counting a number of events\": a bound, no eviction order",
            ),
            E2eeSkippedKeysRefuseWhenFull => (
                "e2ee-skipped-keys-refuse-when-full",
                "e2ee",
                "refuses (LIMIT_EXCEEDED, nothing stored, the chain unmoved) a message whose skipped keys would pass the store's bound, instead of evicting; the message decrypts once the stored keys are used",
                "Double Ratchet rev 1 §3.2: \"MKSKIPPED: Dictionary of skipped-over message keys, indexed by ratchet public key and message number. Raises an exception if too many elements are stored.\"; §3.5: on an exception \"the message is discarded and changes to the state object are discarded\"",
            ),
            E2eeOneRefusalCategory => (
                "e2ee-one-refusal-category",
                "e2ee",
                "answers every refused E2eeDecrypt and E2eeProcessBundle with BAD_MAC, as libraries with one generic decryption error do (libsignal-protocol-c names a bad MAC, a too-far counter, a bad version and a truncated message alike SG_ERR_INVALID_MESSAGE)",
                "docs/adapter.md §Refusals: the category is a diagnostic; a refusal for the right reason under another category is a deviation, not a failure. The Double Ratchet (rev 1 §3.5) only says an exception is raised and the message discarded",
            ),
            E2eeNoFixedKeys => (
                "e2ee-no-fixed-keys",
                "e2ee",
                "does not declare E2EE_FIXED_KEYS and answers E2eeCreateDevice.fixed_keys with Unsupported",
                "docs/e2ee.md §Fixed keys: an optional capability; X3DH (§3.3, §3.2) and the Double Ratchet (§3.1 GENERATE_DH) generate fresh keys, and libsignal's API takes no fixed ephemeral keys. Wire compatibility is shown without them by the round trips with the peer (E2-003)",
            ),
            E2eeNoSafetyNumbers => (
                "e2ee-no-safety-numbers",
                "e2ee",
                "does not declare E2EE_SAFETY_NUMBERS and answers E2eeSafetyNumber with Unsupported",
                "docs/e2ee.md §Safety numbers: an optional capability; safety numbers are a user-interface feature outside X3DH and the Double Ratchet (X3DH §4.1 leaves how parties compare identity keys to the application)",
            ),
            E2eeNoCloneDevice => (
                "e2ee-no-clone-device",
                "e2ee",
                "does not declare E2EE_CLONE_DEVICE and answers E2eeCloneDevice with Unsupported",
                "docs/e2ee.md §Cloning a device: an optional capability under the default profile; copying a device's state is a test hook, no operation of X3DH or the Double Ratchet",
            ),
            StanzaOneRefusalCategory => (
                "stanza-one-refusal-category",
                "stanza",
                "refuses everything the reference refuses (stanza parse and serialize, payload decode), under the one category MALFORMED_INPUT instead of FORBIDDEN_CONSTRUCT, LIMIT_EXCEEDED or SCHEMA_VIOLATION",
                "XML 1.0 §1.2 'fatal error': a conforming processor MUST detect and report it and MUST NOT continue normal processing, with no error classes defined; the protobuf encoding guide names none for invalid wire data either. The categories are docs/stanza.md's diagnostics (docs/adapter.md §Refusals): another one is a recorded deviation",
            ),
            EnlistmentProofTypMediaType => (
                "enlistment-proof-typ-media-type",
                "enlistment",
                "writes the proof's typ as the full media type in other case, application/enlistment-proof+JWT, instead of enlistment-proof+jwt",
                "RFC 7515 §4.1.9: producers are only RECOMMENDED to omit \"application/\", a recipient \"MUST treat it as if 'application/' were prepended to any 'typ' value not containing a '/'\", and \"Per RFC 2045, all media type values, subtype values, and parameter names are case insensitive\" (RFC 2045 §5.1)",
            ),
            EnlistmentEs256Proofs => (
                "enlistment-es256-proofs",
                "enlistment",
                "signs every proof with its P-256 key (ES256, r || s) instead of its Ed25519 key (EdDSA); rotation replaces the P-256 key",
                "docs/enlistment.md §Enlistment proof and EN-006: alg is EdDSA (RFC 8037 §3.1) or ES256 (RFC 7518 §3.4), and the JWKS carries a key of each type (EN-003)",
            ),
            E2eeKeyTrailingBytesIgnored => (
                "e2ee-key-trailing-bytes-ignored",
                "e2ee",
                "reads a public key with bytes after 0x05 || 32 bytes (in a bundle, or a message's base, identity or ratchet key) as its first 33 bytes instead of refusing it",
                "libsignal-protocol-java ecc/Curve.decodePoint (copies the 32 bytes after the type byte, the rest unread) and libsignal rust/core/src/curve.rs PublicKey::deserialize (\"We allow trailing data after the public key\"; its test_decode_size accepts a 34-byte key); only libsignal-protocol-c refuses (curve.c curve_decode_point, key_len != DJB_KEY_LEN + 1). docs/e2ee.md §Decrypt refusals, E2-009, E2-028",
            ),
            StanzaRefusesNonUriNamespaceNames => (
                "stanza-refuses-non-uri-namespace-names",
                "stanza",
                "refuses (MALFORMED_INPUT) a stanza declaring a namespace name with a character outside RFC 3986's (§2: unreserved, reserved, or % and two hex digits), such as a space or `}`, as expat since 2.4.5 (CVE-2022-25236) and the parsers on it do for their namespace separator",
                "Namespaces in XML 1.0 (Third Edition) §3: a declaration's \"normalized value MUST be either a URI reference — the namespace name identifying the namespace — or an empty string\"; §8: a processor \"is not REQUIRED to check that namespace names are URI references\", so it may. docs/stanza.md §2",
            ),
            E2eeNoDescribe => (
                "e2ee-no-describe",
                "e2ee",
                "answers E2eeDescribe with Unsupported (an adapter of protocol 1.2 or older), so it is judged against the profile's bounds",
                "docs/e2ee.md §Limits: E2eeDescribe is optional; without it the profile's max_forward_jump and max_skipped_keys are the target's bounds",
            ),
            E2eeKeepsFewestSkippedKeys => (
                "e2ee-keeps-fewest-skipped-keys",
                "e2ee",
                "under a profile that accepts a range of skipped-key bounds (compatible-e2ee: 32 to 2000), keeps and declares the smallest, as Olm's 40 per chain does, instead of the largest",
                "Double Ratchet rev 1 §6.4: \"parties should set reasonable per-session limits on the number of skipped message keys that will be stored (e.g. 1000)\"; the profile compatible-e2ee accepts min_skipped_keys to max_skipped_keys (docs/e2ee.md §Limits)",
            ),
            OlmOneRefusalCategory => (
                "olm-one-refusal-category",
                "e2ee",
                "builtin:olm answering every refused E2eeDecrypt and E2eeProcessBundle with BAD_MAC, as an adapter that maps vodozemac's DecryptionError and SessionCreationError to one error would",
                "docs/adapter.md §Refusals: the category is a diagnostic; a refusal for the right reason under another category is a deviation, not a failure. The Olm specification names no error kinds (the Matrix client-server API only says a message that fails to decrypt is discarded)",
            ),
            MediaServerIgnoresRange => (
                "media-server-ignores-range",
                "media",
                "answers every GET with 200 and the whole blob, Range or not",
                "RFC 9110 §14.2: \"A server MAY ignore the Range header field.\" (Range support is required only where the profile sets media.range_required)",
            ),
            MediaServerNotFoundForBadAuthorization => (
                "media-server-not-found-for-bad-authorization",
                "media",
                "answers a request without or with a wrong Authorization with 404, revealing nothing of the object, instead of 401",
                "RFC 9110 §15.5.4 (403 Forbidden): \"An origin server that wishes to \"hide\" the current existence of a forbidden target resource MAY instead respond with a status code of 404 (Not Found).\"; docs/media.md §Adapter operations: any 4xx that does not serve the blob is a refusal",
            ),
            MediaServerCapabilityUrls => (
                "media-server-capability-urls",
                "media",
                "names no Authorization (MediaServerResult.authorization empty) and serves every object to the holder of its unguessable URL, as Signal's attachment CDN does",
                "docs/media.md §Adapter operations: the authorization is optional, an unguessable URL being a capability (ME-027 must hold either way)",
            ),
            MediaServerChunked => (
                "media-server-chunked",
                "media",
                "sends blobs with Transfer-Encoding: chunked and no Content-Length",
                "RFC 9112 §6.1 (chunked transfer coding) and RFC 9110 §8.6: a sender MAY omit Content-Length when it is not known in advance; RFC 9110 §9.3.2: a HEAD answer MAY omit header fields whose value is determined only while generating the content",
            ),
            MediaDecryptReturnsTrueLength => (
                "media-decrypt-returns-true-length",
                "media",
                "decrypts an attachment whose fileLength is not its plaintext's and returns the whole verified plaintext, instead of refusing it",
                "docs/media.md §Adapter operations: fileLength is informative once fileSha256 verifies (whatsmeow's download checks the hashes and the MAC, not fileLength: download.go); research brief M16: \"refuses or reports the true length\"",
            ),
            MediaSendsSidecar => (
                "media-sends-sidecar",
                "media",
                "sends a streaming sidecar with audio, voice notes and video, cut under the profile's convention",
                "docs/media.md §Streaming sidecar: AudioMessage and VideoMessage field 18 is optional; whatsmeow and Baileys send none, so a sidecar may be present or not, and must be right when present",
            ),
            MediaNoServerStore => (
                "media-no-server-store",
                "media",
                "does not declare MEDIA_SERVER_STORE and answers MediaServerStore Unsupported",
                "docs/media.md §Adapter operations: MediaServerStore is an optional capability; without it the harness judges what the server answers",
            ),
            MediaDownloadFollowsRedirects => (
                "media-download-follows-redirects",
                "media",
                "follows up to three redirects when downloading an attachment (on loopback), instead of refusing a redirect",
                "RFC 9110 §15.4: a client MAY follow a 3xx redirect automatically (\"the user agent MAY automatically redirect its request to the URI referenced by the Location field value\", §15.4.3 for 302); whatsmeow downloads with Go's http.Client, which follows redirects; the blob is verified either way (ME-031)",
            ),
            MediaServerExpiredNotFound => (
                "media-server-expired-not-found",
                "media",
                "answers an expired URL with 404 instead of 410",
                "W3C TAG Finding, Good Practices for Capability URLs §5.1: \"When capability URLs expire, servers should respond to the URL with either a 410 Gone or a 404 Not Found response.\"",
            ),
            MediaServerForbiddenForBadAuthorization => (
                "media-server-forbidden-for-bad-authorization",
                "media",
                "answers a request without or with a wrong Authorization with 403 instead of 401",
                "RFC 9110 §15.5.4: \"If authentication credentials were provided in the request, the server considers them insufficient to grant access.\" A server that names no challenge may refuse with 403 (\"The server understood the request but refuses to fulfill it\"); ME-026 accepts 401, 403 or 404",
            ),
            MediaServerRangeLengthUnknown => (
                "media-server-range-length-unknown",
                "media",
                "answers a satisfiable Range with 206 and `Content-Range: bytes first-last/*`, not naming the complete length",
                "RFC 9110 §14.4: complete-length = 1*DIGIT / \"*\"; \"An asterisk character (\"*\") in place of the complete-length indicates that the representation length was unknown when the header field was generated.\"",
            ),
            MediaServerUnsatisfiableWithoutContentRange => (
                "media-server-unsatisfiable-without-content-range",
                "media",
                "answers an unsatisfiable Range with 416 and no Content-Range",
                "RFC 9110 §15.5.17: \"A server that generates a 416 response to a byte-range request SHOULD generate a Content-Range header field specifying the current length of the selected representation\" (a SHOULD, so its absence is allowed; ME-024 names it a SHOULD)",
            ),
        };
        VariantInfo {
            variant: self,
            name,
            suite,
            behaviour,
            allowed_by,
            profile: match self {
                E2eeKeepsFewestSkippedKeys | OlmOneRefusalCategory => Some("compatible-e2ee"),
                _ => None,
            },
            base: match self {
                OlmOneRefusalCategory => Base::Olm,
                _ => Base::Reference,
            },
        }
    }
}

// `ALL` lists each variant once, in declaration order.
const _: () = {
    let mut i = 0;
    while i < Variant::ALL.len() {
        assert!(Variant::ALL[i] as usize == i);
        i += 1;
    }
};

const TABLE: [VariantInfo; Variant::ALL.len()] = {
    let mut table = [Variant::ALL[0].info(); Variant::ALL.len()];
    let mut i = 1;
    while i < table.len() {
        table[i] = Variant::ALL[i].info();
        i += 1;
    }
    table
};

/// Every variant, described.
pub const VARIANTS: &[VariantInfo] = &TABLE;

pub fn by_name(name: &str) -> Option<&'static VariantInfo> {
    VARIANTS.iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_suites_exist() {
        let catalog = crate::catalog::Catalog::builtin().expect("catalog");
        for (i, v) in VARIANTS.iter().enumerate() {
            assert!(
                VARIANTS[..i]
                    .iter()
                    .all(|o| o.name != v.name && o.variant != v.variant),
                "{} twice",
                v.name
            );
            assert!(
                catalog.suite(v.suite).is_some(),
                "{}: unknown suite",
                v.name
            );
            // builtin:olm's variants are named after their target, as its
            // mutants are.
            let prefix = match v.base {
                Base::Reference => v.suite,
                Base::Olm => "olm",
            };
            assert!(
                v.name.starts_with(&format!("{prefix}-")),
                "{} should start with {prefix}",
                v.name
            );
            assert!(
                crate::targets::mutants::by_name(v.name).is_none(),
                "{} is also a mutant",
                v.name
            );
        }
    }
}
