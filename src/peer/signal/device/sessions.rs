//! Sessions by address: built from a bundle (Alice) or a
//! PreKeySignalMessage (Bob), then used to encrypt and decrypt. A failed
//! decryption changes nothing.

use super::super::error::{PreKeyKind, SignalError};
use super::super::ratchet;
use super::super::state::{PendingPreKey, SessionRecord};
use super::super::wire::{PreKeySignalMessage, SignalMessage};
use super::super::x3dh::{initialize_alice, initialize_bob, AliceParams, PreKeyBundle};
use super::{Address, Device, MessageType};

impl Device {
    pub fn has_session(&self, addr: &Address) -> bool {
        self.sessions.get(addr).is_some_and(|r| r.current.is_some())
    }

    /// Read access for assertions and transcripts.
    pub fn session(&self, addr: &Address) -> Option<&SessionRecord> {
        self.sessions.get(addr)
    }

    /// Forget every session state for `addr` (its trusted identity stays).
    /// Returns whether there was one.
    pub fn delete_session(&mut self, addr: &Address) -> bool {
        self.sessions.remove(addr).is_some()
    }

    /// Alice: build a session from a served bundle.
    // libsignal-protocol-java SessionBuilder.process(PreKeyBundle).
    pub fn process_bundle(
        &mut self,
        addr: &Address,
        bundle: &PreKeyBundle,
    ) -> Result<(), SignalError> {
        self.check_trust(addr, &bundle.identity_key)?;
        if !self.config.defects.skip_signature_check {
            bundle.verify_signature()?;
        }

        let mut rng = self.rng.clone();
        let base = rng.next_key_pair();
        let sending = rng.next_key_pair();
        let otp = bundle.one_time_pre_key.map(|(_, k)| k);
        let mut state = initialize_alice(AliceParams {
            our_identity: &self.identity,
            our_base_key: &base,
            our_sending_ratchet: sending,
            their_identity: &bundle.identity_key,
            their_signed_pre_key: &bundle.signed_pre_key,
            their_one_time_pre_key: otp.as_ref(),
        })?;
        state.pending_prekey = Some(PendingPreKey {
            pre_key_id: bundle.one_time_pre_key.map(|(id, _)| id),
            signed_pre_key_id: bundle.signed_pre_key_id,
            base_key: base.public,
        });
        state.local_registration_id = self.registration_id;
        state.remote_registration_id = bundle.registration_id;

        let max = self.config.max_archived_states;
        self.sessions
            .entry(addr.clone())
            .or_default()
            .promote(state, max);
        self.trusted.insert(addr.clone(), bundle.identity_key);
        self.rng = rng;
        Ok(())
    }

    /// Encrypt for `addr`. Message knobs act on a scratch copy of the session.
    pub fn encrypt(
        &mut self,
        addr: &Address,
        plaintext: &[u8],
    ) -> Result<(MessageType, Vec<u8>), SignalError> {
        let state = self
            .sessions
            .get_mut(addr)
            .and_then(|r| r.current.as_mut())
            .ok_or(SignalError::NoSession)?;
        let out = if self.knobs.affects_messages() {
            let mut scratch = state.clone();
            ratchet::encrypt(&mut scratch, plaintext, &self.knobs, &self.config)?
        } else {
            ratchet::encrypt(state, plaintext, &self.knobs, &self.config)?
        };
        let t = if out.prekey {
            MessageType::PreKey
        } else {
            MessageType::Whisper
        };
        Ok((t, out.bytes))
    }

    /// Decrypt bytes from `addr`. On any error nothing (sessions, prekeys,
    /// trusted identities, RNG) changes.
    pub fn decrypt(
        &mut self,
        addr: &Address,
        message_type: MessageType,
        bytes: &[u8],
    ) -> Result<Vec<u8>, SignalError> {
        let mut rng = self.rng.clone();
        match message_type {
            MessageType::Whisper => {
                let msg = if self.config.ignore_trailing_key_bytes {
                    SignalMessage::parse_ignoring_trailing_key_bytes(
                        bytes,
                        self.config.max_body_len,
                    )?
                } else {
                    SignalMessage::parse(bytes, self.config.max_body_len)?
                };
                let mut record = self
                    .sessions
                    .get(addr)
                    .cloned()
                    .ok_or(SignalError::NoSession)?;
                match ratchet::decrypt_record(&mut record, &msg, &self.config, &mut rng) {
                    Ok(pt) => {
                        self.sessions.insert(addr.clone(), record);
                        self.rng = rng;
                        Ok(pt)
                    }
                    Err(SignalError::BadMac) if self.config.defects.commit_before_mac => {
                        self.sessions.insert(addr.clone(), record);
                        Err(SignalError::BadMac)
                    }
                    Err(e) => Err(e),
                }
            }
            MessageType::PreKey => {
                let msg = if self.config.ignore_trailing_key_bytes {
                    PreKeySignalMessage::parse_ignoring_trailing_key_bytes(
                        bytes,
                        self.config.max_body_len,
                    )?
                } else {
                    PreKeySignalMessage::parse(bytes, self.config.max_body_len)?
                };
                // SessionBuilder.process(SessionRecord, PreKeySignalMessage): trust check first.
                self.check_trust(addr, &msg.identity_key)?;
                let mut record = self.sessions.get(addr).cloned().unwrap_or_default();
                let consumed = self.set_up_from_prekey_message(&mut record, &msg)?;
                let pt = match ratchet::decrypt_record(
                    &mut record,
                    &msg.message,
                    &self.config,
                    &mut rng,
                ) {
                    Ok(pt) => pt,
                    Err(SignalError::BadMac)
                        if self.config.defects.keep_session_of_bad_prekey_message =>
                    {
                        self.sessions.insert(addr.clone(), record);
                        return Err(SignalError::BadMac);
                    }
                    Err(e) => return Err(e),
                };
                self.sessions.insert(addr.clone(), record);
                if let Some(id) = consumed {
                    self.one_time_prekeys.remove(&id);
                }
                self.trusted.insert(addr.clone(), msg.identity_key);
                self.rng = rng;
                Ok(pt)
            }
        }
    }

    /// Bob's side of X3DH into `record` (unless a state for this base key exists).
    /// Returns the one-time prekey id to delete once decryption succeeds.
    // libsignal-protocol-java SessionBuilder.processV3.
    fn set_up_from_prekey_message(
        &self,
        record: &mut SessionRecord,
        msg: &PreKeySignalMessage,
    ) -> Result<Option<u32>, SignalError> {
        if record.has_state_for_base_key(msg.version, &msg.base_key) {
            return Ok(None);
        }
        let spk =
            self.signed_prekeys
                .get(&msg.signed_pre_key_id)
                .ok_or(SignalError::InvalidKeyId {
                    kind: PreKeyKind::Signed,
                    id: msg.signed_pre_key_id,
                })?;
        let otp =
            match msg.pre_key_id {
                Some(id) => Some(self.one_time_prekeys.get(&id).ok_or(
                    SignalError::InvalidKeyId {
                        kind: PreKeyKind::OneTime,
                        id,
                    },
                )?),
                None => None,
            };
        let mut state = initialize_bob(
            &self.identity,
            &spk.key_pair,
            otp,
            &msg.identity_key,
            &msg.base_key,
        )?;
        state.local_registration_id = self.registration_id;
        state.remote_registration_id = msg.registration_id;
        record.promote(state, self.config.max_archived_states);
        Ok(msg.pre_key_id)
    }
}
