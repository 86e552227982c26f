//! Framing: an over-long frame refused before its body, malformed frames
//! rejected without ending the conversation, and pipelined requests
//! answered in order under their own ids.

use rand::Rng;

use super::ping::still_serving;
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, ErrorCategory, Ping, Request};
use crate::ensure;
use crate::peer::adapter as forge;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

pub fn oversized_frame_refused(ctx: &mut ScenarioCtx) -> Check {
    let limit = ctx.hello.max_frame_size;
    ensure!(limit < u64::MAX, "max_frame_size is unbounded");
    let announced = limit + 1;
    // Only the prefix: a target that waits for the body never answers.
    ctx.client.send_raw(
        &format!("length prefix of {announced} bytes, no body"),
        &forge::length_prefix(announced),
    )?;
    let response = match ctx.client.receive() {
        Ok(response) => response,
        Err(err) => {
            return Err(Finding::fail(format!(
                "a frame announced at {announced} bytes (limit {limit}) was not refused: {err}"
            )))
        }
    };
    ensure!(
        response.id == 0,
        "the refusal carries id {}, expected 0",
        response.id
    );
    let reply = Reply::from_response(response)?;
    ctx.refused(
        &reply,
        &[ErrorCategory::LimitExceeded],
        &format!("a frame announced at {announced} bytes"),
    )?;
    Ok(format!("refused {announced} bytes"))
}

pub fn malformed_frame_rejected(ctx: &mut ScenarioCtx) -> Check {
    let bodies = forge::malformed_request_bodies();
    for (name, body) in &bodies {
        ctx.client
            .send_body(&format!("malformed Request ({name})"), body)?;
        let response = ctx.client.receive().map_err(|e| {
            Finding::fail(format!(
                "a malformed Request ({name}) got no Rejected reply: {e}"
            ))
        })?;
        ensure!(
            response.id == 0,
            "the reply to a malformed Request ({name}) carries id {}, expected 0",
            response.id
        );
        let reply = Reply::from_response(response).map_err(|e| {
            Finding::fail(format!("the reply to a malformed Request ({name}): {e}"))
        })?;
        ctx.refused(
            &reply,
            &[ErrorCategory::MalformedInput],
            &format!("a malformed Request ({name})"),
        )?;
        still_serving(ctx, &format!("a malformed Request ({name})"))?;
    }
    Ok(format!(
        "{} malformed bodies rejected; the target kept serving",
        bodies.len()
    ))
}

pub fn reply_ids_match_pipelined_requests(ctx: &mut ScenarioCtx) -> Check {
    // Arbitrary, non-sequential ids: a target that numbers replies itself
    // cannot match them by accident.
    let mut ids: Vec<u64> = Vec::new();
    while ids.len() < 8 {
        let id = ctx.rng.gen_range(1..u64::MAX);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for &id in &ids {
        ctx.client.send(&Request {
            id,
            op: Some(Op::Ping(Ping {
                payload: id.to_be_bytes().to_vec(),
            })),
        })?;
    }
    for (position, &id) in ids.iter().enumerate() {
        let response = ctx.client.receive()?;
        ensure!(
            response.id == id,
            "response {position} carries id {}, expected {id}",
            response.id
        );
        match response.reply {
            Some(response::Reply::Ping(p)) if p.payload == id.to_be_bytes() => {}
            other => {
                return Err(Finding::fail(format!(
                    "response {position} (id {id}) is {}, not the echo of its own Ping",
                    crate::adapter::names::reply_name(other.as_ref())
                )))
            }
        }
    }
    Ok(format!(
        "{} pipelined requests answered in order under their ids",
        ids.len()
    ))
}
