//! Mutants: the reference target with exactly one named, realistic defect
//! each. `interspec selftest` proves every one is caught by at least one
//! scenario of its suite that checks a requirement the mutant names.

use crate::catalog::{Catalog, Level};

/// One defect. The reference consults it at the one place the defect lives;
/// [`Mutant::info`] names and describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    AdapterAcceptsAnyMajor,
    AdapterResetKeepsState,
    AdapterPingTruncates64k,
    AdapterReplyIdCounter,
    AdapterUnknownOpInternalError,
    AdapterNoFrameLimit,
    AdapterDiesOnMalformedFrame,
    AdapterRefusesOlderMinor,
    HandshakeIgnoresPrologue,
    HandshakeAcceptsAnyServerKey,
    HandshakeNonceAdvancesOnFailure,
    HandshakeReusesSendNonce,
    HandshakeNoMessageSizeCheck,
    HandshakeAcceptsReplayedFrame,
    HandshakeCannotFallBack,
    HandshakePayloadNotHashed,
    HandshakeRetryAfterFailure,
    HandshakeOneFramePerRead,
    HandshakeUsesReservedNonce,
    HandshakeNoLowOrderCheck,
    HandshakeReusesEphemeral,
    E2eeAcceptsReplay,
    E2eeSkipsMacCheck,
    E2eeStateBeforeMac,
    E2eeUnlimitedSkippedKeys,
    E2eeIgnoresIdentityChange,
    E2eeSkipsPrekeySignatureCheck,
    E2eeKeepsUsedOneTimePrekey,
    E2eeNeverRatchets,
    E2eeConstantIv,
    E2eeWrongFingerprintIterations,
    StanzaExpandsEntities,
    StanzaAcceptsDoctype,
    StanzaFetchesExternalEntities,
    StanzaNoDepthLimit,
    StanzaLenientBase64,
    StanzaAcceptsDuplicateAttributes,
    StanzaIgnoresMissingRequired,
    StanzaConfusesNamespaces,
    StanzaSerializerLiteralWhitespace,
    StanzaPayloadNoDepthLimit,
    StanzaPayloadRejectsUnknownFields,
    StanzaSerializerDropsChildNamespaces,
    StanzaAcceptsControlCharacters,
    StanzaNoAttributeNormalization,
    EnlistmentAcceptsAlgNone,
    EnlistmentIgnoresExp,
    EnlistmentIgnoresAud,
    EnlistmentIgnoresIss,
    EnlistmentFirstKeyAnyKid,
    EnlistmentHmacKeyConfusion,
    EnlistmentNoReplayCache,
    EnlistmentProofIgnoresNonce,
    EnlistmentJwksExposesPrivateKey,
    EnlistmentDayLongProofs,
    EnlistmentBodyHashUnchecked,
    EnlistmentIgnoresFutureIat,
    EnlistmentRotationDropsOldKey,
    StanzaCaseInsensitiveEnums,
    StanzaCaseInsensitiveNames,
    StanzaAttributeLimitCountsChars,
    StanzaDropsTextAfterChild,
    StanzaEncAnyDepth,
    StanzaUnwrapsNestedStanza,
    StanzaSizeLimitCountsChars,
    EnlistmentIgnoresNbf,
    EnlistmentAlgCaseInsensitive,
    EnlistmentIgnoresTyp,
    EnlistmentIgnoresCrit,
    EnlistmentTrustsEmbeddedJwk,
    EnlistmentFollowsJku,
    EnlistmentFollowsX5u,
    EnlistmentTrustsX5c,
    EnlistmentTokenLimitOffByOne,
    EnlistmentSignalKeyTrailingBytes,
    EnlistmentConfigureAnyUrl,
    EnlistmentAuthenticateAlwaysTrue,
    E2eePrekeyVersionJsCheck,
    E2eeKeepsSessionOfBadPrekeyMessage,
    E2eeBundleKeyFromLastBytes,
    AdapterDuplicateCapabilities,
    AdapterRecallMissingAsEmpty,
    StanzaIgnoresProcessingInstructions,
    StanzaSerializerTrustsTree,
    StanzaTruncationInternalError,
    StanzaPayloadTimestamp32Bit,
    StanzaPayloadAcceptsGroups,
    StanzaPayloadEncodeFileLength32Bit,
    HandshakeIgnoresReadLength,
    HandshakeDropsZeroRttPayload,
    HandshakeRekeyResetsNonce,
    HandshakeLittleEndianLength,
    HandshakeTruncatesLongPayload,
    HandshakeZeroPadsShortMessage,
    EnlistmentDiscoveryMissingMember,
    EnlistmentIssuerTrailingSlash,
    EnlistmentJwksPaddedBase64,
    EnlistmentKidPerAlgorithm,
    EnlistmentProofTypJwt,
    EnlistmentProofIatMilliseconds,
    EnlistmentJtiFromClaims,
    EnlistmentSignInBeforeCheck,
    EnlistmentMissingTokenAllowed,
    EnlistmentEmptyJtiAccepted,
    E2eeRequiresOneTimePrekey,
    E2eeNewerVersionByte,
    E2eeNoSkippedKeys,
    E2eeForwardJumpOffByOne,
    E2eeNoForwardJumpLimit,
    E2eeUnknownSenderInternalError,
    E2eeResendsCachedCiphertext,
    E2eeOneSessionPerAddress,
    E2eeFixedKeysIgnoreEphemerals,
    E2eeBundleIdsSwapped,
    E2eeDeleteKeepsSession,
    E2eeEncryptLimitUnchecked,
    HandshakeResponderAlwaysFallsBack,
    HandshakeTrimsTrailingZeros,
}

/// A mutant as `interspec selftest --list` shows it.
#[derive(Debug, Clone, Copy)]
pub struct MutantInfo {
    pub mutant: Mutant,
    /// As used in `builtin:mutant/NAME`.
    pub name: &'static str,
    /// The suite whose scenarios are expected to catch it.
    pub suite: &'static str,
    /// The MUST (or SHOULD) requirement ids of the catalog it violates:
    /// `interspec selftest` counts it caught only by a `fail` of a scenario
    /// that checks one of them.
    pub requirements: &'static [&'static str],
    /// The real bug, CVE, bug-tracker entry or library behaviour it is
    /// modelled on.
    pub inspired_by: &'static str,
    pub defect: &'static str,
}

