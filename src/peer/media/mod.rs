//! Attachments as the gatekeeper's clients encrypt and check them (the
//! WhatsApp-style media format of the public client code; research brief
//! `media-groups.md` §1, docs/media.md): keys from a 32-byte media key,
//! AES-256-CBC, a 10-byte truncated MAC, the blob and its hashes, and the
//! streaming sidecar. Knobs make an attachment wrong in exactly one way.

pub mod cipher;
pub mod keys;
pub mod message;
pub mod proxy;
pub mod server;
pub mod sidecar;

pub use cipher::{decrypt, encrypt, Encrypted, Knobs, Refusal};
pub use keys::{MediaKeys, MediaType};
