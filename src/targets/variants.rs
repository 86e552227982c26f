//! Variants: the reference target with exactly one behaviour that the cited
//! specifications allow but the reference does not use. They are the dual of
//! mutants: `interspec selftest` requires every variant to pass its suite,
//! so a scenario that encodes one library's habit instead of a spec's rule
//! shows up as a failing variant.

/// One allowed behaviour. The reference consults it at the one place the
/// behaviour lives.
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
}

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
}

pub const VARIANTS: &[VariantInfo] = &[
    VariantInfo {
        variant: Variant::AdapterProtocol10,
        name: "adapter-protocol-1-0",
        suite: "adapter",
        behaviour: "speaks adapter protocol 1.0: answers Configure Unsupported and declares no optional capability",
        allowed_by: "docs/adapter.md §Versions: minor versions are compatible both ways; a 1.0 adapter is driven under the profiles its Hello lists",
    },
    VariantInfo {
        variant: Variant::HandshakeEndsSessionAfterFailedDecrypt,
        name: "handshake-ends-session-after-failed-decrypt",
        suite: "handshake",
        behaviour: "ends the transport session when a transport message fails to decrypt (HsOpen, or a frame of HsFeed): that message is refused with BAD_MAC, and every later HsSeal, HsOpen, HsFeed, HsRekey and HsSetNonce with INVALID_STATE",
        allowed_by: "Noise rev 34 §5 (Processing rules): \"If DecryptWithAd() signals an error due to DECRYPT() failure, then the input message is discarded. The application may choose to delete the CipherState and terminate the session on such an error, or may continue to attempt communications.\"",
    },
    VariantInfo {
        variant: Variant::HandshakeIkReportsPinnedKey,
        name: "handshake-ik-reports-pinned-key",
        suite: "handshake",
        behaviour: "an IK initiator reports its pinned (or cached) server key in HsStatus.remote_static from HsStart on, until the handshake completes or switches to XXfallback",
        allowed_by: "docs/handshake.md §HsStatus: remote_static is reported once known; the IK initiator knows it before the first message from the pre-message `<- s` (Noise rev 34 §7.1: a pre-message pattern for the responder represents \"information about the responder's public keys that is known to the initiator\"; §7.5 IK)",
    },
    VariantInfo {
        variant: Variant::HandshakeOneRefusalCategory,
        name: "handshake-one-refusal-category",
        suite: "handshake",
        behaviour: "reports every handshake and transport refusal (HsStart to HsFeed) as HANDSHAKE_FAILED, as an adapter over a Noise library with one opaque error type would",
        allowed_by: "docs/adapter.md §Refusals: the category is a diagnostic; a refusal for the right reason under another category is a deviation, not a failure (Noise rev 34 names no error kinds: DECRYPT() and DH() just \"signal an error\", §4, §5)",
    },
    VariantInfo {
        variant: Variant::E2eeSkippedKeysEvictNewest,
        name: "e2ee-skipped-keys-evict-newest",
        suite: "e2ee",
        behaviour: "when a receiving chain's skipped-key store is full (max_skipped_keys), keeps the stored keys and drops the newly skipped ones, instead of evicting the oldest as libsignal does",
        allowed_by: "Double Ratchet rev 1 §6.4: \"parties should set reasonable per-session limits on the number of skipped message keys that will be stored\" and \"delete skipped message keys after an appropriate interval. Deletion could be triggered by a timer, or by counting a number of events\": a bound, no eviction order",
    },
    VariantInfo {
        variant: Variant::E2eeSkippedKeysRefuseWhenFull,
        name: "e2ee-skipped-keys-refuse-when-full",
        suite: "e2ee",
        behaviour: "refuses (LIMIT_EXCEEDED, nothing stored, the chain unmoved) a message whose skipped keys would pass the store's bound, instead of evicting; the message decrypts once the stored keys are used",
        allowed_by: "Double Ratchet rev 1 §3.2: \"MKSKIPPED: Dictionary of skipped-over message keys, indexed by ratchet public key and message number. Raises an exception if too many elements are stored.\"; §3.5: on an exception \"the message is discarded and changes to the state object are discarded\"",
    },
    VariantInfo {
        variant: Variant::E2eeOneRefusalCategory,
        name: "e2ee-one-refusal-category",
        suite: "e2ee",
        behaviour: "answers every refused E2eeDecrypt and E2eeProcessBundle with BAD_MAC, as libraries with one generic decryption error do (libsignal-protocol-c names a bad MAC, a too-far counter, a bad version and a truncated message alike SG_ERR_INVALID_MESSAGE)",
        allowed_by: "docs/adapter.md §Refusals: the category is a diagnostic; a refusal for the right reason under another category is a deviation, not a failure. The Double Ratchet (rev 1 §3.5) only says an exception is raised and the message discarded",
    },
    VariantInfo {
        variant: Variant::E2eeNoFixedKeys,
        name: "e2ee-no-fixed-keys",
        suite: "e2ee",
        behaviour: "does not declare E2EE_FIXED_KEYS and answers E2eeCreateDevice.fixed_keys with Unsupported",
        allowed_by: "docs/e2ee.md §Fixed keys: an optional capability; X3DH (§3.3, §3.2) and the Double Ratchet (§3.1 GENERATE_DH) generate fresh keys, and libsignal's API takes no fixed ephemeral keys. Wire compatibility is shown without them by the round trips with the peer (E2-003)",
    },
    VariantInfo {
        variant: Variant::E2eeNoSafetyNumbers,
        name: "e2ee-no-safety-numbers",
        suite: "e2ee",
        behaviour: "does not declare E2EE_SAFETY_NUMBERS and answers E2eeSafetyNumber with Unsupported",
        allowed_by: "docs/e2ee.md §Safety numbers: an optional capability; safety numbers are a user-interface feature outside X3DH and the Double Ratchet (X3DH §4.1 leaves how parties compare identity keys to the application)",
    },
    VariantInfo {
        variant: Variant::StanzaOneRefusalCategory,
        name: "stanza-one-refusal-category",
        suite: "stanza",
        behaviour: "refuses everything the reference refuses (stanza parse and serialize, payload decode), under the one category MALFORMED_INPUT instead of FORBIDDEN_CONSTRUCT, LIMIT_EXCEEDED or SCHEMA_VIOLATION",
        allowed_by: "XML 1.0 §1.2 'fatal error': a conforming processor MUST detect and report it and MUST NOT continue normal processing, with no error classes defined; the protobuf encoding guide names none for invalid wire data either. The categories are docs/stanza.md's diagnostics (docs/adapter.md §Refusals): another one is a recorded deviation",
    },
    VariantInfo {
        variant: Variant::EnlistmentProofTypMediaType,
        name: "enlistment-proof-typ-media-type",
        suite: "enlistment",
        behaviour: "writes the proof's typ as the full media type in other case, application/enlistment-proof+JWT, instead of enlistment-proof+jwt",
        allowed_by: "RFC 7515 §4.1.9: producers are only RECOMMENDED to omit \"application/\", a recipient \"MUST treat it as if 'application/' were prepended to any 'typ' value not containing a '/'\", and \"Per RFC 2045, all media type values, subtype values, and parameter names are case insensitive\" (RFC 2045 §5.1)",
    },
    VariantInfo {
        variant: Variant::EnlistmentEs256Proofs,
        name: "enlistment-es256-proofs",
        suite: "enlistment",
        behaviour: "signs every proof with its P-256 key (ES256, r || s) instead of its Ed25519 key (EdDSA); rotation replaces the P-256 key",
        allowed_by: "docs/enlistment.md §Enlistment proof and EN-006: alg is EdDSA (RFC 8037 §3.1) or ES256 (RFC 7518 §3.4), and the JWKS carries a key of each type (EN-003)",
    },
];

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
            assert!(
                v.name.starts_with(&format!("{}-", v.suite)),
                "{} should start with its suite",
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
