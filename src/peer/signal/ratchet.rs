//! Double Ratchet encrypt/decrypt over a `SessionState`, and the
//! try-current-then-archived decrypt over a `SessionRecord`.
//! Mirrors libsignal-protocol-java SessionCipher (encrypt, decrypt,
//! getOrCreateChainKey, getOrCreateMessageKeys).

use super::cipher;
use super::config::{SignalConfig, SkippedKeyPolicy};
use super::error::SignalError;
use super::kdf::{ChainKey, MessageKeys};
use super::keys::{PublicKey, DJB_TYPE};
use super::keysource::KeySource;
use super::knobs::{BadRatchetKey, LengthChange, SignalKnobs, ORDER8_POINT};
use super::state::{SenderChain, SessionRecord, SessionState};
use super::wire::{compute_mac, PreKeyParts, SignalMessage, SignalMessageParts, VERSION_BYTE};

/// Output of one encryption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    /// True when wrapped in a PreKeySignalMessage (Alice before Bob's first reply).
    pub prekey: bool,
    pub bytes: Vec<u8>,
}

/// Last plaintext byte used by the `invalid_padding` knob: 17 can never be PKCS#7 padding for 16-byte blocks.
const BAD_PAD_BYTE: u8 = 0x11;

fn spoiled_ratchet_key(kind: BadRatchetKey, real: &PublicKey) -> Vec<u8> {
    match kind {
        BadRatchetKey::WrongType => {
            let mut k = real.serialize().to_vec();
            k[0] = DJB_TYPE + 1;
            k
        }
        BadRatchetKey::Truncated => real.serialize()[..32].to_vec(),
        BadRatchetKey::LowOrder => {
            let mut k = vec![DJB_TYPE];
            k.extend_from_slice(&ORDER8_POINT);
            k
        }
        BadRatchetKey::LowOrderPoint(u) => {
            let mut k = vec![DJB_TYPE];
            k.extend_from_slice(&u);
            k
        }
        BadRatchetKey::TrailingBytes(n) => {
            let mut k = real.serialize().to_vec();
            k.resize(k.len() + usize::from(n), 0);
            k
        }
    }
}

/// The IV a body is encrypted under (all zeros under the `constant_iv` defect).
fn body_iv(mk: &MessageKeys, config: &SignalConfig) -> [u8; 16] {
    if config.defects.constant_iv {
        [0u8; 16]
    } else {
        mk.iv
    }
}

fn body(mk: &MessageKeys, plaintext: &[u8], knobs: &SignalKnobs, config: &SignalConfig) -> Vec<u8> {
    if knobs.invalid_padding {
        let mut buf = plaintext.to_vec();
        let target = (buf.len() / cipher::BLOCK + 1) * cipher::BLOCK;
        buf.resize(target, 0);
        if let Some(last) = buf.last_mut() {
            *last = BAD_PAD_BYTE;
        }
        return cipher::encrypt_unpadded(&mk.cipher_key, &body_iv(mk, config), &buf);
    }
    if knobs.oversized_body && plaintext.len() < config.max_body_len {
        let mut buf = plaintext.to_vec();
        buf.resize(config.max_body_len, 0);
        return cipher::encrypt(&mk.cipher_key, &body_iv(mk, config), &buf);
    }
    cipher::encrypt(&mk.cipher_key, &body_iv(mk, config), plaintext)
}

