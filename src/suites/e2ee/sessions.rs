//! Sessions device to device, for any wire format: two devices starting
//! sessions with each other at once, and a deleted session.

use super::devices::Pair;
use super::harness::{decrypt_raw, get_bundle_proto, process_bundle_proto, proto_address, Step};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, E2eeDeleteSession, ErrorCategory};
use crate::peer::signal::Address;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// E2-017 device to device: A and B each take the other's bundle and send
/// a session-opening message before either arrives; both decrypt, in
/// either delivery order, and alternating messages then flow.
pub fn simultaneous_initiation(ctx: &mut ScenarioCtx) -> Check {
    for b_reads_first in [true, false] {
        let pair = Pair::unconnected(ctx)?;
        let a_bundle = get_bundle_proto(ctx, &pair.a, true)?;
        let b_bundle = get_bundle_proto(ctx, &pair.b, true)?;
        process_bundle_proto(ctx, &pair.a, &pair.b, b_bundle)?;
        process_bundle_proto(ctx, &pair.b, &pair.a, a_bundle)?;
        let from_a = pair.send(ctx, &pair.a, "A's opening message")?;
        let from_b = pair.send(ctx, &pair.b, "B's crossing opening message")?;
        if b_reads_first {
            pair.deliver(ctx, &pair.b, &from_a)?;
            pair.deliver(ctx, &pair.a, &from_b)?;
        } else {
            pair.deliver(ctx, &pair.a, &from_b)?;
            pair.deliver(ctx, &pair.b, &from_a)?;
        }
        for n in 1..=2 {
            pair.still_talking(ctx, &pair.a, &format!("after the crossing ({n})"))?;
        }
    }
    Ok("crossing opening messages both decrypted, in both orders, and the sides converged".into())
}

fn delete_session(ctx: &mut ScenarioCtx, local: &Address, remote: &Address) -> Step<bool> {
    let op = Op::E2eeDeleteSession(E2eeDeleteSession {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
    });
    match ctx.expect_result(op, "E2eeDeleteSession")? {
        response::Reply::E2eeDeleteSession(r) => Ok(r.existed),
        other => Err(unexpected(Reply::Result(other), "E2eeDeleteSession")),
    }
}

/// E2-024 device to device: B deletes its session with A (it existed); B
/// encrypting to A is refused; a message A sent before is refused; a new
/// session from A's fresh bundle works both ways.
pub fn delete_session_then_new_session(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    pair.still_talking(ctx, &pair.a, "before the deletion")?;
    let held = pair.send(
        ctx,
        &pair.a,
        "A's message sent before B deleted the session",
    )?;
    if !delete_session(ctx, &pair.b, &pair.a)? {
        return Err(Finding::fail(
            "E2eeDeleteSession answered existed = false for a session in use",
        ));
    }
    let reply = ctx.call(super::harness::encrypt_op(
        &pair.b,
        &pair.a,
        b"after deletion",
    ))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::NotFound],
        "E2eeEncrypt to an address whose session was deleted",
    )?;
    match decrypt_raw(ctx, &pair.b, &pair.a, &held.wire)? {
        Reply::Rejected { .. } => {}
        Reply::Result(response::Reply::E2eeDecrypt(_)) => {
            return Err(Finding::fail(
                "a message of the deleted session still decrypted",
            ))
        }
        other => return Err(unexpected(other, "a message of the deleted session")),
    }
    if delete_session(ctx, &pair.b, &pair.a)? {
        return Err(Finding::fail(
            "a second E2eeDeleteSession answered existed = true",
        ));
    }
    let bundle = get_bundle_proto(ctx, &pair.a, true)?;
    process_bundle_proto(ctx, &pair.b, &pair.a, bundle)?;
    pair.still_talking(ctx, &pair.b, "in the new session")?;
    pair.still_talking(ctx, &pair.a, "in the new session, A first")?;
    Ok("the deleted session is forgotten; a new one from a fresh bundle works".into())
}
