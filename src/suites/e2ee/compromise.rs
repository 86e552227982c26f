//! Forward secrecy and post-compromise security, device to device on the
//! target, for any wire format. interspec plays an attacker who copies a
//! device's whole state at one moment (`E2eeCloneDevice`, docs/e2ee.md
//! §Cloning a device) and records every ciphertext: the copy must not read
//! what its original had already read (Double Ratchet rev 1 §6.1, "Secure
//! deletion"), nor what is sent after one complete round trip it took no
//! part in (§6.2, "Recovery from compromise").
//!
//! Black-box limit: a copy holds everything the original holds, so a target
//! that keeps used keys behind a filter that refuses their messages passes;
//! what is caught is a kept key that still decrypts.

use super::devices::{Pair, Sent};
use super::harness::{decrypt_raw, proto_address, Step};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, E2eeCloneDevice};
use crate::peer::signal::Address;
use crate::scenario::outcome::Check;
use crate::scenario::outcome::Finding;
use crate::scenario::{unexpected, ScenarioCtx};

/// Asks the target for the attacker's copy of `local`, reachable at `clone`.
pub fn clone_device(ctx: &mut ScenarioCtx, local: &Address, clone: &Address) -> Step<()> {
    let op = Op::E2eeCloneDevice(E2eeCloneDevice {
        local: Some(proto_address(local)),
        clone: Some(proto_address(clone)),
    });
    match ctx.expect_result(op, "E2eeCloneDevice")? {
        response::Reply::E2eeCloneDevice(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "E2eeCloneDevice")),
    }
}

/// The attacker's copy, offered `sent` as coming from `from`, must not
/// read it: any refusal passes; a plaintext fails, whatever it is.
fn copy_cannot_read(
    ctx: &mut ScenarioCtx,
    copy: &Address,
    from: &Address,
    sent: &Sent,
    why: &str,
) -> Step<()> {
    match decrypt_raw(ctx, copy, from, &sent.wire)? {
        Reply::Rejected { .. } => Ok(()),
        Reply::Result(response::Reply::E2eeDecrypt(r)) => {
            let same = if r.plaintext == sent.plaintext {
                "its plaintext"
            } else {
                "other bytes"
            };
            Err(Finding::fail(format!(
                "the copy of the device decrypted {} to {same}: {why}",
                sent.what
            )))
        }
        other => Err(unexpected(
            other,
            &format!("the copy reading {}", sent.what),
        )),
    }
}

/// E2-031: copies of either device, taken after a conversation with
/// reordering, read none of the messages their originals had already read.
pub fn forward_secrecy(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    let (a, b) = (pair.a.clone(), pair.b.clone());
    let mut read_by_b = vec![pair.exchange(ctx, &a, "A's session-opening message")?];
    let mut read_by_a = vec![pair.exchange(ctx, &b, "B's first reply")?];
    // Three on one chain; the middle one is held back (a skipped key B may
    // keep, DR §3.2 MKSKIPPED), the others read out of order.
    let first = pair.send(ctx, &a, "A's second message")?;
    let held = pair.send(ctx, &a, "A's third message (held back)")?;
    let last = pair.send(ctx, &a, "A's fourth message")?;
    pair.deliver(ctx, &b, &last)?;
    pair.deliver(ctx, &b, &first)?;
    read_by_b.extend([first, last]);
    read_by_a.push(pair.exchange(ctx, &b, "B's second reply")?);
    read_by_b.push(pair.exchange(ctx, &a, "A's message after B's reply")?);

    let copy_of_b = pair.fresh_address(ctx);
    clone_device(ctx, &b, &copy_of_b)?;
    for sent in &read_by_b {
        copy_cannot_read(
            ctx,
            &copy_of_b,
            &a,
            sent,
            "B had read it before the copy was taken (DR §6.1)",
        )?;
    }
    let copy_of_a = pair.fresh_address(ctx);
    clone_device(ctx, &a, &copy_of_a)?;
    for sent in &read_by_a {
        copy_cannot_read(
            ctx,
            &copy_of_a,
            &b,
            sent,
            "A had read it before the copy was taken (DR §6.1)",
        )?;
    }
    // The originals are untouched by their copies: the held-back message
    // still decrypts and the conversation goes on both ways.
    pair.deliver(ctx, &b, &held)?;
    pair.exchange(ctx, &b, "B's message after the copies")?;
    pair.exchange(ctx, &a, "A's message after the copies")?;
    Ok(format!(
        "copies of B and of A refused the {} and {} messages their originals had read",
        read_by_b.len(),
        read_by_a.len()
    ))
}

/// E2-032: a copy of a device taken mid-conversation reads nothing its
/// peer sends after two complete round trips, though it saw (and tried)
/// every message in between; checked for a copy of each side.
pub fn post_compromise(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    let (a, b) = (pair.a.clone(), pair.b.clone());
    pair.exchange(ctx, &a, "A's session-opening message")?;
    pair.exchange(ctx, &b, "B's first reply")?;
    for (victim, peer) in [(&b, &a), (&a, &b)] {
        let copy = pair.fresh_address(ctx);
        clone_device(ctx, victim, &copy)?;
        // Two round trips started by the victim. A copy taken just after a
        // DH step may know the victim's next sending key (DR §3.5 draws it
        // on receipt), so one trip is not yet enough; two always are.
        for trip in 1..=2 {
            pair.exchange(ctx, victim, &format!("round trip {trip}, out"))?;
            let back = pair.exchange(ctx, peer, &format!("round trip {trip}, back"))?;
            // The passive attacker tries every message (its answer is not
            // judged: before healing it may read them).
            decrypt_raw(ctx, &copy, peer, &back.wire)?;
        }
        let after = pair.exchange(ctx, peer, "the first message after healing")?;
        copy_cannot_read(
            ctx,
            &copy,
            peer,
            &after,
            "it was sent after two round trips the copy took no part in (DR §6.2)",
        )?;
    }
    Ok("after two round trips, copies of B and of A refused the next message".into())
}
