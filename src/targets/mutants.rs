//! Mutants: the reference target with exactly one named, realistic defect
//! each. `interspec selftest` proves every one is caught by at least one
//! scenario of its suite.

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
    HandshakeRefusesHighBitKey,
    EnlistmentEs256AcceptsZeroSignature,
    EnlistmentEddsaNoSRangeCheck,
    EnlistmentEs256AcceptsDer,
    E2eeReusesBaseKey,
    E2eeReusesRatchetKey,
    E2eeTrustsIdentityAfterRefusal,
}

/// A mutant as `interspec selftest --list` shows it.
#[derive(Debug, Clone, Copy)]
pub struct MutantInfo {
    pub mutant: Mutant,
    /// As used in `builtin:mutant/NAME`.
    pub name: &'static str,
    /// The suite whose scenarios are expected to catch it.
    pub suite: &'static str,
    pub defect: &'static str,
}

impl Mutant {
    /// Every mutant in declaration order (checked at compile time below): a
    /// new mutant is a variant, its arm in [`Mutant::info`] and its entry
    /// here.
    pub const ALL: [Mutant; 87] = [
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
        Mutant::HandshakeRefusesHighBitKey,
        Mutant::EnlistmentEs256AcceptsZeroSignature,
        Mutant::EnlistmentEddsaNoSRangeCheck,
        Mutant::EnlistmentEs256AcceptsDer,
        Mutant::E2eeReusesBaseKey,
        Mutant::E2eeReusesRatchetKey,
        Mutant::E2eeTrustsIdentityAfterRefusal,
    ];

