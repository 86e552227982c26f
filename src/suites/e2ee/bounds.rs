//! The receiver's bounds (docs/e2ee.md §Limits): a forward jump up to the
//! limit is accepted and its skipped keys kept (E2-005), one past it is
//! refused (E2-006), and the stored skipped keys stay bounded (E2-027).
//!
//! The same checks run on two worlds through [`OneChain`]: the peer sending
//! Signal v3 to a target device (the `Conversation`), and one target device
//! sending to another with interspec holding the messages in between (any
//! wire format). The bounds are the target's as `E2eeDescribe` declares
//! them, inside what the profile accepts ([`target_bounds`]).

use std::collections::VecDeque;

use super::devices::{Pair, Sent};
use super::harness::{decrypt_raw, Conversation, Step, Wire};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, E2eeDescribe, ErrorCategory};
use crate::ensure;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// The bounds a scenario judges the target against.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Largest accepted counter jump on one chain.
    pub forward_jump: u32,
    /// Skipped keys kept per receiving chain.
    pub skipped_keys: u32,
    /// Whether the target declared them (else they are the profile's).
    pub declared: bool,
}

impl Bounds {
    /// How the report names them.
    fn source(&self) -> &'static str {
        if self.declared {
            "declared"
        } else {
            "the profile's"
        }
    }
}

/// The target's bounds: what `E2eeDescribe` declares, which must be the
/// profile's forward jump and a skipped-key bound the profile accepts
/// (exactly its `max_skipped_keys`, or from `min_skipped_keys` to it). A
/// target that answers `Unsupported` keeps the profile's values.
pub fn target_bounds(ctx: &mut ScenarioCtx) -> Step<Bounds> {
    let jump = ctx.profile.e2ee.max_forward_jump;
    let accepted = ctx.profile.e2ee.skipped_keys_range();
    let profile = ctx.profile.name.clone();
    match ctx.call(Op::E2eeDescribe(E2eeDescribe {}))? {
        Reply::Unsupported(_) => Ok(Bounds {
            forward_jump: jump,
            skipped_keys: *accepted.end(),
            declared: false,
        }),
        Reply::Result(response::Reply::E2eeDescribe(d)) => {
            ensure!(
                d.max_forward_jump == jump,
                "E2eeDescribe declares a forward-jump limit of {}; profile {profile:?} requires {jump}",
                d.max_forward_jump
            );
            ensure!(
                accepted.contains(&d.max_skipped_keys),
                "E2eeDescribe declares {} skipped keys per receiving chain; profile {profile:?} accepts {} to {}",
                d.max_skipped_keys,
                accepted.start(),
                accepted.end()
            );
            ensure!(
                d.protocol.len() <= 256,
                "E2eeDescribe names its protocol in {} bytes; at most 256",
                d.protocol.len()
            );
            Ok(Bounds {
                forward_jump: d.max_forward_jump,
                skipped_keys: d.max_skipped_keys,
                declared: true,
            })
        }
        other => Err(unexpected(other, "E2eeDescribe")),
    }
}

/// One sender's chain of ordinary messages towards a receiving target
/// device, and the network between them.
pub trait OneChain {
    /// The sender encrypts the next message of the chain.
    fn encrypt(&mut self, ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire>;
    /// The receiving target device is offered `wire`; its raw reply.
    fn offer(&mut self, ctx: &mut ScenarioCtx, wire: &Wire) -> Step<Reply>;
    /// The receiving device must decrypt `wire` to `expected`.
    fn deliver(
        &mut self,
        ctx: &mut ScenarioCtx,
        wire: &Wire,
        expected: &[u8],
        what: &str,
    ) -> Step<()>;
    /// A message each way afterwards: the session still works.
    fn still_talking(&mut self, ctx: &mut ScenarioCtx) -> Step<()>;
}

impl OneChain for Conversation {
    fn encrypt(&mut self, _ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire> {
        self.peer_encrypt(plaintext)
    }

    fn offer(&mut self, ctx: &mut ScenarioCtx, wire: &Wire) -> Step<Reply> {
        self.offer_to_target(ctx, wire)
    }

    fn deliver(
        &mut self,
        ctx: &mut ScenarioCtx,
        wire: &Wire,
        expected: &[u8],
        what: &str,
    ) -> Step<()> {
        self.deliver_to_target(ctx, wire, expected, what)
    }

    fn still_talking(&mut self, ctx: &mut ScenarioCtx) -> Step<()> {
        self.peer_to_target(ctx, b"after the skipped ones")?;
        self.target_to_peer(ctx, b"ok")?;
        Ok(())
    }
}

/// Device `a` of a pair sending to device `b` on the target, after a
/// message each way (so `a`'s messages are ordinary ones on a new chain).
pub struct DeviceChain {
    pair: Pair,
}

impl DeviceChain {
    pub fn talking(ctx: &mut ScenarioCtx) -> Step<DeviceChain> {
        let pair = Pair::new(ctx)?;
        pair.exchange(ctx, &pair.a, "the opening message")?;
        pair.exchange(ctx, &pair.b, "the reply")?;
        Ok(DeviceChain { pair })
    }
}

impl OneChain for DeviceChain {
    fn encrypt(&mut self, ctx: &mut ScenarioCtx, plaintext: &[u8]) -> Step<Wire> {
        let pair = &self.pair;
        Ok(pair
            .send_bytes(ctx, &pair.a, plaintext.to_vec(), "a message")?
            .wire)
    }

