//! Bodies of every size and garbage, device to device (any wire format):
//! messages of 0 B to 64 KiB go through both ways, and random bytes under
//! either message type, or under a type that does not exist, are refused
//! with a `Rejected` reply, never an internal error, the session intact.

use rand::RngCore;

use super::devices::Pair;
use super::harness::{decrypt_op, Step};
use crate::adapter::client::Reply;
use crate::adapter::proto::response;
use crate::peer::signal::Address;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// Plaintext sizes, alternating direction: empty, around a 16-byte block,
/// and up to the 64 KiB docs/e2ee.md §Limits requires.
const SIZES: [usize; 10] = [0, 1, 15, 16, 17, 255, 1024, 4096, 16 * 1024, 64 * 1024];
/// Garbage lengths, empty to longer than any message of this scenario.
const GARBAGE: [usize; 7] = [0, 1, 2, 33, 200, 4096, 70 * 1024];
/// The adapter's message types (docs/e2ee.md): 3 opens a session, 2 is
/// ordinary; 7 is none.
const TYPES: [u32; 3] = [3, 2, 7];

pub fn body_sizes_and_garbage(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    for (i, size) in SIZES.into_iter().enumerate() {
        let from = if i % 2 == 0 { &pair.a } else { &pair.b };
        let mut plaintext = vec![0u8; size];
        ctx.rng.fill_bytes(&mut plaintext);
        let sent = pair.send_bytes(ctx, from, plaintext, &format!("a {size}-byte message"))?;
        pair.deliver(ctx, pair.other(from), &sent)?;
    }
    let mut offered = 0;
    for len in GARBAGE {
        for message_type in TYPES {
            let mut bytes = vec![0u8; len];
            ctx.rng.fill_bytes(&mut bytes);
            garbage_refused(ctx, &pair.b, &pair.a, message_type, &bytes)?;
            offered += 1;
        }
    }
    pair.still_talking(ctx, &pair.b, "after the garbage")?;
    Ok(format!(
        "{} bodies of 0 B to 64 KiB both ways; {offered} garbage messages refused; the session works",
        SIZES.len()
    ))
}

/// `bytes` under `message_type`, from `from` to `to`: a `Rejected` reply.
fn garbage_refused(
    ctx: &mut ScenarioCtx,
    to: &Address,
    from: &Address,
    message_type: u32,
    bytes: &[u8],
) -> Step<()> {
    let what = format!(
        "{} random bytes as message type {message_type}",
        bytes.len()
    );
    let reply = ctx.call(decrypt_op(to, from, message_type, bytes))?;
    refused_outright(reply, &what)
}

/// E2-011: the reply to a hostile message (`what`) must be a `Rejected`:
/// not a plaintext, and never an internal error.
pub fn refused_outright(reply: Reply, what: &str) -> Step<()> {
    match reply {
        Reply::Rejected { .. } => Ok(()),
        Reply::Result(response::Reply::E2eeDecrypt(_)) => Err(Finding::fail(format!(
            "{what} was decrypted: it must be refused"
        ))),
        Reply::Internal(detail) => Err(Finding::fail(format!(
            "{what}: answered with an internal error ({detail}); hostile input must be refused with a Rejected reply (E2-011)"
        ))),
        other => Err(unexpected(other, what)),
    }
}
