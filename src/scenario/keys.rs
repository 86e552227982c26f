//! The run's key ledger: every ephemeral, base and ratchet key a target
//! emits, across all scenarios of one run, so that a key sent again in
//! another scenario is found however far apart the two are.
//!
//! The runner makes one ledger per run and hands it to every scenario
//! through [`super::ScenarioCtx`]; suites record what the peer reads from
//! the target (`ScenarioCtx::fresh_key`). It sees only what ran: a run with
//! `--filter` or one shard of `--shard` covers only its own scenarios, and
//! two scenarios that share a key are both run only when both are planned.
//! Within one scenario a key may legitimately repeat (every message of a
//! sending chain carries its ratchet key, every PreKeySignalMessage of an
//! unanswered session its base key); freshness within one scenario is
//! checked by the scenarios written for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What kind of key a target emitted, with the sentence that makes it fresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A Noise handshake ephemeral (`e`).
    NoiseEphemeral,
    /// The base key of a PreKeySignalMessage (X3DH's EK_A).
    X3dhBaseKey,
    /// The ratchet key of a SignalMessage (a Double Ratchet DH key).
    RatchetKey,
}

impl KeyKind {
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::NoiseEphemeral => "Noise ephemeral key",
            KeyKind::X3dhBaseKey => "X3DH base key",
            KeyKind::RatchetKey => "ratchet key",
        }
    }

    /// The specification sentence that forbids sending it twice.
    pub fn rule(self) -> &'static str {
        match self {
            KeyKind::NoiseEphemeral => "Noise rev34 §14: \"Ephemeral keys must never be reused.\"",
            KeyKind::X3dhBaseKey => {
                "X3DH §3.3: \"Alice then generates another ephemeral key pair with public key EK_A.\" ... \"After calculating SK, Alice deletes her ephemeral private key and the DH outputs.\""
            }
            KeyKind::RatchetKey => {
                "Double Ratchet §3.5 (DHRatchet): \"state.DHs = GENERATE_DH()\", a new key pair for every DH ratchet step"
            }
        }
    }
}

/// Where a key was first seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sighting {
    pub scenario: Arc<str>,
    pub kind: KeyKind,
}

/// Keys kept at most; beyond it the ledger stops recording (and says so),
/// so a run with a huge case count cannot exhaust memory.
pub const MAX_KEYS: usize = 1 << 20;

/// A thread-safe record of the keys a target emitted in one run.
#[derive(Default)]
pub struct KeyLedger {
    seen: Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    keys: HashMap<Vec<u8>, Sighting>,
    full: bool,
}

impl KeyLedger {
    pub fn new() -> KeyLedger {
        KeyLedger::default()
    }

    /// Records `key` as emitted in `scenario`; returns the earlier sighting
    /// when another scenario saw it first (the same scenario seeing it again
    /// is not reuse here, see the module comment).
    pub fn record(&self, scenario: &str, kind: KeyKind, key: &[u8]) -> Option<Sighting> {
        let Ok(mut ledger) = self.seen.lock() else {
            return None;
        };
        if let Some(earlier) = ledger.keys.get(key) {
            return (&*earlier.scenario != scenario).then(|| earlier.clone());
        }
        if ledger.keys.len() >= MAX_KEYS {
            ledger.full = true;
            return None;
        }
        ledger.keys.insert(
            key.to_vec(),
            Sighting {
                scenario: Arc::from(scenario),
                kind,
            },
        );
        None
    }

    /// Keys recorded so far.
    pub fn len(&self) -> usize {
        self.seen.lock().map(|l| l.keys.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the ledger stopped recording at [`MAX_KEYS`].
    pub fn is_full(&self) -> bool {
        self.seen.lock().map(|l| l.full).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_from_another_scenario_is_reported_and_one_from_the_same_is_not() {
        let ledger = KeyLedger::new();
        assert_eq!(ledger.record("a", KeyKind::RatchetKey, &[1; 32]), None);
        assert_eq!(ledger.record("a", KeyKind::RatchetKey, &[1; 32]), None);
        assert_eq!(ledger.record("b", KeyKind::RatchetKey, &[2; 32]), None);
        let earlier = ledger.record("b", KeyKind::X3dhBaseKey, &[1; 32]);
        assert_eq!(
            earlier,
            Some(Sighting {
                scenario: Arc::from("a"),
                kind: KeyKind::RatchetKey
            })
        );
        assert_eq!(ledger.len(), 2);
    }

    #[test]
    fn shared_between_threads() {
        let ledger = KeyLedger::new();
        let reused = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4u8)
                .map(|t| {
                    let ledger = &ledger;
                    s.spawn(move || {
                        (0..50u8)
                            .filter(|i| {
                                ledger
                                    .record(&format!("s{t}"), KeyKind::NoiseEphemeral, &[*i; 32])
                                    .is_some()
                            })
                            .count()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(0))
                .sum::<usize>()
        });
        // 50 keys, each first seen by one of 4 threads: the 3 others each
        // find it taken.
        assert_eq!(reused, 150);
        assert_eq!(ledger.len(), 50);
    }
}
