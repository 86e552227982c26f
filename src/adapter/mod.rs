//! The adapter protocol: how the runner drives any target, in any language.
//!
//! `frame` is the wire codec (varint-length-delimited protobuf), `link` the
//! byte stream to a spawned process or a TCP adapter, `client` the
//! request/response layer the scenarios use, and `transcript` the bounded
//! record of what crossed the wire, kept as evidence.

pub mod client;
pub mod containment;
pub mod decode;
pub mod frame;
pub mod link;
pub mod names;
pub mod transcript;

/// Messages generated from `proto/adapter.proto`.
#[allow(clippy::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/interspec.adapter.v1.rs"));
}

impl proto::HelloResult {
    /// Whether Hello declared `capability` (by its proto name,
    /// case-insensitive).
    pub fn declares(&self, capability: &str) -> bool {
        self.capabilities()
            .any(|c| c.as_str_name().eq_ignore_ascii_case(capability))
    }
}

/// The adapter protocol version this harness speaks. A target whose major
/// version differs is refused; minor versions are compatible both ways.
pub const PROTOCOL_MAJOR: u32 = 1;
pub const PROTOCOL_MINOR: u32 = 6;

/// Default bound on one frame's body, in bytes (16 MiB).
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;
