//! Gatekeeper-side ("peer") Signal Protocol v3 engine, wire-exact to
//! libsignal-protocol-java/-c (and so to WhatsApp/Messenger's profile), with
//! [`SignalKnobs`] for deliberate, single-fault misbehaviour.
//!
//! Module map (one job each):
//! - [`error`] — `SignalError`
//! - [`keys`] — DJB-serialised Curve25519 keys, X25519 agreement
//! - [`xeddsa`] — libsignal curve25519 signatures (curve_sigs.c)
//! - [`kdf`] — HKDF, chain step, root step
//! - [`cipher`] — AES-256-CBC/PKCS#7 bodies
//! - [`wire`] — SignalMessage / PreKeySignalMessage protobufs and MAC
//! - [`x3dh`] — prekey bundle and Alice/Bob session set-up
//! - [`state`] — session state, receiver chains, skipped keys, archive
//! - [`ratchet`] — Double Ratchet encrypt/decrypt
//! - [`fingerprint`] — safety numbers
//! - [`config`], [`knobs`], [`defects`] — limits, misbehaviours, mutant defects
//! - [`keysource`] — fresh key pairs (seeded, or scripted for vectors)
//! - [`device`] — the peer device API: identity and trust, prekeys and bundles,
//!   sessions (end-to-end tests live here; knob tests in [`knobs`])

pub mod cipher;
pub mod config;
pub mod defects;
pub mod device;
pub mod error;
pub mod fingerprint;
pub mod kdf;
pub mod keys;
pub mod keysource;
pub mod knobs;
pub mod ratchet;
pub mod state;
pub mod wire;
pub mod x3dh;
pub mod xeddsa;

pub use config::{SignalConfig, SkippedKeyPolicy};
pub use defects::Defects;
pub use device::{Address, Device, MessageType, SignedPreKeyRecord};
pub use error::{PreKeyKind, SignalError};
pub use keys::{IdentityKeyPair, KeyPair, PrivateKey, PublicKey};
pub use knobs::{BadRatchetKey, LengthChange, SignalKnobs};
pub use x3dh::PreKeyBundle;
