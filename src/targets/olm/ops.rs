//! The e2ee adapter operations over vodozemac's Olm (docs/olm.md).
//!
//! What vodozemac leaves to its caller is done here: prekey signatures
//! ([`super::keys`]), trust on first use, the sender/recipient envelope
//! ([`super::envelope`]), and keeping a refused message from changing
//! anything: every decryption runs on a copy of the session or account and
//! is committed only when the envelope checks pass (docs/adapter.md
//! §Refusals; vodozemac's `create_inbound_session` removes the one-time key
//! as soon as the inner message decrypts, src/olm/account/mod.rs:315-324).

use rand::Rng;
use vodozemac::olm::{Message, OlmMessage, PreKeyMessage, SessionConfig};
use vodozemac::Ed25519PublicKey;

use super::device::{session_copy, Device, Trusted};
use super::envelope::Envelope;
use super::keys::{self, ReadBundle, CURVE_LEN};
use super::refusal;
use crate::adapter::proto::{E2eeDescribeResult, ErrorCategory};
use crate::peer::signal::Address;
use crate::targets::e2ee::{Bundle, Created, E2eeOps, NewDevice, Refusal};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The adapter's message types (docs/e2ee.md, proto `E2eeEncryptResult`):
/// 3 opens a session, 2 is an ordinary message. Olm's own are 0 (pre-key)
/// and 1 (normal) (vodozemac src/olm/messages/mod.rs:127-132; client-server
/// API end_to_end_encryption.md 1747-1749).
pub const OPENING_TYPE: u32 = 3;
pub const ORDINARY_TYPE: u32 = 2;

/// The e2ee operations on vodozemac's accounts.
pub struct OlmOps {
    /// Largest ciphertext body (`Configure.e2ee.max_body_len`): the
    /// target's own bound; vodozemac sets none.
    pub max_body_len: usize,
    /// One of `builtin:olm`'s mutants (src/targets/mutants/rows/olm.rs).
    pub mutant: Option<Mutant>,
    /// One of its variants (src/targets/variants.rs, base Olm).
    pub variant: Option<Variant>,
}

impl OlmOps {
    fn has(&self, defect: Mutant) -> bool {
        self.mutant == Some(defect)
    }

    /// Trust on first use is kept (not by `olm-accepts-changed-identity`).
    fn checks_trust(&self) -> bool {
        !self.has(Mutant::OlmAcceptsChangedIdentity)
    }
}

