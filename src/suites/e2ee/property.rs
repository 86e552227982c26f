//! Property scenarios: random operation sequences (sends both ways,
//! delivery in any order, drops, duplicates, tampering, bursts that reach
//! the skipped-key bound) run with interspec as the network, checked
//! against a model of the Signal guarantees: every untampered message
//! within the window decrypts exactly once to its plaintext, nothing
//! decrypts to other bytes or twice, and the session survives. The window
//! and the bounds are [`super::window`]'s.

use std::fmt;

use proptest::collection::vec;
use proptest::prelude::*;
use prost::Message;

use super::bounds::target_bounds;
use super::harness::{
    decrypt_raw, encrypt, fresh_address, get_bundle, peer_device, process_bundle, Step, Wire,
};
use super::window::{Duty, Limits, Ratchet, Tag};
use crate::adapter::client::Reply;
use crate::adapter::names::category_name;
use crate::adapter::proto::{request::Op, response, ErrorCategory, Reset};
use crate::ensure;
use crate::peer::signal::wire::PreKeySignalMessageProto;
use crate::peer::signal::{Address, Device, MessageType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::refusal::{judge_category, Refusal};
use crate::scenario::{unexpected, ScenarioCtx};
use crate::suites::check_property;

/// Longest generated sequence.
const MAX_ACTS: usize = 24;
/// Bursts are generated only for a target keeping at most this many
/// skipped keys: each burst sends about that many messages, and 32 cases
/// of 24 acts must stay quick over a real adapter. Larger bounds are
/// reached by the bounds scenarios (src/suites/e2ee/bounds.rs).
const BURST_BOUND_MAX: u32 = 64;

/// One thing the network or a party does. `a` is the initiator, `b` the
/// responder; `pick` selects among the messages in flight (modulo).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Send {
        from_a: bool,
        len: u8,
    },
    Deliver {
        to_a: bool,
        pick: u8,
    },
    Duplicate {
        to_a: bool,
        pick: u8,
    },
    Tamper {
        to_a: bool,
        pick: u8,
        bit: u8,
    },
    Drop {
        to_a: bool,
        pick: u8,
    },
    /// `n` messages sent at once; with `newest_first` the last of them is
    /// delivered at once, so the receiver skips the `n - 1` before it.
    Burst {
        from_a: bool,
        n: u8,
        newest_first: bool,
    },
}

impl fmt::Debug for Act {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |a: bool| if a { "A" } else { "B" };
        match *self {
            Act::Send { from_a, len } => {
                write!(f, "send {}->{} ({len} B)", side(from_a), side(!from_a))
            }
            Act::Deliver { to_a, pick } => write!(f, "deliver #{pick} to {}", side(to_a)),
            Act::Duplicate { to_a, pick } => {
                write!(f, "replay delivered #{pick} to {}", side(to_a))
            }
            Act::Tamper { to_a, pick, bit } => {
                write!(f, "tamper (bit {bit}) #{pick} to {}", side(to_a))
            }
            Act::Drop { to_a, pick } => write!(f, "drop #{pick} to {}", side(to_a)),
            Act::Burst {
                from_a,
                n,
                newest_first,
            } => {
                write!(f, "burst of {n} {}->{}", side(from_a), side(!from_a))?;
                if newest_first {
                    write!(f, ", newest delivered first")?;
                }
                Ok(())
            }
        }
    }
}

