//! The mutants of `builtin:olm` (src/targets/olm): Matrix's Olm with one
//! defect in the adapter code vodozemac leaves to its caller. They run the
//! e2ee suite's device-to-device scenarios (any wire format).

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` is not an Olm mutant.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        OlmLeaksPlaintext => (
            "olm-leaks-plaintext",
            &["E2-033"],
            "issue 15 \"Why\" (an Olm adapter that leaks plaintext next to the ciphertext was certified-equivalent); CWE-319 (Cleartext Transmission of Sensitive Information): a \"preview\" or debug copy shipped beside the encrypted body",
            "appends the plaintext after each Olm message (and strips it on receipt)",
        ),
        OlmAcceptsChangedIdentity => (
            "olm-accepts-changed-identity",
            &["E2-013"],
            "Matrix client-server API, end-to-end encryption (a device's keys must match the ones already known); element-web #2215 (\"nothing stopping users from lying about their identity keys\"); GHSA-wfq4-36m3-9g42 (matrix-sdk-crypto: a missing sender check on decryption)",
            "no trust on first use: another identity for a known address replaces the trusted one silently",
        ),
        OlmSkipsKeySignatureCheck => (
            "olm-skips-key-signature-check",
            &["E2-012"],
            "X3DH §3.3 and §4.5 (an unsigned prekey lets the server substitute it); jitsi/lib-jitsi-meet PR #3110 (Olm keys signed and verified only from then on); libQuotient PR #563 (broken one-time-key signature verification)",
            "builds the outbound session without verifying the Ed25519 signatures on the fallback and one-time keys",
        ),
        OlmReusesOneTimeKey => (
            "olm-reuses-one-time-key",
            &["E2-014"],
            "vodozemac CHANGELOG (unreleased after 0.10.0, #382): an off-by-one in the one-time key id counter overwrote the newest key; Matrix client-server API (each one-time key is claimed once)",
            "serves the same one-time key in every bundle (the served-key counter never moves)",
        ),
        OlmIgnoresOneTimeKey => (
            "olm-ignores-one-time-key",
            &["E2-014"],
            "Matrix client-server API, end-to-end encryption (fallback-key sessions \"could be vulnerable to replay attacks\"; one-time keys first); X3DH §4.2",
            "the initiator builds every session on the fallback key, even when the bundle carries a one-time key",
        ),
        OlmKeepsUsedOneTimeKey => (
            "olm-keeps-used-one-time-key",
            &["E2-014"],
            "X3DH §3.4 (the one-time prekey private key is deleted); vodozemac removes the key from the account it decrypted on (src/olm/account/mod.rs:315-324), which an adapter working on a copy must commit",
            "keeps the inbound session but not the account copy it was made on, so the one-time key survives",
        ),
        OlmDeclaresSignalBounds => (
            "olm-declares-signal-bounds",
            &["E2-005"],
            "docs/olm.md §Where Olm differs (vodozemac keeps 40 skipped keys per chain, src/olm/session/receiver_chain.rs:50, where Signal's libraries keep 2000); an adapter that copies Signal's numbers into its declared bounds promises out-of-order delivery its library does not give",
            "declares Signal's 2000 skipped keys per chain in E2eeDescribe while vodozemac keeps 40",
        ),
        OlmOverstatesSkippedKeys => (
            "olm-overstates-skipped-keys",
            &["E2-021", "E2-005"],
            "docs/olm.md §Where Olm differs (vodozemac keeps 40 skipped keys per chain); a declared bound a little above the library's own is the error the property scenario's bursts reach (issue 15, What to build 4)",
            "declares 48 skipped keys per chain in E2eeDescribe while vodozemac keeps 40",
        ),
        _ => return None,
    })
}
