//! Mutants: the reference target with exactly one named, realistic defect
//! each. `interspec selftest` proves every one is caught by at least one
//! scenario of its suite that checks a requirement the mutant names.

mod coverage;
mod rows;

pub use coverage::{gaps, render_markdown, MutantGaps};

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
    E2eeEmptyPlaintextRefused,
    HandshakeResponderAlwaysFallsBack,
    HandshakeTrimsTrailingZeros,
    HandshakeIgnoresPayloadDecryptError,
    HandshakeFrameLimitExclusive,
    OlmLeaksPlaintext,
    OlmAcceptsChangedIdentity,
    OlmSkipsKeySignatureCheck,
    OlmReusesOneTimeKey,
    OlmIgnoresOneTimeKey,
    OlmKeepsUsedOneTimeKey,
    OlmDeclaresSignalBounds,
    OlmOverstatesSkippedKeys,
    MediaDecryptsWithoutMacCheck,
    MediaMacOverCiphertextOnly,
    MediaFullLengthMac,
    MediaNoPaddingBlockWhenAligned,
    MediaEncHashWithoutTrailer,
    MediaImageKeysForEveryType,
    MediaKeySplitOffByOneBlock,
    MediaLaxUnpad,
    MediaKeyFromPlaintextHash,
    MediaSkipsPlaintextHash,
    MediaMissingEncHashSkipsCheck,
    MediaFileLengthOfBlob,
    MediaNoAttachmentLimit,
    MediaServerIgnoresAuthorization,
    MediaServerRangeEndExclusive,
    MediaServerSequentialUrls,
    MediaServerKeepsPlaintext,
    MediaServerKeyInUrl,
    MediaServerPrefixMatch,
    MediaDownloadSkipsVerification,
    MediaDownloadUnboundedBody,
    MediaDownloadNoTimeout,
    MediaSendKeyInClear,
    MediaDecryptRefusesEmpty,
    MediaMissingFieldsInternalError,
    MediaSidecarWithoutOverlap,
    MediaUploadUrlNamesLocalhost,
    MediaServerStripsMacTrailer,
    MediaServerNoHead,
    MediaServerClampsRangeStart,
    MediaServerNeverExpires,
    MediaServerLifetimeInMilliseconds,
    MediaDownloadRequiresContentLength,
    MediaDownloadIgnoresStatus,
    MediaReceiveDropsPtt,
    MediaIgnoresTypeLimits,
    MediaNoTypeLimitOnDownload,
    MediaWritesBeforeVerifying,
    MediaOpensByClaimedType,
}

/// The built-in target a mutant is a defect of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The reference (`interspec target reference --mutant NAME`).
    Reference,
    /// `builtin:olm` (`interspec target olm --mutant NAME`).
    Olm,
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
    /// The built-in target it is a defect of.
    pub base: Base,
}

impl Mutant {
    /// Every mutant in declaration order (checked at compile time below): a
    /// new mutant is a variant, its row in its suite's file under
    /// src/targets/mutants/rows/ and its entry here.
    pub const ALL: [Mutant; 175] = [
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
        Mutant::E2eeEmptyPlaintextRefused,
        Mutant::HandshakeResponderAlwaysFallsBack,
        Mutant::HandshakeTrimsTrailingZeros,
        Mutant::HandshakeIgnoresPayloadDecryptError,
        Mutant::HandshakeFrameLimitExclusive,
        Mutant::OlmLeaksPlaintext,
        Mutant::OlmAcceptsChangedIdentity,
        Mutant::OlmSkipsKeySignatureCheck,
        Mutant::OlmReusesOneTimeKey,
        Mutant::OlmIgnoresOneTimeKey,
        Mutant::OlmKeepsUsedOneTimeKey,
        Mutant::OlmDeclaresSignalBounds,
        Mutant::OlmOverstatesSkippedKeys,
        Mutant::MediaDecryptsWithoutMacCheck,
        Mutant::MediaMacOverCiphertextOnly,
        Mutant::MediaFullLengthMac,
        Mutant::MediaNoPaddingBlockWhenAligned,
        Mutant::MediaEncHashWithoutTrailer,
        Mutant::MediaImageKeysForEveryType,
        Mutant::MediaKeySplitOffByOneBlock,
        Mutant::MediaLaxUnpad,
        Mutant::MediaKeyFromPlaintextHash,
        Mutant::MediaSkipsPlaintextHash,
        Mutant::MediaMissingEncHashSkipsCheck,
        Mutant::MediaFileLengthOfBlob,
        Mutant::MediaNoAttachmentLimit,
        Mutant::MediaServerIgnoresAuthorization,
        Mutant::MediaServerRangeEndExclusive,
        Mutant::MediaServerSequentialUrls,
        Mutant::MediaServerKeepsPlaintext,
        Mutant::MediaServerKeyInUrl,
        Mutant::MediaServerPrefixMatch,
        Mutant::MediaDownloadSkipsVerification,
        Mutant::MediaDownloadUnboundedBody,
        Mutant::MediaDownloadNoTimeout,
        Mutant::MediaSendKeyInClear,
        Mutant::MediaDecryptRefusesEmpty,
        Mutant::MediaMissingFieldsInternalError,
        Mutant::MediaSidecarWithoutOverlap,
        Mutant::MediaUploadUrlNamesLocalhost,
        Mutant::MediaServerStripsMacTrailer,
        Mutant::MediaServerNoHead,
        Mutant::MediaServerClampsRangeStart,
        Mutant::MediaServerNeverExpires,
        Mutant::MediaServerLifetimeInMilliseconds,
        Mutant::MediaDownloadRequiresContentLength,
        Mutant::MediaDownloadIgnoresStatus,
        Mutant::MediaReceiveDropsPtt,
        Mutant::MediaIgnoresTypeLimits,
        Mutant::MediaNoTypeLimitOnDownload,
        Mutant::MediaWritesBeforeVerifying,
        Mutant::MediaOpensByClaimedType,
    ];

    /// The mutant's name, suite, the requirements it violates, what
    /// inspired it and its defect, from its suite's row (src/targets/mutants/rows/).
    pub const fn info(self) -> MutantInfo {
        let rows = rows::rows(self);
        let mut i = 0;
        while i < rows.len() {
            if let (suite, Some((name, requirements, inspired_by, defect))) = rows[i] {
                return MutantInfo {
                    mutant: self,
                    name,
                    suite,
                    requirements,
                    inspired_by,
                    defect,
                    base: if i == rows::OLM_ROWS {
                        Base::Olm
                    } else {
                        Base::Reference
                    },
                };
            }
            i += 1;
        }
        panic!("a mutant without a row in src/targets/mutants/rows/")
    }
}

// `ALL` lists each variant once, in declaration order, and each has exactly
// one row among the suites' files.
const _: () = {
    let mut i = 0;
    while i < Mutant::ALL.len() {
        assert!(Mutant::ALL[i] as usize == i);
        let rows = rows::rows(Mutant::ALL[i]);
        let (mut j, mut described) = (0, 0);
        while j < rows.len() {
            if rows[j].1.is_some() {
                described += 1;
            }
            j += 1;
        }
        assert!(described == 1, "a mutant needs exactly one row");
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
            // A mutant is named after its suite, or after the built-in
            // target it is a defect of when that is not the reference.
            let prefix = match m.base {
                Base::Reference => m.suite,
                Base::Olm => "olm",
            };
            assert!(
                m.name.starts_with(&format!("{prefix}-")),
                "{} should start with {prefix}-",
                m.name
            );
        }
    }
}
