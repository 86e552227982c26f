//! One-time prekeys: each is served once and consumed once; a message
//! naming a consumed one is refused.

use std::collections::BTreeSet;

use super::harness::{expect_rejected, get_bundle, peer_device, Conversation, Initiator, Wire};
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::signal::SignalKnobs;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// Two peers use the same bundle: the first session consumes its one-time
/// prekey, the second (a stale copy) is refused; the next bundle served
/// carries another one-time prekey.
pub fn one_time_prekey_works_once(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 4)?;
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    let (first_id, _) = bundle.one_time_pre_key.ok_or_else(|| {
        Finding::fail("a device with 4 one-time prekeys served a bundle without one")
    })?;
    let mut other_addr = super::harness::fresh_address(ctx);
    while other_addr == c.peer_addr || other_addr == c.target_addr {
        other_addr = super::harness::fresh_address(ctx);
    }
    let mut other = peer_device(ctx, &other_addr);
    for device in [&mut c.peer, &mut other] {
        device
            .process_bundle(&c.target_addr, &bundle)
            .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    }
    c.peer_to_target(ctx, b"consumes the one-time prekey")?;
    let (kind, bytes) = other
        .encrypt(&c.target_addr, b"reusing a consumed one-time prekey")
        .map_err(|e| Finding::error(format!("peer: {e}")))?;
    let reply = ctx.call(super::harness::decrypt_op(
        &c.target_addr,
        &other_addr,
        kind.wire_type(),
        &bytes,
    ))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::NotFound],
        "a PreKeySignalMessage naming an already consumed one-time prekey",
    )?;
    let next = get_bundle(ctx, &c.target_addr, true)?;
    let next_id = next.one_time_pre_key.map(|(id, _)| id);
    ensure!(
        next_id.is_some_and(|id| id != first_id),
        "the bundle served after one-time prekey {first_id} was used carries {next_id:?}"
    );
    c.target_to_peer(ctx, b"first session unaffected")?;
    Ok(format!(
        "one-time prekey {first_id} used once, its reuse refused; the next bundle carries {}",
        next_id.unwrap_or(0)
    ))
}

/// The honest way to name a consumed prekey: the peer's knob puts an id the
/// target already consumed into an otherwise valid PreKeySignalMessage.
pub fn consumed_one_time_prekey_id_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let used = c
        .peer
        .session(&c.target_addr)
        .and_then(|r| r.current.as_ref())
        .and_then(|s| s.pending_prekey.as_ref())
        .and_then(|p| p.pre_key_id)
        .ok_or_else(|| Finding::error("internal: no one-time prekey id"))?;
    c.peer_to_target(ctx, b"consumes it")?;
    // A new session from a fresh bundle, whose messages name the used id.
    let bundle = get_bundle(ctx, &c.target_addr, true)?;
    c.peer
        .process_bundle(&c.target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's second bundle was refused: {e}")))?;
    let bad: Wire = c.peer_encrypt_with(
        SignalKnobs {
            prekey_one_time_prekey_id: Some(used),
            ..Default::default()
        },
        b"names a consumed prekey",
    )?;
    let what = "a PreKeySignalMessage naming a consumed one-time prekey";
    let reply = c.offer_to_target(ctx, &bad)?;
    expect_rejected(ctx, reply, &[ErrorCategory::NotFound], what)?;
    c.target_speaks_first_after_refusal(ctx, what)?;
    c.peer_to_target(ctx, b"the honest restart")?;
    c.target_to_peer(ctx, b"on the new session")?;
    Ok(format!(
        "consumed one-time prekey {used} refused; the honest message works"
    ))
}

pub fn bundles_carry_distinct_one_time_prekeys(ctx: &mut ScenarioCtx) -> Check {
    let c = Conversation::devices(ctx, 3)?;
    let mut ids = BTreeSet::new();
    for i in 0..3 {
        let bundle = get_bundle(ctx, &c.target_addr, true)?;
        let (id, _) = bundle
            .one_time_pre_key
            .ok_or_else(|| Finding::fail(format!("bundle {i} of 3 carries no one-time prekey")))?;
        ensure!(
            ids.insert(id),
            "bundle {i} serves one-time prekey {id} again"
        );
    }
    let fourth = get_bundle(ctx, &c.target_addr, true)?;
    ensure!(
        fourth.one_time_pre_key.is_none(),
        "a device with 3 one-time prekeys served a 4th ({:?})",
        fourth.one_time_pre_key.map(|(id, _)| id)
    );
    Ok(format!(
        "3 bundles with one-time prekeys {ids:?}, then none"
    ))
}

/// A PreKeySignalMessage naming a one-time prekey id the target never
/// issued: NOT_FOUND, no session, and the honest message then works.
pub fn unknown_one_time_prekey_id_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let bad: Wire = c.peer_encrypt_with(
        SignalKnobs {
            prekey_one_time_prekey_id: Some(0x00FF_FFF0),
            ..Default::default()
        },
        b"names a prekey never issued",
    )?;
    let what = "a PreKeySignalMessage naming a one-time prekey never issued";
    let reply = c.offer_to_target(ctx, &bad)?;
    expect_rejected(ctx, reply, &[ErrorCategory::NotFound], what)?;
    c.no_session_after_refusal(ctx, what)?;
    c.peer_to_target(ctx, b"first, honest")?;
    c.target_to_peer(ctx, b"reply")?;
    Ok("an unknown one-time prekey id refused, no session made; the honest message works".into())
}
