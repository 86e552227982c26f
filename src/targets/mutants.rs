//! Mutants: the reference target with exactly one named, realistic defect
//! each. `interspec selftest` proves every one is caught by at least one
//! scenario of its suite.

/// One defect. The reference consults it at the one place the defect lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    AdapterAcceptsAnyMajor,
    AdapterResetKeepsState,
    AdapterPingTruncates64k,
    AdapterReplyIdCounter,
    AdapterUnknownOpInternalError,
    AdapterNoFrameLimit,
    AdapterDiesOnMalformedFrame,
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
}

pub struct MutantInfo {
    pub mutant: Mutant,
    /// As used in `builtin:mutant/NAME`.
    pub name: &'static str,
    /// The suite whose scenarios are expected to catch it.
    pub suite: &'static str,
    pub defect: &'static str,
}

pub const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        mutant: Mutant::AdapterAcceptsAnyMajor,
        name: "adapter-accepts-any-major",
        suite: "adapter",
        defect: "answers every Hello, whatever its major version",
    },
    MutantInfo {
        mutant: Mutant::AdapterResetKeepsState,
        name: "adapter-reset-keeps-state",
        suite: "adapter",
        defect: "Reset acknowledges but keeps remembered values",
    },
    MutantInfo {
        mutant: Mutant::AdapterPingTruncates64k,
        name: "adapter-ping-truncates-64k",
        suite: "adapter",
        defect: "echoes Ping payloads through a fixed 64 KiB buffer, truncating longer ones",
    },
    MutantInfo {
        mutant: Mutant::AdapterReplyIdCounter,
        name: "adapter-reply-id-counter",
        suite: "adapter",
        defect: "numbers its responses with its own counter instead of echoing request ids",
    },
    MutantInfo {
        mutant: Mutant::AdapterUnknownOpInternalError,
        name: "adapter-unknown-op-internal-error",
        suite: "adapter",
        defect: "answers an unknown operation with InternalError instead of Unsupported",
    },
    MutantInfo {
        mutant: Mutant::AdapterNoFrameLimit,
        name: "adapter-no-frame-limit",
        suite: "adapter",
        defect: "reads a frame of any announced length instead of refusing oversized ones",
    },
    MutantInfo {
        mutant: Mutant::AdapterDiesOnMalformedFrame,
        name: "adapter-dies-on-malformed-frame",
        suite: "adapter",
        defect: "exits when a frame does not decode as a Request",
    },
    MutantInfo {
        mutant: Mutant::HandshakeIgnoresPrologue,
        name: "handshake-ignores-prologue",
        suite: "handshake",
        defect: "hashes an empty prologue instead of the configured one (header not bound)",
    },
    MutantInfo {
        mutant: Mutant::HandshakeAcceptsAnyServerKey,
        name: "handshake-accepts-any-server-key",
        suite: "handshake",
        defect: "an IK initiator with a pinned server key still accepts an XXfallback answer from any other key",
    },
    MutantInfo {
        mutant: Mutant::HandshakeNonceAdvancesOnFailure,
        name: "handshake-nonce-advances-on-failure",
        suite: "handshake",
        defect: "increments the receiving nonce when a transport message fails to decrypt",
    },
    MutantInfo {
        mutant: Mutant::HandshakeReusesSendNonce,
        name: "handshake-reuses-send-nonce",
        suite: "handshake",
        defect: "never increments the sending nonce: every transport message uses nonce 0",
    },
    MutantInfo {
        mutant: Mutant::HandshakeNoMessageSizeCheck,
        name: "handshake-no-message-size-check",
        suite: "handshake",
        defect: "opens transport messages longer than the 65535 bytes of Noise §3",
    },
    MutantInfo {
        mutant: Mutant::HandshakeAcceptsReplayedFrame,
        name: "handshake-accepts-replayed-frame",
        suite: "handshake",
        defect: "retries a failed transport decrypt with the previous nonce, so a replayed frame opens",
    },
    MutantInfo {
        mutant: Mutant::HandshakeCannotFallBack,
        name: "handshake-cannot-fall-back",
        suite: "handshake",
        defect: "never switches from IK to XXfallback (no Noise Pipes)",
    },
    MutantInfo {
        mutant: Mutant::HandshakePayloadNotHashed,
        name: "handshake-payload-not-hashed",
        suite: "handshake",
        defect: "leaves the payload of the pattern's last message out of the handshake hash",
    },
    MutantInfo {
        mutant: Mutant::HandshakeRetryAfterFailure,
        name: "handshake-retry-after-failure",
        suite: "handshake",
        defect: "keeps a handshake alive after a message failed to decrypt, so it can be retried",
    },
    MutantInfo {
        mutant: Mutant::HandshakeOneFramePerRead,
        name: "handshake-one-frame-per-read",
        suite: "handshake",
        defect: "returns only the first frame of a read that carries several",
    },
    MutantInfo {
        mutant: Mutant::HandshakeUsesReservedNonce,
        name: "handshake-uses-reserved-nonce",
        suite: "handshake",
        defect: "seals with the reserved nonce 2^64-1 and wraps the counter to 0",
    },
    MutantInfo {
        mutant: Mutant::HandshakeNoLowOrderCheck,
        name: "handshake-no-low-order-check",
        suite: "handshake",
        defect: "uses low-order ephemeral keys unchecked, in snow and in its own engine (an all-zero DH output goes unnoticed)",
    },
    MutantInfo {
        mutant: Mutant::E2eeAcceptsReplay,
        name: "e2ee-accepts-replay",
        suite: "e2ee",
        defect: "keeps message keys after use, so a replayed SignalMessage decrypts again",
    },
    MutantInfo {
        mutant: Mutant::E2eeSkipsMacCheck,
        name: "e2ee-skips-mac-check",
        suite: "e2ee",
        defect: "decrypts SignalMessages without checking their MAC",
    },
    MutantInfo {
        mutant: Mutant::E2eeStateBeforeMac,
        name: "e2ee-state-before-mac",
        suite: "e2ee",
        defect: "advances the receiving chain before the MAC check and keeps it when the MAC fails",
    },
    MutantInfo {
        mutant: Mutant::E2eeUnlimitedSkippedKeys,
        name: "e2ee-unlimited-skipped-keys",
        suite: "e2ee",
        defect: "stores skipped message keys without the 2000-key bound",
    },
    MutantInfo {
        mutant: Mutant::E2eeIgnoresIdentityChange,
        name: "e2ee-ignores-identity-change",
        suite: "e2ee",
        defect: "silently trusts a changed remote identity key",
    },
    MutantInfo {
        mutant: Mutant::E2eeSkipsPrekeySignatureCheck,
        name: "e2ee-skips-prekey-signature-check",
        suite: "e2ee",
        defect: "builds sessions from bundles without verifying the signed-prekey signature",
    },
    MutantInfo {
        mutant: Mutant::E2eeKeepsUsedOneTimePrekey,
        name: "e2ee-keeps-used-one-time-prekey",
        suite: "e2ee",
        defect: "keeps a one-time prekey after a session consumed it",
    },
    MutantInfo {
        mutant: Mutant::E2eeNeverRatchets,
        name: "e2ee-never-ratchets",
        suite: "e2ee",
        defect: "never replaces its sending ratchet key (no DH ratchet step on send)",
    },
    MutantInfo {
        mutant: Mutant::E2eeConstantIv,
        name: "e2ee-constant-iv",
        suite: "e2ee",
        defect: "encrypts and decrypts every body under an all-zero IV instead of the derived one",
    },
    MutantInfo {
        mutant: Mutant::E2eeWrongFingerprintIterations,
        name: "e2ee-wrong-fingerprint-iterations",
        suite: "e2ee",
        defect: "computes safety numbers with 1024 hash iterations instead of 5200",
    },
    MutantInfo {
        mutant: Mutant::StanzaExpandsEntities,
        name: "stanza-expands-entities",
        suite: "stanza",
        defect: "accepts a DOCTYPE's internal entities and expands them (with a size cap)",
    },
    MutantInfo {
        mutant: Mutant::StanzaAcceptsDoctype,
        name: "stanza-accepts-doctype",
        suite: "stanza",
        defect: "skips over a DOCTYPE instead of refusing it",
    },
    MutantInfo {
        mutant: Mutant::StanzaFetchesExternalEntities,
        name: "stanza-fetches-external-entities",
        suite: "stanza",
        defect: "fetches a DOCTYPE's external entities (loopback only) before refusing it",
    },
    MutantInfo {
        mutant: Mutant::StanzaNoDepthLimit,
        name: "stanza-no-depth-limit",
        suite: "stanza",
        defect: "reads elements nested to any depth",
    },
    MutantInfo {
        mutant: Mutant::StanzaLenientBase64,
        name: "stanza-lenient-base64",
        suite: "stanza",
        defect: "decodes enc payloads leniently (missing padding, pad bits, white space)",
    },
    MutantInfo {
        mutant: Mutant::StanzaAcceptsDuplicateAttributes,
        name: "stanza-accepts-duplicate-attributes",
        suite: "stanza",
        defect: "turns off attribute checks, so a repeated attribute silently wins",
    },
    MutantInfo {
        mutant: Mutant::StanzaIgnoresMissingRequired,
        name: "stanza-ignores-missing-required",
        suite: "stanza",
        defect: "accepts a message stanza without its required to attribute",
    },
    MutantInfo {
        mutant: Mutant::StanzaConfusesNamespaces,
        name: "stanza-confuses-namespaces",
        suite: "stanza",
        defect: "puts unprefixed elements in their parent's namespace instead of the default one",
    },
    MutantInfo {
        mutant: Mutant::StanzaSerializerLiteralWhitespace,
        name: "stanza-serializer-literal-whitespace",
        suite: "stanza",
        defect: "writes tabs and line ends in attribute values literally (readers turn them into spaces)",
    },
    MutantInfo {
        mutant: Mutant::StanzaPayloadNoDepthLimit,
        name: "stanza-payload-no-depth-limit",
        suite: "stanza",
        defect: "decodes payloads nested deeper than the profile's limit",
    },
    MutantInfo {
        mutant: Mutant::StanzaPayloadRejectsUnknownFields,
        name: "stanza-payload-rejects-unknown-fields",
        suite: "stanza",
        defect: "refuses payloads that do not re-encode to the same length (so any unknown field)",
    },
    MutantInfo {
        mutant: Mutant::StanzaSerializerDropsChildNamespaces,
        name: "stanza-serializer-drops-child-namespaces",
        suite: "stanza",
        defect: "declares only the root's namespace when serializing, so children change namespace",
    },
    MutantInfo {
        mutant: Mutant::StanzaAcceptsControlCharacters,
        name: "stanza-accepts-control-characters",
        suite: "stanza",
        defect: "leaves raw characters unchecked, as quick-xml does, accepting NUL and C0 controls",
    },
    MutantInfo {
        mutant: Mutant::StanzaNoAttributeNormalization,
        name: "stanza-no-attribute-normalization",
        suite: "stanza",
        defect: "keeps literal tabs and line feeds in attribute values instead of normalizing them",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentAcceptsAlgNone,
        name: "enlistment-accepts-alg-none",
        suite: "enlistment",
        defect: "accepts a gatekeeper call token with alg none and no signature",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentIgnoresExp,
        name: "enlistment-ignores-exp",
        suite: "enlistment",
        defect: "accepts expired gatekeeper call tokens (exp never checked)",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentIgnoresAud,
        name: "enlistment-ignores-aud",
        suite: "enlistment",
        defect: "accepts gatekeeper call tokens meant for another audience",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentIgnoresIss,
        name: "enlistment-ignores-iss",
        suite: "enlistment",
        defect: "accepts gatekeeper call tokens from any issuer",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentFirstKeyAnyKid,
        name: "enlistment-first-key-any-kid",
        suite: "enlistment",
        defect: "verifies with the first key of the gatekeeper JWKS whatever the kid",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentHmacKeyConfusion,
        name: "enlistment-hmac-key-confusion",
        suite: "enlistment",
        defect: "accepts HS256 tokens keyed with the gatekeeper's public key bytes",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentNoReplayCache,
        name: "enlistment-no-replay-cache",
        suite: "enlistment",
        defect: "keeps no jti replay cache: a replayed call is delivered twice",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentProofIgnoresNonce,
        name: "enlistment-proof-ignores-nonce",
        suite: "enlistment",
        defect: "issues proofs without the gatekeeper's nonce (not bound to the challenge)",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentJwksExposesPrivateKey,
        name: "enlistment-jwks-exposes-private-key",
        suite: "enlistment",
        defect: "publishes the private member d in its JWKS",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentDayLongProofs,
        name: "enlistment-day-long-proofs",
        suite: "enlistment",
        defect: "issues proofs valid for 24 hours",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentBodyHashUnchecked,
        name: "enlistment-body-hash-unchecked",
        suite: "enlistment",
        defect: "never compares the request body with the token's body_sha256",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentIgnoresFutureIat,
        name: "enlistment-ignores-future-iat",
        suite: "enlistment",
        defect: "accepts tokens issued in the future beyond the clock-skew allowance",
    },
    MutantInfo {
        mutant: Mutant::EnlistmentRotationDropsOldKey,
        name: "enlistment-rotation-drops-old-key",
        suite: "enlistment",
        defect: "unpublishes the old signing key at rotation, while proofs it signed are still valid",
    },
];

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
