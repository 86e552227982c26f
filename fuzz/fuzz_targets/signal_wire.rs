#![no_main]
//! The peer's Signal wire parser (src/peer/signal/wire.rs, keys.rs):
//! `SignalMessage::parse`, `PreKeySignalMessage::parse` and the MAC check
//! with fixed keys, and `PublicKey::deserialize`.

use std::sync::OnceLock;

use interspec::peer::signal::keys::{KeyPair, PublicKey};
use interspec::peer::signal::wire::{PreKeySignalMessage, SignalMessage};
use libfuzzer_sys::fuzz_target;

/// Fixed identities, derived once.
fn keys() -> &'static (KeyPair, KeyPair) {
    static KEYS: OnceLock<(KeyPair, KeyPair)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            KeyPair::from_private_bytes([1u8; 32]),
            KeyPair::from_private_bytes([2u8; 32]),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = PublicKey::deserialize(data);
    let (alice, bob) = keys();
    let mac_key = [3u8; 32];
    for max in [0usize, 64, 1 << 16] {
        if let Ok(m) = SignalMessage::parse(data, max) {
            let _ = m.verify_mac(&alice.public, &bob.public, &mac_key);
        }
        if let Ok(m) = PreKeySignalMessage::parse(data, max) {
            let _ = m.message.verify_mac(&m.identity_key, &bob.public, &mac_key);
        }
    }
});
