//! Target `builtin:olm`: the e2ee operations of docs/e2ee.md run by
//! Matrix's Olm through vodozemac 0.10.0 (pure Rust). It declares `E2EE`
//! but not `SIGNAL_V3_WIRE`: its wire is Olm's, so interspec checks it
//! device to device. What the target adds around vodozemac (prekey
//! signatures, trust on first use, the sender/recipient envelope, copies
//! undone on refusal) is in docs/olm.md, with sources.
//!
//! - [`keys`]: the bundle fields and the Ed25519 prekey signatures;
//! - [`envelope`]: the plaintext envelope binding sender and recipient;
//! - [`device`]: one account, its prekeys, sessions and trust;
//! - [`refusal`]: vodozemac's errors as adapter categories;
//! - [`ops`]: the operations themselves.

mod device;
mod envelope;
mod keys;
mod ops;
mod refusal;

use std::collections::HashMap;
use std::io;

use crate::adapter::proto::{
    request::Op, response::Reply, Capability, Configure, ConfigureResult, ErrorCategory,
    HelloResult, PingResult, RecallResult, RememberResult, Request, ResetResult, Response,
    Unsupported,
};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::peer::signal::config::DEFAULT_MAX_BODY_LEN;
use crate::targets::e2ee::E2eeHost;
use crate::targets::reference::rejected;
use crate::targets::stdio::{self, AdapterTarget};
pub use ops::OlmOps;

/// vodozemac's version, as pinned in Cargo.toml.
pub const VODOZEMAC_VERSION: &str = "0.10.0";
/// vodozemac's receiver bounds, compiled in (`pub(crate)`): a message more
/// than `MAX_MESSAGE_GAP` = 2000 ahead is refused
/// (src/olm/session/receiver_chain.rs:31, check at :189);
/// `MAX_MESSAGE_KEYS` = 40 skipped keys are kept per receiving chain
/// (receiver_chain.rs:50), `MAX_RECEIVING_CHAINS` = 5 chains per session
/// (src/olm/session/mod.rs:53).
pub const OLM_MAX_FORWARD_JUMP: u32 = 2000;
pub const OLM_MAX_SKIPPED_KEYS_PER_CHAIN: u32 = 40;

/// The target's state: `Reset` clears the devices and remembered values;
/// the configured body bound is kept.
pub struct OlmTarget {
    remembered: HashMap<String, Vec<u8>>,
    e2ee: E2eeHost<OlmOps>,
}

impl Default for OlmTarget {
    fn default() -> Self {
        OlmTarget {
            remembered: HashMap::new(),
            e2ee: E2eeHost::new(OlmOps {
                max_body_len: DEFAULT_MAX_BODY_LEN,
            }),
        }
    }
}

/// Serves the adapter protocol on stdin and stdout.
pub fn serve_stdio() -> io::Result<()> {
    stdio::serve_stdio(&mut OlmTarget::default())
}

/// Whether the target can be judged under `configure`'s e2ee values. The
/// forward jump must be vodozemac's 2000. The skipped-key bound is NOT
/// checked: vodozemac keeps 40 per chain, fewer than the default profile's
/// 2000, and until the compatible-e2ee profile (issue 15) can state an
/// acceptance range the target takes the default profile so that it can be
/// run at all; docs/olm.md §Not yet says so. `Ok` holds the body bound.
pub fn check_configure(configure: &Configure) -> Result<Option<usize>, Reply> {
    let Some(e2ee) = &configure.e2ee else {
        return Ok(None);
    };
    if e2ee.max_forward_jump != OLM_MAX_FORWARD_JUMP {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "profile {:?} asks max_forward_jump {}; vodozemac {VODOZEMAC_VERSION} has MAX_MESSAGE_GAP = {OLM_MAX_FORWARD_JUMP} compiled in (src/olm/session/receiver_chain.rs:31)",
                configure.profile, e2ee.max_forward_jump
            ),
        ));
    }
    let frame_room = DEFAULT_MAX_FRAME / 2;
    let body = e2ee.max_body_len as usize;
    if body > frame_room || body < 16 {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "max_body_len {body} must be 16 to {frame_room} bytes (a ciphertext travels in one adapter frame)"
            ),
        ));
    }
    Ok(Some(body))
}

impl AdapterTarget for OlmTarget {
    fn handle(&mut self, request: Request) -> Response {
        let reply = match request.op {
            Some(Op::Hello(hello)) if hello.protocol_major != PROTOCOL_MAJOR => rejected(
                ErrorCategory::VersionMismatch,
                format!(
                    "this target speaks adapter protocol {PROTOCOL_MAJOR}.x, not {}.x",
                    hello.protocol_major
                ),
            ),
            Some(Op::Hello(_)) => Reply::Hello(hello()),
            Some(Op::Reset(_)) => {
                self.remembered.clear();
                self.e2ee.reset();
                Reply::Reset(ResetResult {})
            }
            Some(Op::Configure(configure)) => match check_configure(&configure) {
                Ok(body) => {
                    if let Some(body) = body {
                        self.e2ee.ops.max_body_len = body;
                    }
                    Reply::Configure(ConfigureResult {})
                }
                Err(refusal) => refusal,
            },
            Some(Op::Ping(ping)) => Reply::Ping(PingResult {
                payload: ping.payload,
            }),
            Some(Op::Remember(r)) => {
                self.remembered.insert(r.key, r.value);
                Reply::Remember(RememberResult {})
            }
            Some(Op::Recall(r)) => match self.remembered.get(&r.key) {
                Some(value) => Reply::Recall(RecallResult {
                    found: true,
                    value: value.clone(),
                }),
                None => Reply::Recall(RecallResult::default()),
            },
            Some(op) => self.e2ee.handle(op).unwrap_or_else(|| {
                Reply::Unsupported(Unsupported {
                    detail: "this target runs Olm's e2ee operations only".into(),
                })
            }),
            None => Reply::Unsupported(Unsupported {
                detail: "unknown or missing operation".into(),
            }),
        };
        Response {
            id: request.id,
            reply: Some(reply),
        }
    }

    fn max_frame(&self) -> usize {
        DEFAULT_MAX_FRAME
    }
}

fn hello() -> HelloResult {
    HelloResult {
        protocol_major: PROTOCOL_MAJOR,
        protocol_minor: PROTOCOL_MINOR,
        implementation_name: "vodozemac (Olm)".into(),
        implementation_version: VODOZEMAC_VERSION.into(),
        // E2EE only: not SIGNAL_V3_WIRE (Olm's wire), no fixed keys
        // (vodozemac takes no RNG), no safety numbers (Matrix uses SAS).
        capabilities: vec![Capability::E2ee as i32],
        profiles: vec!["default".into()],
        max_frame_size: DEFAULT_MAX_FRAME as u64,
    }
}

#[cfg(test)]
mod tests;