impl Mutant {
    /// Every mutant in declaration order (checked at compile time below): a
    /// new mutant is a variant, its arm in [`Mutant::info`] and its entry
    /// here.
    pub const ALL: [Mutant; 118] = [
        Mutant::AdapterAcceptsAnyMajor,
        Mutant::AdapterResetKeepsState,
        Mutant::AdapterPingTruncates64k,
        Mutant::AdapterReplyIdCounter,
        Mutant::AdapterUnknownOpInternalError,
        Mutant::AdapterNoFrameLimit,
        Mutant::AdapterDiesOnMalformedFrame,
        Mutant::AdapterRefusesOlderMinor,
        Mutant::HandshakeIgnoresPrologue,
        Mutant::HandshakeAcceptsAnyServerKey,
        Mutant::HandshakeNonceAdvancesOnFailure,
        Mutant::HandshakeReusesSendNonce,
        Mutant::HandshakeNoMessageSizeCheck,
        Mutant::HandshakeAcceptsReplayedFrame,
        Mutant::HandshakeCannotFallBack,
        Mutant::HandshakePayloadNotHashed,
        Mutant::HandshakeRetryAfterFailure,
        Mutant::HandshakeOneFramePerRead,
        Mutant::HandshakeUsesReservedNonce,
        Mutant::HandshakeNoLowOrderCheck,
        Mutant::HandshakeReusesEphemeral,
        Mutant::E2eeAcceptsReplay,
        Mutant::E2eeSkipsMacCheck,
        Mutant::E2eeStateBeforeMac,
        Mutant::E2eeUnlimitedSkippedKeys,
        Mutant::E2eeIgnoresIdentityChange,
        Mutant::E2eeSkipsPrekeySignatureCheck,
        Mutant::E2eeKeepsUsedOneTimePrekey,
        Mutant::E2eeNeverRatchets,
        Mutant::E2eeConstantIv,
        Mutant::E2eeWrongFingerprintIterations,
        Mutant::StanzaExpandsEntities,
        Mutant::StanzaAcceptsDoctype,
        Mutant::StanzaFetchesExternalEntities,
        Mutant::StanzaNoDepthLimit,
        Mutant::StanzaLenientBase64,
        Mutant::StanzaAcceptsDuplicateAttributes,
        Mutant::StanzaIgnoresMissingRequired,
        Mutant::StanzaConfusesNamespaces,
        Mutant::StanzaSerializerLiteralWhitespace,
        Mutant::StanzaPayloadNoDepthLimit,
        Mutant::StanzaPayloadRejectsUnknownFields,
        Mutant::StanzaSerializerDropsChildNamespaces,
        Mutant::StanzaAcceptsControlCharacters,
        Mutant::StanzaNoAttributeNormalization,
        Mutant::EnlistmentAcceptsAlgNone,
        Mutant::EnlistmentIgnoresExp,
        Mutant::EnlistmentIgnoresAud,
        Mutant::EnlistmentIgnoresIss,
        Mutant::EnlistmentFirstKeyAnyKid,
        Mutant::EnlistmentHmacKeyConfusion,
        Mutant::EnlistmentNoReplayCache,
        Mutant::EnlistmentProofIgnoresNonce,
        Mutant::EnlistmentJwksExposesPrivateKey,
        Mutant::EnlistmentDayLongProofs,
        Mutant::EnlistmentBodyHashUnchecked,
        Mutant::EnlistmentIgnoresFutureIat,
        Mutant::EnlistmentRotationDropsOldKey,
        Mutant::StanzaCaseInsensitiveEnums,
        Mutant::StanzaCaseInsensitiveNames,
        Mutant::StanzaAttributeLimitCountsChars,
        Mutant::StanzaDropsTextAfterChild,
        Mutant::StanzaEncAnyDepth,
        Mutant::StanzaUnwrapsNestedStanza,
        Mutant::StanzaSizeLimitCountsChars,
        Mutant::EnlistmentIgnoresNbf,
        Mutant::EnlistmentAlgCaseInsensitive,
        Mutant::EnlistmentIgnoresTyp,
        Mutant::EnlistmentIgnoresCrit,
        Mutant::EnlistmentTrustsEmbeddedJwk,
        Mutant::EnlistmentFollowsJku,
        Mutant::EnlistmentFollowsX5u,
        Mutant::EnlistmentTrustsX5c,
        Mutant::EnlistmentTokenLimitOffByOne,
        Mutant::EnlistmentSignalKeyTrailingBytes,
        Mutant::EnlistmentConfigureAnyUrl,
        Mutant::EnlistmentAuthenticateAlwaysTrue,
        Mutant::E2eePrekeyVersionJsCheck,
        Mutant::E2eeKeepsSessionOfBadPrekeyMessage,
        Mutant::E2eeBundleKeyFromLastBytes,
        Mutant::AdapterDuplicateCapabilities,
        Mutant::AdapterRecallMissingAsEmpty,
        Mutant::StanzaIgnoresProcessingInstructions,
        Mutant::StanzaSerializerTrustsTree,
        Mutant::StanzaTruncationInternalError,
        Mutant::StanzaPayloadTimestamp32Bit,
        Mutant::StanzaPayloadAcceptsGroups,
        Mutant::StanzaPayloadEncodeFileLength32Bit,
        Mutant::HandshakeIgnoresReadLength,
        Mutant::HandshakeDropsZeroRttPayload,
        Mutant::HandshakeRekeyResetsNonce,
        Mutant::HandshakeLittleEndianLength,
        Mutant::HandshakeTruncatesLongPayload,
        Mutant::HandshakeZeroPadsShortMessage,
        Mutant::EnlistmentDiscoveryMissingMember,
        Mutant::EnlistmentIssuerTrailingSlash,
        Mutant::EnlistmentJwksPaddedBase64,
        Mutant::EnlistmentKidPerAlgorithm,
        Mutant::EnlistmentProofTypJwt,
        Mutant::EnlistmentProofIatMilliseconds,
        Mutant::EnlistmentJtiFromClaims,
        Mutant::EnlistmentSignInBeforeCheck,
        Mutant::EnlistmentMissingTokenAllowed,
        Mutant::EnlistmentEmptyJtiAccepted,
        Mutant::E2eeRequiresOneTimePrekey,
        Mutant::E2eeNewerVersionByte,
        Mutant::E2eeNoSkippedKeys,
        Mutant::E2eeForwardJumpOffByOne,
        Mutant::E2eeNoForwardJumpLimit,
        Mutant::E2eeUnknownSenderInternalError,
        Mutant::E2eeResendsCachedCiphertext,
        Mutant::E2eeOneSessionPerAddress,
        Mutant::E2eeFixedKeysIgnoreEphemerals,
        Mutant::E2eeBundleIdsSwapped,
        Mutant::E2eeDeleteKeepsSession,
        Mutant::E2eeEncryptLimitUnchecked,
        Mutant::HandshakeResponderAlwaysFallsBack,
        Mutant::HandshakeTrimsTrailingZeros,
    ];

