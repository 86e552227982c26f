//! The operations' own refusals (docs/e2ee.md §Operations, E2-029): a
//! device created twice, an address name outside 1-256 bytes, an unknown
//! local device, encrypting without a session or past the body bound, an
//! identity key that is not a key, a safety number for an unknown party.
//! Each refusal changes nothing the scenario can see.

use rand::RngCore;

use super::harness::{
    approve_identity, create_device, encrypt_op, expect_rejected, fresh_address, get_bundle,
    proto_address, Conversation,
};
use crate::adapter::proto::{
    request::Op, E2eeAddress, E2eeApproveIdentity, E2eeCreateDevice, E2eeSafetyNumber,
    ErrorCategory,
};
use crate::ensure;
use crate::peer::signal::Address;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// The longest address name the docs allow (docs/e2ee.md §Common types).
pub const MAX_NAME_LEN: usize = 256;

/// Which refusal of an operation.
#[derive(Clone, Copy, Debug)]
pub enum OpRefusal {
    CreateTwice,
    NameLength,
    UnknownLocalDevice,
    EncryptWithoutSession,
    EncryptOverLimit,
    ApproveInvalidKey,
    SafetyNumberUnknownRemote,
}

pub fn operation_refused(ctx: &mut ScenarioCtx, &which: &OpRefusal) -> Check {
    match which {
        OpRefusal::CreateTwice => create_twice(ctx),
        OpRefusal::NameLength => name_length(ctx),
        OpRefusal::UnknownLocalDevice => unknown_local_device(ctx),
        OpRefusal::EncryptWithoutSession => encrypt_without_session(ctx),
        OpRefusal::EncryptOverLimit => encrypt_over_limit(ctx),
        OpRefusal::ApproveInvalidKey => approve_invalid_key(ctx),
        OpRefusal::SafetyNumberUnknownRemote => safety_number_unknown_remote(ctx),
    }
}

fn create_op(addr: &E2eeAddress) -> Op {
    Op::E2eeCreateDevice(E2eeCreateDevice {
        address: Some(addr.clone()),
        registration_id: 0,
        one_time_prekeys: 1,
        fixed_keys: None,
    })
}

/// A second device at the same address: INVALID_STATE, and the first
/// device keeps its identity (its bundle still carries it).
fn create_twice(ctx: &mut ScenarioCtx) -> Check {
    let c = Conversation::devices(ctx, 2)?;
    let reply = ctx.call(create_op(&proto_address(&c.target_addr)))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::InvalidState],
        "E2eeCreateDevice at an address that has a device",
    )?;
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    ensure!(
        bundle.identity_key == c.target_identity,
        "after a refused second E2eeCreateDevice the device's bundle carries another identity"
    );
    Ok(
        "a second device at one address refused with INVALID_STATE; the first keeps its identity"
            .into(),
    )
}

/// Address names of 0 and 257 bytes are refused (MALFORMED_INPUT); one of
/// exactly 256 bytes is a device like any other.
fn name_length(ctx: &mut ScenarioCtx) -> Check {
    super::harness::require_signal_wire(ctx)?;
    for len in [0usize, MAX_NAME_LEN + 1] {
        let name = "7".repeat(len);
        let reply = ctx.call(create_op(&E2eeAddress { name, device_id: 1 }))?;
        expect_rejected(
            ctx,
            reply,
            &[ErrorCategory::MalformedInput],
            &format!("E2eeCreateDevice with a {len}-byte address name"),
        )?;
    }
    let mut longest = "8".repeat(MAX_NAME_LEN - 4);
    longest.push_str(&format!("{:04}", ctx.rng.next_u32() % 10_000));
    let addr = Address::new(longest, 1);
    create_device(ctx, &addr, 1, None)?;
    get_bundle(ctx, &addr, true)?;
    Ok(format!(
        "address names of 0 and {} bytes refused; one of {MAX_NAME_LEN} bytes makes a device",
        MAX_NAME_LEN + 1
    ))
}

