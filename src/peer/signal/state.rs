//! Session state: one ratchet state (`SessionState`) and the per-address record
//! holding the current state plus archived previous ones (`SessionRecord`).
//! Mirrors libsignal-protocol-java state/SessionState.java and SessionRecord.java.

use std::collections::VecDeque;

use super::config::SkippedKeyPolicy;
use super::kdf::{ChainKey, MessageKeys, RootKey};
use super::keys::{KeyPair, PublicKey};

/// Our sending chain: our current ratchet key pair and chain key.
#[derive(Clone, Debug)]
pub struct SenderChain {
    pub ratchet_key: KeyPair,
    pub chain_key: ChainKey,
}

/// One receiving chain: their ratchet key, the chain key, and skipped message keys (oldest first).
#[derive(Clone, Debug)]
pub struct ReceiverChain {
    pub ratchet_key: PublicKey,
    pub chain_key: ChainKey,
    pub message_keys: VecDeque<MessageKeys>,
}

/// What Alice repeats in every message until Bob answers.
// libsignal-protocol-java SessionState: UnacknowledgedPreKeyMessageItems (preKeyId, signedPreKeyId, baseKey).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPreKey {
    pub pre_key_id: Option<u32>,
    pub signed_pre_key_id: u32,
    pub base_key: PublicKey,
}

/// One Double Ratchet session.
#[derive(Clone, Debug)]
pub struct SessionState {
    /// Session version (always 3 here).
    pub version: u8,
    pub local_identity: PublicKey,
    pub remote_identity: PublicKey,
    pub root_key: RootKey,
    pub sender_chain: SenderChain,
    /// Oldest first.
    pub receiver_chains: VecDeque<ReceiverChain>,
    pub previous_counter: u32,
    pub pending_prekey: Option<PendingPreKey>,
    pub local_registration_id: u32,
    pub remote_registration_id: u32,
    /// Alice's base key: identifies the session a PreKeySignalMessage belongs to.
    pub alice_base_key: PublicKey,
    /// Chain key the last outgoing message used (for the `reuse_counter` knob only).
    pub last_sent_chain_key: Option<ChainKey>,
}

impl SessionState {
    pub fn receiver_chain_index(&self, their_ratchet: &PublicKey) -> Option<usize> {
        self.receiver_chains
            .iter()
            .position(|c| &c.ratchet_key == their_ratchet)
    }

    /// Add a receiving chain, dropping the oldest beyond `max_chains`.
    pub fn add_receiver_chain(
        &mut self,
        their_ratchet: PublicKey,
        chain_key: ChainKey,
        max_chains: usize,
    ) {
        self.receiver_chains.push_back(ReceiverChain {
            ratchet_key: their_ratchet,
            chain_key,
            message_keys: VecDeque::new(),
        });
        while self.receiver_chains.len() > max_chains {
            self.receiver_chains.pop_front();
        }
    }

    /// Take (and forget) the stored skipped key for `counter`, if any.
    pub fn take_message_keys(&mut self, chain: usize, counter: u32) -> Option<MessageKeys> {
        let c = self.receiver_chains.get_mut(chain)?;
        let pos = c.message_keys.iter().position(|k| k.counter == counter)?;
        c.message_keys.remove(pos)
    }

    /// Store a skipped key, keeping at most `max_keys`: beyond it the
    /// oldest is evicted, or (`DropNewest`) the new one is not stored.
    /// (`RefuseMessage` refuses before anything is stored; should a key
    /// still not fit, it is dropped like `DropNewest`.)
    pub fn store_message_keys(
        &mut self,
        chain: usize,
        keys: MessageKeys,
        max_keys: usize,
        policy: SkippedKeyPolicy,
    ) {
        if let Some(c) = self.receiver_chains.get_mut(chain) {
            match policy {
                SkippedKeyPolicy::EvictOldest => {
                    c.message_keys.push_back(keys);
                    while c.message_keys.len() > max_keys {
                        c.message_keys.pop_front();
                    }
                }
                SkippedKeyPolicy::DropNewest | SkippedKeyPolicy::RefuseMessage => {
                    if c.message_keys.len() < max_keys {
                        c.message_keys.push_back(keys);
                    }
                }
            }
        }
    }

    /// Skipped keys stored for receiving chain `chain`.
    pub fn stored_message_keys(&self, chain: usize) -> usize {
        self.receiver_chains
            .get(chain)
            .map_or(0, |c| c.message_keys.len())
    }

    /// Total skipped keys held across all receiving chains.
    pub fn skipped_key_count(&self) -> usize {
        self.receiver_chains
            .iter()
            .map(|c| c.message_keys.len())
            .sum()
    }
}

/// All session states for one remote address.
#[derive(Clone, Debug, Default)]
pub struct SessionRecord {
    pub current: Option<SessionState>,
    /// Most recent first.
    pub previous: VecDeque<SessionState>,
}

impl SessionRecord {
    /// Move the current state (if any) to the front of the archive.
    // libsignal-protocol-java SessionRecord.archiveCurrentState / promoteState: addFirst, trim to 40.
    pub fn archive_current(&mut self, max_archived: usize) {
        if let Some(s) = self.current.take() {
            self.previous.push_front(s);
            self.previous.truncate(max_archived);
        }
    }

    /// Make `state` current, archiving the old current one.
    pub fn promote(&mut self, state: SessionState, max_archived: usize) {
        self.archive_current(max_archived);
        self.current = Some(state);
    }

    /// Does any state belong to the session Alice started with `base_key`?
    // libsignal-protocol-java SessionRecord.hasSessionState(version, aliceBaseKey).
    pub fn has_state_for_base_key(&self, version: u8, base_key: &PublicKey) -> bool {
        self.current
            .iter()
            .chain(self.previous.iter())
            .any(|s| s.version == version && &s.alice_base_key == base_key)
    }
}