/// Encrypt one message and advance the sending chain of `state`.
/// Knobs bend the output; the caller decides whether `state` is a scratch copy.
pub fn encrypt(
    state: &mut SessionState,
    plaintext: &[u8],
    knobs: &SignalKnobs,
    config: &SignalConfig,
) -> Result<Encrypted, SignalError> {
    let mut chain_key: ChainKey = state.sender_chain.chain_key.clone();
    if let Some(n) = knobs.counter_jump {
        for _ in 0..n {
            chain_key = chain_key.next()?;
        }
    }
    if knobs.reuse_counter {
        if let Some(prev) = &state.last_sent_chain_key {
            chain_key = prev.clone();
        }
    }
    let mk = chain_key.message_keys();

    let ratchet_public = state.sender_chain.ratchet_key.public;
    let parts = SignalMessageParts {
        version_byte: knobs.version_byte.unwrap_or(VERSION_BYTE),
        ratchet_key: match knobs.bad_ratchet_key {
            Some(kind) => spoiled_ratchet_key(kind, &ratchet_public),
            None => ratchet_public.serialize().to_vec(),
        },
        counter: chain_key.index,
        previous_counter: knobs.previous_counter.unwrap_or(state.previous_counter),
        ciphertext: body(&mk, plaintext, knobs, config),
    };
    let mut message = parts.encode_unmacced();
    let (mac_sender, mac_receiver) = if knobs.mac_identities_swapped {
        (&state.remote_identity, &state.local_identity)
    } else {
        (&state.local_identity, &state.remote_identity)
    };
    let mut mac = compute_mac(&mk.mac_key, mac_sender, mac_receiver, &message);
    if knobs.wrong_mac {
        mac[0] ^= 0x01;
    }
    message.extend_from_slice(&mac);

    let (prekey, mut bytes) = match &state.pending_prekey {
        Some(p) => {
            let parts = PreKeyParts {
                version_byte: VERSION_BYTE,
                registration_id: state.local_registration_id,
                pre_key_id: knobs.prekey_one_time_prekey_id.or(p.pre_key_id),
                signed_pre_key_id: knobs.prekey_signed_prekey_id.unwrap_or(p.signed_pre_key_id),
                base_key: p.base_key.serialize().to_vec(),
                identity_key: state.local_identity.serialize().to_vec(),
                message,
            };
            (true, parts.encode())
        }
        None => (false, message),
    };
    match &knobs.length_change {
        Some(LengthChange::Truncate(n)) => bytes.truncate(bytes.len().saturating_sub(*n)),
        Some(LengthChange::Extend(extra)) => bytes.extend_from_slice(extra),
        None => {}
    }

    state.sender_chain.chain_key = chain_key.next()?;
    state.last_sent_chain_key = Some(chain_key);
    Ok(Encrypted { prekey, bytes })
}

/// Find the receiving chain for `their_ratchet`, performing the DH ratchet step
/// (new receiving chain, fresh sending ratchet key) when it is new.
fn get_or_create_chain(
    state: &mut SessionState,
    their_ratchet: &PublicKey,
    config: &SignalConfig,
    keys: &mut KeySource,
) -> Result<usize, SignalError> {
    if let Some(i) = state.receiver_chain_index(their_ratchet) {
        return Ok(i);
    }
    let (root, receiving) = state
        .root_key
        .create_chain(their_ratchet, &state.sender_chain.ratchet_key.private)?;
    if config.defects.never_ratchet {
        state.root_key = root;
        state.add_receiver_chain(*their_ratchet, receiving, config.max_receiver_chains);
        return state
            .receiver_chain_index(their_ratchet)
            .ok_or(SignalError::NoSession);
    }
    let ours = keys.next_key_pair();
    let (root, sending) = root.create_chain(their_ratchet, &ours.private)?;
    state.root_key = root;
    state.add_receiver_chain(*their_ratchet, receiving, config.max_receiver_chains);
    // SessionCipher: setPreviousCounter(Math.max(getSenderChainKey().getIndex() - 1, 0)).
    state.previous_counter = state.sender_chain.chain_key.index.saturating_sub(1);
    state.sender_chain = SenderChain {
        ratchet_key: ours,
        chain_key: sending,
    };
    state.last_sent_chain_key = None;
    state
        .receiver_chain_index(their_ratchet)
        .ok_or(SignalError::NoSession)
}