/// Acts generated for the peer<->target variant, where only messages to the
/// target are replayed or tampered (the peer is the harness's own engine).
/// `bound`: the target's skipped-key bound, which bursts reach when it is
/// at most [`BURST_BOUND_MAX`].
fn acts(tamper_to_a: bool, bound: u32) -> impl Strategy<Value = Vec<Act>> {
    let mut arms: Vec<(u32, BoxedStrategy<Act>)> = vec![
        (
            4,
            (any::<bool>(), 0u8..64)
                .prop_map(|(from_a, len)| Act::Send { from_a, len })
                .boxed(),
        ),
        (
            4,
            (any::<bool>(), any::<u8>())
                .prop_map(|(to_a, pick)| Act::Deliver { to_a, pick })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), any::<u8>())
                .prop_map(move |(to_a, pick)| Act::Duplicate {
                    to_a: to_a && tamper_to_a,
                    pick,
                })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), any::<u8>(), 0u8..8)
                .prop_map(move |(to_a, pick, bit)| Act::Tamper {
                    to_a: to_a && tamper_to_a,
                    pick,
                    bit,
                })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), any::<u8>())
                .prop_map(|(to_a, pick)| Act::Drop { to_a, pick })
                .boxed(),
        ),
    ];
    if bound <= BURST_BOUND_MAX {
        // From a few below the bound to a few past it, so both sides of it
        // are reached: the receiver skips n - 1 keys.
        let low = u8::try_from(bound.saturating_sub(3).max(2)).unwrap_or(u8::MAX);
        let high = u8::try_from(bound + 6).unwrap_or(u8::MAX);
        arms.push((
            1,
            (any::<bool>(), low..=high, any::<bool>())
                .prop_map(|(from_a, n, newest_first)| Act::Burst {
                    from_a,
                    n,
                    newest_first,
                })
                .boxed(),
        ));
    }
    vec(proptest::strategy::Union::new_weighted(arms), 1..=MAX_ACTS)
}

/// Records how a refusal was judged, once per distinct deviation (a
/// property run repeats the same refusal over many cases).
fn note_once(ctx: &mut ScenarioCtx, judged: Refusal) {
    if let Refusal::Deviation(d) = &judged {
        if ctx.deviations.contains(d) {
            return;
        }
    }
    ctx.note(judged);
}

fn describe(acts: &[Act]) -> String {
    format!("{} acts: {acts:?}", acts.len())
}

/// What a side answered to a ciphertext.
enum Outcome {
    Plaintext(Vec<u8>),
    /// The target's refusal category (`None`: the peer's engine refused).
    Refused(Option<i32>, String),
}

/// A device under test: the harness's peer or one on the target.
enum Endpoint {
    Peer(Box<Device>),
    Target,
}

struct Side {
    endpoint: Endpoint,
    addr: Address,
    /// Where its ratchet stands, and what it must decrypt.
    ratchet: Ratchet,
    /// Messages to it, in flight.
    inbox: Vec<Flight>,
    /// Messages to it that it decrypted (replay material).
    delivered: Vec<Flight>,
}

#[derive(Clone)]
struct Flight {
    wire: Wire,
    plaintext: Vec<u8>,
    tag: Tag,
}

struct World {
    a: Side,
    b: Side,
    /// Whether wire bytes may be parsed as Signal v3 (peer<->target).
    signal_wire: bool,
    sent: u32,
}

fn side_name(to_a: bool) -> &'static str {
    if to_a {
        "A"
    } else {
        "B"
    }
}

impl World {
    fn sides(&mut self, to_a: bool) -> (&mut Side, &mut Side) {
        if to_a {
            (&mut self.a, &mut self.b)
        } else {
            (&mut self.b, &mut self.a)
        }
    }

    fn encrypt(ctx: &mut ScenarioCtx, from: &mut Side, to: &Address, text: &[u8]) -> Step<Wire> {
        match &mut from.endpoint {
            Endpoint::Peer(device) => {
                let (kind, bytes) = device
                    .encrypt(to, text)
                    .map_err(|e| Finding::error(format!("the peer could not encrypt: {e}")))?;
                Ok(Wire { kind, bytes })
            }
            Endpoint::Target => encrypt(ctx, &from.addr, to, text),
        }
    }

    fn decrypt(ctx: &mut ScenarioCtx, to: &mut Side, from: &Address, wire: &Wire) -> Step<Outcome> {
        match &mut to.endpoint {
            Endpoint::Peer(device) => Ok(match device.decrypt(from, wire.kind, &wire.bytes) {
                Ok(p) => Outcome::Plaintext(p),
                Err(e) => Outcome::Refused(None, format!("the peer's engine: {e}")),
            }),
            Endpoint::Target => match decrypt_raw(ctx, &to.addr, from, wire)? {
                Reply::Result(response::Reply::E2eeDecrypt(r)) => {
                    Ok(Outcome::Plaintext(r.plaintext))
                }
                Reply::Rejected { category, .. } => {
                    Ok(Outcome::Refused(Some(category), category_name(category)))
                }
                other => Err(unexpected(other, "E2eeDecrypt")),
            },
        }
    }

