//! The four stores libsignal-protocol-c keeps its state in (sessions,
//! one-time prekeys, signed prekeys, identities), held in memory on the Rust
//! side and reached through callbacks. libsignal hands over serialized
//! records; the stores keep the bytes as given.
//!
//! Callback signatures and return conventions: libsignal-protocol-c
//! `signal_protocol.h` (`signal_protocol_session_store` and siblings).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void};

use libsignal_protocol_sys as sys;

use super::crypto::{give_buffer, slice};
// SG_ERR_INVALID_KEY_ID is what a prekey store answers for an id it does
// not hold (signal_protocol.h).
use sys::{SG_ERR_INVAL, SG_ERR_INVALID_KEY_ID, SG_ERR_NOMEM, SG_ERR_UNKNOWN};

/// A remote party as the stores key it: name bytes and device id.
pub type RemoteKey = (Vec<u8>, i32);

/// One device's stored state.
#[derive(Default)]
pub struct Stores {
    /// `0x05 || 32` and the 32-byte private key, as libsignal serializes them.
    pub identity_public: Vec<u8>,
    pub identity_private: Vec<u8>,
    pub registration_id: u32,
    pub sessions: BTreeMap<RemoteKey, Vec<u8>>,
    pub pre_keys: BTreeMap<u32, Vec<u8>>,
    pub signed_pre_keys: BTreeMap<u32, Vec<u8>>,
    /// The identity trusted for each remote party (trust on first use, then
    /// only what the user approves or libsignal saves).
    pub trusted: BTreeMap<RemoteKey, Vec<u8>>,
}

impl Stores {
    /// libsignal's trust rule: unknown parties are trusted on first use;
    /// a known one only with the same key.
    pub fn is_trusted(&self, remote: &RemoteKey, key: &[u8]) -> bool {
        self.trusted.get(remote).is_none_or(|k| k == key)
    }
}

/// # Safety
/// `user_data` is null or points to a live `RefCell<Stores>`.
unsafe fn with_stores<T>(
    user_data: *mut c_void,
    f: impl FnOnce(&mut Stores) -> T,
    on_error: T,
) -> T {
    match (user_data as *const RefCell<Stores>)
        .as_ref()
        .map(|s| s.try_borrow_mut())
    {
        Some(Ok(mut stores)) => f(&mut stores),
        _ => on_error,
    }
}

/// # Safety
/// `address` is null or a valid `signal_protocol_address`.
unsafe fn remote_key(address: *const sys::signal_protocol_address) -> Option<RemoteKey> {
    let a = address.as_ref()?;
    let name = if a.name_len == 0 {
        Vec::new()
    } else if a.name.is_null() {
        return None;
    } else {
        std::slice::from_raw_parts(a.name as *const u8, a.name_len).to_vec()
    };
    Some((name, a.device_id))
}

/// The session store table for `stores`.
pub fn session_store(stores: *const RefCell<Stores>) -> sys::signal_protocol_session_store {
    sys::signal_protocol_session_store {
        load_session_func: Some(load_session),
        get_sub_device_sessions_func: Some(sub_device_sessions),
        store_session_func: Some(store_session),
        contains_session_func: Some(contains_session),
        delete_session_func: Some(delete_session),
        delete_all_sessions_func: Some(delete_all_sessions),
        destroy_func: None,
        user_data: stores as *mut c_void,
    }
}