/// Message keys for `counter` on receiving chain `idx`: a stored skipped key,
/// or step the chain forward (storing the keys skipped on the way).
fn get_or_create_message_keys(
    state: &mut SessionState,
    idx: usize,
    counter: u32,
    config: &SignalConfig,
) -> Result<MessageKeys, SignalError> {
    let mut chain_key = state
        .receiver_chains
        .get(idx)
        .map(|c| c.chain_key.clone())
        .ok_or(SignalError::NoSession)?;
    if chain_key.index > counter {
        let keys = state
            .take_message_keys(idx, counter)
            .ok_or(SignalError::DuplicateMessage {
                counter,
                chain_index: chain_key.index,
            })?;
        if config.defects.accept_replays {
            state.store_message_keys(
                idx,
                keys.clone(),
                config.max_skipped_keys,
                config.skipped_key_policy,
            );
        }
        return Ok(keys);
    }
    if counter - chain_key.index > config.max_forward_jump {
        return Err(SignalError::TooFarForward {
            counter,
            chain_index: chain_key.index,
            limit: config.max_forward_jump,
        });
    }
    if config.skipped_key_policy == SkippedKeyPolicy::RefuseMessage {
        let stored = state.stored_message_keys(idx);
        let skipping = (counter - chain_key.index) as usize;
        if stored.saturating_add(skipping) > config.max_skipped_keys {
            return Err(SignalError::SkippedKeysFull {
                counter,
                stored,
                limit: config.max_skipped_keys,
            });
        }
    }
    while chain_key.index < counter {
        state.store_message_keys(
            idx,
            chain_key.message_keys(),
            config.max_skipped_keys,
            config.skipped_key_policy,
        );
        chain_key = chain_key.next()?;
    }
    let mk = chain_key.message_keys();
    if config.defects.accept_replays {
        state.store_message_keys(
            idx,
            mk.clone(),
            config.max_skipped_keys,
            config.skipped_key_policy,
        );
    }
    let next = chain_key.next()?;
    if let Some(c) = state.receiver_chains.get_mut(idx) {
        c.chain_key = next;
    }
    Ok(mk)
}

/// Decrypt against one state, mutating it (callers pass a copy).
pub fn decrypt_state(
    state: &mut SessionState,
    msg: &SignalMessage,
    config: &SignalConfig,
    keys: &mut KeySource,
) -> Result<Vec<u8>, SignalError> {
    if msg.version != state.version {
        return Err(SignalError::BadVersion(msg.version));
    }
    let idx = get_or_create_chain(state, &msg.ratchet_key, config, keys)?;
    let mk = get_or_create_message_keys(state, idx, msg.counter, config)?;
    if !config.defects.skip_mac_check {
        msg.verify_mac(&state.remote_identity, &state.local_identity, &mk.mac_key)?;
    }
    let plaintext = cipher::decrypt(&mk.cipher_key, &body_iv(&mk, config), &msg.ciphertext)?;
    state.pending_prekey = None;
    Ok(plaintext)
}

/// Try the current state, then each archived state (promoting the one that
/// works). `record` changes only on success. A duplicate is reported at once,
/// as libsignal does (DuplicateMessageException is not caught there).
pub fn decrypt_record(
    record: &mut SessionRecord,
    msg: &SignalMessage,
    config: &SignalConfig,
    keys: &mut KeySource,
) -> Result<Vec<u8>, SignalError> {
    let mut first_err: Option<SignalError> = None;
    if let Some(current) = &record.current {
        let mut s = current.clone();
        match decrypt_state(&mut s, msg, config, keys) {
            Ok(pt) => {
                record.current = Some(s);
                return Ok(pt);
            }
            Err(e @ SignalError::DuplicateMessage { .. }) => return Err(e),
            Err(SignalError::BadMac) if config.defects.commit_before_mac => {
                record.current = Some(s);
                return Err(SignalError::BadMac);
            }
            Err(e) => first_err = Some(e),
        }
    }
    for i in 0..record.previous.len() {
        let Some(prev) = record.previous.get(i) else {
            break;
        };
        let mut s = prev.clone();
        match decrypt_state(&mut s, msg, config, keys) {
            Ok(pt) => {
                record.previous.remove(i);
                record.promote(s, config.max_archived_states);
                return Ok(pt);
            }
            Err(e @ SignalError::DuplicateMessage { .. }) => return Err(e),
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    Err(first_err.unwrap_or(SignalError::NoSession))
}