/// The mutant `olm-leaks-plaintext`'s message without its trailing
/// plaintext preview (unchanged when the trailer does not fit).
fn strip_preview(bytes: &[u8]) -> &[u8] {
    let Some(split) = bytes.len().checked_sub(4) else {
        return bytes;
    };
    let mut len = [0u8; 4];
    len.copy_from_slice(&bytes[split..]);
    match split.checked_sub(u32::from_be_bytes(len) as usize) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

fn refuse(category: ErrorCategory, detail: impl Into<String>) -> Refusal {
    Refusal::new(category, detail)
}

/// Refuses an identity other than the one trusted for `remote`.
fn check_trust(
    device: &Device,
    remote: &Address,
    curve: &vodozemac::Curve25519PublicKey,
    ed: Option<&Ed25519PublicKey>,
) -> Result<(), Refusal> {
    let Some(trusted) = device.trusted.get(remote) else {
        return Ok(());
    };
    let ed_differs = matches!((trusted.ed.as_ref(), ed), (Some(a), Some(b)) if a != b);
    if &trusted.curve != curve || ed_differs {
        return Err(refuse(
            ErrorCategory::UntrustedIdentity,
            format!(
                "{}.{} has another identity than the one trusted; approve it first",
                remote.name, remote.device_id
            ),
        ));
    }
    Ok(())
}

/// Checks the envelope of a decrypted message from `remote` to `device`;
/// the body and the sender's Ed25519 key. Changes nothing.
fn open(
    device: &Device,
    remote: &Address,
    plaintext: &[u8],
    check_trust: bool,
) -> Result<(Vec<u8>, Ed25519PublicKey), Refusal> {
    let e =
        Envelope::decode(plaintext).map_err(|why| refuse(ErrorCategory::MalformedInput, why))?;
    if &e.sender != remote {
        return Err(refuse(
            ErrorCategory::Unauthenticated,
            format!(
                "the envelope names sender {}.{}, not {}.{}",
                e.sender.name, e.sender.device_id, remote.name, remote.device_id
            ),
        ));
    }
    if e.recipient != device.address || e.recipient_ed25519 != *device.identity.ed.as_bytes() {
        return Err(refuse(
            ErrorCategory::WrongAudience,
            "the envelope names another recipient (address or Ed25519 key)",
        ));
    }
    let sender_ed = keys::ed_key(&e.sender_ed25519)?;
    if let (
        true,
        Some(Trusted {
            ed: Some(trusted), ..
        }),
    ) = (check_trust, device.trusted.get(remote))
    {
        if trusted != &sender_ed {
            return Err(refuse(
                ErrorCategory::UntrustedIdentity,
                "the envelope's sender Ed25519 key is not the one trusted",
            ));
        }
    }
    Ok((e.body, sender_ed))
}

impl OlmOps {
    fn decrypt_opening(
        &self,
        device: &mut Device,
        remote: &Address,
        bytes: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let message = PreKeyMessage::from_bytes(bytes).map_err(refusal::decode)?;
        let curve = message.identity_key();
        if self.checks_trust() {
            check_trust(device, remote, &curve, None)?;
        }
        // A pre-key message of a session already made (the initiator sends
        // pre-key messages until it hears back): route it by session id,
        // never to a new session (client-server API 1755-1761).
        let session_id = message.session_id();
        let existing = device
            .sessions
            .get(remote)
            .and_then(|list| list.iter().position(|s| s.session_id() == session_id));
        if let Some(index) = existing {
            let mut copy = device
                .sessions
                .get(remote)
                .and_then(|list| list.get(index))
                .map(session_copy)
                .ok_or_else(|| Refusal::Internal("session vanished".into()))?;
            let plaintext = copy
                .decrypt(&OlmMessage::PreKey(message))
                .map_err(refusal::decryption)?;
            let (body, ed) = open(device, remote, &plaintext, self.checks_trust())?;
            if let Some(slot) = device
                .sessions
                .get_mut(remote)
                .and_then(|l| l.get_mut(index))
            {
                *slot = copy;
            }
            device.trusted.insert(
                remote.clone(),
                Trusted {
                    curve,
                    ed: Some(ed),
                },
            );
            return Ok(body);
        }
        // A new session, made on a copy of the account: committed (one-time
        // key removed, session kept, identity pinned) only once the envelope
        // is checked.
        let mut account = device.account_copy();
        let created = account
            .create_inbound_session(SessionConfig::version_1(), curve, &message)
            .map_err(refusal::creation)?;
        let (body, ed) = open(device, remote, &created.plaintext, self.checks_trust())?;
        // The defect `olm-keeps-used-one-time-key`: the account copy that
        // lost the one-time key is dropped.
        if !self.has(Mutant::OlmKeepsUsedOneTimeKey) {
            device.account = account;
        }
        device.add_session(remote, created.session);
        device.trusted.insert(
            remote.clone(),
            Trusted {
                curve,
                ed: Some(ed),
            },
        );
        Ok(body)
    }

    fn decrypt_ordinary(
        &self,
        device: &mut Device,
        remote: &Address,
        bytes: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let message = OlmMessage::Normal(Message::from_bytes(bytes).map_err(refusal::decode)?);
        let sessions = device
            .sessions
            .get(remote)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if sessions.is_empty() {
            return Err(refuse(
                ErrorCategory::NotFound,
                "no session with this address",
            ));
        }
        // Trial decryption against the remote's sessions (client-server
        // API 1755-1765), newest first (this target's order), each on a
        // copy.
        let mut first_refusal = None;
        let mut found = None;
        for (index, session) in sessions.iter().enumerate() {
            let mut copy = session_copy(session);
            match copy.decrypt(&message) {
                Ok(plaintext) => {
                    found = Some((index, copy, plaintext));
                    break;
                }
                Err(e) => {
                    first_refusal.get_or_insert(refusal::decryption(e));
                }
            }
        }
        let Some((index, copy, plaintext)) = found else {
            return Err(first_refusal
                .unwrap_or_else(|| refuse(ErrorCategory::BadMac, "no session decrypts it")));
        };
        let (body, ed) = open(device, remote, &plaintext, self.checks_trust())?;
        if let Some(slot) = device
            .sessions
            .get_mut(remote)
            .and_then(|l| l.get_mut(index))
        {
            *slot = copy;
        }
        if let Some(t) = device.trusted.get_mut(remote) {
            t.ed.get_or_insert(ed);
        }
        Ok(body)
    }
}

impl E2eeOps for OlmOps {
    type Device = Device;
    type Remote = Address;
    type Bundle = ReadBundle;

    fn remote(&self, address: &Address) -> Result<Address, Refusal> {
        Ok(address.clone())
    }

    /// vodozemac's `Account::new` draws from the OS RNG and takes no keys
    /// (src/olm/account/mod.rs:144): no E2EE_FIXED_KEYS.
    fn takes_fixed_keys(&self) -> bool {
        false
    }

    /// Matrix compares devices by SAS, not Signal's numeric fingerprint.
    fn shows_safety_numbers(&self) -> bool {
        false
    }

    fn describe(&self) -> Result<E2eeDescribeResult, Refusal> {
        // The mutants name more than vodozemac keeps.
        let max_skipped_keys = if self.has(Mutant::OlmDeclaresSignalBounds) {
            2000
        } else if self.has(Mutant::OlmOverstatesSkippedKeys) {
            48
        } else {
            super::OLM_MAX_SKIPPED_KEYS_PER_CHAIN
        };
        Ok(E2eeDescribeResult {
            max_forward_jump: super::OLM_MAX_FORWARD_JUMP,
            max_skipped_keys,
            protocol: format!("Olm v1 (vodozemac {})", super::VODOZEMAC_VERSION),
        })
    }

    fn clones_devices(&self) -> bool {
        true
    }

    fn one_refusal_category(&self) -> bool {
        self.variant == Some(Variant::OlmOneRefusalCategory)
    }

    fn clone_device(&self, device: &mut Device) -> Result<Device, Refusal> {
        Ok(device.copy())
    }

    fn create_device(&self, new: NewDevice) -> Result<(Device, Created), Refusal> {
        // Olm has no registration id; one is echoed, or drawn like
        // libsignal's KeyHelper.generateRegistrationId (14 bits, never 0).
        let registration_id = match new.registration_id {
            0 => rand::thread_rng().gen_range(1..=16380),
            id => id,
        };
        let device = Device::new(new.address, registration_id, new.one_time_prekeys);
        let created = Created {
            identity_key: device.identity.curve.to_vec(),
            registration_id,
        };
        Ok((device, created))
    }

    fn bundle(&self, device: &mut Device, with_one_time_prekey: bool) -> Bundle {
        let one_time = if !with_one_time_prekey {
            None
        } else if self.has(Mutant::OlmReusesOneTimeKey) {
            // The defect: the served-key counter never moves.
            device.unserved.front().cloned()
        } else {
            device.unserved.pop_front()
        };
        Bundle {
            registration_id: device.registration_id,
            device_id: device.address.device_id,
            identity_key: device.identity.to_bytes(),
            signed_prekey_id: device.fallback.id,
            signed_prekey: device.fallback.key.to_vec(),
            signed_prekey_signature: device.fallback.signature.to_vec(),
            one_time_prekey: one_time.map(|k| (k.id, keys::one_time_field(&k))),
        }
    }

    fn read_bundle(&self, bundle: Bundle) -> Result<ReadBundle, Refusal> {
        keys::read_bundle(&bundle, !self.has(Mutant::OlmSkipsKeySignatureCheck))
    }

    fn process_bundle(
        &self,
        device: &mut Device,
        remote: &Address,
        bundle: ReadBundle,
    ) -> Result<(), Refusal> {
        let identity = bundle.identity;
        if self.checks_trust() {
            check_trust(device, remote, &identity.curve, Some(&identity.ed))?;
        }
        // The defect `olm-ignores-one-time-key`: the fallback key always.
        let prekey = if self.has(Mutant::OlmIgnoresOneTimeKey) {
            bundle.fallback
        } else {
            bundle.prekey
        };
        let session = device
            .account
            .create_outbound_session(SessionConfig::version_1(), identity.curve, prekey)
            .map_err(refusal::creation)?;
        device.add_session(remote, session);
        device.trusted.insert(
            remote.clone(),
            Trusted {
                curve: identity.curve,
                ed: Some(identity.ed),
            },
        );
        Ok(())
    }

    fn max_body_len(&self, _device: &Device) -> usize {
        self.max_body_len
    }

    fn encrypt(
        &self,
        device: &mut Device,
        remote: &Address,
        plaintext: &[u8],
    ) -> Result<(u32, Vec<u8>), Refusal> {
        if device.sessions.get(remote).is_none_or(Vec::is_empty) {
            return Err(refuse(
                ErrorCategory::NotFound,
                "no session with this address",
            ));
        }
        let recipient_ed = device
            .trusted
            .get(remote)
            .and_then(|t| t.ed)
            .ok_or_else(|| {
                refuse(
                    ErrorCategory::InvalidState,
                    "the recipient's Ed25519 key is not known yet",
                )
            })?;
        let envelope = Envelope {
            sender: device.address.clone(),
            recipient: remote.clone(),
            sender_ed25519: *device.identity.ed.as_bytes(),
            recipient_ed25519: *recipient_ed.as_bytes(),
            body: plaintext.to_vec(),
        }
        .encode();
        let Some(session) = device.sessions.get_mut(remote).and_then(|l| l.first_mut()) else {
            return Err(refuse(
                ErrorCategory::NotFound,
                "no session with this address",
            ));
        };
        // On a copy: a ciphertext over the bound is refused with the
        // session unchanged.
        let mut copy = session_copy(session);
        let message = copy
            .encrypt(&envelope)
            .map_err(|e| Refusal::Internal(format!("vodozemac could not encrypt: {e}")))?;
        let (olm_type, bytes) = message.to_parts();
        if bytes.len() > self.max_body_len {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!(
                    "the ciphertext would be {} bytes, over {}",
                    bytes.len(),
                    self.max_body_len
                ),
            ));
        }
        *session = copy;
        let mut bytes = bytes;
        // The defect `olm-leaks-plaintext`: a plaintext "preview" after the
        // Olm message, its length last.
        if self.has(Mutant::OlmLeaksPlaintext) {
            bytes.extend_from_slice(plaintext);
            bytes.extend_from_slice(&(plaintext.len() as u32).to_be_bytes());
        }
        let kind = if olm_type == 0 {
            OPENING_TYPE
        } else {
            ORDINARY_TYPE
        };
        Ok((kind, bytes))
    }

    fn decrypt(
        &self,
        device: &mut Device,
        remote: &Address,
        message_type: u32,
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        if ciphertext.len() > self.max_body_len {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                format!("ciphertext over {} bytes", self.max_body_len),
            ));
        }
        let ciphertext = if self.has(Mutant::OlmLeaksPlaintext) {
            strip_preview(ciphertext)
        } else {
            ciphertext
        };
        match message_type {
            OPENING_TYPE => self.decrypt_opening(device, remote, ciphertext),
            ORDINARY_TYPE => self.decrypt_ordinary(device, remote, ciphertext),
            other => Err(Refusal::malformed(format!(
                "message type {other}: this target reads 3 (Olm pre-key) and 2 (Olm normal)"
            ))),
        }
    }

    fn safety_number(&self, _device: &mut Device, _remote: &Address) -> Result<String, Refusal> {
        Err(Refusal::Unsupported(
            "Olm devices are compared by SAS, not Signal's safety number (no E2EE_SAFETY_NUMBERS)"
                .into(),
        ))
    }

    /// Takes the bundle's identity field (Curve25519 ‖ Ed25519, 64 bytes)
    /// or the Curve25519 key `E2eeCreateDevice` answers (32 bytes); in the
    /// latter case the Ed25519 key is kept if the Curve25519 key is the
    /// trusted one, else learnt from the next bundle or envelope.
    fn approve_identity(
        &self,
        device: &mut Device,
        remote: &Address,
        identity_key: &[u8],
    ) -> Result<(), Refusal> {
        let trusted = if identity_key.len() == CURVE_LEN {
            let curve = keys::curve_key(identity_key)?;
            let ed = device
                .trusted
                .get(remote)
                .filter(|t| t.curve == curve)
                .and_then(|t| t.ed);
            Trusted { curve, ed }
        } else {
            let identity = keys::Identity::from_bytes(identity_key)?;
            Trusted {
                curve: identity.curve,
                ed: Some(identity.ed),
            }
        };
        device.trusted.insert(remote.clone(), trusted);
        Ok(())
    }

    /// Drops every session with `remote`; the trusted identity stays.
    fn delete_session(&self, device: &mut Device, remote: &Address) -> bool {
        device
            .sessions
            .remove(remote)
            .is_some_and(|l| !l.is_empty())
    }
}