    /// Hands `flight` to the side `to_a`: it must decrypt it to its
    /// plaintext unless the model lets it refuse (see [`super::window`]).
    /// Whether it decrypted.
    fn offer(
        &mut self,
        ctx: &mut ScenarioCtx,
        to_a: bool,
        flight: &Flight,
        what: &str,
    ) -> Step<bool> {
        let (to, from) = self.sides(to_a);
        let from_addr = from.addr.clone();
        let duty = to.ratchet.duty(flight.tag);
        match Self::decrypt(ctx, to, &from_addr, &flight.wire)? {
            Outcome::Plaintext(p) => {
                ensure!(
                    p == flight.plaintext,
                    "{what} to {}: decrypted to different bytes",
                    side_name(to_a)
                );
                to.ratchet.decrypted(flight.tag);
                Ok(true)
            }
            Outcome::Refused(_, refusal) => {
                ensure!(
                    duty != Duty::Decrypt,
                    "{what} to {}: a valid message within the window was refused ({refusal}; \
                     message {} of chain {})",
                    side_name(to_a),
                    flight.tag.index,
                    flight.tag.epoch
                );
                Ok(false)
            }
        }
    }

    fn act(&mut self, ctx: &mut ScenarioCtx, act: Act) -> Step<()> {
        match act {
            Act::Send { from_a, len } => {
                self.sent += 1;
                let mut text = format!("#{} ", self.sent).into_bytes();
                text.resize(text.len() + usize::from(len), b'.');
                let (to, from) = self.sides(!from_a);
                if !from.ratchet.has_session {
                    return Ok(());
                }
                let to_addr = to.addr.clone();
                let wire = Self::encrypt(ctx, from, &to_addr, &text)?;
                let Some(at) = from.ratchet.next_send() else {
                    return Ok(());
                };
                let tag = to.ratchet.incoming(at);
                to.inbox.push(Flight {
                    wire,
                    plaintext: text,
                    tag,
                });
                Ok(())
            }
            Act::Burst {
                from_a,
                n,
                newest_first,
            } => {
                if !self.sides(!from_a).1.ratchet.has_session {
                    return Ok(());
                }
                for _ in 0..n {
                    self.act(ctx, Act::Send { from_a, len: 0 })?;
                }
                if newest_first {
                    if let Some(flight) = self.sides(!from_a).0.inbox.pop() {
                        if self.offer(ctx, !from_a, &flight, "the newest of a burst")? {
                            self.sides(!from_a).0.delivered.push(flight);
                        }
                    }
                }
                Ok(())
            }
            Act::Deliver { to_a, pick } => {
                let (to, _) = self.sides(to_a);
                if to.inbox.is_empty() {
                    return Ok(());
                }
                let flight = to.inbox.remove(usize::from(pick) % to.inbox.len());
                if self.offer(ctx, to_a, &flight, "delivering a message")? {
                    self.sides(to_a).0.delivered.push(flight);
                }
                Ok(())
            }
            Act::Drop { to_a, pick } => {
                let (to, _) = self.sides(to_a);
                if !to.inbox.is_empty() {
                    let at = usize::from(pick) % to.inbox.len();
                    to.inbox.remove(at);
                }
                Ok(())
            }
            Act::Duplicate { to_a, pick } => {
                let (to, from) = self.sides(to_a);
                if to.delivered.is_empty() {
                    return Ok(());
                }
                let flight = to.delivered[usize::from(pick) % to.delivered.len()].clone();
                let from_addr = from.addr.clone();
                let in_window = to.ratchet.holds_chain(flight.tag.epoch);
                match Self::decrypt(ctx, to, &from_addr, &flight.wire)? {
                    Outcome::Plaintext(_) => Err(Finding::fail(format!(
                        "a replayed message to {} decrypted a second time",
                        side_name(to_a)
                    ))),
                    // A refusal is what counts; within the window the docs
                    // name DUPLICATE_MESSAGE (another category is a
                    // recorded deviation, see `suites::refusal`).
                    Outcome::Refused(Some(c), _) if in_window => {
                        note_once(
                            ctx,
                            judge_category(
                                c,
                                &[ErrorCategory::DuplicateMessage],
                                &format!("a replayed message to {}", side_name(to_a)),
                            ),
                        );
                        Ok(())
                    }
                    Outcome::Refused(..) => Ok(()),
                }
            }
            Act::Tamper { to_a, pick, bit } => {
                let signal_wire = self.signal_wire;
                let (to, from) = self.sides(to_a);
                if to.inbox.is_empty() {
                    return Ok(());
                }
                let flight = to.inbox[usize::from(pick) % to.inbox.len()].clone();
                let Some(bent) = tamper(&flight.wire, bit, signal_wire)? else {
                    return Ok(());
                };
                let from_addr = from.addr.clone();
                let in_window = to.ratchet.duty(flight.tag) == Duty::Decrypt;
                match Self::decrypt(ctx, to, &from_addr, &bent)? {
                    Outcome::Plaintext(_) => Err(Finding::fail(format!(
                        "a message to {} with one bit of its MAC flipped decrypted",
                        side_name(to_a)
                    ))),
                    Outcome::Refused(Some(c), _) if signal_wire && in_window => {
                        note_once(
                            ctx,
                            judge_category(
                                c,
                                &[ErrorCategory::BadMac],
                                &format!("a message to {} with a flipped MAC bit", side_name(to_a)),
                            ),
                        );
                        Ok(())
                    }
                    // The original stays in flight and must still decrypt.
                    Outcome::Refused(..) => Ok(()),
                }
            }
        }
    }

