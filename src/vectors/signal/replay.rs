//! A session transcript replayed through two peer devices with every key
//! fixed.

use super::fields::{bytes, key32, same};
use super::model::{Party, Transcript};
use crate::peer::signal::x3dh::PreKeyBundle;
use crate::peer::signal::{
    Address, Device, IdentityKeyPair, KeyPair, MessageType, SignedPreKeyRecord,
};

impl Transcript {
    pub fn alice_address(&self) -> Address {
        Address::new(self.alice.name.clone(), self.alice.device_id)
    }

    pub fn bob_address(&self) -> Address {
        Address::new(self.bob.name.clone(), self.bob.device_id)
    }

    /// A device with every key of `party` fixed.
    pub fn device(party: &Party) -> Result<Device, String> {
        let identity = IdentityKeyPair::from_private_bytes(key32(&party.identity_private)?);
        // The seed only feeds what the vector does not fix (nothing the
        // transcript uses).
        let mut device = Device::with_identity(
            identity,
            [0u8; 32],
            party.name.as_bytes(),
            party.registration_id,
            party.device_id,
        );
        if let (Some(id), Some(private), Some(signature)) = (
            party.signed_prekey_id,
            &party.signed_prekey_private,
            &party.signed_prekey_signature,
        ) {
            device.remove_signed_prekey(1);
            device.install_signed_prekey(SignedPreKeyRecord {
                id,
                key_pair: KeyPair::from_private_bytes(key32(private)?),
                signature: bytes(signature)?
                    .try_into()
                    .map_err(|_| "signed_prekey_signature is not 64 bytes".to_string())?,
            });
        }
        for prekey in &party.one_time_prekeys {
            device.add_one_time_prekey(
                prekey.id,
                KeyPair::from_private_bytes(key32(&prekey.private)?),
            );
        }
        let mut ephemerals = Vec::new();
        for e in &party.ephemeral_privates {
            ephemerals.push(key32(e)?);
        }
        device.script_ephemerals(ephemerals);
        Ok(device)
    }

    /// Replays the transcript through two peer devices: every ciphertext must
    /// be produced byte for byte and decrypt to its plaintext.
    pub fn replay(&self) -> Result<usize, String> {
        let mut alice = Self::device(&self.alice)?;
        let mut bob = Self::device(&self.bob)?;
        let (a, b) = (self.alice_address(), self.bob_address());
        let bundle: PreKeyBundle = if self.with_one_time_prekey {
            bob.bundle()
        } else {
            bob.bundle_without_one_time_prekey()
        };
        alice
            .process_bundle(&b, &bundle)
            .map_err(|e| format!("Alice refused Bob's bundle: {e}"))?;
        for (i, m) in self.messages.iter().enumerate() {
            let (sender, receiver, to, from) = match m.from.as_str() {
                "alice" => (&mut alice, &mut bob, &b, &a),
                "bob" => (&mut bob, &mut alice, &a, &b),
                other => return Err(format!("message {i}: unknown sender {other:?}")),
            };
            let plaintext = bytes(&m.plaintext)?;
            let (t, ciphertext) = sender
                .encrypt(to, &plaintext)
                .map_err(|e| format!("message {i}: encrypt: {e}"))?;
            if t.wire_type() != m.message_type {
                return Err(format!(
                    "message {i}: type {}, expected {}",
                    t.wire_type(),
                    m.message_type
                ));
            }
            same(
                &format!("message {i} ciphertext"),
                &ciphertext,
                &m.ciphertext,
            )?;
            let t = MessageType::from_wire_type(m.message_type).map_err(|e| e.to_string())?;
            let got = receiver
                .decrypt(from, t, &ciphertext)
                .map_err(|e| format!("message {i}: decrypt: {e}"))?;
            same(&format!("message {i} plaintext"), &got, &m.plaintext)?;
        }
        Ok(self.messages.len())
    }
}