/// Every operation naming a local device that does not exist: NOT_FOUND.
fn unknown_local_device(ctx: &mut ScenarioCtx) -> Check {
    let c = Conversation::devices(ctx, 1)?;
    let mut nobody = fresh_address(ctx);
    while nobody == c.target_addr || nobody == c.peer_addr {
        nobody = fresh_address(ctx);
    }
    let bundle = super::bundle::to_message(&get_bundle(ctx, &c.target_addr, false)?);
    let identity = c.target_identity.serialize().to_vec();
    let names = super::device_refusals::unknown_local_device_refused(
        ctx,
        &nobody,
        &c.target_addr,
        bundle,
        identity,
    )?;
    Ok(format!(
        "{} naming an unknown local device refused with NOT_FOUND",
        names.join(", ")
    ))
}

/// Encrypting to a party the device has no session with: NOT_FOUND; a
/// session made afterwards works.
fn encrypt_without_session(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 1)?;
    let reply = ctx.call(encrypt_op(&c.target_addr, &c.peer_addr, b"no session"))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::NotFound],
        "E2eeEncrypt to a party with no session",
    )?;
    let bundle = c.peer.bundle();
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &bundle)?;
    c.target_to_peer(ctx, b"now with a session")?;
    Ok("E2eeEncrypt without a session refused with NOT_FOUND; after a bundle it works".into())
}

/// A plaintext of `max_body_len` bytes, whose ciphertext (PKCS#7 adds a
/// block) passes the bound: LIMIT_EXCEEDED, and the session goes on at the
/// counter it had.
fn encrypt_over_limit(ctx: &mut ScenarioCtx) -> Check {
    let limit = ctx.profile.e2ee.max_body_len as usize;
    let mut c = Conversation::talking(ctx)?;
    let mut text = vec![0u8; limit];
    ctx.rng.fill_bytes(&mut text);
    let reply = ctx.call(encrypt_op(&c.target_addr, &c.peer_addr, &text))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::LimitExceeded],
        &format!("E2eeEncrypt of {limit} bytes, whose ciphertext body would pass {limit}"),
    )?;
    c.target_to_peer(ctx, b"the next message after the refusal")?;
    c.peer_to_target(ctx, b"the peer answers")?;
    Ok(format!(
        "a {limit}-byte plaintext refused with LIMIT_EXCEEDED; the session goes on"
    ))
}

/// E2eeApproveIdentity with a key of another type byte or 32 bytes:
/// INVALID_KEY, and the identity trusted before stays trusted.
fn approve_invalid_key(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let real = c.peer.identity_key().serialize();
    let mut wrong_type = real.to_vec();
    wrong_type[0] = 0x06;
    for (what, key) in [
        ("type byte 0x06", wrong_type),
        ("32 bytes", real[..32].to_vec()),
    ] {
        let reply = ctx.call(Op::E2eeApproveIdentity(E2eeApproveIdentity {
            local: Some(proto_address(&c.target_addr)),
            remote: Some(proto_address(&c.peer_addr)),
            identity_key: key,
        }))?;
        expect_rejected(
            ctx,
            reply,
            &[ErrorCategory::InvalidKey],
            &format!("E2eeApproveIdentity with an identity key of {what}"),
        )?;
    }
    // The session and the trusted identity are as before.
    c.target_speaks_first_after_refusal(ctx, "E2eeApproveIdentity with an invalid key")?;
    c.peer_to_target(ctx, b"still trusted")?;
    c.target_to_peer(ctx, b"still talking")?;
    approve_identity(ctx, &c.target_addr, &c.peer_addr, c.peer.identity_key())?;
    Ok("identity keys of type 0x06 and of 32 bytes refused with INVALID_KEY".into())
}

/// A safety number with a party whose identity the device does not know:
/// NOT_FOUND (the capability is optional).
fn safety_number_unknown_remote(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 1)?;
    let reply = ctx.call(Op::E2eeSafetyNumber(E2eeSafetyNumber {
        local: Some(proto_address(&c.target_addr)),
        remote: Some(proto_address(&c.peer_addr)),
    }))?;
    if let crate::adapter::client::Reply::Unsupported(why) = &reply {
        return Err(Finding::not_applicable(format!(
            "the target has no safety numbers: {why}"
        )));
    }
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::NotFound],
        "E2eeSafetyNumber for a party whose identity is unknown",
    )?;
    let bundle = c.peer.bundle();
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &bundle)?;
    super::harness::safety_number(ctx, &c.target_addr, &c.peer_addr)?;
    c.target_to_peer(ctx, b"known now")?;
    Ok("a safety number for an unknown party refused with NOT_FOUND; known after a bundle".into())
}