    /// The mutant's name, suite, the requirements it violates, what
    /// inspired it and its defect, in that order: the one place each is
    /// written (the match makes the compiler ask for them for every variant).
    pub const fn info(self) -> MutantInfo {
        use Mutant::*;
        let (name, suite, requirements, inspired_by, defect): (_, _, &[&str], _, _) = match self {
            AdapterAcceptsAnyMajor => (
                "adapter-accepts-any-major",
                "adapter",
                &["AD-003"],
                "the version-check-skipped class of CWE-757 (Selection of Less-Secure Algorithm During Negotiation): a server that never compares the peer's version answers one it cannot speak",
                "answers every Hello, whatever its major version",
            ),
            AdapterResetKeepsState => (
                "adapter-reset-keeps-state",
                "adapter",
                &["AD-005"],
                "CWE-226 (Sensitive Information in Resource Not Removed Before Reuse): a reset that acknowledges without clearing",
                "Reset acknowledges but keeps remembered values",
            ),
            AdapterPingTruncates64k => (
                "adapter-ping-truncates-64k",
                "adapter",
                &["AD-006"],
                "a fixed 64 KiB read buffer, the u16-length assumption behind CWE-130 (Improper Handling of Length Parameter Inconsistency)",
                "echoes Ping payloads through a fixed 64 KiB buffer, truncating longer ones",
            ),
            AdapterReplyIdCounter => (
                "adapter-reply-id-counter",
                "adapter",
                &["AD-009"],
                "JSON-RPC 2.0 §5 (a response's id MUST be the request's); servers that number replies themselves break pipelined clients",
                "numbers its responses with its own counter instead of echoing request ids",
            ),
            AdapterUnknownOpInternalError => (
                "adapter-unknown-op-internal-error",
                "adapter",
                &["AD-004"],
                "gRPC's status codes (an unknown method is UNIMPLEMENTED, not INTERNAL); CWE-755 (Improper Handling of Exceptional Conditions)",
                "answers an unknown operation with InternalError instead of Unsupported",
            ),
            AdapterNoFrameLimit => (
                "adapter-no-frame-limit",
                "adapter",
                &["AD-007"],
                "CWE-789 (Memory Allocation with Excessive Size Value): a length prefix trusted as an allocation size",
                "reads a frame of any announced length instead of refusing oversized ones",
            ),
            AdapterDiesOnMalformedFrame => (
                "adapter-dies-on-malformed-frame",
                "adapter",
                &["AD-008"],
                "CWE-248 (Uncaught Exception): a decode error that ends the process",
                "exits when a frame does not decode as a Request",
            ),
            // Version intolerance: comparing the whole version where only
            // the major must match, the bug class RFC 8446 Appendix D.1 and
            // RFC 7507 §1 describe for TLS servers.
            AdapterRefusesOlderMinor => (
                "adapter-refuses-older-minor",
                "adapter",
                &["AD-002"],
                "version intolerance, RFC 8446 Appendix D.1 and RFC 7507 §1 (TLS servers that refuse versions they should negotiate)",
                "refuses a Hello whose minor version is older than its own",
            ),
            HandshakeIgnoresPrologue => (
                "handshake-ignores-prologue",
                "handshake",
                &["HS-006"],
                "Noise §6 (the prologue binds negotiation data); the unbound-transcript class RFC 7627 fixed for TLS (triple handshake)",
                "hashes an empty prologue instead of the configured one (header not bound)",
            ),
            HandshakeAcceptsAnyServerKey => (
                "handshake-accepts-any-server-key",
                "handshake",
                &["HS-005"],
                "pinning bypassed on a fallback path, CWE-295 (Improper Certificate Validation)",
                "an IK initiator with a pinned server key still accepts an XXfallback answer from any other key",
            ),
            HandshakeNonceAdvancesOnFailure => (
                "handshake-nonce-advances-on-failure",
                "handshake",
                &["HS-015"],
                "Noise §5.1 (DecryptWithAd: on an authentication failure n is not incremented)",
                "increments the receiving nonce when a transport message fails to decrypt",
            ),
            HandshakeReusesSendNonce => (
                "handshake-reuses-send-nonce",
                "handshake",
                &["HS-013"],
                "AES-GCM nonce reuse, CVE-2016-0270 (IBM Domino, found by Böck et al., \"Nonce-Disrespecting Adversaries\", WOOT 2016)",
                "never increments the sending nonce: every transport message uses nonce 0",
            ),
            HandshakeNoMessageSizeCheck => (
                "handshake-no-message-size-check",
                "handshake",
                &["HS-016"],
                "Noise §3 (messages are at most 65535 bytes); CWE-130",
                "opens transport messages longer than the 65535 bytes of Noise §3",
            ),
            HandshakeAcceptsReplayedFrame => (
                "handshake-accepts-replayed-frame",
                "handshake",
                &["HS-014"],
                "CWE-294 (Authentication Bypass by Capture-replay): a decrypt retried with an older nonce",
                "retries a failed transport decrypt with the previous nonce, so a replayed frame opens",
            ),
            HandshakeCannotFallBack => (
                "handshake-cannot-fall-back",
                "handshake",
                &["HS-004", "HS-012"],
                "Noise Pipes (Noise §10.4) as WhatsApp deploys it: an IK-only client cannot reconnect after the server rotates its static key",
                "never switches from IK to XXfallback (no Noise Pipes)",
            ),
            HandshakePayloadNotHashed => (
                "handshake-payload-not-hashed",
                "handshake",
                &["HS-002", "HS-021"],
                "Noise §5.3 (EncryptAndHash mixes every payload into h); the transcript-omission class of RFC 7627",
                "leaves the payload of the pattern's last message out of the handshake hash",
            ),
            HandshakeRetryAfterFailure => (
                "handshake-retry-after-failure",
                "handshake",
                &["HS-011"],
                "Noise §5 (any error aborts the handshake); CWE-372 (Incomplete Internal State Distinction)",
                "keeps a handshake alive after a message failed to decrypt, so it can be retried",
            ),
            HandshakeOneFramePerRead => (
                "handshake-one-frame-per-read",
                "handshake",
                &["HS-018"],
                "the one-message-per-read assumption about a TCP byte stream (RFC 9293 §3.8: TCP does not preserve write boundaries)",
                "returns only the first frame of a read that carries several",
            ),
            HandshakeUsesReservedNonce => (
                "handshake-uses-reserved-nonce",
                "handshake",
                &["HS-023"],
                "Noise §5.1 (2^64-1 is reserved); CWE-190 (Integer Overflow or Wraparound)",
                "seals with the reserved nonce 2^64-1 and wraps the counter to 0",
            ),
            HandshakeNoLowOrderCheck => (
                "handshake-no-low-order-check",
                "handshake",
                &["HS-010"],
                "RFC 7748 §6.1 (check for the all-zero X25519 output); the non-contributory class of low-order points",
                "uses low-order ephemeral keys unchecked, in snow and in its own engine (an all-zero DH output goes unnoticed)",
            ),
            // One ephemeral per process, as OpenSSL reused DHE keys unless
            // SSL_OP_SINGLE_DH_USE was set (CVE-2016-0701).
            HandshakeReusesEphemeral => (
                "handshake-reuses-ephemeral",
                "handshake",
                &["HS-025"],
                "OpenSSL's DHE key reuse without SSL_OP_SINGLE_DH_USE, CVE-2016-0701",
                "draws one ephemeral key per process and uses it in every handshake, Reset or not",
            ),
            E2eeAcceptsReplay => (
                "e2ee-accepts-replay",
                "e2ee",
                &["E2-007", "E2-020", "E2-021"],
                "Double Ratchet §2.6 and §3.5 (message keys are deleted once used); CWE-294",
                "keeps message keys after use, so a replayed SignalMessage decrypts again",
            ),
            E2eeSkipsMacCheck => (
                "e2ee-skips-mac-check",
                "e2ee",
                &["E2-008", "E2-020", "E2-021"],
                "CWE-354 (Improper Validation of Integrity Check Value)",
                "decrypts SignalMessages without checking their MAC",
            ),
            E2eeStateBeforeMac => (
                "e2ee-state-before-mac",
                "e2ee",
                &["E2-008", "E2-010"],
                "Double Ratchet §3.5 (if decryption fails, state changes are discarded); libsignal decrypts on a cloned session state",
                "advances the receiving chain before the MAC check and keeps it when the MAC fails",
            ),
            E2eeUnlimitedSkippedKeys => (
                "e2ee-unlimited-skipped-keys",
                "e2ee",
                &["E2-027"],
                "Double Ratchet §3.2 and §4 (MAX_SKIP); libsignal's MAX_MESSAGE_KEYS = 2000; CWE-770",
                "stores skipped message keys without the 2000-key bound",
            ),
            E2eeIgnoresIdentityChange => (
                "e2ee-ignores-identity-change",
                "e2ee",
                &["E2-013"],
                "libsignal's IdentityKeyStore.isTrustedIdentity (Signal's \"safety number changed\" check); CWE-295",
                "silently trusts a changed remote identity key",
            ),
            E2eeSkipsPrekeySignatureCheck => (
                "e2ee-skips-prekey-signature-check",
                "e2ee",
                &["E2-012"],
                "X3DH §3.3 (Alice verifies the prekey signature and aborts if it fails); CWE-347",
                "builds sessions from bundles without verifying the signed-prekey signature",
            ),
            E2eeKeepsUsedOneTimePrekey => (
                "e2ee-keeps-used-one-time-prekey",
                "e2ee",
                &["E2-014"],
                "X3DH §3.4 (Bob deletes the one-time prekey private key) and §4.2 (replay)",
                "keeps a one-time prekey after a session consumed it",
            ),
            E2eeNeverRatchets => (
                "e2ee-never-ratchets",
                "e2ee",
                &["E2-015"],
                "Double Ratchet §3.4 (DH ratchet step); without it no post-compromise security",
                "never replaces its sending ratchet key (no DH ratchet step on send)",
            ),
            E2eeConstantIv => (
                "e2ee-constant-iv",
                "e2ee",
                &["E2-002"],
                "CWE-329 (Generation of Predictable IV with CBC Mode): a static IV where Signal derives one per message",
                "encrypts and decrypts every body under an all-zero IV instead of the derived one",
            ),
            E2eeWrongFingerprintIterations => (
                "e2ee-wrong-fingerprint-iterations",
                "e2ee",
                &["E2-018"],
                "libsignal's NumericFingerprintGenerator (5200 iterations for the displayable fingerprint)",
                "computes safety numbers with 1024 hash iterations instead of 5200",
            ),
            StanzaExpandsEntities => (
                "stanza-expands-entities",
                "stanza",
                &["ST-004"],
                "billion laughs, CVE-2003-1564 (libxml2); CWE-776 (Improperly Controlled Recursive Entity References in DTDs)",
                "accepts a DOCTYPE's internal entities and expands them (with a size cap)",
            ),
            StanzaAcceptsDoctype => (
                "stanza-accepts-doctype",
                "stanza",
                &["ST-004"],
                "RFC 6120 §11.1 (an XMPP stream MUST NOT contain a DTD); parsers that skip the DOCTYPE",
                "skips over a DOCTYPE instead of refusing it",
            ),
            StanzaFetchesExternalEntities => (
                "stanza-fetches-external-entities",
                "stanza",
                &["ST-005"],
                "XXE, CWE-611 (Improper Restriction of XML External Entity Reference)",
                "fetches a DOCTYPE's external entities (loopback only) before refusing it",
            ),
            StanzaNoDepthLimit => (
                "stanza-no-depth-limit",
                "stanza",
                &["ST-008"],
                "CWE-674 (Uncontrolled Recursion) in recursive-descent XML readers",
                "reads elements nested to any depth",
            ),
            StanzaLenientBase64 => (
                "stanza-lenient-base64",
                "stanza",
                &["ST-010"],
                "RFC 4648 §3.5 (canonical encoding); lenient decoders (Go's base64 without Strict) make encodings malleable",
                "decodes enc payloads leniently (missing padding, pad bits, white space)",
            ),
            StanzaAcceptsDuplicateAttributes => (
                "stanza-accepts-duplicate-attributes",
                "stanza",
                &["ST-007"],
                "quick-xml's Attributes::with_checks(false); XML 1.0 WFC Unique Att Spec",
                "turns off attribute checks, so a repeated attribute silently wins",
            ),
            StanzaIgnoresMissingRequired => (
                "stanza-ignores-missing-required",
                "stanza",
                &["ST-009"],
                "CWE-20 (Improper Input Validation): a schema check that forgets one required attribute",
                "accepts a message stanza without its required to attribute",
            ),
            StanzaConfusesNamespaces => (
                "stanza-confuses-namespaces",
                "stanza",
                &["ST-002"],
                "Namespaces in XML 1.0 §6.2 (the default namespace is the one declared, not the parent's)",
                "puts unprefixed elements in their parent's namespace instead of the default one",
            ),
            StanzaSerializerLiteralWhitespace => (
                "stanza-serializer-literal-whitespace",
                "stanza",
                &["ST-011"],
                "XML 1.0 §3.3.3 (readers normalize literal tabs and line ends in attributes); serializers must write &#9; &#10; &#13;",
                "writes tabs and line ends in attribute values literally (readers turn them into spaces)",
            ),
            StanzaPayloadNoDepthLimit => (
                "stanza-payload-no-depth-limit",
                "stanza",
                &["ST-017"],
                "protobuf's recursion limit (100 in protobuf-java's CodedInputStream); CWE-674",
                "decodes payloads nested deeper than the profile's limit",
            ),
            StanzaPayloadRejectsUnknownFields => (
                "stanza-payload-rejects-unknown-fields",
                "stanza",
                &["ST-015"],
                "Protocol Buffers' language guide (parsers skip unknown fields); a length-equality check that refuses them",
                "refuses payloads that do not re-encode to the same length (so any unknown field)",
            ),
            StanzaSerializerDropsChildNamespaces => (
                "stanza-serializer-drops-child-namespaces",
                "stanza",
                &["ST-011"],
                "Namespaces in XML 1.0 §6: a serializer that declares only the root's namespace",
                "declares only the root's namespace when serializing, so children change namespace",
            ),
            StanzaAcceptsControlCharacters => (
                "stanza-accepts-control-characters",
                "stanza",
                &["ST-007"],
                "quick-xml, which does not check raw characters against XML 1.0 §2.2 Char",
                "leaves raw characters unchecked, as quick-xml does, accepting NUL and C0 controls",
            ),
            StanzaNoAttributeNormalization => (
                "stanza-no-attribute-normalization",
                "stanza",
                &["ST-001"],
                "XML 1.0 §3.3.3 attribute-value normalization, skipped by streaming readers",
                "keeps literal tabs and line feeds in attribute values instead of normalizing them",
            ),
            EnlistmentAcceptsAlgNone => (
                "enlistment-accepts-alg-none",
                "enlistment",
                &["EN-016"],
                "\"alg\": \"none\" accepted, Tim McLean, \"Critical vulnerabilities in JSON Web Token libraries\" (2015); RFC 8725 §2.1",
                "accepts a gatekeeper call token with alg none and no signature",
            ),
            EnlistmentIgnoresExp => (
                "enlistment-ignores-exp",
                "enlistment",
                &["EN-018"],
                "RFC 7519 §4.1.4; CWE-613 (Insufficient Session Expiration)",
                "accepts expired gatekeeper call tokens (exp never checked)",
            ),
            EnlistmentIgnoresAud => (
                "enlistment-ignores-aud",
                "enlistment",
                &["EN-019"],
                "RFC 8725 §3.9 (cross-service relay: the audience not checked)",
                "accepts gatekeeper call tokens meant for another audience",
            ),
            EnlistmentIgnoresIss => (
                "enlistment-ignores-iss",
                "enlistment",
                &["EN-019", "EN-025"],
                "RFC 8725 §3.8 (issuer not validated)",
                "accepts gatekeeper call tokens from any issuer",
            ),
            EnlistmentFirstKeyAnyKid => (
                "enlistment-first-key-any-kid",
                "enlistment",
                &["EN-017"],
                "verifiers that take the first key of a JWKS instead of the one kid names (RFC 7515 §4.1.4)",
                "verifies with the first key of the gatekeeper JWKS whatever the kid",
            ),
            EnlistmentHmacKeyConfusion => (
                "enlistment-hmac-key-confusion",
                "enlistment",
                &["EN-016"],
                "CVE-2015-9235 (auth0 node-jsonwebtoken: HS256 verified with the RS256 public key)",
                "accepts HS256 tokens keyed with the gatekeeper's public key bytes",
            ),
            EnlistmentNoReplayCache => (
                "enlistment-no-replay-cache",
                "enlistment",
                &["EN-020"],
                "RFC 7519 §4.1.7 (jti) unchecked; CWE-294",
                "keeps no jti replay cache: a replayed call is delivered twice",
            ),
            EnlistmentProofIgnoresNonce => (
                "enlistment-proof-ignores-nonce",
                "enlistment",
                &["EN-009"],
                "OpenID Connect Core §3.1.2.1 (nonce binds a token to a request); CWE-294",
                "issues proofs without the gatekeeper's nonce (not bound to the challenge)",
            ),
            EnlistmentJwksExposesPrivateKey => (
                "enlistment-jwks-exposes-private-key",
                "enlistment",
                &["EN-005"],
                "serializing the private JWK where its public half was meant (d is the private key, RFC 7518 §6.2.2.1, RFC 8037 §2); CWE-200",
                "publishes the private member d in its JWKS",
            ),
            EnlistmentDayLongProofs => (
                "enlistment-day-long-proofs",
                "enlistment",
                &["EN-008"],
                "CWE-613 (Insufficient Session Expiration): a lifetime constant in the wrong unit",
                "issues proofs valid for 24 hours",
            ),
            EnlistmentBodyHashUnchecked => (
                "enlistment-body-hash-unchecked",
                "enlistment",
                &["EN-021"],
                "CWE-345 (Insufficient Verification of Data Authenticity): a signed hash never compared with the body",
                "never compares the request body with the token's body_sha256",
            ),
            EnlistmentIgnoresFutureIat => (
                "enlistment-ignores-future-iat",
                "enlistment",
                &["EN-018"],
                "RFC 7519 §4.1.6 (iat); skew checks applied only to exp",
                "accepts tokens issued in the future beyond the clock-skew allowance",
            ),
            EnlistmentRotationDropsOldKey => (
                "enlistment-rotation-drops-old-key",
                "enlistment",
                &["EN-013"],
                "OpenID Connect Core §10.1.1 (keep the old key until the tokens it signed expire)",
                "unpublishes the old signing key at rotation, while proofs it signed are still valid",
            ),
            StanzaCaseInsensitiveEnums => (
                "stanza-case-insensitive-enums",
                "stanza",
                &["ST-009"],
                "Java's Enum.valueOf after toUpperCase, .NET's Enum.Parse with ignoreCase",
                "matches enc and iq type values ignoring ASCII case, as an enum binding that upper-cases before Enum.valueOf (Java) or parses with ignoreCase (.NET Enum.Parse) does: accepts type=\"MSG\" and type=\"GET\"",
            ),
            StanzaCaseInsensitiveNames => (
                "stanza-case-insensitive-names",
                "stanza",
                &["ST-003", "ST-009"],
                "HTML parsers used on XML (they lower-case tag names); XML 1.0 §1.2 does no case folding",
                "matches element names ignoring ASCII case, as HTML parsers used on XML do (they lower-case tag names): takes <Message> for a message and <ENC> for an enc, where XML 1.0 §1.2 does no case folding",
            ),
            StanzaAttributeLimitCountsChars => (
                "stanza-attribute-limit-counts-chars",
                "stanza",
                &["ST-008"],
                "limits measured with String.length / chars().count() instead of UTF-8 bytes",
                "measures max_attribute_bytes in characters (String.length / chars().count()) instead of UTF-8 bytes, so a multi-byte value over the byte limit passes",
            ),
            StanzaDropsTextAfterChild => (
                "stanza-drops-text-after-child",
                "stanza",
                &["ST-001"],
                "ElementTree's elem.text read without each child's tail",
                "keeps only the text before an element's first child, as code reading ElementTree's elem.text without each child's tail does: text after a child is lost",
            ),
            StanzaEncAnyDepth => (
                "stanza-enc-any-depth",
                "stanza",
                &["ST-003"],
                "a descendant search (XPath .//enc, getElementsByTagName) where the child axis was meant",
                "collects enc elements at any depth under the message (a descendant search such as XPath .//enc or getElementsByTagName instead of the child axis), so an enc inside an unknown child is typed and validated",
            ),
            StanzaUnwrapsNestedStanza => (
                "stanza-unwraps-nested-stanza",
                "stanza",
                &["ST-009"],
                "a descendant search for message, as code that skips an XMPP stream wrapper does",
                "takes the first stanza element found anywhere in the document (a descendant search for message, as code that skips an XMPP stream wrapper does) instead of insisting that the root is the stanza",
            ),
            StanzaSizeLimitCountsChars => (
                "stanza-size-limit-counts-chars",
                "stanza",
                &["ST-008"],
                "a size limit measured in decoded characters instead of bytes received",
                "measures max_stanza_bytes in characters of the decoded text instead of bytes as received, so a stanza of multi-byte text over the byte limit passes",
            ),
            EnlistmentIgnoresNbf => (
                "enlistment-ignores-nbf",
                "enlistment",
                &["EN-018"],
                "RFC 7519 §4.1.5 (nbf) unchecked by verifiers that validate only the claims they issue",
                "bounds iat by the clock skew but never reads nbf (RFC 7519 §4.1.5), like verifiers that validate only the claims they issue themselves",
            ),
            EnlistmentAlgCaseInsensitive => (
                "enlistment-alg-case-insensitive",
                "enlistment",
                &["EN-016"],
                "Auth0's 2020 \"nonE\" bypass (a case-sensitive deny-list in front of a case-insensitive library); RFC 7515 §4.1.1",
                "trims and lower-cases alg before matching it, so eddsa or 'ES256 ' pass (alg is case-sensitive, RFC 7515 §4.1.1; the bug class of Auth0's 2020 nonE bypass, a case-sensitive check in front of a case-insensitive library)",
            ),
            EnlistmentIgnoresTyp => (
                "enlistment-ignores-typ",
                "enlistment",
                &["EN-027"],
                "RFC 8725 §3.11 and §3.12 (explicit typing against cross-JWT confusion)",
                "never reads typ, so a token of another kind is taken as a call (RFC 8725 §3.11, §3.12 cross-JWT confusion)",
            ),
            EnlistmentIgnoresCrit => (
                "enlistment-ignores-crit",
                "enlistment",
                &["EN-028"],
                "libjwt issue #157 (crit never processed); RFC 7515 §4.1.11",
                "ignores crit, accepting a token whose critical extension it does not understand (RFC 7515 §4.1.11; libjwt issue #157, crit never processed)",
            ),
            EnlistmentTrustsEmbeddedJwk => (
                "enlistment-trusts-embedded-jwk",
                "enlistment",
                &["EN-017"],
                "CVE-2018-0114 (node-jose trusts the key embedded in the jwk header)",
                "verifies with the public key embedded in the token's jwk header instead of the gatekeeper's JWKS (CVE-2018-0114, node-jose)",
            ),
            EnlistmentFollowsJku => (
                "enlistment-follows-jku",
                "enlistment",
                &["EN-017"],
                "RFC 8725 §3.10 (blindly following jku)",
                "fetches the JWK Set the token's jku header names and verifies with its key (RFC 8725 §3.10: blindly following jku)",
            ),
            EnlistmentFollowsX5u => (
                "enlistment-follows-x5u",
                "enlistment",
                &["EN-017"],
                "RFC 8725 §3.10; RFC 7515 §4.1.5 (x5u fetched without validation)",
                "fetches the certificate the token's x5u header names and verifies with its key, without validating it (RFC 8725 §3.10; RFC 7515 §4.1.5)",
            ),
            EnlistmentTrustsX5c => (
                "enlistment-trusts-x5c",
                "enlistment",
                &["EN-017"],
                "RFC 7515 §4.1.6; the embedded-key class of CVE-2018-0114",
                "verifies with the key of the certificate in the token's x5c header without validating its chain (RFC 7515 §4.1.6; the embedded-key class of CVE-2018-0114)",
            ),
            EnlistmentTokenLimitOffByOne => (
                "enlistment-token-limit-off-by-one",
                "enlistment",
                &["EN-023"],
                "CWE-193 (Off-by-one Error): >= where > was meant",
                "refuses a call token of exactly max_token_bytes (>= where > was meant), the off-by-one boundary class (CWE-193)",
            ),
            EnlistmentSignalKeyTrailingBytes => (
                "enlistment-signal-key-trailing-bytes",
                "enlistment",
                &["EN-010"],
                "prefix parsing that ignores trailing input (the parser-differential class)",
                "accepts a Signal identity key of 0x05 || 32 bytes followed by more bytes, reading only the first 33 (the prefix-parse class: a decoder that ignores trailing input)",
            ),
            EnlistmentConfigureAnyUrl => (
                "enlistment-configure-any-url",
                "enlistment",
                &["EN-029"],
                "CWE-918 (Server-Side Request Forgery): an unchecked fetch URL",
                "takes any gatekeeper JWKS URL EnConfigure gives, loopback or not (the unchecked fetch-URL class of SSRF, CWE-918)",
            ),
            EnlistmentAuthenticateAlwaysTrue => (
                "enlistment-authenticate-always-true",
                "enlistment",
                &["EN-014"],
                "CWE-287 (Improper Authentication): fail-open authentication",
                "answers every authentication call authenticated true, signed in or not (the fail-open authentication class, CWE-287)",
            ),
            E2eePrekeyVersionJsCheck => (
                "e2ee-prekey-version-js-check",
                "e2ee",
                &["E2-009"],
                "libsignal-protocol-javascript and libsignal-node decryptPreKeyWhisperMessage's version check",
                "checks a PreKeySignalMessage's version byte as libsignal-protocol-javascript and libsignal-node do (decryptPreKeyWhisperMessage refuses only `(version & 0xF) > 3 || (version >> 4) < 3`), so 0x43, an unknown version 4, is read as version 3",
            ),
            E2eeKeepsSessionOfBadPrekeyMessage => (
                "e2ee-keeps-session-of-bad-prekey-message",
                "e2ee",
                &["E2-010"],
                "libsignal-protocol-javascript SessionBuilder.processV3 (saves the session only after decryption succeeds); libsignal-protocol-c saves the identity early",
                "stores the session it built from a PreKeySignalMessage before the MAC check and keeps it, as the current session, when the MAC fails (the store-before-authenticate order libsignal-protocol-javascript's SessionBuilder.processV3 avoids: the session is not saved until decryption succeeds, \"to ensure that the sender actually holds the private keys for all reported pubkeys\"; libsignal-protocol-c saves the identity that early)",
            ),
            E2eeBundleKeyFromLastBytes => (
                "e2ee-bundle-key-from-last-bytes",
                "e2ee",
                &["E2-028"],
                "a type-byte strip written as a suffix slice (libsignal-protocol-java reads the first 33 bytes, libsignal-protocol-c refuses): a parser differential",
                "reads each key of a received bundle from its last 32 bytes (a type-byte strip written as a suffix slice): exact for 0x05 || 32 bytes, another key when bytes follow, where libsignal-protocol-java and libsignal read the first 33 and libsignal-protocol-c refuses (a parser differential)",
            ),
            AdapterDuplicateCapabilities => (
                "adapter-duplicate-capabilities",
                "adapter",
                &["AD-001"],
                "a capability list built by appending the configured features to a default list that already holds some (the duplicate-entry class RFC 8446 §4.2 forbids for TLS extensions: \"There MUST NOT be more than one extension of the same type\")",
                "lists the handshake capability twice in its Hello reply (once from the defaults, once from the enabled features)",
            ),
            AdapterRecallMissingAsEmpty => (
                "adapter-recall-missing-as-empty",
                "adapter",
                &["AD-010"],
                "Go's map zero value (`v := m[key]` without the `, ok` form returns \"\" for a missing key; The Go Programming Language Specification, Index expressions)",
                "answers Recall of a key never stored as found with an empty value",
            ),
            StanzaIgnoresProcessingInstructions => (
                "stanza-ignores-processing-instructions",
                "stanza",
                &["ST-006"],
                "expat and SAX parsers pass processing instructions to a handler that is a no-op unless set (expat's XML_SetProcessingInstructionHandler), so a reader that never sets one skips them; RFC 6120 §11.1 forbids them in XMPP",
                "skips processing instructions (other than a misplaced XML declaration) instead of refusing them",
            ),
            StanzaSerializerTrustsTree => (
                "stanza-serializer-trusts-tree",
                "stanza",
                &["ST-012"],
                "serializers that write whatever tree they are handed and validate only on input (the output-side gap of CWE-91, XML Injection)",
                "returns its serialization without checking that it is a valid stanza, so trees missing a required attribute or with an unknown enc type are written",
            ),
            StanzaTruncationInternalError => (
                "stanza-truncation-internal-error",
                "stanza",
                &["ST-013"],
                "an unexpected end of input that no error mapping names, falling through to the catch-all handler (CWE-755, Improper Handling of Exceptional Conditions)",
                "answers a document that ends inside an open element with InternalError instead of a refusal",
            ),
            StanzaPayloadTimestamp32Bit => (
                "stanza-payload-timestamp-32-bit",
                "stanza",
                &["ST-014"],
                "an int64 field read into a 32-bit integer (CWE-197, Numeric Truncation Error; a Java int where the .proto says int64, the year-2038 class for millisecond timestamps)",
                "decodes a reaction's sender_timestamp_ms through a 32-bit integer, so millisecond timestamps wrap",
            ),
            StanzaPayloadAcceptsGroups => (
                "stanza-payload-accepts-groups",
                "stanza",
                &["ST-016"],
                "protobuf runtimes still skip the deprecated group wire types 3 and 4 of unknown fields (protobuf's CodedInputStream.skipField, prost's skip_field), where docs/stanza.md refuses groups",
                "stops its own wire check at a group and leaves the payload to prost, which skips groups of unknown fields",
            ),
            StanzaPayloadEncodeFileLength32Bit => (
                "stanza-payload-encode-file-length-32-bit",
                "stanza",
                &["ST-018"],
                "a uint64 size carried through a 32-bit integer on the way out (CWE-197, Numeric Truncation Error; the 4 GiB file-size class)",
                "encodes each media file_length through a 32-bit integer, so lengths of 4 GiB and more wrap",
            ),
            HandshakeIgnoresReadLength => (
                "handshake-ignores-read-length",
                "handshake",
                &["HS-001"],
                "ignoring the length a read call returns and using the whole buffer (snow's read_message returns the payload length; CWE-130, Improper Handling of Length Parameter Inconsistency)",
                "answers the whole 65535-byte buffer snow decrypted into as a handshake payload, ignoring the length read_message returned",
            ),
            HandshakeDropsZeroRttPayload => (
                "handshake-drops-zero-rtt-payload",
                "handshake",
                &["HS-003"],
                "early data silently discarded, as a TLS 1.3 server that rejects 0-RTT skips it (RFC 8446 §4.2.10); Noise IK's first payload is not optional",
                "as an IK responder, hands over an empty payload for message 0 (the initiator's zero-RTT payload is dropped)",
            ),
            HandshakeRekeyResetsNonce => (
                "handshake-rekey-resets-nonce",
                "handshake",
                &["HS-017"],
                "rekeying through InitializeKey, which sets n = 0 (Noise §5.1), where Rekey() keeps n (Noise §4.2, §11.3)",
                "sets a direction's nonce back to 0 when it rekeys it",
            ),
            HandshakeLittleEndianLength => (
                "handshake-little-endian-length",
                "handshake",
                &["HS-019"],
                "a length prefix written with the host's byte order instead of network order (to_le_bytes for to_be_bytes; CWE-188, Reliance on Data/Memory Layout)",
                "writes the length prefix of its outgoing frames little-endian",
            ),
            HandshakeTruncatesLongPayload => (
                "handshake-truncates-long-payload",
                "handshake",
                &["HS-020"],
                "a payload length kept in one byte (CWE-197, Numeric Truncation Error): handshake payloads over 255 bytes are cut",
                "writes at most the first 255 bytes of a handshake payload, so a login payload longer than that is cut",
            ),
            HandshakeZeroPadsShortMessage => (
                "handshake-zero-pads-short-message",
                "handshake",
                &["HS-008", "HS-024"],
                "a short field zero-extended instead of refused (memcpy of min(len, 32) bytes into a zeroed key buffer; CWE-130)",
                "pads a handshake message too short for its pattern's keys with zero bytes instead of refusing it",
            ),
            EnlistmentDiscoveryMissingMember => (
                "enlistment-discovery-missing-member",
                "enlistment",
                &["EN-001"],
                "discovery documents that leave out a member OpenID Connect Discovery 1.0 §3 marks REQUIRED (subject_types_supported), which strict relying parties (e.g. oidc-client-ts, go-oidc's metadata checks) then refuse",
                "publishes a discovery document without subject_types_supported",
            ),
            EnlistmentIssuerTrailingSlash => (
                "enlistment-issuer-trailing-slash",
                "enlistment",
                &["EN-002"],
                "the issuer trailing-slash mismatch (Auth0's issuers end in '/', and relying parties comparing them with the URL they fetched fail; OpenID Connect Discovery 1.0 §4.3: the issuer MUST be identical)",
                "writes its issuer with a trailing slash in the discovery document",
            ),
            EnlistmentJwksPaddedBase64 => (
                "enlistment-jwks-padded-base64",
                "enlistment",
                &["EN-003"],
                "base64 where base64url without padding is required (RFC 7515 §2, RFC 7518 §6.2.1.2, RFC 8037 §2): the standard encoder used for JWK members, which strict JWK parsers refuse",
                "writes the x and y members of its published JWKs in standard, padded base64",
            ),
            EnlistmentKidPerAlgorithm => (
                "enlistment-kid-per-algorithm",
                "enlistment",
                &["EN-004"],
                "a kid derived from the algorithm (or a constant), so a rotated key reuses its predecessor's kid (RFC 7517 §4.5: kids are used to choose among keys, which only works when they differ)",
                "names each key after its algorithm, so the key a rotation adds has the outgoing key's kid",
            ),
            EnlistmentProofTypJwt => (
                "enlistment-proof-typ-jwt",
                "enlistment",
                &["EN-006"],
                "the JWT library's default typ \"JWT\" left in place (jsonwebtoken's Header::new, and most libraries, set it), where RFC 8725 §3.11 asks for explicit typing",
                "types its proofs typ JWT (the library default) instead of application/enlistment-proof+jwt",
            ),
            EnlistmentProofIatMilliseconds => (
                "enlistment-proof-iat-milliseconds",
                "enlistment",
                &["EN-007"],
                "milliseconds where NumericDate counts seconds (RFC 7519 §2), the JavaScript Date.now() class",
                "writes iat and exp in milliseconds since the epoch",
            ),
            EnlistmentJtiFromClaims => (
                "enlistment-jti-from-claims",
                "enlistment",
                &["EN-011"],
                "an identifier derived from the claims instead of drawn at random (RFC 7519 §4.1.7: a jti MUST be assigned so that collisions are negligible)",
                "derives jti from the subject and the second it was issued, so two proofs for one user in the same second share it",
            ),
            EnlistmentSignInBeforeCheck => (
                "enlistment-sign-in-before-check",
                "enlistment",
                &["EN-012"],
                "a session created before the credential check and not removed when it fails (CWE-287, Improper Authentication; CWE-303, Incorrect Implementation of Authentication Algorithm)",
                "marks a user signed in before comparing the credential, and keeps the mark when the credential is wrong",
            ),
            EnlistmentMissingTokenAllowed => (
                "enlistment-missing-token-allowed",
                "enlistment",
                &["EN-015"],
                "authentication middleware that validates a token only when one is present (the optional-auth fail-open class, CWE-306, Missing Authentication for Critical Function)",
                "delivers a gatekeeper call that has no Authorization header",
            ),
            EnlistmentEmptyJtiAccepted => (
                "enlistment-empty-jti-accepted",
                "enlistment",
                &["EN-022"],
                "a required claim checked for presence only (serde's String accepts \"\"), so an empty jti passes and every such token shares one replay-cache entry",
                "accepts a call token whose jti is the empty string",
            ),
            E2eeRequiresOneTimePrekey => (
                "e2ee-requires-one-time-prekey",
                "e2ee",
                &["E2-001"],
                "X3DH §3.3 makes the one-time prekey optional (\"If the bundle does not contain a one-time prekey...\"); clients that require one cannot reach a device whose server has run out of them",
                "refuses a bundle without a one-time prekey, so it never initiates a session from one",
            ),
            E2eeNewerVersionByte => (
                "e2ee-newer-version-byte",
                "e2ee",
                &["E2-003"],
                "libsignal's CIPHERTEXT_MESSAGE_CURRENT_VERSION moved to 4 with PQXDH (Kyber prekeys); a client writing the newer version byte on a v3 (X3DH) session breaks the signal-v3 wire",
                "writes version byte 0x44 (version 4) on the PreKeySignalMessages it sends",
            ),
            E2eeNoSkippedKeys => (
                "e2ee-no-skipped-keys",
                "e2ee",
                &["E2-004"],
                "a ratchet without the skipped-message-key store of Double Ratchet §3.2 and §3.5 (strictly in-order delivery assumed), so every message overtaken by a later one is lost",
                "keeps no skipped message keys (a store bounded at 0), so a message arriving after a later one of its chain is refused",
            ),
            E2eeForwardJumpOffByOne => (
                "e2ee-forward-jump-off-by-one",
                "e2ee",
                &["E2-005"],
                "CWE-193 (Off-by-one Error) at libsignal's MAX_FORWARD_JUMPS check (>= where > was meant)",
                "refuses a counter exactly max_forward_jump ahead",
            ),
            E2eeNoForwardJumpLimit => (
                "e2ee-no-forward-jump-limit",
                "e2ee",
                &["E2-006"],
                "libsignal's MAX_FORWARD_JUMPS (25000) check left out, the denial-of-service class Double Ratchet §4 warns of (a huge counter makes the receiver derive that many keys; CWE-400)",
                "accepts any forward jump in the counter (no max_forward_jump)",
            ),
            E2eeUnknownSenderInternalError => (
                "e2ee-unknown-sender-internal-error",
                "e2ee",
                &["E2-011"],
                "a session-store lookup unwrapped where the record may be missing (CWE-476, NULL Pointer Dereference; in Rust an unwrap on None)",
                "answers a SignalMessage from an address it has no session with InternalError instead of a refusal",
            ),
            E2eeResendsCachedCiphertext => (
                "e2ee-resends-cached-ciphertext",
                "e2ee",
                &["E2-016"],
                "retry logic that caches ciphertexts by plaintext and sends the cached one again for a repeated message (the deterministic-encryption class, CWE-329)",
                "answers an Encrypt of the same plaintext to the same remote as the one before with the same ciphertext",
            ),
            E2eeOneSessionPerAddress => (
                "e2ee-one-session-per-address",
                "e2ee",
                &["E2-017"],
                "a session store with one state per address and no archived states (libsignal's SessionRecord keeps previous states, ARCHIVED_STATES_MAX_LENGTH = 40, so crossed PreKeySignalMessages both decrypt)",
                "refuses a PreKeySignalMessage from an address it already has a session with",
            ),
            E2eeFixedKeysIgnoreEphemerals => (
                "e2ee-fixed-keys-ignore-ephemerals",
                "e2ee",
                &["E2-019"],
                "a test hook that does not reach every random draw (the injected-RNG gap that makes known-answer transcripts unreproducible)",
                "with fixed keys, still draws its base and ratchet keys at random instead of the scripted ephemerals",
            ),
            E2eeBundleIdsSwapped => (
                "e2ee-bundle-ids-swapped",
                "e2ee",
                &["E2-023"],
                "swapped adjacent int arguments (libsignal-protocol-java's PreKeyBundle(int registrationId, int deviceId, ...)): the registration id written as the device id",
                "serves bundles whose device id is its registration id",
            ),
            E2eeDeleteKeepsSession => (
                "e2ee-delete-keeps-session",
                "e2ee",
                &["E2-024"],
                "deletion that reports success but removes only a cached copy (CWE-226, Sensitive Information in Resource Not Removed Before Reuse)",
                "answers DeleteSession as done but keeps the session",
            ),
            E2eeEncryptLimitUnchecked => (
                "e2ee-encrypt-limit-unchecked",
                "e2ee",
                &["E2-029"],
                "a limit enforced only on input (decrypt) and not on output (encrypt), so the target writes messages its peers must refuse (CWE-20)",
                "encrypts plaintexts of any length, ignoring max_body_len on the sending side",
            ),
            HandshakeResponderAlwaysFallsBack => (
                "handshake-responder-always-falls-back",
                "handshake",
                &["HS-005", "HS-007"],
                "a fallback switched on by the pattern rather than the configuration (Noise Pipes on for every IK responder), the insecure-fallback class RFC 7507 §1 describes (CVE-2014-3566, POODLE: retrying on any handshake error)",
                "as an IK responder, switches to XXfallback on any message 0 that fails to decrypt, Noise Pipes allowed or not, so an altered message 0 is answered instead of refused",
            ),
            HandshakeTrimsTrailingZeros => (
                "handshake-trims-trailing-zeros",
                "handshake",
                &["HS-009"],
                "a message length recovered from a zero-filled buffer by trimming trailing zero bytes, C-string handling of binary data (CWE-170, Improper Null Termination; CWE-130)",
                "strips trailing zero bytes from a handshake message before reading it, so zero bytes appended to a genuine message (even past 65535 bytes) go unnoticed",
            ),
        };
        MutantInfo {
            mutant: self,
            name,
            suite,
            requirements,
            inspired_by,
            defect,
        }
    }
}

