//! The e2ee operations' refusals (docs/e2ee.md §Operations, E2-029) for
//! any wire format: nothing here parses a key, bundle or ciphertext.

use rand::RngCore;

use super::devices::{new_address, Pair};
use super::harness::{
    create_device_opaque, encrypt_op, get_bundle_proto, process_bundle_proto, proto_address, Step,
};
use super::operations::MAX_NAME_LEN;
use crate::adapter::proto::{
    request::Op, E2eeAddress, E2eeApproveIdentity, E2eeBundle, E2eeCreateDevice, E2eeDecrypt,
    E2eeDeleteSession, E2eeGetBundle, E2eeProcessBundle, E2eeSafetyNumber, ErrorCategory,
};
use crate::ensure;
use crate::peer::signal::Address;
use crate::scenario::outcome::Check;
use crate::scenario::ScenarioCtx;

/// Every e2ee operation naming `nobody`, a local device that does not
/// exist, with `remote` (a device that does) as the other party: each is
/// refused `NOT_FOUND` (docs/e2ee.md §Operations), and none made a device
/// at `nobody`. `bundle` and `identity_key` are `remote`'s, as served.
/// Returns the operations' names.
pub fn unknown_local_device_refused(
    ctx: &mut ScenarioCtx,
    nobody: &Address,
    remote: &Address,
    bundle: E2eeBundle,
    identity_key: Vec<u8>,
) -> Step<Vec<&'static str>> {
    let local = Some(proto_address(nobody));
    let remote_proto = Some(proto_address(remote));
    let mut ops = vec![
        (
            "E2eeGetBundle",
            Op::E2eeGetBundle(E2eeGetBundle {
                local: local.clone(),
                with_one_time_prekey: true,
            }),
        ),
        (
            "E2eeProcessBundle",
            Op::E2eeProcessBundle(E2eeProcessBundle {
                local: local.clone(),
                remote: remote_proto.clone(),
                bundle: Some(bundle),
            }),
        ),
        ("E2eeEncrypt", encrypt_op(nobody, remote, b"from nobody")),
        (
            "E2eeDecrypt",
            Op::E2eeDecrypt(E2eeDecrypt {
                local: local.clone(),
                remote: remote_proto.clone(),
                message_type: 2,
                ciphertext: vec![0x33; 60],
            }),
        ),
        (
            "E2eeApproveIdentity",
            Op::E2eeApproveIdentity(E2eeApproveIdentity {
                local: local.clone(),
                remote: remote_proto.clone(),
                identity_key,
            }),
        ),
        (
            "E2eeDeleteSession",
            Op::E2eeDeleteSession(E2eeDeleteSession {
                local: local.clone(),
                remote: remote_proto.clone(),
            }),
        ),
    ];
    if ctx.hello.declares("E2EE_SAFETY_NUMBERS") {
        ops.push((
            "E2eeSafetyNumber",
            Op::E2eeSafetyNumber(E2eeSafetyNumber {
                local,
                remote: remote_proto,
            }),
        ));
    }
    let names = ops.iter().map(|(name, _)| *name).collect();
    for (name, op) in ops {
        let reply = ctx.call(op)?;
        ctx.refused(
            &reply,
            &[ErrorCategory::NotFound],
            &format!("{name} naming a local device that does not exist"),
        )?;
    }
    let reply = ctx.call(Op::E2eeGetBundle(E2eeGetBundle {
        local: Some(proto_address(nobody)),
        with_one_time_prekey: false,
    }))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::NotFound],
        "E2eeGetBundle for the unknown device after the other operations (none made it)",
    )?;
    Ok(names)
}

fn create_op(addr: E2eeAddress) -> Op {
    Op::E2eeCreateDevice(E2eeCreateDevice {
        address: Some(addr),
        registration_id: 0,
        one_time_prekeys: 1,
        fixed_keys: None,
    })
}

/// E2-029 device to device: a second device at an address, address names
/// of 0 and 257 bytes, every operation naming an unknown local device,
/// encrypting without a session and a plaintext over the bound are
/// refused, and each refusal changes nothing.
pub fn operation_refusals(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::unconnected(ctx)?;

    // A second device at B's address; B keeps its identity.
    let before = get_bundle_proto(ctx, &pair.b, false)?.identity_key;
    let reply = ctx.call(create_op(proto_address(&pair.b)))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::InvalidState],
        "E2eeCreateDevice at an address that has a device",
    )?;
    let after = get_bundle_proto(ctx, &pair.b, false)?.identity_key;
    ensure!(
        before == after,
        "after a refused second E2eeCreateDevice the device's bundle carries another identity"
    );

    // Address names outside 1-256 bytes; one of 256 bytes is a device.
    for len in [0usize, MAX_NAME_LEN + 1] {
        let name = "7".repeat(len);
        let reply = ctx.call(create_op(E2eeAddress { name, device_id: 1 }))?;
        ctx.refused(
            &reply,
            &[ErrorCategory::MalformedInput],
            &format!("E2eeCreateDevice with a {len}-byte address name"),
        )?;
    }
    let mut longest = "8".repeat(MAX_NAME_LEN - 4);
    longest.push_str(&format!("{:04}", ctx.rng.next_u32() % 10_000));
    let longest = Address::new(longest, 1);
    create_device_opaque(ctx, &longest, 1)?;

    // Every operation naming a local device that does not exist.
    let nobody = new_address(ctx, &[&pair.a, &pair.b, &longest]);
    let b_bundle = get_bundle_proto(ctx, &pair.b, false)?;
    let b_identity = pair.b_identity.clone();
    unknown_local_device_refused(ctx, &nobody, &pair.b, b_bundle, b_identity)?;

    // Encrypting without a session; then a session works.
    let reply = ctx.call(encrypt_op(&pair.a, &pair.b, b"no session yet"))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::NotFound],
        "E2eeEncrypt to a party with no session",
    )?;
    let bundle = get_bundle_proto(ctx, &pair.b, true)?;
    process_bundle_proto(ctx, &pair.a, &pair.b, bundle)?;
    pair.still_talking(ctx, &pair.a, "after the refused encryption")?;

    // A plaintext of max_body_len bytes: its ciphertext would pass the
    // bound. The session goes on.
    let limit = ctx.profile.e2ee.max_body_len as usize;
    let mut text = vec![0u8; limit];
    ctx.rng.fill_bytes(&mut text);
    let reply = ctx.call(encrypt_op(&pair.a, &pair.b, &text))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::LimitExceeded],
        &format!("E2eeEncrypt of {limit} bytes, whose ciphertext body would pass {limit}"),
    )?;
    pair.still_talking(ctx, &pair.a, "after the refused long plaintext")?;
    Ok("a second device, bad address names, unknown local devices, no session and an over-long plaintext refused; nothing changed".into())
}
