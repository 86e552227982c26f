//! The adapter suite (`suites/adapter.toml`): the contract every target
//! keeps before any protocol suite can run against it.

use proptest::collection::vec;
use proptest::prelude::*;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use super::{check_property, ScenarioImpl};
use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, Capability, ErrorCategory, Hello, Ping, Recall, Remember, Request, Reset,
};
use crate::adapter::{PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::ensure;
use crate::peer::adapter as forge;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// The smallest frame limit a target may declare: a 1 MiB Ping plus room
/// for the envelope (AD-006 requires 1 MiB echoes).
pub const MIN_FRAME_LIMIT: u64 = 1024 * 1024 + 64;
/// The largest frame limit a target may declare: bounded means bounded.
pub const MAX_FRAME_LIMIT: u64 = 1 << 30;

pub fn scenarios() -> Vec<ScenarioImpl> {
    vec![
        ScenarioImpl {
            id: "adapter/hello-fields-valid",
            run: hello_fields_valid,
        },
        ScenarioImpl {
            id: "adapter/hello-minor-version-compatible",
            run: hello_minor_version_compatible,
        },
        ScenarioImpl {
            id: "adapter/hello-major-version-mismatch-refused",
            run: hello_major_version_mismatch_refused,
        },
        ScenarioImpl {
            id: "adapter/unknown-op-is-unsupported",
            run: unknown_op_is_unsupported,
        },
        ScenarioImpl {
            id: "adapter/empty-request-is-unsupported",
            run: empty_request_is_unsupported,
        },
        ScenarioImpl {
            id: "adapter/reset-clears-remembered-state",
            run: reset_clears_remembered_state,
        },
        ScenarioImpl {
            id: "adapter/remember-recall-round-trip",
            run: remember_recall_round_trip,
        },
        ScenarioImpl {
            id: "adapter/ping-echoes-empty",
            run: ping_echoes_empty,
        },
        ScenarioImpl {
            id: "adapter/ping-echoes-1mib",
            run: ping_echoes_1mib,
        },
        ScenarioImpl {
            id: "adapter/ping-echoes-random-payloads",
            run: ping_echoes_random_payloads,
        },
        ScenarioImpl {
            id: "adapter/oversized-frame-refused",
            run: oversized_frame_refused,
        },
        ScenarioImpl {
            id: "adapter/malformed-frame-rejected",
            run: malformed_frame_rejected,
        },
        ScenarioImpl {
            id: "adapter/reply-ids-match-pipelined-requests",
            run: reply_ids_match_pipelined_requests,
        },
    ]
}

fn hello_op(major: u32, minor: u32) -> Op {
    Op::Hello(Hello {
        protocol_major: major,
        protocol_minor: minor,
        harness_name: crate::HARNESS_NAME.into(),
        harness_version: crate::HARNESS_VERSION.into(),
    })
}

fn is_printable(text: &str) -> bool {
    !text.trim().is_empty() && text.len() <= 256 && !text.chars().any(char::is_control)
}

fn hello_fields_valid(ctx: &mut ScenarioCtx) -> Check {
    let response::Reply::Hello(hello) =
        ctx.expect_result(hello_op(PROTOCOL_MAJOR, PROTOCOL_MINOR), "Hello")?
    else {
        return Err(Finding::fail("Hello was not answered with HelloResult"));
    };
    ensure!(
        hello.protocol_major == PROTOCOL_MAJOR,
        "protocol_major is {}, expected {PROTOCOL_MAJOR}",
        hello.protocol_major
    );
    ensure!(
        is_printable(&hello.implementation_name),
        "implementation_name {:?} is empty, too long or has control characters",
        hello.implementation_name
    );
    ensure!(
        is_printable(&hello.implementation_version),
        "implementation_version {:?} is empty, too long or has control characters",
        hello.implementation_version
    );
    let mut seen = Vec::new();
    for &raw in &hello.capabilities {
        let capability = Capability::try_from(raw).map_err(|_| {
            Finding::fail(format!("capability {raw} is not defined by the protocol"))
        })?;
        ensure!(
            capability != Capability::Unspecified,
            "CAPABILITY_UNSPECIFIED is not a capability"
        );
        ensure!(
            !seen.contains(&capability),
            "capability {} is listed twice",
            capability.as_str_name()
        );
        seen.push(capability);
    }
    ensure!(!hello.profiles.is_empty(), "no profile is listed");
    for (index, profile) in hello.profiles.iter().enumerate() {
        ensure!(
            !profile.is_empty()
                && profile
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "profile name {profile:?} is not a lower-case slug"
        );
        ensure!(
            !hello.profiles[..index].contains(profile),
            "profile {profile:?} is listed twice"
        );
    }
    ensure!(
        (MIN_FRAME_LIMIT..=MAX_FRAME_LIMIT).contains(&hello.max_frame_size),
        "max_frame_size {} is outside [{MIN_FRAME_LIMIT}, {MAX_FRAME_LIMIT}]",
        hello.max_frame_size
    );
    Ok(format!(
        "{} declares {} capabilities and profiles {:?}",
        hello.implementation_name,
        seen.len(),
        hello.profiles
    ))
}

fn hello_minor_version_compatible(ctx: &mut ScenarioCtx) -> Check {
    let newer_minor = PROTOCOL_MINOR + 1 + ctx.rng.gen_range(0..1000);
    match ctx.expect_result(
        hello_op(PROTOCOL_MAJOR, newer_minor),
        "a Hello with a newer minor version",
    )? {
        response::Reply::Hello(h) if h.protocol_major == PROTOCOL_MAJOR => Ok(format!(
            "Hello {PROTOCOL_MAJOR}.{newer_minor} accepted as {}.{}",
            h.protocol_major, h.protocol_minor
        )),
        response::Reply::Hello(h) => Err(Finding::fail(format!(
            "the reply names major version {}, expected {PROTOCOL_MAJOR}",
            h.protocol_major
        ))),
        _ => Err(Finding::fail("Hello was not answered with HelloResult")),
    }
}

fn hello_major_version_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
    for major in [PROTOCOL_MAJOR + 1, 0, u32::MAX] {
        let reply = ctx.call(hello_op(major, 0))?;
        ctx.refused(
            &reply,
            &[ErrorCategory::VersionMismatch],
            &format!("Hello {major}.0"),
        )?;
    }
    // Refusing a version must not end the conversation.
    match ctx.expect_result(
        hello_op(PROTOCOL_MAJOR, PROTOCOL_MINOR),
        "Hello after a refused Hello",
    )? {
        response::Reply::Hello(_) => {
            Ok("majors 2, 0 and 2^32-1 refused; a correct Hello still accepted".into())
        }
        _ => Err(Finding::fail("Hello was not answered with HelloResult")),
    }
}

