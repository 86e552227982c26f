//! Encodings a receiver must read exactly: serialized public keys in
//! bundles and messages (type byte, length, bytes after the 33) and the
//! version byte of a PreKeySignalMessage, each spoiled alone.
//!
//! A key with bytes after `0x05 || 32 bytes` may be refused or read as its
//! first 33 bytes: libsignal-protocol-c refuses it (curve.c
//! curve_decode_point, `key_len != DJB_KEY_LEN + 1`), libsignal-protocol-java
//! (ecc/Curve.decodePoint) and libsignal (rust/core/src/curve.rs
//! PublicKey::deserialize, "We allow trailing data after the public key")
//! read the first 33. Read as anything else it is a failure: the session
//! must then work as if the 33 bytes had been sent.
//!
//! Session-opening messages are sent into an established conversation by a
//! restart of the peer (its own identity, a fresh bundle of the target).
//! After a refusal the *target* speaks first: a target that replaced its
//! session with one built from the refused message is repaired when the
//! peer speaks first (the peer's message names its old session), but its
//! own next message is then on the forged session and the peer cannot read
//! it.

use prost::Message;
use rand::RngCore;

use super::bundle;
use super::harness::{
    expect_rejected, get_bundle, process_bundle, proto_address, Conversation, Step, Wire,
};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, E2eeProcessBundle, ErrorCategory};
use crate::ensure;
use crate::peer::signal::keys::{DJB_TYPE, SERIALIZED_PUBLIC_KEY_LEN};
use crate::peer::signal::wire::PreKeySignalMessageProto;
use crate::peer::signal::{BadRatchetKey, Device, MessageType, SignalKnobs};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// How one serialized key is spoiled.
#[derive(Clone, Copy, Debug)]
pub enum Spoil {
    /// Type byte 0x06 (the DJB type is 0x05), same 32 bytes after it.
    WrongType,
    /// `0x05 ||` 31 bytes: one short.
    Short,
    /// The real 33 bytes and this many more after them.
    Trailing(usize),
}

impl Spoil {
    fn apply(self, key: &[u8]) -> Vec<u8> {
        let mut out = key.to_vec();
        match self {
            Spoil::WrongType => {
                if let Some(t) = out.first_mut() {
                    *t = DJB_TYPE + 1;
                }
            }
            Spoil::Short => out.truncate(SERIALIZED_PUBLIC_KEY_LEN - 1),
            Spoil::Trailing(n) => out.extend((0..n).map(|i| 0xA0 ^ i as u8)),
        }
        out
    }

    /// Bytes after the 33 may also be read as the first 33.
    fn may_be_read(self) -> bool {
        matches!(self, Spoil::Trailing(_))
    }

    fn describe(self) -> String {
        match self {
            Spoil::WrongType => "type byte 0x06".into(),
            Spoil::Short => "32 bytes (0x05 and 31 key bytes)".into(),
            Spoil::Trailing(n) => format!(
                "{} bytes ({n} after 0x05 || 32 bytes)",
                SERIALIZED_PUBLIC_KEY_LEN + n
            ),
        }
    }
}

/// The key of a bundle the target is given.
#[derive(Clone, Copy, Debug)]
pub enum BundleKey {
    Identity,
    SignedPrekey,
    OneTimePrekey,
}

impl BundleKey {
    fn name(self) -> &'static str {
        match self {
            BundleKey::Identity => "identity key",
            BundleKey::SignedPrekey => "signed prekey",
            BundleKey::OneTimePrekey => "one-time prekey",
        }
    }
}

