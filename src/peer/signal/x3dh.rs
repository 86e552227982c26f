//! X3DH session set-up as libsignal's RatchetingSession does it, for both the
//! initiator ("Alice", from a prekey bundle) and the responder ("Bob", from a
//! PreKeySignalMessage).

use std::collections::VecDeque;

use zeroize::Zeroize;

use super::error::SignalError;
use super::kdf::{hkdf_sha256, split_root_chain, ChainKey, RootKey, INFO_TEXT};
use super::keys::{IdentityKeyPair, KeyPair, PublicKey};
use super::state::{SenderChain, SessionState};
use super::wire::CURRENT_VERSION;

/// 32 bytes of 0xFF prefixed to the DH outputs.
// libsignal-protocol-java RatchetingSession.getDiscontinuityBytes: 32 x 0xFF; Signal X3DH spec §2.2 (F).
pub const DISCONTINUITY: [u8; 32] = [0xFF; 32];

/// What a server hands out for one device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreKeyBundle {
    pub registration_id: u32,
    pub device_id: u32,
    pub identity_key: PublicKey,
    pub signed_pre_key_id: u32,
    pub signed_pre_key: PublicKey,
    /// Signature by `identity_key` over `signed_pre_key.serialize()` (33 bytes).
    pub signed_pre_key_signature: Vec<u8>,
    pub one_time_pre_key: Option<(u32, PublicKey)>,
}

impl PreKeyBundle {
    /// Check the signed prekey's signature.
    // libsignal-protocol-java SessionBuilder.process(PreKeyBundle): Curve.verifySignature(identity,
    // signedPreKey.serialize(), signature) else "Invalid signature on device key!".
    pub fn verify_signature(&self) -> Result<(), SignalError> {
        self.identity_key.verify(
            &self.signed_pre_key.serialize(),
            &self.signed_pre_key_signature,
        )
    }
}

/// HKDF(salt 32 zeros, ikm = F || DH1 || DH2 || DH3 [|| DH4], info "WhisperText", 64).
pub fn derive_initial(master_secret: &[u8]) -> (RootKey, ChainKey) {
    let mut okm: [u8; 64] = hkdf_sha256(None, master_secret, INFO_TEXT);
    let out = split_root_chain(&okm);
    okm.zeroize();
    out
}

/// Inputs of Alice's side.
pub struct AliceParams<'a> {
    pub our_identity: &'a IdentityKeyPair,
    pub our_base_key: &'a KeyPair,
    /// The fresh ratchet key of Alice's first sending chain.
    pub our_sending_ratchet: KeyPair,
    pub their_identity: &'a PublicKey,
    pub their_signed_pre_key: &'a PublicKey,
    pub their_one_time_pre_key: Option<&'a PublicKey>,
}

/// Alice: X3DH, then the immediate sending ratchet step against Bob's signed
/// prekey (which also serves as Bob's first ratchet key).
// libsignal-protocol-java RatchetingSession.initializeSession(SessionState, AliceSignalProtocolParameters).
pub fn initialize_alice(p: AliceParams<'_>) -> Result<SessionState, SignalError> {
    let mut secrets = Vec::with_capacity(32 * 5);
    secrets.extend_from_slice(&DISCONTINUITY);
    secrets.extend_from_slice(&p.our_identity.private().agree(p.their_signed_pre_key)?);
    secrets.extend_from_slice(&p.our_base_key.private.agree(p.their_identity)?);
    secrets.extend_from_slice(&p.our_base_key.private.agree(p.their_signed_pre_key)?);
    if let Some(otp) = p.their_one_time_pre_key {
        secrets.extend_from_slice(&p.our_base_key.private.agree(otp)?);
    }
    let (root, chain) = derive_initial(&secrets);
    secrets.zeroize();

    let (root, sending_chain) =
        root.create_chain(p.their_signed_pre_key, &p.our_sending_ratchet.private)?;

    let mut receiver_chains = VecDeque::new();
    receiver_chains.push_back(super::state::ReceiverChain {
        ratchet_key: *p.their_signed_pre_key,
        chain_key: chain,
        message_keys: VecDeque::new(),
    });
    Ok(SessionState {
        version: CURRENT_VERSION,
        local_identity: *p.our_identity.public(),
        remote_identity: *p.their_identity,
        root_key: root,
        sender_chain: SenderChain {
            ratchet_key: p.our_sending_ratchet,
            chain_key: sending_chain,
        },
        receiver_chains,
        previous_counter: 0,
        pending_prekey: None,
        local_registration_id: 0,
        remote_registration_id: 0,
        alice_base_key: p.our_base_key.public,
        last_sent_chain_key: None,
    })
}

