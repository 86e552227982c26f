//! The e2ee suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        E2eeAcceptsReplay => (
            "e2ee-accepts-replay",
            &["E2-007", "E2-020", "E2-021", "E2-031"],
            "Double Ratchet §2.6 and §3.5 (message keys are deleted once used); CWE-294",
            "keeps message keys after use, so a replayed SignalMessage decrypts again",
        ),
        E2eeSkipsMacCheck => (
            "e2ee-skips-mac-check",
            &["E2-008", "E2-020", "E2-021", "E2-034"],
            "CWE-354 (Improper Validation of Integrity Check Value)",
            "decrypts SignalMessages without checking their MAC",
        ),
        E2eeStateBeforeMac => (
            "e2ee-state-before-mac",
            &["E2-008", "E2-010", "E2-034"],
            "Double Ratchet §3.5 (if decryption fails, state changes are discarded); libsignal decrypts on a cloned session state",
            "advances the receiving chain before the MAC check and keeps it when the MAC fails",
        ),
        E2eeUnlimitedSkippedKeys => (
            "e2ee-unlimited-skipped-keys",
            &["E2-027"],
            "Double Ratchet §3.2 and §4 (MAX_SKIP); libsignal's MAX_MESSAGE_KEYS = 2000; CWE-770",
            "stores skipped message keys without the 2000-key bound",
        ),
        E2eeIgnoresIdentityChange => (
            "e2ee-ignores-identity-change",
            &["E2-013"],
            "libsignal's IdentityKeyStore.isTrustedIdentity (Signal's \"safety number changed\" check); CWE-295",
            "silently trusts a changed remote identity key",
        ),
        E2eeSkipsPrekeySignatureCheck => (
            "e2ee-skips-prekey-signature-check",
            &["E2-012"],
            "X3DH §3.3 (Alice verifies the prekey signature and aborts if it fails); CWE-347",
            "builds sessions from bundles without verifying the signed-prekey signature",
        ),
        E2eeKeepsUsedOneTimePrekey => (
            "e2ee-keeps-used-one-time-prekey",
            &["E2-014"],
            "X3DH §3.4 (Bob deletes the one-time prekey private key) and §4.2 (replay)",
            "keeps a one-time prekey after a session consumed it",
        ),
        E2eeNeverRatchets => (
            "e2ee-never-ratchets",
            &["E2-015", "E2-032"],
            "Double Ratchet §3.4 (DH ratchet step); without it no post-compromise security",
            "never replaces its sending ratchet key (no DH ratchet step on send)",
        ),
        E2eeConstantIv => (
            "e2ee-constant-iv",
            &["E2-002"],
            "CWE-329 (Generation of Predictable IV with CBC Mode): a static IV where Signal derives one per message",
            "encrypts and decrypts every body under an all-zero IV instead of the derived one",
        ),
        E2eeWrongFingerprintIterations => (
            "e2ee-wrong-fingerprint-iterations",
            &["E2-018"],
            "libsignal's NumericFingerprintGenerator (5200 iterations for the displayable fingerprint)",
            "computes safety numbers with 1024 hash iterations instead of 5200",
        ),
        E2eePrekeyVersionJsCheck => (
            "e2ee-prekey-version-js-check",
            &["E2-009"],
            "libsignal-protocol-javascript and libsignal-node decryptPreKeyWhisperMessage's version check",
            "checks a PreKeySignalMessage's version byte as libsignal-protocol-javascript and libsignal-node do (decryptPreKeyWhisperMessage refuses only `(version & 0xF) > 3 || (version >> 4) < 3`), so 0x43, an unknown version 4, is read as version 3",
        ),
        E2eeKeepsSessionOfBadPrekeyMessage => (
            "e2ee-keeps-session-of-bad-prekey-message",
            &["E2-010", "E2-034"],
            "libsignal-protocol-javascript SessionBuilder.processV3 (saves the session only after decryption succeeds); libsignal-protocol-c saves the identity early",
            "stores the session it built from a PreKeySignalMessage before the MAC check and keeps it, as the current session, when the MAC fails (the store-before-authenticate order libsignal-protocol-javascript's SessionBuilder.processV3 avoids: the session is not saved until decryption succeeds, \"to ensure that the sender actually holds the private keys for all reported pubkeys\"; libsignal-protocol-c saves the identity that early)",
        ),
        E2eeBundleKeyFromLastBytes => (
            "e2ee-bundle-key-from-last-bytes",
            &["E2-028"],
            "a type-byte strip written as a suffix slice (libsignal-protocol-java reads the first 33 bytes, libsignal-protocol-c refuses): a parser differential",
            "reads each key of a received bundle from its last 32 bytes (a type-byte strip written as a suffix slice): exact for 0x05 || 32 bytes, another key when bytes follow, where libsignal-protocol-java and libsignal read the first 33 and libsignal-protocol-c refuses (a parser differential)",
        ),
        E2eeReusesBaseKey => (
            "e2ee-reuses-base-key",
            &["E2-030"],
            "CVE-2016-0701 (OpenSSL reused ephemeral DH keys unless SSL_OP_SINGLE_DH_USE was set)",
            "draws its X3DH base key once per process and starts every session with it (an ephemeral cached for speed, as OpenSSL reused ephemeral DH keys unless SSL_OP_SINGLE_DH_USE was set, CVE-2016-0701)",
        ),
        E2eeReusesRatchetKey => (
            "e2ee-reuses-ratchet-key",
            &["E2-030"],
            "CVE-2016-0701 (the cached-ephemeral class: a key drawn once per process)",
            "draws the first sending ratchet key of the sessions it starts once per process and reuses it in every session (the same cached-ephemeral class as CVE-2016-0701)",
        ),
        E2eeTrustsIdentityAfterRefusal => (
            "e2ee-trusts-identity-after-refusal",
            &["E2-013"],
            "store-before-check (CWE-696, incorrect behavior order); libsignal-protocol-java SessionBuilder.process checks isTrustedIdentity and throws before saveIdentity",
            "refuses a changed identity key with UNTRUSTED_IDENTITY but saves it as trusted while refusing, so the next message from it is accepted without approval (store-before-check, CWE-696; libsignal-protocol-java SessionBuilder.process checks isTrustedIdentity and throws before saveIdentity)",
        ),
        E2eeRequiresOneTimePrekey => (
            "e2ee-requires-one-time-prekey",
            &["E2-001"],
            "X3DH §3.3 makes the one-time prekey optional (\"If the bundle does not contain a one-time prekey...\"); clients that require one cannot reach a device whose server has run out of them",
            "refuses a bundle without a one-time prekey, so it never initiates a session from one",
        ),
        E2eeNewerVersionByte => (
            "e2ee-newer-version-byte",
            &["E2-003"],
            "libsignal's CIPHERTEXT_MESSAGE_CURRENT_VERSION moved to 4 with PQXDH (Kyber prekeys); a client writing the newer version byte on a v3 (X3DH) session breaks the signal-v3 wire",
            "writes version byte 0x44 (version 4) on the PreKeySignalMessages it sends",
        ),
        E2eeNoSkippedKeys => (
            "e2ee-no-skipped-keys",
            &["E2-004"],
            "a ratchet without the skipped-message-key store of Double Ratchet §3.2 and §3.5 (strictly in-order delivery assumed), so every message overtaken by a later one is lost",
            "keeps no skipped message keys (a store bounded at 0), so a message arriving after a later one of its chain is refused",
        ),
        E2eeForwardJumpOffByOne => (
            "e2ee-forward-jump-off-by-one",
            &["E2-005"],
            "CWE-193 (Off-by-one Error) at libsignal's MAX_FORWARD_JUMPS check (>= where > was meant)",
            "refuses a counter exactly max_forward_jump ahead",
        ),
        E2eeNoForwardJumpLimit => (
            "e2ee-no-forward-jump-limit",
            &["E2-006"],
            "libsignal's MAX_FORWARD_JUMPS (25000) check left out, the denial-of-service class Double Ratchet §4 warns of (a huge counter makes the receiver derive that many keys; CWE-400)",
            "accepts any forward jump in the counter (no max_forward_jump)",
        ),
        E2eeUnknownSenderInternalError => (
            "e2ee-unknown-sender-internal-error",
            &["E2-011"],
            "a session-store lookup unwrapped where the record may be missing (CWE-476, NULL Pointer Dereference; in Rust an unwrap on None)",
            "answers a SignalMessage from an address it has no session with InternalError instead of a refusal",
        ),
        E2eeResendsCachedCiphertext => (
            "e2ee-resends-cached-ciphertext",
            &["E2-016"],
            "retry logic that caches ciphertexts by plaintext and sends the cached one again for a repeated message (the deterministic-encryption class, CWE-329)",
            "answers an Encrypt of the same plaintext to the same remote as the one before with the same ciphertext",
        ),
        E2eeOneSessionPerAddress => (
            "e2ee-one-session-per-address",
            &["E2-017"],
            "a session store with one state per address and no archived states (libsignal's SessionRecord keeps previous states, ARCHIVED_STATES_MAX_LENGTH = 40, so crossed PreKeySignalMessages both decrypt)",
            "refuses a PreKeySignalMessage from an address it already has a session with",
        ),
        E2eeFixedKeysIgnoreEphemerals => (
            "e2ee-fixed-keys-ignore-ephemerals",
            &["E2-019"],
            "a test hook that does not reach every random draw (the injected-RNG gap that makes known-answer transcripts unreproducible)",
            "with fixed keys, still draws its base and ratchet keys at random instead of the scripted ephemerals",
        ),
        E2eeBundleIdsSwapped => (
            "e2ee-bundle-ids-swapped",
            &["E2-023"],
            "swapped adjacent int arguments (libsignal-protocol-java's PreKeyBundle(int registrationId, int deviceId, ...)): the registration id written as the device id",
            "serves bundles whose device id is its registration id",
        ),
        E2eeDeleteKeepsSession => (
            "e2ee-delete-keeps-session",
            &["E2-024"],
            "deletion that reports success but removes only a cached copy (CWE-226, Sensitive Information in Resource Not Removed Before Reuse)",
            "answers DeleteSession as done but keeps the session",
        ),
        E2eeEncryptLimitUnchecked => (
            "e2ee-encrypt-limit-unchecked",
            &["E2-029"],
            "a limit enforced only on input (decrypt) and not on output (encrypt), so the target writes messages its peers must refuse (CWE-20)",
            "encrypts plaintexts of any length, ignoring max_body_len on the sending side",
        ),
        E2eeEmptyPlaintextRefused => (
            "e2ee-empty-plaintext-refused",
            &["E2-035", "E2-002"],
            "ECMA-262 §7.1.2 ToBoolean (an empty String is false): adapters in JavaScript that check `if (!plaintext)` after decrypting read an empty body as a failure; CWE-697 (Incorrect Comparison)",
            "refuses (BAD_MAC) every message whose plaintext is empty, after decrypting it",
        ),
        _ => return None,
    })
}
