//! Where a device's fresh key pairs come from: its seeded RNG, or, for golden
//! vectors, a script of fixed private keys used first, in generation order.

use std::collections::VecDeque;

use rand_chacha::ChaCha20Rng;

use super::keys::{KeyPair, KEY_LEN};

/// The device's randomness. Cloned before a fallible operation and put back
/// only on success, so a refused input consumes nothing.
#[derive(Clone, Debug)]
pub struct KeySource {
    scripted: VecDeque<[u8; KEY_LEN]>,
    rng: ChaCha20Rng,
}

impl KeySource {
    pub fn new(rng: ChaCha20Rng) -> Self {
        KeySource {
            scripted: VecDeque::new(),
            rng,
        }
    }

    /// A new random stream from `seed` (scripted keys stay queued): a
    /// copied device and its original then draw different keys.
    pub fn reseed(&mut self, seed: [u8; 32]) {
        use rand_chacha::rand_core::SeedableRng;
        self.rng = ChaCha20Rng::from_seed(seed);
    }

    /// Queue fixed private keys for the next generated key pairs.
    pub fn script(&mut self, privates: impl IntoIterator<Item = [u8; KEY_LEN]>) {
        self.scripted.extend(privates);
    }

    /// Scripted keys not yet used.
    pub fn scripted_left(&self) -> usize {
        self.scripted.len()
    }

    /// The next ephemeral key pair (base key, ratchet key): scripted first.
    pub fn next_key_pair(&mut self) -> KeyPair {
        match self.scripted.pop_front() {
            Some(private) => KeyPair::from_private_bytes(private),
            None => KeyPair::generate(&mut self.rng),
        }
    }

    /// Randomness for everything else (signature nonces, prekeys).
    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn scripted_keys_come_first_then_the_rng_stream() {
        let mut plain = KeySource::new(ChaCha20Rng::from_seed([1; 32]));
        let mut scripted = KeySource::new(ChaCha20Rng::from_seed([1; 32]));
        scripted.script([[7u8; 32]]);
        assert_eq!(scripted.scripted_left(), 1);
        assert_eq!(
            scripted.next_key_pair(),
            KeyPair::from_private_bytes([7u8; 32])
        );
        // The RNG stream is untouched by scripted keys.
        assert_eq!(scripted.next_key_pair(), plain.next_key_pair());
    }
}