unsafe extern "C" fn load_session(
    record: *mut *mut sys::signal_buffer,
    _user_record: *mut *mut sys::signal_buffer,
    address: *const sys::signal_protocol_address,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    with_stores(
        user_data,
        |s| match s.sessions.get(&remote) {
            // 1: loaded, 0: none (libsignal then starts a fresh record).
            Some(bytes) => match give_buffer(record, bytes) {
                0 => 1,
                err => err,
            },
            None => 0,
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn sub_device_sessions(
    sessions: *mut *mut sys::signal_int_list,
    name: *const c_char,
    name_len: usize,
    user_data: *mut c_void,
) -> c_int {
    if sessions.is_null() {
        return SG_ERR_INVAL;
    }
    let name = slice(name as *const u8, name_len).to_vec();
    let ids: Vec<i32> = with_stores(
        user_data,
        |s| {
            s.sessions
                .keys()
                .filter(|(n, _)| *n == name)
                .map(|(_, id)| *id)
                .collect()
        },
        Vec::new(),
    );
    let list = sys::signal_int_list_alloc();
    if list.is_null() {
        return SG_ERR_NOMEM;
    }
    for id in &ids {
        if sys::signal_int_list_push_back(list, *id) < 0 {
            sys::signal_int_list_free(list);
            return SG_ERR_NOMEM;
        }
    }
    *sessions = list;
    ids.len() as c_int
}

unsafe extern "C" fn store_session(
    address: *const sys::signal_protocol_address,
    record: *mut u8,
    record_len: usize,
    _user_record: *mut u8,
    _user_record_len: usize,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    let record = slice(record, record_len).to_vec();
    with_stores(
        user_data,
        |s| {
            s.sessions.insert(remote, record);
            0
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn contains_session(
    address: *const sys::signal_protocol_address,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    with_stores(
        user_data,
        |s| c_int::from(s.sessions.contains_key(&remote)),
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn delete_session(
    address: *const sys::signal_protocol_address,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    with_stores(
        user_data,
        |s| c_int::from(s.sessions.remove(&remote).is_some()),
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn delete_all_sessions(
    name: *const c_char,
    name_len: usize,
    user_data: *mut c_void,
) -> c_int {
    let name = slice(name as *const u8, name_len).to_vec();
    with_stores(
        user_data,
        |s| {
            let before = s.sessions.len();
            s.sessions.retain(|(n, _), _| *n != name);
            (before - s.sessions.len()) as c_int
        },
        SG_ERR_UNKNOWN,
    )
}

/// Which prekey map a callback works on: the one-time prekeys (`false`) or
/// the signed prekeys (`true`); libsignal's two stores have the same shape.
fn prekeys(s: &mut Stores, signed: bool) -> &mut BTreeMap<u32, Vec<u8>> {
    if signed {
        &mut s.signed_pre_keys
    } else {
        &mut s.pre_keys
    }
}

/// The one-time prekey store table for `stores`.
pub fn pre_key_store(stores: *const RefCell<Stores>) -> sys::signal_protocol_pre_key_store {
    sys::signal_protocol_pre_key_store {
        load_pre_key: Some(load_prekey::<false>),
        store_pre_key: Some(store_prekey::<false>),
        contains_pre_key: Some(contains_prekey::<false>),
        remove_pre_key: Some(remove_prekey::<false>),
        destroy_func: None,
        user_data: stores as *mut c_void,
    }
}

/// The signed prekey store table for `stores`.
pub fn signed_pre_key_store(
    stores: *const RefCell<Stores>,
) -> sys::signal_protocol_signed_pre_key_store {
    sys::signal_protocol_signed_pre_key_store {
        load_signed_pre_key: Some(load_prekey::<true>),
        store_signed_pre_key: Some(store_prekey::<true>),
        contains_signed_pre_key: Some(contains_prekey::<true>),
        remove_signed_pre_key: Some(remove_prekey::<true>),
        destroy_func: None,
        user_data: stores as *mut c_void,
    }
}

unsafe extern "C" fn load_prekey<const SIGNED: bool>(
    record: *mut *mut sys::signal_buffer,
    id: u32,
    user_data: *mut c_void,
) -> c_int {
    with_stores(
        user_data,
        |s| match prekeys(s, SIGNED).get(&id) {
            Some(bytes) => give_buffer(record, bytes),
            None => SG_ERR_INVALID_KEY_ID,
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn store_prekey<const SIGNED: bool>(
    id: u32,
    record: *mut u8,
    record_len: usize,
    user_data: *mut c_void,
) -> c_int {
    let record = slice(record, record_len).to_vec();
    with_stores(
        user_data,
        |s| {
            prekeys(s, SIGNED).insert(id, record);
            0
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn contains_prekey<const SIGNED: bool>(id: u32, user_data: *mut c_void) -> c_int {
    with_stores(
        user_data,
        |s| c_int::from(prekeys(s, SIGNED).contains_key(&id)),
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn remove_prekey<const SIGNED: bool>(id: u32, user_data: *mut c_void) -> c_int {
    with_stores(
        user_data,
        |s| {
            prekeys(s, SIGNED).remove(&id);
            0
        },
        SG_ERR_UNKNOWN,
    )
}

/// The identity store table for `stores`.
pub fn identity_key_store(
    stores: *const RefCell<Stores>,
) -> sys::signal_protocol_identity_key_store {
    sys::signal_protocol_identity_key_store {
        get_identity_key_pair: Some(identity_key_pair),
        get_local_registration_id: Some(local_registration_id),
        save_identity: Some(save_identity),
        is_trusted_identity: Some(is_trusted_identity),
        destroy_func: None,
        user_data: stores as *mut c_void,
    }
}

unsafe extern "C" fn identity_key_pair(
    public_data: *mut *mut sys::signal_buffer,
    private_data: *mut *mut sys::signal_buffer,
    user_data: *mut c_void,
) -> c_int {
    with_stores(
        user_data,
        |s| {
            let result = give_buffer(public_data, &s.identity_public);
            if result < 0 {
                return result;
            }
            give_buffer(private_data, &s.identity_private)
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn local_registration_id(user_data: *mut c_void, id: *mut u32) -> c_int {
    if id.is_null() {
        return SG_ERR_INVAL;
    }
    with_stores(
        user_data,
        |s| {
            *id = s.registration_id;
            0
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn save_identity(
    address: *const sys::signal_protocol_address,
    key_data: *mut u8,
    key_len: usize,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    // A null key means "forget the key" (signal_protocol.h).
    let key = (!key_data.is_null()).then(|| slice(key_data, key_len).to_vec());
    with_stores(
        user_data,
        |s| {
            match key {
                Some(key) => s.trusted.insert(remote, key),
                None => s.trusted.remove(&remote),
            };
            0
        },
        SG_ERR_UNKNOWN,
    )
}

unsafe extern "C" fn is_trusted_identity(
    address: *const sys::signal_protocol_address,
    key_data: *mut u8,
    key_len: usize,
    user_data: *mut c_void,
) -> c_int {
    let Some(remote) = remote_key(address) else {
        return SG_ERR_INVAL;
    };
    let key = slice(key_data, key_len).to_vec();
    with_stores(
        user_data,
        |s| c_int::from(s.is_trusted(&remote, &key)),
        SG_ERR_UNKNOWN,
    )
}
