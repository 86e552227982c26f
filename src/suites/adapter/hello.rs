//! Hello: the fields a target declares, and which protocol versions it
//! accepts or refuses.

use rand::Rng;

use crate::adapter::proto::{request::Op, response, Capability, ErrorCategory, Hello};
use crate::adapter::{PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::ensure;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// The smallest frame limit a target may declare: a 1 MiB Ping plus room
/// for the envelope (AD-006 requires 1 MiB echoes).
pub const MIN_FRAME_LIMIT: u64 = 1024 * 1024 + 64;
/// The largest frame limit a target may declare: bounded means bounded.
pub const MAX_FRAME_LIMIT: u64 = 1 << 30;

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

pub fn hello_fields_valid(ctx: &mut ScenarioCtx) -> Check {
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

pub fn hello_minor_version_compatible(ctx: &mut ScenarioCtx) -> Check {
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

/// Minor versions are compatible both ways (docs/adapter.md §Versioning):
/// a Hello of an older minor version of the same major is accepted too.
pub fn hello_older_minor_version_compatible(ctx: &mut ScenarioCtx) -> Check {
    let Some(older_minor) = PROTOCOL_MINOR.checked_sub(1) else {
        return Err(Finding::not_applicable(
            "this harness speaks minor version 0: there is no older one",
        ));
    };
    match ctx.expect_result(
        hello_op(PROTOCOL_MAJOR, older_minor),
        "a Hello with an older minor version",
    )? {
        response::Reply::Hello(h) if h.protocol_major == PROTOCOL_MAJOR => Ok(format!(
            "Hello {PROTOCOL_MAJOR}.{older_minor} accepted as {}.{}",
            h.protocol_major, h.protocol_minor
        )),
        response::Reply::Hello(h) => Err(Finding::fail(format!(
            "the reply names major version {}, expected {PROTOCOL_MAJOR}",
            h.protocol_major
        ))),
        _ => Err(Finding::fail("Hello was not answered with HelloResult")),
    }
}

pub fn hello_major_version_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
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