/// Sends one Ping and requires the exact echo: the target is still serving.
fn still_serving(ctx: &mut ScenarioCtx, after: &str) -> Result<(), Finding> {
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

fn unknown_op_is_unsupported(ctx: &mut ScenarioCtx) -> Check {
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

fn empty_request_is_unsupported(ctx: &mut ScenarioCtx) -> Check {
    let id = ctx.client.fresh_id();
    ctx.client.send(&Request { id, op: None })?;
    expect_unsupported_under(ctx, id, "a request with no operation")?;
    still_serving(ctx, "a request with no operation")?;
    Ok("answered Unsupported and kept serving".into())
}

fn recall(ctx: &mut ScenarioCtx, key: &str) -> Result<Option<Vec<u8>>, Finding> {
    match ctx.expect_result(Op::Recall(Recall { key: key.into() }), "Recall")? {
        response::Reply::Recall(r) if r.found => Ok(Some(r.value)),
        response::Reply::Recall(_) => Ok(None),
        other => Err(unexpected(Reply::Result(other), "Recall")),
    }
}

fn remember(ctx: &mut ScenarioCtx, key: &str, value: &[u8]) -> Result<(), Finding> {
    match ctx.expect_result(
        Op::Remember(Remember {
            key: key.into(),
            value: value.to_vec(),
        }),
        "Remember",
    )? {
        response::Reply::Remember(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "Remember")),
    }
}

fn reset(ctx: &mut ScenarioCtx) -> Result<(), Finding> {
    match ctx.expect_result(Op::Reset(Reset {}), "Reset")? {
        response::Reply::Reset(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "Reset")),
    }
}

fn reset_clears_remembered_state(ctx: &mut ScenarioCtx) -> Check {
    let keys: Vec<String> = (0..4)
        .map(|i| format!("k{i}-{:08x}", ctx.rng.gen::<u32>()))
        .collect();
    for key in &keys {
        let value = key.as_bytes().to_vec();
        remember(ctx, key, &value)?;
        // Without a working Remember, Reset could not be told apart from a no-op.
        ensure!(
            recall(ctx, key)?.as_deref() == Some(value.as_slice()),
            "Recall({key:?}) before Reset did not return what Remember stored"
        );
    }
    reset(ctx)?;
    for key in &keys {
        if let Some(value) = recall(ctx, key)? {
            return Err(Finding::fail(format!(
                "after Reset, Recall({key:?}) still returned {} bytes",
                value.len()
            )));
        }
    }
    Ok(format!("{} remembered values gone after Reset", keys.len()))
}

fn remember_recall_round_trip(ctx: &mut ScenarioCtx) -> Check {
    let entries = vec(("[a-z0-9]{1,12}", vec(any::<u8>(), 0..48)), 1..8);
    check_property(
        ctx,
        entries,
        |entries| format!("{} Remember calls: {entries:?}", entries.len()),
        |ctx, entries| {
            reset(ctx)?;
            for (key, value) in entries {
                remember(ctx, key, value)?;
            }
            for (key, _) in entries {
                // The last value stored under a key wins.
                let expected = entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone());
                let got = recall(ctx, key)?;
                ensure!(
                    got == expected,
                    "Recall({key:?}) returned {got:?}, expected {expected:?}"
                );
            }
            // Upper case is outside the generated key alphabet: never stored.
            ensure!(
                recall(ctx, "NEVER-STORED")?.is_none(),
                "Recall of a key never stored reported it found"
            );
            Ok(())
        },
    )
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

fn ping_echoes_empty(ctx: &mut ScenarioCtx) -> Check {
    ping(ctx, &[])?;
    Ok("empty payload echoed".into())
}

fn ping_echoes_1mib(ctx: &mut ScenarioCtx) -> Check {
    let mut payload = vec![0u8; 1024 * 1024];
    ctx.rng.fill_bytes(&mut payload);
    ping(ctx, &payload)?;
    Ok("1048576 bytes echoed".into())
}

fn ping_echoes_random_payloads(ctx: &mut ScenarioCtx) -> Check {
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

fn oversized_frame_refused(ctx: &mut ScenarioCtx) -> Check {
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

fn malformed_frame_rejected(ctx: &mut ScenarioCtx) -> Check {
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

fn reply_ids_match_pipelined_requests(ctx: &mut ScenarioCtx) -> Check {
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