/// The target processes a bundle of the peer's with one key spoiled. A
/// refusal (INVALID_KEY) must make no session, and the unspoiled bundle
/// then works; a key with trailing bytes may instead be read as its first
/// 33 bytes, and the session must then work both ways.
pub fn bundle_key_spoiled(ctx: &mut ScenarioCtx, &(key, spoil): &(BundleKey, Spoil)) -> Check {
    let mut c = Conversation::devices(ctx, 0)?;
    let honest = c.peer.bundle();
    let mut proto = bundle::to_message(&honest);
    let field = match key {
        BundleKey::Identity => &mut proto.identity_key,
        BundleKey::SignedPrekey => &mut proto.signed_prekey,
        BundleKey::OneTimePrekey => &mut proto.one_time_prekey,
    };
    ensure!(
        !field.is_empty(),
        "internal: the peer's bundle has no {}",
        key.name()
    );
    *field = spoil.apply(field);
    let what = format!("a bundle whose {} is {}", key.name(), spoil.describe());
    let reply = ctx.call(Op::E2eeProcessBundle(E2eeProcessBundle {
        local: Some(proto_address(&c.target_addr)),
        remote: Some(proto_address(&c.peer_addr)),
        bundle: Some(proto),
    }))?;
    match reply {
        Reply::Result(response::Reply::E2eeProcessBundle(_)) if spoil.may_be_read() => {
            c.target_to_peer(ctx, b"on a key read as its first 33 bytes")
                .map_err(|f| read_otherwise(f, &what))?;
            c.peer_to_target(ctx, b"the peer answers")?;
            c.target_to_peer(ctx, b"and the target again")?;
            return Ok(format!(
                "{what} read as its first 33 bytes: the session works both ways"
            ));
        }
        reply => expect_rejected(ctx, reply, &[ErrorCategory::InvalidKey], &what)?,
    }
    c.no_session_after_refusal(ctx, &what)?;
    process_bundle(ctx, &c.target_addr, &c.peer_addr, &honest)?;
    c.target_to_peer(ctx, b"with the unspoiled bundle")?;
    c.peer_to_target(ctx, b"the peer answers")?;
    Ok(format!(
        "{what} refused and no session made; the unspoiled bundle works"
    ))
}

fn read_otherwise(f: Finding, what: &str) -> Finding {
    Finding::fail(format!(
        "{what} was accepted but not read as its first 33 bytes: {}",
        f.message
    ))
}

/// What is wrong with a session-opening PreKeySignalMessage.
#[derive(Clone, Copy, Debug)]
pub enum Opening {
    /// Its (outer) version byte, which no MAC covers.
    Version(u8),
    /// Its inner SignalMessage's MAC (the peer's `wrong_mac` knob).
    WrongMac,
    BaseKey(Spoil),
    IdentityKey(Spoil),
}

impl Opening {
    fn describe(self) -> String {
        match self {
            Opening::Version(v) => format!("a PreKeySignalMessage with version byte 0x{v:02x}"),
            Opening::WrongMac => "a PreKeySignalMessage with a wrong MAC".into(),
            Opening::BaseKey(s) => {
                format!("a PreKeySignalMessage whose base key is {}", s.describe())
            }
            Opening::IdentityKey(s) => {
                format!(
                    "a PreKeySignalMessage whose identity key is {}",
                    s.describe()
                )
            }
        }
    }

    fn expected(self) -> &'static [ErrorCategory] {
        match self {
            Opening::Version(_) => &[ErrorCategory::VersionMismatch],
            Opening::WrongMac => &[ErrorCategory::BadMac],
            Opening::BaseKey(_) | Opening::IdentityKey(_) => &[ErrorCategory::InvalidKey],
        }
    }

    fn may_be_read(self) -> bool {
        match self {
            Opening::BaseKey(s) | Opening::IdentityKey(s) => s.may_be_read(),
            Opening::Version(_) | Opening::WrongMac => false,
        }
    }

    /// The honest message's bytes with the one thing changed (the network
    /// can: neither the version byte nor the two keys are MAC'd as bytes).
    fn rewrite(self, honest: &[u8]) -> Step<Vec<u8>> {
        let (&version, rest) = honest
            .split_first()
            .ok_or_else(|| Finding::error("internal: empty PreKeySignalMessage"))?;
        let mut proto = PreKeySignalMessageProto::decode(rest).map_err(|e| {
            Finding::error(format!("internal: the peer's message does not parse: {e}"))
        })?;
        let mut version = version;
        match self {
            Opening::Version(v) => version = v,
            Opening::WrongMac => {}
            Opening::BaseKey(s) => proto.base_key = proto.base_key.map(|k| s.apply(&k)),
            Opening::IdentityKey(s) => proto.identity_key = proto.identity_key.map(|k| s.apply(&k)),
        }
        let mut out = vec![version];
        proto.encode_raw(&mut out);
        Ok(out)
    }
}

const OPENING: &[u8] = b"restarting the session";

