//! One Olm device: a vodozemac `Account`, the prekeys it serves, its
//! sessions per remote address and the identities it trusts.

use std::collections::{BTreeMap, VecDeque};

use vodozemac::olm::{Account, Session};
use vodozemac::Curve25519PublicKey;

use super::keys::{self, Identity, Kind, SignedKey, SIGNATURE_LEN};
use crate::peer::signal::Address;

/// Sessions kept per remote address, newest first; older ones are
/// dropped. Matrix: "clients should keep at least 4" (client-server API
/// `modules/end_to_end_encryption.md` 1775-1778); vodozemac keeps none,
/// sessions are the application's.
pub const MAX_SESSIONS_PER_REMOTE: usize = 4;

/// What a device trusts for a remote address (trust on first use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trusted {
    pub curve: Curve25519PublicKey,
    /// Unknown when the identity was approved from its Curve25519 key
    /// alone; learnt from the next bundle or envelope.
    pub ed: Option<vodozemac::Ed25519PublicKey>,
}

pub struct Device {
    pub address: Address,
    pub account: Account,
    pub identity: Identity,
    pub registration_id: u32,
    /// The fallback key, served in the signed-prekey slot.
    pub fallback: SignedKey,
    /// One-time keys not served yet, in order.
    pub unserved: VecDeque<SignedKey>,
    /// Sessions per remote, newest first.
    pub sessions: BTreeMap<Address, Vec<Session>>,
    pub trusted: BTreeMap<Address, Trusted>,
}

fn signed(
    account: &Account,
    identity: Identity,
    kind: Kind,
    id: u32,
    key: Curve25519PublicKey,
) -> SignedKey {
    let signature: [u8; SIGNATURE_LEN] = account
        .sign(keys::signed_bytes(identity, kind, id, &key))
        .to_bytes();
    SignedKey { id, key, signature }
}

impl Device {
    /// A new account with `one_time_keys` one-time keys (ids 1..=n) and a
    /// fallback key (id 1), every one signed, all marked published.
    pub fn new(address: Address, registration_id: u32, one_time_keys: u32) -> Device {
        let mut account = Account::new();
        let identity = Identity {
            curve: account.curve25519_key(),
            ed: account.ed25519_key(),
        };
        account.generate_one_time_keys(one_time_keys as usize);
        // `one_time_keys()` and `fallback_key()` return unpublished keys
        // only (vodozemac 0.10.0 src/olm/account/mod.rs:356, 381): read
        // them before `mark_keys_as_published()` (mod.rs:398).
        let mut fresh: Vec<_> = account.one_time_keys().into_iter().collect();
        fresh.sort_by_key(|(id, _)| id.to_base64());
        let unserved = fresh
            .into_iter()
            .zip(1u32..)
            .map(|((_, key), id)| signed(&account, identity, Kind::OneTime, id, key))
            .collect();
        account.generate_fallback_key();
        let fallback_key = account
            .fallback_key()
            .into_values()
            .next()
            // generate_fallback_key always leaves one unpublished fallback
            // key (src/olm/account/fallback_keys.rs:75-85); the identity key is
            // an unusable stand-in that no inbound message can match.
            .unwrap_or(identity.curve);
        let fallback = signed(&account, identity, Kind::Fallback, 1, fallback_key);
        account.mark_keys_as_published();
        Device {
            address,
            account,
            identity,
            registration_id,
            fallback,
            unserved,
            sessions: BTreeMap::new(),
            trusted: BTreeMap::new(),
        }
    }

    /// A copy of the account to try an inbound session on: vodozemac's
    /// `Account` has no `Clone`; a pickle round trip copies it
    /// (src/olm/account/mod.rs:405, 415).
    pub fn account_copy(&self) -> Account {
        Account::from_pickle(self.account.pickle())
    }

    /// The attacker's copy of this device (docs/e2ee.md §Cloning a
    /// device): account and sessions by pickle round trips, everything else
    /// as it is. vodozemac draws every new key from the OS RNG, so the
    /// copy and the original go on with randomness of their own.
    pub fn copy(&self) -> Device {
        Device {
            address: self.address.clone(),
            account: self.account_copy(),
            identity: self.identity,
            registration_id: self.registration_id,
            fallback: self.fallback.clone(),
            unserved: self.unserved.clone(),
            sessions: self
                .sessions
                .iter()
                .map(|(remote, list)| (remote.clone(), list.iter().map(session_copy).collect()))
                .collect(),
            trusted: self.trusted.clone(),
        }
    }

    /// Adds `session` as the newest for `remote`.
    pub fn add_session(&mut self, remote: &Address, session: Session) {
        let list = self.sessions.entry(remote.clone()).or_default();
        list.insert(0, session);
        list.truncate(MAX_SESSIONS_PER_REMOTE);
    }
}

/// A copy of a session (pickle round trip, vodozemac
/// src/olm/session/mod.rs:333, 343).
pub fn session_copy(session: &Session) -> Session {
    Session::from_pickle(session.pickle())
}