    /// Everything still in flight is delivered, then one message each way
    /// must go through: the session survived.
    fn finish(&mut self, ctx: &mut ScenarioCtx) -> Step<()> {
        for to_a in [false, true] {
            while !self.sides(to_a).0.inbox.is_empty() {
                let flight = self.sides(to_a).0.inbox.remove(0);
                self.offer(ctx, to_a, &flight, "delivering a held message at the end")?;
            }
        }
        for from_a in [true, false, true] {
            self.act(ctx, Act::Send { from_a, len: 3 })?;
            let (to, _) = self.sides(!from_a);
            let Some(flight) = to.inbox.pop() else {
                return Err(Finding::fail(format!(
                    "at the end, {} has no session to send with",
                    side_name(from_a)
                )));
            };
            // Refused only where the model allows it: a store full of keys
            // for messages the network dropped may refuse one that would
            // skip more (E2-027); anything else fails in `offer`.
            self.offer(ctx, !from_a, &flight, "the closing message")?;
        }
        Ok(())
    }
}

/// A copy of `wire` with one bit of its MAC flipped. A SignalMessage
/// carries the MAC in its last 8 bytes; a PreKeySignalMessage wraps one in
/// field 4 (its other fields are not authenticated in Signal, so bending
/// them proves nothing). Between two target devices the wire may not be
/// Signal's: type-2 messages get their last byte bent (where any
/// authenticated format keeps its tag), and type-3 ones inside the
/// PreKeySignalMessage's message when they parse as one, else at their
/// last byte too.
fn tamper(wire: &Wire, bit: u8, signal_wire: bool) -> Step<Option<Wire>> {
    let mut bent = wire.clone();
    let flip = |bytes: &mut Vec<u8>| {
        if let Some(last) = bytes.last_mut() {
            *last ^= 1 << (bit % 8);
        }
    };
    if wire.kind == MessageType::Whisper {
        flip(&mut bent.bytes);
        return Ok(Some(bent));
    }
    let body = wire.bytes.get(1..).unwrap_or_default();
    let proto = PreKeySignalMessageProto::decode(body)
        .ok()
        .filter(|p| p.message.is_some());
    let Some(mut proto) = proto else {
        if signal_wire {
            return Err(Finding::fail(
                "a PreKeySignalMessage does not parse as Signal v3",
            ));
        }
        // Another wire's opening message (Olm's pre-key message ends with
        // its inner message's MAC): bent at its last byte, like type 2.
        flip(&mut bent.bytes);
        return Ok(Some(bent));
    };
    if let Some(inner) = proto.message.as_mut() {
        flip(inner);
    }
    bent.bytes = vec![wire.bytes.first().copied().unwrap_or(0)];
    proto.encode_raw(&mut bent.bytes);
    Ok(Some(bent))
}

fn fresh_side(endpoint: Endpoint, addr: Address, initiator: bool, limits: Limits) -> Side {
    Side {
        endpoint,
        addr,
        ratchet: Ratchet::new(initiator, limits),
        inbox: Vec::new(),
        delivered: Vec::new(),
    }
}

