//! Receiver/sender limits. Defaults are libsignal's; each is configurable so
//! the harness can build mutants or tighter peers.

/// Limits honoured by a [`super::device::Device`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalConfig {
    /// Largest accepted `counter - chain index` jump.
    // libsignal-protocol-java SessionCipher.getOrCreateMessageKeys: `counter - chainKey.getIndex() > 2000`
    // -> "Over 2000 messages into the future!"; libsignal-protocol-c session_cipher.c likewise.
    pub max_forward_jump: u32,
    /// Skipped message keys kept per receiver chain at most.
    // libsignal-protocol-java state/SessionState.java: MAX_MESSAGE_KEYS = 2000 (setMessageKeys removes index 0).
    pub max_skipped_keys: usize,
    /// What a receiver chain does when one more skipped key would pass
    /// `max_skipped_keys`. libsignal's (the default, and the peer's) evicts
    /// the oldest; the others exist for the reference target's variants.
    pub skipped_key_policy: SkippedKeyPolicy,
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
    /// Read a received public key with bytes after `0x05 || 32 bytes` as
    /// its first 33 bytes instead of refusing it. Both are libsignal's:
    /// libsignal-protocol-c refuses (curve.c curve_decode_point: `key_len !=
    /// DJB_KEY_LEN + 1` -> "Invalid key length"), libsignal-protocol-java
    /// (ecc/Curve.decodePoint copies the 32 bytes after the type byte) and
    /// libsignal (rust/core/src/curve.rs PublicKey::deserialize: "We allow
    /// trailing data after the public key") read the first 33. Off (refuse)
    /// by default; the reference target's variant sets it.
    pub ignore_trailing_key_bytes: bool,
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
            skipped_key_policy: SkippedKeyPolicy::EvictOldest,
            max_receiver_chains: 5,
            max_archived_states: 40,
            max_body_len: DEFAULT_MAX_BODY_LEN,
            fingerprint_iterations: super::fingerprint::DEFAULT_ITERATIONS,
            ignore_trailing_key_bytes: false,
            defects: super::defects::Defects::default(),
        }
    }
}

/// How a full skipped-key store makes room. The Double Ratchet asks for a
/// bound, not an order: §3.2 "MKSKIPPED: Dictionary of skipped-over message
/// keys ... Raises an exception if too many elements are stored"; §6.4
/// "parties should set reasonable per-session limits on the number of
/// skipped message keys that will be stored (e.g. 1000)" and "delete
/// skipped message keys after an appropriate interval. Deletion could be
/// triggered by a timer, or by counting a number of events".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SkippedKeyPolicy {
    /// Evict the oldest stored key (libsignal-protocol-java/-c).
    #[default]
    EvictOldest,
    /// Keep the stored keys and drop the newly skipped ones that do not fit.
    DropNewest,
    /// Refuse the message whose skipped keys would not fit (§3.2's
    /// exception); nothing is stored and the chain does not move.
    RefuseMessage,
}
