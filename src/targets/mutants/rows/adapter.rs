//! The adapter suite's mutants, described: name, the requirements each
//! violates, what inspired it and its defect.

use super::super::Mutant;
use super::Row;

/// The row of `m`, or `None` when `m` belongs to another suite.
pub(super) const fn row(m: Mutant) -> Option<Row> {
    use Mutant::*;
    Some(match m {
        AdapterAcceptsAnyMajor => (
            "adapter-accepts-any-major",
            &["AD-003"],
            "the version-check-skipped class of CWE-757 (Selection of Less-Secure Algorithm During Negotiation): a server that never compares the peer's version answers one it cannot speak",
            "answers every Hello, whatever its major version",
        ),
        AdapterResetKeepsState => (
            "adapter-reset-keeps-state",
            &["AD-005"],
            "CWE-226 (Sensitive Information in Resource Not Removed Before Reuse): a reset that acknowledges without clearing",
            "Reset acknowledges but keeps remembered values",
        ),
        AdapterPingTruncates64k => (
            "adapter-ping-truncates-64k",
            &["AD-006"],
            "a fixed 64 KiB read buffer, the u16-length assumption behind CWE-130 (Improper Handling of Length Parameter Inconsistency)",
            "echoes Ping payloads through a fixed 64 KiB buffer, truncating longer ones",
        ),
        AdapterReplyIdCounter => (
            "adapter-reply-id-counter",
            &["AD-009"],
            "JSON-RPC 2.0 §5 (a response's id MUST be the request's); servers that number replies themselves break pipelined clients",
            "numbers its responses with its own counter instead of echoing request ids",
        ),
        AdapterUnknownOpInternalError => (
            "adapter-unknown-op-internal-error",
            &["AD-004"],
            "gRPC's status codes (an unknown method is UNIMPLEMENTED, not INTERNAL); CWE-755 (Improper Handling of Exceptional Conditions)",
            "answers an unknown operation with InternalError instead of Unsupported",
        ),
        AdapterNoFrameLimit => (
            "adapter-no-frame-limit",
            &["AD-007"],
            "CWE-789 (Memory Allocation with Excessive Size Value): a length prefix trusted as an allocation size",
            "reads a frame of any announced length instead of refusing oversized ones",
        ),
        AdapterDiesOnMalformedFrame => (
            "adapter-dies-on-malformed-frame",
            &["AD-008"],
            "CWE-248 (Uncaught Exception): a decode error that ends the process",
            "exits when a frame does not decode as a Request",
        ),
        AdapterRefusesOlderMinor => (
            "adapter-refuses-older-minor",
            &["AD-002"],
            "version intolerance, RFC 8446 Appendix D.1 and RFC 7507 §1 (TLS servers that refuse versions they should negotiate)",
            "refuses a Hello whose minor version is older than its own",
        ),
        AdapterDuplicateCapabilities => (
            "adapter-duplicate-capabilities",
            &["AD-001"],
            "a capability list built by appending the configured features to a default list that already holds some (the duplicate-entry class RFC 8446 §4.2 forbids for TLS extensions: \"There MUST NOT be more than one extension of the same type\")",
            "lists the handshake capability twice in its Hello reply (once from the defaults, once from the enabled features)",
        ),
        AdapterRecallMissingAsEmpty => (
            "adapter-recall-missing-as-empty",
            &["AD-010"],
            "Go's map zero value (`v := m[key]` without the `, ok` form returns \"\" for a missing key; The Go Programming Language Specification, Index expressions)",
            "answers Recall of a key never stored as found with an empty value",
        ),
        _ => return None,
    })
}
