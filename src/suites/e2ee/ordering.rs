//! Delivery order: reordering within the window, messages from earlier
//! chains, too-far-forward counters, and duplicates (the skipped-key store
//! and the forward jump at its limit are in `bounds`).

use rand::seq::SliceRandom;

use super::harness::{expect_rejected, Conversation, Initiator};
use crate::adapter::proto::ErrorCategory;
use crate::peer::signal::SignalKnobs;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

fn texts(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("message {i}").into_bytes())
        .collect()
}

pub fn out_of_order_within_chain(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let texts = texts(10);
    let mut wires = Vec::new();
    for t in &texts {
        wires.push(c.peer_encrypt(t)?);
    }
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.shuffle(&mut ctx.rng);
    for &i in &order {
        c.deliver_to_target(
            ctx,
            &wires[i],
            &texts[i],
            &format!("message {i} (order {order:?})"),
        )?;
    }
    c.target_to_peer(ctx, b"all received")?;
    Ok(format!(
        "10 messages delivered in order {order:?}, each decrypted once"
    ))
}

/// A message held back across several ratchet steps still decrypts.
pub fn delayed_message_from_earlier_chain(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let late = c.peer_encrypt(b"delayed across three ratchet steps")?;
    for i in 0..3u8 {
        c.peer_to_target(ctx, &[i])?;
        c.target_to_peer(ctx, &[i, i])?;
    }
    c.deliver_to_target(
        ctx,
        &late,
        b"delayed across three ratchet steps",
        "the delayed message",
    )?;
    // The target's own messages can be held too.
    let late_back = c.target_encrypt(ctx, b"held by the network")?;
    for i in 0..3u8 {
        c.target_to_peer(ctx, &[i])?;
        c.peer_to_target(ctx, &[i, i])?;
    }
    c.deliver_to_peer(
        &late_back,
        b"held by the network",
        "the target's delayed message",
    )?;
    Ok("messages held across 3 ratchet steps decrypt, both ways".into())
}

pub fn too_far_forward_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let over = ctx.profile.e2ee.max_forward_jump + 1;
    let bad = c.peer_encrypt_with(
        SignalKnobs {
            counter_jump: Some(over),
            ..Default::default()
        },
        b"too far",
    )?;
    c.refused_then_intact(
        ctx,
        &bad,
        &[ErrorCategory::TooFarForward],
        &format!("a counter {over} ahead"),
    )?;
    Ok(format!("a jump of {over} refused; the session continues"))
}

pub fn duplicate_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let wire = c.peer_to_target(ctx, b"once only")?;
    let reply = c.offer_to_target(ctx, &wire)?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::DuplicateMessage],
        "a replayed SignalMessage",
    )?;
    let reply = c.offer_to_target(ctx, &wire)?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::DuplicateMessage],
        "a second replay",
    )?;
    c.peer_to_target(ctx, b"next")?;
    c.target_to_peer(ctx, b"fine")?;
    Ok(
        "a replayed SignalMessage refused twice with DUPLICATE_MESSAGE; the session continues"
            .into(),
    )
}

/// A message decrypted from a stored skipped key cannot be replayed either.
pub fn duplicate_of_skipped_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let early = c.peer_encrypt(b"early")?;
    let later = c.peer_encrypt(b"later")?;
    c.deliver_to_target(ctx, &later, b"later", "the later message")?;
    c.deliver_to_target(
        ctx,
        &early,
        b"early",
        "the early message, from a skipped key",
    )?;
    let reply = c.offer_to_target(ctx, &early)?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::DuplicateMessage],
        "a replay of the out-of-order message",
    )?;
    c.peer_to_target(ctx, b"next")?;
    Ok("a replayed out-of-order message refused".into())
}

/// A PreKeySignalMessage replayed after it set up the session.
pub fn duplicate_prekey_message_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let first = c.peer_to_target(ctx, b"prekey message")?;
    let reply = c.offer_to_target(ctx, &first)?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::DuplicateMessage],
        "a replayed PreKeySignalMessage",
    )?;
    c.target_to_peer(ctx, b"reply on the one session")?;
    c.peer_to_target(ctx, b"and back")?;
    Ok("a replayed PreKeySignalMessage refused; the session is unchanged".into())
}

