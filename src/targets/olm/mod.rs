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

use std::io;

use crate::adapter::proto::{response::Reply, Capability, Configure, ErrorCategory, HelloResult};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::peer::signal::config::DEFAULT_MAX_BODY_LEN;
use crate::targets::e2ee::{E2eeLibrary, LibraryTarget};
use crate::targets::reference::rejected;
use crate::targets::stdio;
pub use ops::OlmOps;

use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

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

/// The target: the adapter's own operations and Olm's e2ee ones.
pub type OlmTarget = LibraryTarget<OlmOps>;

/// Serves the adapter protocol on stdin and stdout: Olm's e2ee operations
/// beside the reference's handshake, stanza and enlistment suites, so that
/// the target can be certified whole on the compatible path.
/// `mutant`: one of `builtin:olm`'s own mutants (src/targets/mutants/rows/olm.rs);
/// `variant`: one of its variants (src/targets/variants.rs, base Olm).
pub fn serve_stdio(mutant: Option<Mutant>, variant: Option<Variant>) -> io::Result<()> {
    stdio::serve_stdio(&mut OlmTarget::with_other_suites(OlmOps {
        max_body_len: DEFAULT_MAX_BODY_LEN,
        mutant,
        variant,
    }))
}

/// Whether the target can be judged under `configure`'s e2ee values.
/// vodozemac's bounds are compiled in: the forward jump must be its 2000,
/// and the profile must accept its 40 skipped keys per chain, which only a
/// profile with a range does (compatible-e2ee: `min_skipped_keys` 32 to
/// 2000; the default profile asks exactly 2000, which vodozemac does not
/// keep). `Ok` holds the body bound.
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
    let fewest = match e2ee.min_skipped_keys {
        0 => e2ee.max_skipped_keys,
        min => min,
    };
    if !(fewest..=e2ee.max_skipped_keys).contains(&OLM_MAX_SKIPPED_KEYS_PER_CHAIN) {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "profile {:?} asks {fewest} to {} skipped keys per chain; vodozemac {VODOZEMAC_VERSION} keeps {OLM_MAX_SKIPPED_KEYS_PER_CHAIN} (MAX_MESSAGE_KEYS, src/olm/session/receiver_chain.rs:50): run it under --profile compatible-e2ee",
                configure.profile, e2ee.max_skipped_keys
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

impl E2eeLibrary for OlmOps {
    const NAME: &'static str = "Olm";

    fn hello() -> HelloResult {
        hello()
    }

    fn check_configure(configure: &Configure) -> Result<Option<usize>, Reply> {
        check_configure(configure)
    }

    fn set_max_body_len(&mut self, len: usize) {
        self.max_body_len = len;
    }
}

fn hello() -> HelloResult {
    HelloResult {
        protocol_major: PROTOCOL_MAJOR,
        protocol_minor: PROTOCOL_MINOR,
        implementation_name: "vodozemac (Olm)".into(),
        implementation_version: VODOZEMAC_VERSION.into(),
        // E2EE only: not SIGNAL_V3_WIRE (Olm's wire), no fixed keys
        // (vodozemac takes no RNG), no safety numbers (Matrix uses SAS);
        // devices can be cloned (pickle round trips).
        capabilities: vec![Capability::E2ee as i32, Capability::E2eeCloneDevice as i32],
        profiles: vec!["compatible-e2ee".into()],
        max_frame_size: DEFAULT_MAX_FRAME as u64,
    }
}

#[cfg(test)]
mod tests;