// `ALL` lists each variant once, in declaration order.
const _: () = {
    let mut i = 0;
    while i < Mutant::ALL.len() {
        assert!(Mutant::ALL[i] as usize == i);
        i += 1;
    }
};

const TABLE: [MutantInfo; Mutant::ALL.len()] = {
    let mut table = [Mutant::ALL[0].info(); Mutant::ALL.len()];
    let mut i = 1;
    while i < table.len() {
        table[i] = Mutant::ALL[i].info();
        i += 1;
    }
    table
};

/// Every mutant, described.
pub const MUTANTS: &[MutantInfo] = &TABLE;

pub fn by_name(name: &str) -> Option<&'static MutantInfo> {
    MUTANTS.iter().find(|m| m.name == name)
}

/// Where the mutants and the catalog's requirements do not meet.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MutantGaps {
    /// MUST requirements no mutant names.
    pub musts_without_mutant: Vec<String>,
    /// (mutant, requirement id) where the id is not in the catalog, is in
    /// another suite than the mutant's, or is neither MUST nor SHOULD.
    pub bad_claims: Vec<(String, String)>,
    /// Mutants that name no requirement.
    pub mutants_without_requirement: Vec<String>,
}

/// Checks every mutant's requirement ids against `catalog` and lists the
/// MUST requirements no mutant names.
pub fn gaps(catalog: &Catalog) -> MutantGaps {
    let mut gaps = MutantGaps::default();
    for m in MUTANTS {
        if m.requirements.is_empty() {
            gaps.mutants_without_requirement.push(m.name.to_string());
        }
        for r in m.requirements {
            let fits = catalog.requirement(r).is_some_and(|(suite, req)| {
                suite.suite == m.suite && matches!(req.level, Level::Must | Level::Should)
            });
            if !fits {
                gaps.bad_claims.push((m.name.to_string(), r.to_string()));
            }
        }
    }
    for suite in &catalog.suites {
        for req in &suite.requirements {
            if req.level == Level::Must
                && !MUTANTS
                    .iter()
                    .any(|m| m.requirements.contains(&req.id.as_str()))
            {
                gaps.musts_without_mutant.push(req.id.clone());
            }
        }
    }
    gaps
}