    fn offer(&mut self, ctx: &mut ScenarioCtx, wire: &Wire) -> Step<Reply> {
        decrypt_raw(ctx, &self.pair.b, &self.pair.a, wire)
    }

    fn deliver(
        &mut self,
        ctx: &mut ScenarioCtx,
        wire: &Wire,
        expected: &[u8],
        what: &str,
    ) -> Step<()> {
        let sent = Sent {
            wire: wire.clone(),
            plaintext: expected.to_vec(),
            what: what.to_string(),
        };
        self.pair.deliver(ctx, &self.pair.b, &sent)
    }

    fn still_talking(&mut self, ctx: &mut ScenarioCtx) -> Step<()> {
        self.pair
            .still_talking(ctx, &self.pair.b, "after the skipped ones")
    }
}

/// A counter exactly the forward-jump limit ahead is accepted, and the keys
/// it skips are kept as far as the store holds them: of the skipped
/// messages, at least min(limit, skipped-key bound) decrypt (which ones is
/// the target's choice, see [`store_bounded`]).
pub fn jump_at_limit(ctx: &mut ScenarioCtx, chain: &mut impl OneChain) -> Check {
    let bounds = target_bounds(ctx)?;
    let limit = bounds.forward_jump as usize;
    let bound = bounds.skipped_keys as usize;
    let text = |i: usize| format!("skipped {i}").into_bytes();
    let mut skipped = Vec::with_capacity(limit);
    for i in 0..limit {
        skipped.push(chain.encrypt(ctx, &text(i))?);
    }
    let far = chain.encrypt(ctx, b"far ahead")?;
    chain.deliver(
        ctx,
        &far,
        b"far ahead",
        &format!("a message {limit} counters ahead"),
    )?;
    let counters: Vec<usize> = (0..skipped.len()).collect();
    let kept = offer_skipped(ctx, chain, &skipped, &counters, text)?;
    let needed = limit.min(bound);
    ensure!(
        kept >= needed,
        "after a jump of {limit}, only {kept} of the skipped messages decrypted; the store holds {bound} ({}), so {needed} must",
        bounds.source()
    );
    chain.still_talking(ctx)?;
    Ok(format!(
        "a jump of {limit} accepted; {kept} of its {limit} skipped messages decrypt from their stored keys (bound {bound}, {})",
        bounds.source()
    ))
}

/// A counter one past the forward-jump limit is refused with
/// TOO_FAR_FORWARD; the counter at the limit then decrypts, and the session
/// goes on. (The Signal path crafts the far counter instead:
/// `ordering::too_far_forward_rejected`.)
pub fn one_past_limit(ctx: &mut ScenarioCtx, chain: &mut impl OneChain) -> Check {
    let bounds = target_bounds(ctx)?;
    let limit = bounds.forward_jump as usize;
    let mut wires = Vec::with_capacity(limit + 2);
    for i in 0..=limit + 1 {
        wires.push(chain.encrypt(ctx, format!("counter {i}").as_bytes())?);
    }
    let over = limit + 1;
    let what = format!("a message {over} counters ahead");
    let reply = chain.offer(ctx, &wires[over])?;
    match reply {
        Reply::Rejected { .. } => {
            ctx.refused(&reply, &[ErrorCategory::TooFarForward], &what)?;
        }
        Reply::Result(response::Reply::E2eeDecrypt(_)) => {
            return Err(Finding::fail(format!(
                "{what} was decrypted: the forward-jump limit is {limit} ({})",
                bounds.source()
            )))
        }
        other => return Err(unexpected(other, &what)),
    }
    chain.deliver(
        ctx,
        &wires[limit],
        format!("counter {limit}").as_bytes(),
        &format!("the message {limit} counters ahead, after the refusal"),
    )?;
    chain.still_talking(ctx)?;
    Ok(format!(
        "a jump of {over} refused, then a jump of {limit} accepted; the session continues"
    ))
}

/// How many skipped keys past the bound the scenario makes the target hold.
const PAST_THE_BOUND: usize = 3;

/// The stored skipped keys are bounded (Double Ratchet rev 1 §3.2
/// MKSKIPPED "Raises an exception if too many elements are stored"; §6.4
/// "reasonable per-session limits"), per receiving chain. How the bound is
/// kept is the target's choice: it may evict stored keys in any order, drop
/// new ones, or refuse the message that would overflow the store (and take
/// it once there is room).
///
/// The sender sends B + 3 skipped messages' worth on one chain, B the bound,
/// delivering only "anchor" messages that each skip at most the forward
/// jump (and B) keys; then offers every skipped message. At most B of them
/// may decrypt, each to its own plaintext; the others are refused.
pub fn store_bounded(ctx: &mut ScenarioCtx, chain: &mut impl OneChain) -> Check {
    let bounds = target_bounds(ctx)?;
    let bound = bounds.skipped_keys as usize;
    let jump = bounds.forward_jump as usize;
    if jump == 0 || bound == 0 {
        return Err(Finding::error(format!(
            "the bounds do not fit this scenario: it needs a forward jump > 0 and a skipped-key bound > 0 (has {jump} and {bound})"
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
        wires.push(chain.encrypt(ctx, &text(i))?);
    }
    // Skipped messages not offered yet, in counter order.
    let mut pending: VecDeque<usize> = skipped.iter().copied().collect();
    let mut refusals = 0;
    let mut most_kept = 0;
    // The chain's index: counters below it were skipped or delivered.
    let mut top = 0usize;
    let over = |kept: usize| {
        format!(
            "{kept} skipped keys of one chain were still usable: the target kept more skipped keys than its bound of {bound} ({}); the store must be bounded (Double Ratchet §3.2, §6.4)",
            bounds.source()
        )
    };
    for &anchor in &anchors {
        let what = format!("the message at counter {anchor}, which skips keys past the bound");
        match chain.offer(ctx, &wires[anchor])? {
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
                let kept = offer_skipped(ctx, chain, &wires, &below, text)?;
                ensure!(kept <= bound, "{}", over(kept));
                most_kept = most_kept.max(kept);
                chain.deliver(
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
    let kept = offer_skipped(ctx, chain, &wires, &rest, text)?;
    ensure!(kept <= bound, "{}", over(kept));
    most_kept = most_kept.max(kept);
    chain.still_talking(ctx)?;
    Ok(format!(
        "{} keys skipped on one chain (bound {bound}, {}): at most {most_kept} usable at once, the rest refused{}",
        skipped.len(),
        bounds.source(),
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
    chain: &mut impl OneChain,
    wires: &[Wire],
    counters: &[usize],
    text: impl Fn(usize) -> Vec<u8>,
) -> Step<usize> {
    let mut kept = 0;
    for &i in counters {
        let Some(wire) = wires.get(i) else { continue };
        let what = format!("the skipped message at counter {i}");
        ctx.plaintext(&text(i));
        match chain.offer(ctx, wire)? {
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

/// `e2ee/forward-jump-at-limit-accepted`: the peer's Signal v3 chain.
pub fn forward_jump_at_limit_accepted(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    jump_at_limit(ctx, &mut c)
}

/// `e2ee/skipped-keys-bounded`: the peer's Signal v3 chain.
pub fn skipped_keys_bounded(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    store_bounded(ctx, &mut c)
}

/// `e2ee/devices-forward-jump-at-limit-accepted`: device to device.
pub fn devices_jump_at_limit(ctx: &mut ScenarioCtx) -> Check {
    let mut chain = DeviceChain::talking(ctx)?;
    jump_at_limit(ctx, &mut chain)
}

/// `e2ee/devices-too-far-forward-refused`: device to device.
pub fn devices_one_past_limit(ctx: &mut ScenarioCtx) -> Check {
    let mut chain = DeviceChain::talking(ctx)?;
    one_past_limit(ctx, &mut chain)
}

/// `e2ee/devices-skipped-keys-bounded`: device to device.
pub fn devices_store_bounded(ctx: &mut ScenarioCtx) -> Check {
    let mut chain = DeviceChain::talking(ctx)?;
    store_bounded(ctx, &mut chain)
}
