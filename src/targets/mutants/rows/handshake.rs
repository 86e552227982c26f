//! The handshake suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        HandshakeIgnoresPrologue => (
            "handshake-ignores-prologue",
            &["HS-006"],
            "Noise §6 (the prologue binds negotiation data); the unbound-transcript class RFC 7627 fixed for TLS (triple handshake)",
            "hashes an empty prologue instead of the configured one (header not bound)",
        ),
        HandshakeAcceptsAnyServerKey => (
            "handshake-accepts-any-server-key",
            &["HS-005"],
            "pinning bypassed on a fallback path, CWE-295 (Improper Certificate Validation)",
            "an IK initiator with a pinned server key still accepts an XXfallback answer from any other key",
        ),
        HandshakeNonceAdvancesOnFailure => (
            "handshake-nonce-advances-on-failure",
            &["HS-015"],
            "Noise §5.1 (DecryptWithAd: on an authentication failure n is not incremented)",
            "increments the receiving nonce when a transport message fails to decrypt",
        ),
        HandshakeReusesSendNonce => (
            "handshake-reuses-send-nonce",
            &["HS-013"],
            "AES-GCM nonce reuse, CVE-2016-0270 (IBM Domino, found by Böck et al., \"Nonce-Disrespecting Adversaries\", WOOT 2016)",
            "never increments the sending nonce: every transport message uses nonce 0",
        ),
        HandshakeNoMessageSizeCheck => (
            "handshake-no-message-size-check",
            &["HS-016"],
            "Noise §3 (messages are at most 65535 bytes); CWE-130",
            "opens transport messages longer than the 65535 bytes of Noise §3",
        ),
        HandshakeAcceptsReplayedFrame => (
            "handshake-accepts-replayed-frame",
            &["HS-014"],
            "CWE-294 (Authentication Bypass by Capture-replay): a decrypt retried with an older nonce",
            "retries a failed transport decrypt with the previous nonce, so a replayed frame opens",
        ),
        HandshakeCannotFallBack => (
            "handshake-cannot-fall-back",
            &["HS-004", "HS-012"],
            "Noise Pipes (Noise §10.4) as WhatsApp deploys it: an IK-only client cannot reconnect after the server rotates its static key",
            "never switches from IK to XXfallback (no Noise Pipes)",
        ),
        HandshakePayloadNotHashed => (
            "handshake-payload-not-hashed",
            &["HS-002", "HS-021"],
            "Noise §5.3 (EncryptAndHash mixes every payload into h); the transcript-omission class of RFC 7627",
            "leaves the payload of the pattern's last message out of the handshake hash",
        ),
        HandshakeRetryAfterFailure => (
            "handshake-retry-after-failure",
            &["HS-011"],
            "Noise §5 (any error aborts the handshake); CWE-372 (Incomplete Internal State Distinction)",
            "keeps a handshake alive after a message failed to decrypt, so it can be retried",
        ),
        HandshakeOneFramePerRead => (
            "handshake-one-frame-per-read",
            &["HS-018"],
            "the one-message-per-read assumption about a TCP byte stream (RFC 9293 §3.8: TCP does not preserve write boundaries)",
            "returns only the first frame of a read that carries several",
        ),
        HandshakeUsesReservedNonce => (
            "handshake-uses-reserved-nonce",
            &["HS-023"],
            "Noise §5.1 (2^64-1 is reserved); CWE-190 (Integer Overflow or Wraparound)",
            "seals with the reserved nonce 2^64-1 and wraps the counter to 0",
        ),
        HandshakeNoLowOrderCheck => (
            "handshake-no-low-order-check",
            &["HS-010"],
            "RFC 7748 §6.1 (check for the all-zero X25519 output); the non-contributory class of low-order points",
            "uses low-order ephemeral keys unchecked, in snow and in its own engine (an all-zero DH output goes unnoticed)",
        ),
        HandshakeReusesEphemeral => (
            "handshake-reuses-ephemeral",
            &["HS-025"],
            "OpenSSL's DHE key reuse without SSL_OP_SINGLE_DH_USE, CVE-2016-0701",
            "draws one ephemeral key per process and uses it in every handshake, Reset or not",
        ),
        HandshakeRefusesHighBitKey => (
            "handshake-refuses-high-bit-key",
            &["HS-026"],
            "X25519 implementations that read all 256 bits of u where RFC 7748 §5 says to mask bit 255; Wycheproof x25519 NonCanonicalPublic tests exist for exactly this",
            "refuses a remote ephemeral whose bit 255 is set as an invalid key (INVALID_KEY), reading all 256 bits as u where RFC 7748 §5 says an X25519 implementation MUST mask that bit: a genuine key in the non-canonical encoding Wycheproof's x25519 NonCanonicalPublic tests exercise is refused",
        ),
        HandshakeIgnoresReadLength => (
            "handshake-ignores-read-length",
            &["HS-001"],
            "ignoring the length a read call returns and using the whole buffer (snow's read_message returns the payload length; CWE-130, Improper Handling of Length Parameter Inconsistency)",
            "answers the whole 65535-byte buffer snow decrypted into as a handshake payload, ignoring the length read_message returned",
        ),
        HandshakeDropsZeroRttPayload => (
            "handshake-drops-zero-rtt-payload",
            &["HS-003"],
            "early data silently discarded, as a TLS 1.3 server that rejects 0-RTT skips it (RFC 8446 §4.2.10); Noise IK's first payload is not optional",
            "as an IK responder, hands over an empty payload for message 0 (the initiator's zero-RTT payload is dropped)",
        ),
        HandshakeRekeyResetsNonce => (
            "handshake-rekey-resets-nonce",
            &["HS-017"],
            "rekeying through InitializeKey, which sets n = 0 (Noise §5.1), where Rekey() keeps n (Noise §4.2, §11.3)",
            "sets a direction's nonce back to 0 when it rekeys it",
        ),
        HandshakeLittleEndianLength => (
            "handshake-little-endian-length",
            &["HS-019"],
            "a length prefix written with the host's byte order instead of network order (to_le_bytes for to_be_bytes; CWE-188, Reliance on Data/Memory Layout)",
            "writes the length prefix of its outgoing frames little-endian",
        ),
        HandshakeTruncatesLongPayload => (
            "handshake-truncates-long-payload",
            &["HS-020"],
            "a payload length kept in one byte (CWE-197, Numeric Truncation Error): handshake payloads over 255 bytes are cut",
            "writes at most the first 255 bytes of a handshake payload, so a login payload longer than that is cut",
        ),
        HandshakeZeroPadsShortMessage => (
            "handshake-zero-pads-short-message",
            &["HS-008", "HS-024"],
            "a short field zero-extended instead of refused (memcpy of min(len, 32) bytes into a zeroed key buffer; CWE-130)",
            "pads a handshake message too short for its pattern's keys with zero bytes instead of refusing it",
        ),
        HandshakeResponderAlwaysFallsBack => (
            "handshake-responder-always-falls-back",
            &["HS-005", "HS-007"],
            "a fallback switched on by the pattern rather than the configuration (Noise Pipes on for every IK responder), the insecure-fallback class RFC 7507 §1 describes (CVE-2014-3566, POODLE: retrying on any handshake error)",
            "as an IK responder, switches to XXfallback on any message 0 that fails to decrypt, Noise Pipes allowed or not, so an altered message 0 is answered instead of refused",
        ),
        HandshakeTrimsTrailingZeros => (
            "handshake-trims-trailing-zeros",
            &["HS-009"],
            "a message length recovered from a zero-filled buffer by trimming trailing zero bytes, C-string handling of binary data (CWE-170, Improper Null Termination; CWE-130)",
            "strips trailing zero bytes from a handshake message before reading it, so zero bytes appended to a genuine message (even past 65535 bytes) go unnoticed",
        ),
        HandshakeIgnoresPayloadDecryptError => (
            "handshake-ignores-payload-decrypt-error",
            &["HS-007"],
            "an unchecked result of a handshake read (CWE-252, Unchecked Return Value), as in the review of bitwarden/sdk-internal#348 (2026-04-20): `let _ = initiator.read_response_message(..).map_err(|_| ()); break;`, \"then we immediately process assuming a success\"",
            "goes on with an empty payload when DecryptAndHash of a handshake payload fails (its tag does not verify), instead of aborting the handshake",
        ),
        HandshakeFrameLimitExclusive => (
            "handshake-frame-limit-exclusive",
            &["HS-018"],
            "a size limit read as exclusive, as contiki-os/contiki#100 (\"Do not reject frames with a length exactly equal to the uIP buffer size\") and python-hyper/hyperframe#3 (FRAME_MAX_LEN one below RFC 7540's 2^14) fixed; found by the cargo-mutants measurement (docs/mutation-testing.md)",
            "refuses a frame whose length prefix announces exactly max_frame bytes, so a 65535-byte Noise message never comes out of the stream",
        ),
        _ => return None,
    })
}