pub fn reused_counter_rejected(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    c.peer_to_target(ctx, b"used once")?;
    let bad = c.peer_encrypt_with(
        SignalKnobs {
            reuse_counter: true,
            ..Default::default()
        },
        b"same counter, same key, new text",
    )?;
    c.refused_then_intact(
        ctx,
        &bad,
        &[ErrorCategory::DuplicateMessage],
        "a message reusing a counter",
    )?;
    Ok("a reused counter and message key refused".into())
}

/// Messages the target sent and the network held back still arrive in any
/// order at the peer (the target's chains are ordinary).
pub fn target_messages_reordered(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let texts = texts(8);
    let mut wires = Vec::new();
    for t in &texts {
        wires.push(c.target_encrypt(ctx, t)?);
    }
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.shuffle(&mut ctx.rng);
    for &i in &order {
        c.deliver_to_peer(&wires[i], &texts[i], &format!("target message {i}"))
            .map_err(|f| Finding::fail(format!("{} (order {order:?})", f.message)))?;
    }
    Ok(format!(
        "8 target messages decrypted by the peer in order {order:?}"
    ))
}

/// Receiving chains are bounded (libsignal keeps 5): a message held back
/// while the conversation turned 6 times is refused, and refusing it
/// (a ratchet step that fails its MAC) moves nothing.
pub fn message_from_dropped_chain_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let held = c.peer_encrypt(b"held for six turns")?;
    for turn in 0..6u8 {
        c.peer_to_target(ctx, &[turn])?;
        c.target_to_peer(ctx, &[turn, turn])?;
    }
    let reply = c.offer_to_target(ctx, &held)?;
    match reply {
        crate::adapter::client::Reply::Rejected { .. } => {}
        other => {
            return Err(Finding::fail(format!(
                "a message from a chain 6 turns old (libsignal keeps 5) was answered {}",
                other.describe()
            )))
        }
    }
    c.target_speaks_first_after_refusal(ctx, "a message from a chain 6 turns old")?;
    c.peer_to_target(ctx, b"after the refusal")?;
    c.target_to_peer(ctx, b"still in step")?;
    Ok("a message from a receiving chain beyond the last 5 refused; the session continues".into())
}

/// Previous sessions are archived, boundedly (libsignal keeps 40): after
/// the peer restarts the session 41 times, a held message on the second
/// session still decrypts and one on the first is refused.
pub fn archived_sessions_bounded(ctx: &mut ScenarioCtx) -> Check {
    const KEPT: usize = 40;
    let mut c = Conversation::talking(ctx)?;
    let first = c.peer_encrypt(b"on the first session")?;
    let mut held = vec![first];
    for restart in 0..=KEPT {
        let bundle = super::harness::get_bundle(ctx, &c.target_addr, false)?;
        c.peer
            .process_bundle(&c.target_addr, &bundle)
            .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
        c.peer_to_target(ctx, &[restart as u8; 3])?;
        if restart == 0 {
            c.target_to_peer(ctx, b"reply on the second session")?;
            held.push(c.peer_encrypt(b"on the second session")?);
        }
    }
    let reply = c.offer_to_target(ctx, &held[0])?;
    if !matches!(reply, crate::adapter::client::Reply::Rejected { .. }) {
        return Err(Finding::fail(format!(
            "a message on a session replaced {} times (libsignal keeps {KEPT}) was answered {}",
            KEPT + 1,
            reply.describe()
        )));
    }
    c.deliver_to_target(
        ctx,
        &held[1],
        b"on the second session",
        &format!("a held message on a session replaced {KEPT} times"),
    )?;
    c.target_to_peer(ctx, b"answer on the promoted session")?;
    Ok(format!(
        "{} session restarts: a message on the oldest archived session decrypts, one beyond the {KEPT} kept is refused",
        KEPT + 1
    ))
}
