//! Receiver/sender limits. Defaults are libsignal's; each is configurable so
//! the harness can build mutants or tighter peers.

/// Limits honoured by a [`super::device::Device`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalConfig {
    /// Largest accepted `counter - chain index` jump.
    // libsignal-protocol-java SessionCipher.getOrCreateMessageKeys: `counter - chainKey.getIndex() > 2000`
    // -> "Over 2000 messages into the future!"; libsignal-protocol-c session_cipher.c likewise.
    pub max_forward_jump: u32,
    /// Skipped message keys kept per receiver chain; the oldest is evicted beyond this.
    // libsignal-protocol-java state/SessionState.java: MAX_MESSAGE_KEYS = 2000 (setMessageKeys removes index 0).
    pub max_skipped_keys: usize,
    /// Receiver chains kept per session; the oldest is dropped beyond this.
    // libsignal-protocol-java state/SessionState.java addReceiverChain: `if (size > 5) remove(0)`;
    // libsignal rust/protocol/src/consts.rs MAX_RECEIVER_CHAINS = 5.
    pub max_receiver_chains: usize,
    /// Archived previous session states kept per address (tried on decrypt failure).
    // libsignal-protocol-java state/SessionRecord.java: ARCHIVED_STATES_MAX_LENGTH = 40.
    pub max_archived_states: usize,
    /// Largest accepted ciphertext body. libsignal has no such limit; this is the
    /// harness's own bound, and what the `oversized_body` knob exceeds.
    pub max_body_len: usize,
    /// Safety-number hash iterations.
    // libsignal-protocol-java NumericFingerprintGeneratorTest: NumericFingerprintGenerator(5200).
    pub fingerprint_iterations: u32,
    /// Implementation defects (mutants only; all off by default).
    pub defects: super::defects::Defects,
}

/// Harness-chosen ceiling on a message body (not an upstream constant).
pub const DEFAULT_MAX_BODY_LEN: usize = 256 * 1024;

impl Default for SignalConfig {
    fn default() -> Self {
        SignalConfig {
            max_forward_jump: 2000,
            max_skipped_keys: 2000,
            max_receiver_chains: 5,
            max_archived_states: 40,
            max_body_len: DEFAULT_MAX_BODY_LEN,
            fingerprint_iterations: super::fingerprint::DEFAULT_ITERATIONS,
            defects: super::defects::Defects::default(),
        }
    }
}
