//! Authentication device to device, for any wire format: another device
//! claiming a known address is refused until approved, a bundle with a
//! signed key substituted or its signature spoilt is refused, and a
//! one-time key serves one session only. Keys and bundles stay opaque: the
//! harness moves whole fields between two devices' bundles.

use std::collections::HashSet;

use super::devices::{new_address, Pair};
use super::harness::{
    create_device_opaque, decrypt_raw, encrypt, get_bundle_proto, process_bundle_proto,
    proto_address, Step,
};
use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, E2eeApproveIdentity, E2eeBundle, E2eeProcessBundle, ErrorCategory,
};
use crate::peer::signal::Address;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

fn process_bundle_reply(
    ctx: &mut ScenarioCtx,
    local: &Address,
    remote: &Address,
    bundle: E2eeBundle,
) -> Step<Reply> {
    ctx.call(Op::E2eeProcessBundle(E2eeProcessBundle {
        local: Some(proto_address(local)),
        remote: Some(proto_address(remote)),
        bundle: Some(bundle),
    }))
}

/// A third device on the target, at an address the pair does not use.
fn impostor(ctx: &mut ScenarioCtx, pair: &Pair) -> Step<(Address, Vec<u8>)> {
    let addr = new_address(ctx, &[&pair.a, &pair.b]);
    let identity = create_device_opaque(ctx, &addr, 4)?;
    Ok((addr, identity))
}

/// E2-013 device to device: once A talks with B, E's bundle offered as B's
/// and E's session-opening message delivered as from B are refused, A and B
/// go on talking; after A approves E's identity for B's address, E's bundle
/// makes a session E can read.
pub fn identity_change_refused(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::new(ctx)?;
    pair.still_talking(ctx, &pair.a, "before the impostor")?;
    let (e, e_identity) = impostor(ctx, &pair)?;

    let e_bundle = get_bundle_proto(ctx, &e, true)?;
    let reply = process_bundle_reply(ctx, &pair.a, &pair.b, e_bundle)?;
    ctx.refused(
        &reply,
        &[ErrorCategory::UntrustedIdentity],
        "another device's bundle offered as B's",
    )?;
    pair.still_talking(ctx, &pair.a, "after E's bundle was refused")?;

    let a_bundle = get_bundle_proto(ctx, &pair.a, true)?;
    process_bundle_proto(ctx, &e, &pair.a, a_bundle)?;
    let forged = encrypt(ctx, &e, &pair.a, b"from E, claiming to be B")?;
    let reply = decrypt_raw(ctx, &pair.a, &pair.b, &forged)?;
    ctx.refused(
        &reply,
        &[ErrorCategory::UntrustedIdentity],
        "another device's session-opening message delivered as from B",
    )?;
    // The target speaks first after the refusal.
    pair.still_talking(ctx, &pair.a, "after E's message was refused")?;

    let approve = Op::E2eeApproveIdentity(E2eeApproveIdentity {
        local: Some(proto_address(&pair.a)),
        remote: Some(proto_address(&pair.b)),
        identity_key: e_identity,
    });
    match ctx.expect_result(approve, "E2eeApproveIdentity")? {
        response::Reply::E2eeApproveIdentity(_) => {}
        other => return Err(unexpected(Reply::Result(other), "E2eeApproveIdentity")),
    }
    // Approval allows a new session (whether E, at another address, may
    // read it is the protocol's address binding, not judged here).
    let e_bundle = get_bundle_proto(ctx, &e, true)?;
    match process_bundle_reply(ctx, &pair.a, &pair.b, e_bundle)? {
        Reply::Result(response::Reply::E2eeProcessBundle(_)) => {}
        other => {
            return Err(Finding::fail(format!(
                "after A approved E's identity for B's address, E's bundle was not taken: {}",
                other.describe()
            )))
        }
    }
    encrypt(ctx, &pair.a, &pair.b, b"to B's address, E approved")?;
    Ok("E's bundle and E's opening message as B's refused; a session once approved".into())
}

/// One way to spoil B's bundle with E's fields, and whether a target must
/// refuse it at E2eeProcessBundle (a signed key or its signature changed:
/// X3DH §3.3) or may accept it if no device can read the result.
struct Spoil {
    what: &'static str,
    must_refuse: bool,
    apply: fn(&mut E2eeBundle, &E2eeBundle),
}

const SPOILS: &[Spoil] = &[
    Spoil {
        what: "B's bundle with E's signed prekey under B's signature",
        must_refuse: true,
        apply: |b, e| b.signed_prekey = e.signed_prekey.clone(),
    },
    Spoil {
        what: "B's bundle with E's signature on B's signed prekey",
        must_refuse: true,
        apply: |b, e| b.signed_prekey_signature = e.signed_prekey_signature.clone(),
    },
    Spoil {
        what: "B's bundle with E's identity key (B's signed prekey and signature)",
        must_refuse: true,
        apply: |b, e| b.identity_key = e.identity_key.clone(),
    },
    Spoil {
        what: "B's bundle with E's identity key and signed prekey under B's signature",
        must_refuse: true,
        apply: |b, e| {
            b.identity_key = e.identity_key.clone();
            b.signed_prekey = e.signed_prekey.clone();
        },
    },
    Spoil {
        what: "B's bundle with E's one-time prekey",
        must_refuse: false,
        apply: |b, e| {
            b.has_one_time_prekey = e.has_one_time_prekey;
            b.one_time_prekey = e.one_time_prekey.clone();
            b.one_time_prekey_id = e.one_time_prekey_id;
        },
    },
];

