//! Ping: exact echoes of every size, and the liveness check the other
//! scenarios use after sending something hostile.

use proptest::prelude::*;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, Ping};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};
use crate::suites::check_property;

/// Sends one Ping and requires the exact echo: the target is still serving.
pub(super) fn still_serving(ctx: &mut ScenarioCtx, after: &str) -> Result<(), Finding> {
    let payload = ctx.rng.gen::<[u8; 16]>().to_vec();
    match ctx.client.call(Op::Ping(Ping {
        payload: payload.clone(),
    })) {
        Ok(Reply::Result(response::Reply::Ping(p))) if p.payload == payload => Ok(()),
        Ok(other) => Err(Finding::fail(format!(
            "after {after}, Ping was answered {}",
            other.describe()
        ))),
        Err(err) => Err(Finding::fail(format!(
            "after {after}, the target stopped serving: {err}"
        ))),
    }
}

fn ping(ctx: &mut ScenarioCtx, payload: &[u8]) -> Result<(), Finding> {
    let result = ctx.expect_result(
        Op::Ping(Ping {
            payload: payload.to_vec(),
        }),
        "Ping",
    )?;
    let response::Reply::Ping(echo) = result else {
        return Err(unexpected(Reply::Result(result), "Ping"));
    };
    if echo.payload == payload {
        return Ok(());
    }
    let first_difference = echo.payload.iter().zip(payload).position(|(a, b)| a != b);
    Err(Finding::fail(match first_difference {
        Some(offset) => format!(
            "Ping of {} bytes came back different from byte {offset}",
            payload.len()
        ),
        None => format!(
            "Ping of {} bytes came back with {} bytes",
            payload.len(),
            echo.payload.len()
        ),
    }))
}

pub fn ping_echoes_empty(ctx: &mut ScenarioCtx) -> Check {
    ping(ctx, &[])?;
    Ok("empty payload echoed".into())
}

pub fn ping_echoes_1mib(ctx: &mut ScenarioCtx) -> Check {
    let mut payload = vec![0u8; 1024 * 1024];
    ctx.rng.fill_bytes(&mut payload);
    ping(ctx, &payload)?;
    Ok("1048576 bytes echoed".into())
}

pub fn ping_echoes_random_payloads(ctx: &mut ScenarioCtx) -> Check {
    // Size and content seed are generated (and shrunk) separately, so the
    // minimal failing case is the smallest size that breaks.
    let strategy = (0usize..=128 * 1024, any::<u64>());
    check_property(
        ctx,
        strategy,
        |(size, fill)| format!("a Ping payload of {size} bytes (content seed {fill})"),
        |ctx, &(size, fill)| {
            let mut payload = vec![0u8; size];
            ChaCha20Rng::seed_from_u64(fill).fill_bytes(&mut payload);
            ping(ctx, &payload)
        },
    )
}