/// Bob: X3DH; his signed prekey becomes his first sending ratchet key.
// libsignal-protocol-java RatchetingSession.initializeSession(SessionState, BobSignalProtocolParameters);
// SessionBuilder.processV3 sets ourRatchetKey = ourSignedPreKey.
pub fn initialize_bob(
    our_identity: &IdentityKeyPair,
    our_signed_pre_key: &KeyPair,
    our_one_time_pre_key: Option<&KeyPair>,
    their_identity: &PublicKey,
    their_base_key: &PublicKey,
) -> Result<SessionState, SignalError> {
    let mut secrets = Vec::with_capacity(32 * 5);
    secrets.extend_from_slice(&DISCONTINUITY);
    secrets.extend_from_slice(&our_signed_pre_key.private.agree(their_identity)?);
    secrets.extend_from_slice(&our_identity.private().agree(their_base_key)?);
    secrets.extend_from_slice(&our_signed_pre_key.private.agree(their_base_key)?);
    if let Some(otp) = our_one_time_pre_key {
        secrets.extend_from_slice(&otp.private.agree(their_base_key)?);
    }
    let (root, chain) = derive_initial(&secrets);
    secrets.zeroize();

    Ok(SessionState {
        version: CURRENT_VERSION,
        local_identity: *our_identity.public(),
        remote_identity: *their_identity,
        root_key: root,
        sender_chain: SenderChain {
            ratchet_key: our_signed_pre_key.clone(),
            chain_key: chain,
        },
        receiver_chains: VecDeque::new(),
        previous_counter: 0,
        pending_prekey: None,
        local_registration_id: 0,
        remote_registration_id: 0,
        alice_base_key: *their_base_key,
        last_sent_chain_key: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkdf::Hkdf;
    use sha2::Sha256;

    fn kp(b: u8) -> KeyPair {
        KeyPair::from_private_bytes([b; 32])
    }

    fn run(with_otp: bool) {
        let ika = IdentityKeyPair(kp(1));
        let eka = kp(2);
        let ikb = IdentityKeyPair(kp(3));
        let spkb = kp(4);
        let opkb = kp(5);
        let alice_ratchet = kp(6);

        // Independent derivation with x25519-dalek + hkdf directly.
        let dh = |a: &KeyPair, b: &PublicKey| {
            x25519_dalek::StaticSecret::from(*a.private.as_bytes())
                .diffie_hellman(&x25519_dalek::PublicKey::from(*b.as_bytes()))
                .to_bytes()
        };
        let mut ikm = vec![0xFFu8; 32];
        ikm.extend_from_slice(&dh(&ika.0, &spkb.public));
        ikm.extend_from_slice(&dh(&eka, &ikb.0.public));
        ikm.extend_from_slice(&dh(&eka, &spkb.public));
        if with_otp {
            ikm.extend_from_slice(&dh(&eka, &opkb.public));
        }
        let mut okm = [0u8; 64];
        Hkdf::<Sha256>::new(Some(&[0u8; 32]), &ikm)
            .expand(b"WhisperText", &mut okm)
            .unwrap();

        let alice = initialize_alice(AliceParams {
            our_identity: &ika,
            our_base_key: &eka,
            our_sending_ratchet: alice_ratchet.clone(),
            their_identity: ikb.public(),
            their_signed_pre_key: &spkb.public,
            their_one_time_pre_key: with_otp.then_some(&opkb.public),
        })
        .unwrap();
        let bob = initialize_bob(
            &ikb,
            &spkb,
            with_otp.then_some(&opkb),
            ika.public(),
            &eka.public,
        )
        .unwrap();

        // Bob's root/chain are the raw X3DH output.
        assert_eq!(&bob.root_key.0[..], &okm[..32]);
        assert_eq!(&bob.sender_chain.chain_key.key[..], &okm[32..]);
        assert_eq!(bob.sender_chain.ratchet_key.public, spkb.public);
        // Alice receives on Bob's SPK with the X3DH chain key.
        assert_eq!(alice.receiver_chains.len(), 1);
        assert_eq!(alice.receiver_chains[0].ratchet_key, spkb.public);
        assert_eq!(&alice.receiver_chains[0].chain_key.key[..], &okm[32..]);
        // Alice's first sending chain = HKDF(salt = X3DH root, DH(alice ratchet, SPK), "WhisperRatchet").
        let mut okm2 = [0u8; 64];
        Hkdf::<Sha256>::new(Some(&okm[..32]), &dh(&alice_ratchet, &spkb.public))
            .expand(b"WhisperRatchet", &mut okm2)
            .unwrap();
        assert_eq!(&alice.root_key.0[..], &okm2[..32]);
        assert_eq!(&alice.sender_chain.chain_key.key[..], &okm2[32..]);
        assert_eq!(alice.alice_base_key, bob.alice_base_key);
    }

    #[test]
    fn x3dh_with_one_time_prekey_matches_independent_derivation() {
        run(true);
    }

    #[test]
    fn x3dh_without_one_time_prekey_matches_independent_derivation() {
        run(false);
    }
}