/// The bounds of the peer's own engine: the profile's (`peer_device`).
fn peer_limits(ctx: &ScenarioCtx) -> Limits {
    Limits {
        skipped_keys: ctx.profile.e2ee.max_skipped_keys,
        forward_jump: ctx.profile.e2ee.max_forward_jump,
    }
}

fn two_addresses(ctx: &mut ScenarioCtx) -> (Address, Address) {
    let a = fresh_address(ctx);
    let mut b = fresh_address(ctx);
    while b == a {
        b = fresh_address(ctx);
    }
    (a, b)
}

fn reset(ctx: &mut ScenarioCtx) -> Step<()> {
    match ctx.expect_result(Op::Reset(Reset {}), "Reset")? {
        response::Reply::Reset(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "Reset")),
    }
}

/// The peer (A) starts a session with the target (B), which keeps `limits`.
fn peer_world(ctx: &mut ScenarioCtx, limits: Limits) -> Step<World> {
    super::harness::require_signal_wire(ctx)?;
    reset(ctx)?;
    let (peer_addr, target_addr) = two_addresses(ctx);
    super::harness::create_device(ctx, &target_addr, 2, None)?;
    let mut peer = peer_device(ctx, &peer_addr);
    let bundle = get_bundle(ctx, &target_addr, true)?;
    peer.process_bundle(&target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    let peer_limits = peer_limits(ctx);
    Ok(World {
        a: fresh_side(Endpoint::Peer(Box::new(peer)), peer_addr, true, peer_limits),
        b: fresh_side(Endpoint::Target, target_addr, false, limits),
        signal_wire: true,
        sent: 0,
    })
}

/// Two devices on the target: A starts a session with B. A target with
/// Signal's wire has its identity and bundle parsed (a bad key is a
/// failure, as before); any other target's are handed over as opaque bytes,
/// exactly as served. Both keep `limits`.
fn target_world(ctx: &mut ScenarioCtx, limits: Limits) -> Step<World> {
    reset(ctx)?;
    let (a, b) = two_addresses(ctx);
    if ctx.hello.declares(super::harness::SIGNAL_WIRE) {
        super::harness::create_device(ctx, &a, 2, None)?;
        super::harness::create_device(ctx, &b, 2, None)?;
        let bundle = get_bundle(ctx, &b, true)?;
        process_bundle(ctx, &a, &b, &bundle)?;
    } else {
        super::harness::create_device_opaque(ctx, &a, 2)?;
        super::harness::create_device_opaque(ctx, &b, 2)?;
        let bundle = super::harness::get_bundle_proto(ctx, &b, true)?;
        super::harness::process_bundle_proto(ctx, &a, &b, bundle)?;
    }
    Ok(World {
        a: fresh_side(Endpoint::Target, a, true, limits),
        b: fresh_side(Endpoint::Target, b, false, limits),
        signal_wire: false,
        sent: 0,
    })
}

fn run(
    ctx: &mut ScenarioCtx,
    world: fn(&mut ScenarioCtx, Limits) -> Step<World>,
    limits: Limits,
    acts: &[Act],
) -> Step<()> {
    let mut w = world(ctx, limits)?;
    for (i, act) in acts.iter().enumerate() {
        w.act(ctx, *act).map_err(|mut f| {
            f.message = format!("act {i} ({act:?}): {}", f.message);
            f
        })?;
    }
    w.finish(ctx)
}

/// The target's bounds, as it declares them (the bounds scenarios judge
/// the declaration itself).
fn target_limits(ctx: &mut ScenarioCtx) -> Step<Limits> {
    let bounds = target_bounds(ctx)?;
    Ok(Limits {
        skipped_keys: bounds.skipped_keys,
        forward_jump: bounds.forward_jump,
    })
}

pub fn adversarial_network_peer_target(ctx: &mut ScenarioCtx) -> Check {
    super::harness::require_signal_wire(ctx)?;
    let limits = target_limits(ctx)?;
    check_property(
        ctx,
        acts(false, limits.skipped_keys),
        |a| describe(a),
        |ctx, a| run(ctx, peer_world, limits, a),
    )
}

pub fn adversarial_network_target_target(ctx: &mut ScenarioCtx) -> Check {
    let limits = target_limits(ctx)?;
    check_property(
        ctx,
        acts(true, limits.skipped_keys),
        |a| describe(a),
        |ctx, a| run(ctx, target_world, limits, a),
    )
}
