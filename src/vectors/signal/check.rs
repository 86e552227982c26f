//! The verifier of a vector file: each kind of vector recomputed with the
//! peer's Signal engine.

use super::fields::{bytes, key32, public, same};
use super::model::{parse, VectorBody};
use crate::peer::signal::fingerprint::safety_number;
use crate::peer::signal::kdf::{ChainKey, RootKey};
use crate::peer::signal::x3dh::{initialize_alice, initialize_bob, AliceParams};
use crate::peer::signal::{IdentityKeyPair, KeyPair, PrivateKey};
use crate::vectors::{VectorCheck, VectorStatus};

/// The most safety-number iterations a vector may ask for (each is a
/// SHA-512; libsignal uses 5200).
pub const MAX_FINGERPRINT_ITERATIONS: u32 = 100_000;

fn check(body: &VectorBody) -> Result<(), String> {
    match body {
        VectorBody::Curve25519Agreement {
            private_a,
            public_a,
            private_b,
            public_b,
            shared,
        } => {
            let a = KeyPair::from_private_bytes(key32(private_a)?);
            let b = KeyPair::from_private_bytes(key32(private_b)?);
            same("public_a", &a.public.serialize(), public_a)?;
            same("public_b", &b.public.serialize(), public_b)?;
            let ab = a
                .private
                .agree(&public(public_b)?)
                .map_err(|e| e.to_string())?;
            let ba = b
                .private
                .agree(&public(public_a)?)
                .map_err(|e| e.to_string())?;
            same("shared (a,B)", &ab, shared)?;
            same("shared (b,A)", &ba, shared)
        }
        VectorBody::Curve25519Signature {
            public: key,
            message,
            signature,
        } => {
            let key = public(key)?;
            let message = bytes(message)?;
            let signature = bytes(signature)?;
            key.verify(&message, &signature)
                .map_err(|e| format!("the signature does not verify: {e}"))?;
            // As libsignal-protocol-c's test does: each byte flipped fails.
            for i in 0..signature.len() {
                let mut bent = signature.clone();
                bent[i] ^= 0x01;
                if key.verify(&message, &bent).is_ok() {
                    return Err(format!(
                        "the signature still verifies with byte {i} flipped"
                    ));
                }
            }
            Ok(())
        }
        VectorBody::NumericFingerprint {
            iterations,
            local_id,
            local_identity,
            remote_id,
            remote_identity,
            displayable,
        } => {
            // A hostile count would hash for hours; libsignal uses 5200.
            if *iterations > MAX_FINGERPRINT_ITERATIONS {
                return Err(format!(
                    "{iterations} fingerprint iterations; at most {MAX_FINGERPRINT_ITERATIONS} are replayed"
                ));
            }
            let (l, r) = (public(local_identity)?, public(remote_identity)?);
            let ours = safety_number(
                *iterations,
                local_id.as_bytes(),
                &l,
                remote_id.as_bytes(),
                &r,
            );
            let theirs = safety_number(
                *iterations,
                remote_id.as_bytes(),
                &r,
                local_id.as_bytes(),
                &l,
            );
            if ours != *displayable || theirs != *displayable {
                return Err(format!(
                    "safety numbers {ours} / {theirs}, expected {displayable}"
                ));
            }
            Ok(())
        }
        VectorBody::ChainKey {
            chain_key,
            index,
            cipher_key,
            mac_key,
            iv,
            next_chain_key,
        } => {
            let ck = ChainKey::new(key32(chain_key)?, *index);
            let mk = ck.message_keys();
            same("cipher_key", &mk.cipher_key, cipher_key)?;
            same("mac_key", &mk.mac_key, mac_key)?;
            if let Some(iv) = iv {
                same("iv", &mk.iv, iv)?;
            }
            let next = ck.next().map_err(|e| e.to_string())?;
            same("next_chain_key", &next.key, next_chain_key)?;
            if next.index != index + 1 || mk.counter != *index {
                return Err("chain indices do not advance by one".into());
            }
            Ok(())
        }
        VectorBody::RootKeyStep {
            root_key,
            their_ratchet_public,
            our_ratchet_private,
            new_root_key,
            new_chain_key,
        } => {
            let (root, chain) = RootKey(key32(root_key)?)
                .create_chain(
                    &public(their_ratchet_public)?,
                    &PrivateKey::from_bytes(key32(our_ratchet_private)?),
                )
                .map_err(|e| e.to_string())?;
            same("new_root_key", &root.0, new_root_key)?;
            same("new_chain_key", &chain.key, new_chain_key)
        }
        VectorBody::X3dhBob {
            bob_identity_private,
            bob_signed_prekey_private,
            bob_one_time_prekey_private,
            alice_identity_public,
            alice_base_public,
            root_key,
            chain_key,
        } => {
            let otp = match bob_one_time_prekey_private {
                Some(k) => Some(KeyPair::from_private_bytes(key32(k)?)),
                None => None,
            };
            let state = initialize_bob(
                &IdentityKeyPair::from_private_bytes(key32(bob_identity_private)?),
                &KeyPair::from_private_bytes(key32(bob_signed_prekey_private)?),
                otp.as_ref(),
                &public(alice_identity_public)?,
                &public(alice_base_public)?,
            )
            .map_err(|e| e.to_string())?;
            if let Some(root_key) = root_key {
                same("root_key", &state.root_key.0, root_key)?;
            }
            same(
                "Bob's first sending chain key",
                &state.sender_chain.chain_key.key,
                chain_key,
            )
        }
        VectorBody::X3dhAlice {
            alice_identity_private,
            alice_base_private,
            bob_identity_public,
            bob_signed_prekey_public,
            bob_one_time_prekey_public,
            chain_key,
        } => {
            let otp = match bob_one_time_prekey_public {
                Some(k) => Some(public(k)?),
                None => None,
            };
            let spk = public(bob_signed_prekey_public)?;
            let state = initialize_alice(AliceParams {
                our_identity: &IdentityKeyPair::from_private_bytes(key32(alice_identity_private)?),
                our_base_key: &KeyPair::from_private_bytes(key32(alice_base_private)?),
                // Any key: the receiving chain does not depend on it.
                our_sending_ratchet: KeyPair::from_private_bytes([0x42; 32]),
                their_identity: &public(bob_identity_public)?,
                their_signed_pre_key: &spk,
                their_one_time_pre_key: otp.as_ref(),
            })
            .map_err(|e| e.to_string())?;
            let receiving = state
                .receiver_chains
                .iter()
                .find(|c| c.ratchet_key == spk)
                .ok_or("no receiving chain on Bob's signed prekey")?;
            same(
                "Alice's receiving chain key",
                &receiving.chain_key.key,
                chain_key,
            )
        }
        VectorBody::SessionTranscript(t) => t.replay().map(|_| ()),
    }
}

pub fn verify_text(file: &str, text: &str) -> Vec<VectorCheck> {
    let parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err(message) => return crate::vectors::file_failure(file, message),
    };
    parsed
        .vectors
        .iter()
        .map(|v| VectorCheck {
            file: file.to_string(),
            name: v.name.clone(),
            status: match check(&v.body) {
                Ok(()) => VectorStatus::Pass,
                Err(why) => VectorStatus::Fail(why),
            },
        })
        .collect()
}
