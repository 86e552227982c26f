//! Requests a target cannot serve (an unknown operation, no operation at
//! all): answered Unsupported under their own id, and the target keeps
//! serving.

use super::ping::still_serving;
use crate::adapter::proto::{response, Request};
use crate::ensure;
use crate::peer::adapter as forge;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

fn expect_unsupported_under(ctx: &mut ScenarioCtx, id: u64, what: &str) -> Result<(), Finding> {
    let response = ctx
        .client
        .receive()
        .map_err(|e| Finding::fail(format!("{what}: no reply ({e})")))?;
    ensure!(
        response.id == id,
        "{what} was answered under id {}, expected {id}",
        response.id
    );
    match response.reply {
        Some(response::Reply::Unsupported(_)) => Ok(()),
        other => Err(Finding::fail(format!(
            "{what} was answered {}, expected Unsupported",
            crate::adapter::names::reply_name(other.as_ref())
        ))),
    }
}

pub fn unknown_op_is_unsupported(ctx: &mut ScenarioCtx) -> Check {
    let id = ctx.client.fresh_id();
    let body = forge::unknown_op_request(id, forge::UNASSIGNED_OP_FIELD);
    ctx.client.send_body(
        &format!("Request id={id} op=field {}", forge::UNASSIGNED_OP_FIELD),
        &body,
    )?;
    expect_unsupported_under(ctx, id, "an unknown operation")?;
    still_serving(ctx, "an unknown operation")?;
    Ok("answered Unsupported and kept serving".into())
}

pub fn empty_request_is_unsupported(ctx: &mut ScenarioCtx) -> Check {
    let id = ctx.client.fresh_id();
    ctx.client.send(&Request { id, op: None })?;
    expect_unsupported_under(ctx, id, "a request with no operation")?;
    still_serving(ctx, "a request with no operation")?;
    Ok("answered Unsupported and kept serving".into())
}
