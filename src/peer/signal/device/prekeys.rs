//! The prekeys a device holds (signed and one-time) and the bundles it
//! serves, honouring the `bundle_*` knobs.

use super::super::keys::{IdentityKeyPair, KeyPair, PublicKey};
use super::super::x3dh::PreKeyBundle;
use super::Device;

/// A signed prekey we hold.
#[derive(Clone, Debug)]
pub struct SignedPreKeyRecord {
    pub id: u32,
    pub key_pair: KeyPair,
    pub signature: [u8; 64],
}

impl Device {
    /// Sign `key_pair` with the identity key and make it the current signed prekey.
    pub fn add_signed_prekey(&mut self, id: u32, key_pair: KeyPair) {
        let signature = self
            .identity
            .private()
            .sign(&key_pair.public.serialize(), self.rng.rng());
        self.signed_prekeys.insert(
            id,
            SignedPreKeyRecord {
                id,
                key_pair,
                signature,
            },
        );
        self.current_signed_prekey = id;
    }

    /// Install a signed prekey with a given signature (fixed keys for
    /// vectors) and make it the current one. The signature is served as-is.
    pub fn install_signed_prekey(&mut self, record: SignedPreKeyRecord) {
        self.current_signed_prekey = record.id;
        self.signed_prekeys.insert(record.id, record);
    }

    /// Forget a signed prekey (later PreKeySignalMessages naming it are refused).
    pub fn remove_signed_prekey(&mut self, id: u32) {
        self.signed_prekeys.remove(&id);
    }

    /// A one-time prekey still held.
    pub fn one_time_prekey(&self, id: u32) -> Option<&KeyPair> {
        self.one_time_prekeys.get(&id)
    }

    pub fn add_one_time_prekey(&mut self, id: u32, key_pair: KeyPair) {
        self.one_time_prekeys.insert(id, key_pair);
    }

    /// Generate `count` one-time prekeys with fresh ids; returns the ids.
    pub fn generate_one_time_prekeys(&mut self, count: u32) -> Vec<u32> {
        let start = self
            .one_time_prekeys
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(self.served_up_to);
        let mut ids = Vec::new();
        for i in 1..=count {
            let id = start.saturating_add(i);
            let kp = KeyPair::generate(self.rng.rng());
            self.one_time_prekeys.insert(id, kp);
            ids.push(id);
        }
        ids
    }

    /// Ids of one-time prekeys not yet consumed.
    pub fn one_time_prekey_ids(&self) -> Vec<u32> {
        self.one_time_prekeys.keys().copied().collect()
    }

    /// A bundle with the next not-yet-served one-time prekey, if any. Honours
    /// the `bundle_*` knobs.
    pub fn bundle(&mut self) -> PreKeyBundle {
        // After serving id u32::MAX there is nothing left to serve.
        let otp = self.served_up_to.checked_add(1).and_then(|start| {
            self.one_time_prekeys
                .range(start..)
                .next()
                .map(|(id, kp)| (*id, kp.public))
        });
        if let Some((id, _)) = otp {
            self.served_up_to = id;
        }
        self.make_bundle(otp)
    }

    /// A bundle without a one-time prekey. Honours the `bundle_*` knobs.
    pub fn bundle_without_one_time_prekey(&mut self) -> PreKeyBundle {
        self.make_bundle(None)
    }

    fn make_bundle(&mut self, one_time_pre_key: Option<(u32, PublicKey)>) -> PreKeyBundle {
        let (spk_id, spk_pub, sig) = match self.signed_prekeys.get(&self.current_signed_prekey) {
            Some(r) => (r.id, r.key_pair.public, r.signature.to_vec()),
            None => (
                self.current_signed_prekey,
                *self.identity.public(),
                Vec::new(),
            ),
        };
        let mut b = PreKeyBundle {
            registration_id: self.registration_id,
            device_id: self.device_id,
            identity_key: *self.identity.public(),
            signed_pre_key_id: spk_id,
            signed_pre_key: spk_pub,
            signed_pre_key_signature: sig,
            one_time_pre_key,
        };
        if let Some(seed) = self.knobs.bundle_substitute_identity {
            let fake = IdentityKeyPair::from_private_bytes(seed);
            b.identity_key = *fake.public();
            b.signed_pre_key_signature = fake
                .private()
                .sign(&spk_pub.serialize(), self.rng.rng())
                .to_vec();
        }
        if self.knobs.bundle_bad_signature {
            if let Some(byte) = b.signed_pre_key_signature.get_mut(10) {
                *byte ^= 0x01;
            }
        }
        b
    }
}