/// docs/mutants.md: every mutant with the requirements it violates and what
/// inspired it, then each MUST requirement with its mutants
/// (`interspec explain --mutants`).
pub fn render_markdown(catalog: &Catalog) -> String {
    use std::fmt::Write as _;
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    out.push_str(
        "# Mutants: requirement and inspiration\n\n\
         Generated by `interspec explain --mutants > docs/mutants.md`; \
         `tests/mutant_coverage.rs` fails when this page is out of date, when a \
         MUST requirement has no mutant, or when a mutant names a requirement \
         that is not a MUST or SHOULD of its suite.\n\n\
         Each mutant is the reference target with one defect (src/targets/mutants.rs). \
         `interspec selftest` counts a mutant caught only when a scenario that \
         checks one of the requirements it names fails.\n\n\
         | mutant | suite | violates | inspired by | defect |\n\
         |---|---|---|---|---|\n",
    );
    for m in MUTANTS {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            m.name,
            m.suite,
            m.requirements.join(", "),
            cell(m.inspired_by),
            cell(m.defect)
        );
    }
    out.push_str(
        "\n## MUST requirements and their mutants\n\n| requirement | mutants |\n|---|---|\n",
    );
    for suite in &catalog.suites {
        for req in suite.requirements.iter().filter(|r| r.level == Level::Must) {
            let names: Vec<String> = MUTANTS
                .iter()
                .filter(|m| m.requirements.contains(&req.id.as_str()))
                .map(|m| format!("`{}`", m.name))
                .collect();
            let names = if names.is_empty() {
                "**none**".to_string()
            } else {
                names.join(", ")
            };
            let _ = writeln!(out, "| {} | {names} |", req.id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_suites_exist() {
        let catalog = crate::catalog::Catalog::builtin().expect("catalog");
        for (i, m) in MUTANTS.iter().enumerate() {
            assert!(
                MUTANTS[..i]
                    .iter()
                    .all(|o| o.name != m.name && o.mutant != m.mutant),
                "{} twice",
                m.name
            );
            assert!(
                catalog.suite(m.suite).is_some(),
                "{}: unknown suite {}",
                m.name,
                m.suite
            );
            assert!(
                m.name.starts_with(&format!("{}-", m.suite)),
                "{} should start with its suite",
                m.name
            );
        }
    }
}
