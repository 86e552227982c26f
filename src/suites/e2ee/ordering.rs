//! Delivery order: reordering within the window, messages from earlier
//! chains, the bounded skipped-key store, too-far-forward counters, and
//! duplicates.

use rand::seq::SliceRandom;

use super::harness::{expect_rejected, Conversation, Initiator, Step, Wire};
use crate::adapter::client::Reply;
use crate::adapter::proto::{response, ErrorCategory};
use crate::ensure;
use crate::peer::signal::SignalKnobs;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

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

/// A counter exactly `max_forward_jump` ahead is accepted, and the keys it
/// skips are kept as far as the store holds them: of the skipped messages,
/// at least min(`max_forward_jump`, `max_skipped_keys`) decrypt (which
/// ones is the target's choice, see `skipped_keys_bounded`).
pub fn forward_jump_at_limit_accepted(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let limit = ctx.profile.e2ee.max_forward_jump;
    let bound = ctx.profile.e2ee.max_skipped_keys as usize;
    let text = |i: usize| format!("skipped {i}").into_bytes();
    let mut skipped = Vec::with_capacity(limit as usize);
    for i in 0..limit as usize {
        skipped.push(c.peer_encrypt(&text(i))?);
    }
    let far = c.peer_encrypt(b"far ahead")?;
    c.deliver_to_target(
        ctx,
        &far,
        b"far ahead",
        &format!("a message {limit} counters ahead"),
    )?;
    let counters: Vec<usize> = (0..skipped.len()).collect();
    let kept = offer_skipped(ctx, &mut c, &skipped, &counters, text)?;
    let needed = (limit as usize).min(bound);
    ensure!(
        kept >= needed,
        "after a jump of {limit}, only {kept} of the skipped messages decrypted; the store holds {bound}, so {needed} must"
    );
    c.peer_to_target(ctx, b"after the skipped ones")?;
    c.target_to_peer(ctx, b"ok")?;
    Ok(format!(
        "a jump of {limit} accepted; {kept} of its {limit} skipped messages decrypt from their stored keys (bound {bound})"
    ))
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

/// How many skipped keys past the bound the scenario makes the target hold.
const PAST_THE_BOUND: usize = 3;

/// The stored skipped keys are bounded (Double Ratchet rev 1 §3.2
/// MKSKIPPED "Raises an exception if too many elements are stored"; §6.4
/// "reasonable per-session limits"), by the profile's `max_skipped_keys`
/// per receiving chain. How the bound is kept is the target's choice: it
/// may evict stored keys in any order, drop new ones, or refuse the message
/// that would overflow the store (and take it once there is room).
///
/// The peer sends B + 3 skipped messages' worth on one chain, B the bound,
/// delivering only "anchor" messages that each skip at most
/// `max_forward_jump` (and B) keys; then offers every skipped message. At most B
/// of them may decrypt, each to its own plaintext; the others are refused.
pub fn skipped_keys_bounded(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let bound = ctx.profile.e2ee.max_skipped_keys as usize;
    let jump = ctx.profile.e2ee.max_forward_jump as usize;
    if jump == 0 || bound == 0 {
        return Err(Finding::error(format!(
            "the profile's limits do not fit this scenario: it needs max_forward_jump > 0 and max_skipped_keys > 0 (has {jump} and {bound})"
        )));
    }
    // Counters (from the chain's current index 0) of the anchors, and of
    // the messages they skip.
    let mut anchors = Vec::new();
    let mut skipped = Vec::new();
    let mut next = 0usize;
    while skipped.len() < bound + PAST_THE_BOUND {
        // No anchor skips more than the bound: a store that refuses
        // overflow can take each one once it is empty.
        let step = jump.min(bound).min(bound + PAST_THE_BOUND - skipped.len());
        skipped.extend(next..next + step);
        anchors.push(next + step);
        next += step + 1;
    }
    let text = |i: usize| format!("counter {i}").into_bytes();
    let mut wires: Vec<Wire> = Vec::with_capacity(next);
    for i in 0..next {
        wires.push(c.peer_encrypt(&text(i))?);
    }
    // Skipped messages not offered yet, in counter order.
    let mut pending: std::collections::VecDeque<usize> = skipped.iter().copied().collect();
    let mut refusals = 0;
    let mut most_kept = 0;
    // The chain's index: counters below it were skipped or delivered.
    let mut top = 0usize;
    for &anchor in &anchors {
        let what = format!("the message at counter {anchor}, which skips keys past the bound");
        match c.offer_to_target(ctx, &wires[anchor])? {
            Reply::Result(response::Reply::E2eeDecrypt(r)) => {
                ensure!(
                    r.plaintext == text(anchor),
                    "{what}: decrypted to other bytes"
                );
                top = anchor;
            }
            reply @ Reply::Rejected { .. } => {
                // The target keeps the bound by refusing (§3.2's exception):
                // once the skipped messages so far are taken, it must fit.
                ctx.refused(
                    &reply,
                    &[ErrorCategory::LimitExceeded, ErrorCategory::TooFarForward],
                    &format!("{what} (the store full)"),
                )?;
                refusals += 1;
                // Only the keys the accepted anchors skipped are stored; the
                // counters between the last of them and this anchor are not.
                let below: Vec<usize> = pending.iter().copied().filter(|&i| i < top).collect();
                pending.retain(|&i| i > top);
                let kept = offer_skipped(ctx, &mut c, &wires, &below, text)?;
                ensure!(
                    kept <= bound,
                    "{kept} skipped keys of one chain were still usable, more than the profile's max_skipped_keys ({bound})"
                );
                most_kept = most_kept.max(kept);
                c.deliver_to_target(
                    ctx,
                    &wires[anchor],
                    &text(anchor),
                    &format!("{what}, offered again once the stored keys were used"),
                )?;
                top = anchor;
            }
            other => return Err(unexpected(other, &what)),
        }
    }
    let rest: Vec<usize> = pending.into_iter().collect();
    let kept = offer_skipped(ctx, &mut c, &wires, &rest, text)?;
    ensure!(
        kept <= bound,
        "{kept} of {} skipped messages on one chain decrypted: the target kept more skipped keys than the profile's max_skipped_keys ({bound}); the store must be bounded (Double Ratchet §3.2, §6.4)",
        rest.len()
    );
    most_kept = most_kept.max(kept);
    c.peer_to_target(ctx, b"after the skipped ones")?;
    c.target_to_peer(ctx, b"done")?;
    Ok(format!(
        "{} keys skipped on one chain (bound {bound}): at most {most_kept} usable at once, the rest refused{}",
        skipped.len(),
        if refusals > 0 {
            format!("; {refusals} message(s) refused while the store was full, then decrypted")
        } else {
            String::new()
        }
    ))
}

/// Offers the skipped messages at `counters`: each decrypts to its own
/// plaintext or is refused (its key evicted or never stored). Returns how
/// many decrypted.
fn offer_skipped(
    ctx: &mut ScenarioCtx,
    c: &mut Conversation,
    wires: &[Wire],
    counters: &[usize],
    text: impl Fn(usize) -> Vec<u8>,
) -> Step<usize> {
    let mut kept = 0;
    for &i in counters {
        let Some(wire) = wires.get(i) else { continue };
        let what = format!("the skipped message at counter {i}");
        ctx.plaintext(&text(i));
        match c.offer_to_target(ctx, wire)? {
            Reply::Result(response::Reply::E2eeDecrypt(r)) => {
                ensure!(r.plaintext == text(i), "{what}: decrypted to other bytes");
                kept += 1;
            }
            reply @ Reply::Rejected { .. } => {
                // libsignal: "Received message with old counter".
                ctx.refused(
                    &reply,
                    &[ErrorCategory::DuplicateMessage],
                    &format!("{what}, whose key is no longer stored"),
                )?;
            }
            other => return Err(unexpected(other, &what)),
        }
    }
    Ok(kept)
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