/// A restart of the peer: its own identity, a fresh bundle of the target.
fn restart(ctx: &mut ScenarioCtx, c: &Conversation) -> Step<Device> {
    // The peer's identity with a fresh random stream (a clone's stream
    // would repeat the peer's next keys).
    let mut seed = [0u8; 32];
    ctx.rng.fill_bytes(&mut seed);
    let mut restart = Device::with_identity(
        c.peer.identity_key_pair().clone(),
        seed,
        c.peer_addr.name.as_bytes(),
        c.peer.registration_id(),
        c.peer_addr.device_id,
    );
    restart.config = c.peer.config.clone();
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    restart
        .process_bundle(&c.target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    Ok(restart)
}

/// An established conversation; the peer restarts the session with a
/// PreKeySignalMessage spoiled one way. Refused: the target speaks first on
/// its session, the peer answers, and the unspoiled message then opens the
/// new session (the refusal consumed nothing). A key with trailing bytes
/// may instead be read as its first 33 bytes: the new session then works.
pub fn prekey_opening_spoiled(ctx: &mut ScenarioCtx, &opening: &Opening) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let mut restart = restart(ctx, &c)?;
    let what = opening.describe();
    let knobbed = if matches!(opening, Opening::WrongMac) {
        restart.knobs = SignalKnobs {
            wrong_mac: true,
            ..Default::default()
        };
        let out = restart.encrypt(&c.target_addr, OPENING);
        restart.knobs = SignalKnobs::default();
        Some(out.map_err(|e| Finding::error(format!("the peer could not encrypt: {e}")))?)
    } else {
        None
    };
    let (kind, bytes) = restart
        .encrypt(&c.target_addr, OPENING)
        .map_err(|e| Finding::error(format!("the peer could not encrypt: {e}")))?;
    ensure!(
        kind == MessageType::PreKey,
        "internal: the restart's first message is not a PreKeySignalMessage"
    );
    let honest = Wire { kind, bytes };
    let bent = Wire {
        kind,
        bytes: match knobbed {
            Some((_, bytes)) => bytes,
            None => opening.rewrite(&honest.bytes)?,
        },
    };
    ensure!(bent.bytes != honest.bytes, "internal: nothing was spoiled");
    ctx.plaintext(OPENING);
    let reply = c.offer_to_target(ctx, &bent)?;
    match reply {
        Reply::Result(response::Reply::E2eeDecrypt(r)) if opening.may_be_read() => {
            ensure!(
                r.plaintext == OPENING,
                "{what} decrypted to {} bytes that differ from the {} sent",
                r.plaintext.len(),
                OPENING.len()
            );
            c.peer = restart;
            c.target_to_peer(ctx, b"on the new session")
                .map_err(|f| read_otherwise(f, &what))?;
            c.peer_to_target(ctx, b"the peer answers")?;
            return Ok(format!(
                "{what} read as its first 33 bytes: the new session works both ways"
            ));
        }
        reply => expect_rejected(ctx, reply, opening.expected(), &what)?,
    }
    c.target_to_peer(ctx, b"the target speaks first after the refusal")
        .map_err(|f| {
            Finding::fail(format!(
                "after {what} was refused, the target's next message is not on its session: {}",
                f.message
            ))
        })?;
    c.peer_to_target(ctx, b"the peer answers on the same session")?;
    c.peer = restart;
    c.deliver_to_target(
        ctx,
        &honest,
        OPENING,
        &format!("the unspoiled message after {what}"),
    )?;
    c.target_to_peer(ctx, b"on the new session")?;
    Ok(format!(
        "{what} refused; the target spoke first on its session, and the unspoiled message then opened the new one"
    ))
}

/// A ratchet key with bytes after `0x05 || 32 bytes` under a correct MAC:
/// refused (INVALID_KEY) with the session intact, or read as its first 33
/// bytes.
pub fn ratchet_key_trailing_bytes(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let mut text = vec![0u8; 24];
    ctx.rng.fill_bytes(&mut text);
    let bent = c.peer_encrypt_with(
        SignalKnobs {
            bad_ratchet_key: Some(BadRatchetKey::TrailingBytes(1)),
            ..Default::default()
        },
        &text,
    )?;
    let what = "a ratchet key of 34 bytes (one after 0x05 || 32 bytes, correct MAC)";
    ctx.plaintext(&text);
    let reply = c.offer_to_target(ctx, &bent)?;
    match reply {
        Reply::Result(response::Reply::E2eeDecrypt(r)) => {
            ensure!(
                r.plaintext == text,
                "{what} decrypted to {} bytes that differ from the {} sent",
                r.plaintext.len(),
                text.len()
            );
            // The peer's chain moves past the counter the target used.
            c.peer_encrypt(b"the same counter, not sent")?;
            c.peer_to_target(ctx, b"the next counter")?;
            c.target_to_peer(ctx, b"the target answers")?;
            Ok(format!(
                "{what} read as its first 33 bytes; the session goes on"
            ))
        }
        reply => {
            expect_rejected(ctx, reply, &[ErrorCategory::InvalidKey], what)?;
            c.peer_to_target(ctx, &text)?;
            c.target_to_peer(ctx, b"the target answers")?;
            Ok(format!("{what} refused; the same counter then decrypts"))
        }
    }
}