/// E2-012 device to device: B's bundle with one of E's fields in place of
/// B's. A spoilt signed key or signature is refused; a substituted one-time
/// key is refused or makes a session whose first message neither B nor E
/// reads. Each refusal leaves A free to take B's genuine bundle.
pub fn bundle_substitution_refused(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::unconnected(ctx)?;
    let (e, _) = impostor(ctx, &pair)?;
    let mut signature_flips = 0;
    for spoil in SPOILS {
        // One-time keys only where the spoil is about them.
        let with_one_time_key = !spoil.must_refuse;
        let mut bundle = get_bundle_proto(ctx, &pair.b, with_one_time_key)?;
        let e_bundle = get_bundle_proto(ctx, &e, with_one_time_key)?;
        (spoil.apply)(&mut bundle, &e_bundle);
        // Each spoilt bundle goes to a fresh initiator, so that an accepted
        // one cannot stand in the way of the next.
        let a = new_address(ctx, &[&pair.a, &pair.b, &e]);
        create_device_opaque(ctx, &a, 1)?;
        let reply = process_bundle_reply(ctx, &a, &pair.b, bundle)?;
        if spoil.must_refuse || matches!(reply, Reply::Rejected { .. }) {
            ctx.refused(&reply, &[ErrorCategory::BadSignature], spoil.what)?;
            continue;
        }
        if !matches!(reply, Reply::Result(response::Reply::E2eeProcessBundle(_))) {
            return Err(unexpected(reply, spoil.what));
        }
        let sent = encrypt(ctx, &a, &pair.b, b"over a substituted one-time key")?;
        for reader in [&pair.b, &e] {
            if let Reply::Result(response::Reply::E2eeDecrypt(_)) =
                decrypt_raw(ctx, reader, &a, &sent)?
            {
                return Err(Finding::fail(format!(
                    "{}: accepted, and the session's first message was read by {}",
                    spoil.what,
                    if reader == &e { "E" } else { "B" }
                )));
            }
        }
    }
    // Every byte of the signature flipped in turn (a bit each).
    let genuine = get_bundle_proto(ctx, &pair.b, false)?;
    for i in 0..genuine.signed_prekey_signature.len() {
        let mut bundle = genuine.clone();
        bundle.signed_prekey_signature[i] ^= 1 << (i % 8);
        let reply = process_bundle_reply(ctx, &pair.a, &pair.b, bundle)?;
        ctx.refused(
            &reply,
            &[ErrorCategory::BadSignature],
            &format!("B's bundle with byte {i} of its signature altered"),
        )?;
        signature_flips += 1;
    }
    process_bundle_proto(ctx, &pair.a, &pair.b, genuine)?;
    pair.still_talking(ctx, &pair.a, "after the spoilt bundles")?;
    Ok(format!(
        "{} substitutions and {signature_flips} signature bit flips refused or unusable; the genuine bundle works",
        SPOILS.len()
    ))
}

/// E2-014 device to device: one-time keys served by B are pairwise
/// distinct, and B's bundle with one of them, used by two initiators,
/// opens exactly one session at B.
pub fn one_time_key_single_use(ctx: &mut ScenarioCtx) -> Check {
    let pair = Pair::unconnected(ctx)?;
    let mut served = HashSet::new();
    // The pair's devices were made with 4 one-time keys; 3 are served here,
    // one is left for the bundle below.
    for n in 1..=3 {
        let bundle = get_bundle_proto(ctx, &pair.b, true)?;
        if !bundle.has_one_time_prekey {
            return Err(Finding::fail(format!(
                "bundle {n} of B carries no one-time prekey though B was made with 4"
            )));
        }
        if !served.insert(bundle.one_time_prekey.clone()) {
            return Err(Finding::fail(format!(
                "bundle {n} of B serves a one-time prekey served before"
            )));
        }
    }
    let bundle = get_bundle_proto(ctx, &pair.b, true)?;
    if !bundle.has_one_time_prekey || !served.insert(bundle.one_time_prekey.clone()) {
        return Err(Finding::fail(
            "B's fourth bundle carries no fresh one-time prekey",
        ));
    }
    let second = new_address(ctx, &[&pair.a, &pair.b]);
    create_device_opaque(ctx, &second, 1)?;
    process_bundle_proto(ctx, &pair.a, &pair.b, bundle.clone())?;
    process_bundle_proto(ctx, &second, &pair.b, bundle)?;
    let first_message = encrypt(ctx, &pair.a, &pair.b, b"first use of the one-time key")?;
    let second_message = encrypt(ctx, &second, &pair.b, b"second use of the one-time key")?;
    match decrypt_raw(ctx, &pair.b, &pair.a, &first_message)? {
        Reply::Result(response::Reply::E2eeDecrypt(_)) => {}
        other => {
            return Err(Finding::fail(format!(
                "B refused the first session over its one-time key: {}",
                other.describe()
            )))
        }
    }
    let reply = decrypt_raw(ctx, &pair.b, &second, &second_message)?;
    ctx.refused(
        &reply,
        &[ErrorCategory::NotFound],
        "a second session over a one-time key B had used",
    )?;
    pair.still_talking(ctx, &pair.b, "after the second session was refused")?;
    Ok("4 distinct one-time keys served; the reused one opened one session only".into())
}