    /// The mutant's name, suite and defect: the one place each is written
    /// (the match makes the compiler ask for them for every variant).
    pub const fn info(self) -> MutantInfo {
        use Mutant::*;
        let (name, suite, defect) = match self {
            AdapterAcceptsAnyMajor => (
                "adapter-accepts-any-major",
                "adapter",
                "answers every Hello, whatever its major version",
            ),
            AdapterResetKeepsState => (
                "adapter-reset-keeps-state",
                "adapter",
                "Reset acknowledges but keeps remembered values",
            ),
            AdapterPingTruncates64k => (
                "adapter-ping-truncates-64k",
                "adapter",
                "echoes Ping payloads through a fixed 64 KiB buffer, truncating longer ones",
            ),
            AdapterReplyIdCounter => (
                "adapter-reply-id-counter",
                "adapter",
                "numbers its responses with its own counter instead of echoing request ids",
            ),
            AdapterUnknownOpInternalError => (
                "adapter-unknown-op-internal-error",
                "adapter",
                "answers an unknown operation with InternalError instead of Unsupported",
            ),
            AdapterNoFrameLimit => (
                "adapter-no-frame-limit",
                "adapter",
                "reads a frame of any announced length instead of refusing oversized ones",
            ),
            AdapterDiesOnMalformedFrame => (
                "adapter-dies-on-malformed-frame",
                "adapter",
                "exits when a frame does not decode as a Request",
            ),
            // Version intolerance: comparing the whole version where only
            // the major must match, the bug class RFC 8446 Appendix D.1 and
            // RFC 7507 §1 describe for TLS servers.
            AdapterRefusesOlderMinor => (
                "adapter-refuses-older-minor",
                "adapter",
                "refuses a Hello whose minor version is older than its own",
            ),
            HandshakeIgnoresPrologue => (
                "handshake-ignores-prologue",
                "handshake",
                "hashes an empty prologue instead of the configured one (header not bound)",
            ),
            HandshakeAcceptsAnyServerKey => (
                "handshake-accepts-any-server-key",
                "handshake",
                "an IK initiator with a pinned server key still accepts an XXfallback answer from any other key",
            ),
            HandshakeNonceAdvancesOnFailure => (
                "handshake-nonce-advances-on-failure",
                "handshake",
                "increments the receiving nonce when a transport message fails to decrypt",
            ),
            HandshakeReusesSendNonce => (
                "handshake-reuses-send-nonce",
                "handshake",
                "never increments the sending nonce: every transport message uses nonce 0",
            ),
            HandshakeNoMessageSizeCheck => (
                "handshake-no-message-size-check",
                "handshake",
                "opens transport messages longer than the 65535 bytes of Noise §3",
            ),
            HandshakeAcceptsReplayedFrame => (
                "handshake-accepts-replayed-frame",
                "handshake",
                "retries a failed transport decrypt with the previous nonce, so a replayed frame opens",
            ),
            HandshakeCannotFallBack => (
                "handshake-cannot-fall-back",
                "handshake",
                "never switches from IK to XXfallback (no Noise Pipes)",
            ),
            HandshakePayloadNotHashed => (
                "handshake-payload-not-hashed",
                "handshake",
                "leaves the payload of the pattern's last message out of the handshake hash",
            ),
            HandshakeRetryAfterFailure => (
                "handshake-retry-after-failure",
                "handshake",
                "keeps a handshake alive after a message failed to decrypt, so it can be retried",
            ),
            HandshakeOneFramePerRead => (
                "handshake-one-frame-per-read",
                "handshake",
                "returns only the first frame of a read that carries several",
            ),
            HandshakeUsesReservedNonce => (
                "handshake-uses-reserved-nonce",
                "handshake",
                "seals with the reserved nonce 2^64-1 and wraps the counter to 0",
            ),
            HandshakeNoLowOrderCheck => (
                "handshake-no-low-order-check",
                "handshake",
                "uses low-order ephemeral keys unchecked, in snow and in its own engine (an all-zero DH output goes unnoticed)",
            ),
            // One ephemeral per process, as OpenSSL reused DHE keys unless
            // SSL_OP_SINGLE_DH_USE was set (CVE-2016-0701).
            HandshakeReusesEphemeral => (
                "handshake-reuses-ephemeral",
                "handshake",
                "draws one ephemeral key per process and uses it in every handshake, Reset or not",
            ),
            E2eeAcceptsReplay => (
                "e2ee-accepts-replay",
                "e2ee",
                "keeps message keys after use, so a replayed SignalMessage decrypts again",
            ),
            E2eeSkipsMacCheck => (
                "e2ee-skips-mac-check",
                "e2ee",
                "decrypts SignalMessages without checking their MAC",
            ),
            E2eeStateBeforeMac => (
                "e2ee-state-before-mac",
                "e2ee",
                "advances the receiving chain before the MAC check and keeps it when the MAC fails",
            ),
            E2eeUnlimitedSkippedKeys => (
                "e2ee-unlimited-skipped-keys",
                "e2ee",
                "stores skipped message keys without the 2000-key bound",
            ),
            E2eeIgnoresIdentityChange => (
                "e2ee-ignores-identity-change",
                "e2ee",
                "silently trusts a changed remote identity key",
            ),
            E2eeSkipsPrekeySignatureCheck => (
                "e2ee-skips-prekey-signature-check",
                "e2ee",
                "builds sessions from bundles without verifying the signed-prekey signature",
            ),
            E2eeKeepsUsedOneTimePrekey => (
                "e2ee-keeps-used-one-time-prekey",
                "e2ee",
                "keeps a one-time prekey after a session consumed it",
            ),
            E2eeNeverRatchets => (
                "e2ee-never-ratchets",
                "e2ee",
                "never replaces its sending ratchet key (no DH ratchet step on send)",
            ),
            E2eeConstantIv => (
                "e2ee-constant-iv",
                "e2ee",
                "encrypts and decrypts every body under an all-zero IV instead of the derived one",
            ),
            E2eeWrongFingerprintIterations => (
                "e2ee-wrong-fingerprint-iterations",
                "e2ee",
                "computes safety numbers with 1024 hash iterations instead of 5200",
            ),
            StanzaExpandsEntities => (
                "stanza-expands-entities",
                "stanza",
                "accepts a DOCTYPE's internal entities and expands them (with a size cap)",
            ),
            StanzaAcceptsDoctype => (
                "stanza-accepts-doctype",
                "stanza",
                "skips over a DOCTYPE instead of refusing it",
            ),
            StanzaFetchesExternalEntities => (
                "stanza-fetches-external-entities",
                "stanza",
                "fetches a DOCTYPE's external entities (loopback only) before refusing it",
            ),
            StanzaNoDepthLimit => (
                "stanza-no-depth-limit",
                "stanza",
                "reads elements nested to any depth",
            ),
            StanzaLenientBase64 => (
                "stanza-lenient-base64",
                "stanza",
                "decodes enc payloads leniently (missing padding, pad bits, white space)",
            ),
            StanzaAcceptsDuplicateAttributes => (
                "stanza-accepts-duplicate-attributes",
                "stanza",
                "turns off attribute checks, so a repeated attribute silently wins",
            ),
            StanzaIgnoresMissingRequired => (
                "stanza-ignores-missing-required",
                "stanza",
                "accepts a message stanza without its required to attribute",
            ),
            StanzaConfusesNamespaces => (
                "stanza-confuses-namespaces",
                "stanza",
                "puts unprefixed elements in their parent's namespace instead of the default one",
            ),
            StanzaSerializerLiteralWhitespace => (
                "stanza-serializer-literal-whitespace",
                "stanza",
                "writes tabs and line ends in attribute values literally (readers turn them into spaces)",
            ),
            StanzaPayloadNoDepthLimit => (
                "stanza-payload-no-depth-limit",
                "stanza",
                "decodes payloads nested deeper than the profile's limit",
            ),
            StanzaPayloadRejectsUnknownFields => (
                "stanza-payload-rejects-unknown-fields",
                "stanza",
                "refuses payloads that do not re-encode to the same length (so any unknown field)",
            ),
            StanzaSerializerDropsChildNamespaces => (
                "stanza-serializer-drops-child-namespaces",
                "stanza",
                "declares only the root's namespace when serializing, so children change namespace",
            ),
            StanzaAcceptsControlCharacters => (
                "stanza-accepts-control-characters",
                "stanza",
                "leaves raw characters unchecked, as quick-xml does, accepting NUL and C0 controls",
            ),
            StanzaNoAttributeNormalization => (
                "stanza-no-attribute-normalization",
                "stanza",
                "keeps literal tabs and line feeds in attribute values instead of normalizing them",
            ),
            EnlistmentAcceptsAlgNone => (
                "enlistment-accepts-alg-none",
                "enlistment",
                "accepts a gatekeeper call token with alg none and no signature",
            ),
            EnlistmentIgnoresExp => (
                "enlistment-ignores-exp",
                "enlistment",
                "accepts expired gatekeeper call tokens (exp never checked)",
            ),
            EnlistmentIgnoresAud => (
                "enlistment-ignores-aud",
                "enlistment",
                "accepts gatekeeper call tokens meant for another audience",
            ),
            EnlistmentIgnoresIss => (
                "enlistment-ignores-iss",
                "enlistment",
                "accepts gatekeeper call tokens from any issuer",
            ),
            EnlistmentFirstKeyAnyKid => (
                "enlistment-first-key-any-kid",
                "enlistment",
                "verifies with the first key of the gatekeeper JWKS whatever the kid",
            ),
            EnlistmentHmacKeyConfusion => (
                "enlistment-hmac-key-confusion",
                "enlistment",
                "accepts HS256 tokens keyed with the gatekeeper's public key bytes",
            ),
            EnlistmentNoReplayCache => (
                "enlistment-no-replay-cache",
                "enlistment",
                "keeps no jti replay cache: a replayed call is delivered twice",
            ),
            EnlistmentProofIgnoresNonce => (
                "enlistment-proof-ignores-nonce",
                "enlistment",
                "issues proofs without the gatekeeper's nonce (not bound to the challenge)",
            ),
            EnlistmentJwksExposesPrivateKey => (
                "enlistment-jwks-exposes-private-key",
                "enlistment",
                "publishes the private member d in its JWKS",
            ),
            EnlistmentDayLongProofs => (
                "enlistment-day-long-proofs",
                "enlistment",
                "issues proofs valid for 24 hours",
            ),
            EnlistmentBodyHashUnchecked => (
                "enlistment-body-hash-unchecked",
                "enlistment",
                "never compares the request body with the token's body_sha256",
            ),
            EnlistmentIgnoresFutureIat => (
                "enlistment-ignores-future-iat",
                "enlistment",
                "accepts tokens issued in the future beyond the clock-skew allowance",
            ),
            EnlistmentRotationDropsOldKey => (
                "enlistment-rotation-drops-old-key",
                "enlistment",
                "unpublishes the old signing key at rotation, while proofs it signed are still valid",
            ),
            StanzaCaseInsensitiveEnums => (
                "stanza-case-insensitive-enums",
                "stanza",
                "matches enc and iq type values ignoring ASCII case, as an enum binding that upper-cases before Enum.valueOf (Java) or parses with ignoreCase (.NET Enum.Parse) does: accepts type=\"MSG\" and type=\"GET\"",
            ),
            StanzaCaseInsensitiveNames => (
                "stanza-case-insensitive-names",
                "stanza",
                "matches element names ignoring ASCII case, as HTML parsers used on XML do (they lower-case tag names): takes <Message> for a message and <ENC> for an enc, where XML 1.0 §1.2 does no case folding",
            ),
            StanzaAttributeLimitCountsChars => (
                "stanza-attribute-limit-counts-chars",
                "stanza",
                "measures max_attribute_bytes in characters (String.length / chars().count()) instead of UTF-8 bytes, so a multi-byte value over the byte limit passes",
            ),
            StanzaDropsTextAfterChild => (
                "stanza-drops-text-after-child",
                "stanza",
                "keeps only the text before an element's first child, as code reading ElementTree's elem.text without each child's tail does: text after a child is lost",
            ),
            StanzaEncAnyDepth => (
                "stanza-enc-any-depth",
                "stanza",
                "collects enc elements at any depth under the message (a descendant search such as XPath .//enc or getElementsByTagName instead of the child axis), so an enc inside an unknown child is typed and validated",
            ),
            StanzaUnwrapsNestedStanza => (
                "stanza-unwraps-nested-stanza",
                "stanza",
                "takes the first stanza element found anywhere in the document (a descendant search for message, as code that skips an XMPP stream wrapper does) instead of insisting that the root is the stanza",
            ),
            StanzaSizeLimitCountsChars => (
                "stanza-size-limit-counts-chars",
                "stanza",
                "measures max_stanza_bytes in characters of the decoded text instead of bytes as received, so a stanza of multi-byte text over the byte limit passes",
            ),
            EnlistmentIgnoresNbf => (
                "enlistment-ignores-nbf",
                "enlistment",
                "bounds iat by the clock skew but never reads nbf (RFC 7519 §4.1.5), like verifiers that validate only the claims they issue themselves",
            ),
            EnlistmentAlgCaseInsensitive => (
                "enlistment-alg-case-insensitive",
                "enlistment",
                "trims and lower-cases alg before matching it, so eddsa or 'ES256 ' pass (alg is case-sensitive, RFC 7515 §4.1.1; the bug class of Auth0's 2020 nonE bypass, a case-sensitive check in front of a case-insensitive library)",
            ),
            EnlistmentIgnoresTyp => (
                "enlistment-ignores-typ",
                "enlistment",
                "never reads typ, so a token of another kind is taken as a call (RFC 8725 §3.11, §3.12 cross-JWT confusion)",
            ),
            EnlistmentIgnoresCrit => (
                "enlistment-ignores-crit",
                "enlistment",
                "ignores crit, accepting a token whose critical extension it does not understand (RFC 7515 §4.1.11; libjwt issue #157, crit never processed)",
            ),
            EnlistmentTrustsEmbeddedJwk => (
                "enlistment-trusts-embedded-jwk",
                "enlistment",
                "verifies with the public key embedded in the token's jwk header instead of the gatekeeper's JWKS (CVE-2018-0114, node-jose)",
            ),
            EnlistmentFollowsJku => (
                "enlistment-follows-jku",
                "enlistment",
                "fetches the JWK Set the token's jku header names and verifies with its key (RFC 8725 §3.10: blindly following jku)",
            ),
            EnlistmentFollowsX5u => (
                "enlistment-follows-x5u",
                "enlistment",
                "fetches the certificate the token's x5u header names and verifies with its key, without validating it (RFC 8725 §3.10; RFC 7515 §4.1.5)",
            ),
            EnlistmentTrustsX5c => (
                "enlistment-trusts-x5c",
                "enlistment",
                "verifies with the key of the certificate in the token's x5c header without validating its chain (RFC 7515 §4.1.6; the embedded-key class of CVE-2018-0114)",
            ),
            EnlistmentTokenLimitOffByOne => (
                "enlistment-token-limit-off-by-one",
                "enlistment",
                "refuses a call token of exactly max_token_bytes (>= where > was meant), the off-by-one boundary class (CWE-193)",
            ),
            EnlistmentSignalKeyTrailingBytes => (
                "enlistment-signal-key-trailing-bytes",
                "enlistment",
                "accepts a Signal identity key of 0x05 || 32 bytes followed by more bytes, reading only the first 33 (the prefix-parse class: a decoder that ignores trailing input)",
            ),
            EnlistmentConfigureAnyUrl => (
                "enlistment-configure-any-url",
                "enlistment",
                "takes any gatekeeper JWKS URL EnConfigure gives, loopback or not (the unchecked fetch-URL class of SSRF, CWE-918)",
            ),
            EnlistmentAuthenticateAlwaysTrue => (
                "enlistment-authenticate-always-true",
                "enlistment",
                "answers every authentication call authenticated true, signed in or not (the fail-open authentication class, CWE-287)",
            ),
            E2eePrekeyVersionJsCheck => (
                "e2ee-prekey-version-js-check",
                "e2ee",
                "checks a PreKeySignalMessage's version byte as libsignal-protocol-javascript and libsignal-node do (decryptPreKeyWhisperMessage refuses only `(version & 0xF) > 3 || (version >> 4) < 3`), so 0x43, an unknown version 4, is read as version 3",
            ),
            E2eeKeepsSessionOfBadPrekeyMessage => (
                "e2ee-keeps-session-of-bad-prekey-message",
                "e2ee",
                "stores the session it built from a PreKeySignalMessage before the MAC check and keeps it, as the current session, when the MAC fails (the store-before-authenticate order libsignal-protocol-javascript's SessionBuilder.processV3 avoids: the session is not saved until decryption succeeds, \"to ensure that the sender actually holds the private keys for all reported pubkeys\"; libsignal-protocol-c saves the identity that early)",
            ),
            E2eeBundleKeyFromLastBytes => (
                "e2ee-bundle-key-from-last-bytes",
                "e2ee",
                "reads each key of a received bundle from its last 32 bytes (a type-byte strip written as a suffix slice): exact for 0x05 || 32 bytes, another key when bytes follow, where libsignal-protocol-java and libsignal read the first 33 and libsignal-protocol-c refuses (a parser differential)",
            ),
            HandshakeRefusesHighBitKey => (
                "handshake-refuses-high-bit-key",
                "handshake",
                "refuses a remote ephemeral whose bit 255 is set as an invalid key (INVALID_KEY), reading all 256 bits as u where RFC 7748 §5 says an X25519 implementation MUST mask that bit: a genuine key in the non-canonical encoding Wycheproof's x25519 NonCanonicalPublic tests exercise is refused",
            ),
            EnlistmentEs256AcceptsZeroSignature => (
                "enlistment-es256-accepts-zero-signature",
                "enlistment",
                "accepts an ES256 call token whose signature is r = s = 0 for any message and any key, as Java 15-18's ECDSA did (CVE-2022-21449, \"psychic signatures\": no check that 1 <= r, s < n; Wycheproof ecdsa_secp256r1_sha256_p1363 tcId 11)",
            ),
            EnlistmentEddsaNoSRangeCheck => (
                "enlistment-eddsa-no-s-range-check",
                "enlistment",
                "checks only the top three bits of an Ed25519 signature's S and reduces it mod L, as ed25519-donna's `(RS[63] & 224) != 0` test does, so S + L verifies where RFC 8032 §5.1.7 requires S < L (signature malleability; Wycheproof ed25519 tcId 63, SignatureMalleability)",
            ),
            EnlistmentEs256AcceptsDer => (
                "enlistment-es256-accepts-der",
                "enlistment",
                "reads an ES256 signature that is not 64 octets as ASN.1 DER and verifies that, as JJWT did (jwtk/jjwt#125, \"JWS ECDSA signatures should not be ASN.1 DER formatted\"), where RFC 7518 §3.4 says the JWS Signature MUST be a 64-octet sequence",
            ),
            E2eeReusesBaseKey => (
                "e2ee-reuses-base-key",
                "e2ee",
                "draws its X3DH base key once per process and starts every session with it (an ephemeral cached for speed, as OpenSSL reused ephemeral DH keys unless SSL_OP_SINGLE_DH_USE was set, CVE-2016-0701)",
            ),
            E2eeReusesRatchetKey => (
                "e2ee-reuses-ratchet-key",
                "e2ee",
                "draws the first sending ratchet key of the sessions it starts once per process and reuses it in every session (the same cached-ephemeral class as CVE-2016-0701)",
            ),
            E2eeTrustsIdentityAfterRefusal => (
                "e2ee-trusts-identity-after-refusal",
                "e2ee",
                "refuses a changed identity key with UNTRUSTED_IDENTITY but saves it as trusted while refusing, so the next message from it is accepted without approval (store-before-check, CWE-696; libsignal-protocol-java SessionBuilder.process checks isTrustedIdentity and throws before saveIdentity)",
            ),
        };
        MutantInfo {
            mutant: self,
            name,
            suite,
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
