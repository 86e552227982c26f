//! Key freshness across sessions: every session the target starts has its
//! own X3DH base key and its own first ratchet key, with other peers, with
//! a second device and after a Reset. (Across the scenarios of a run, the
//! run's key ledger, `scenario::keys`, fed by `harness::encrypt`, does the
//! same for every message the target sends.)

use super::harness::{
    create_device, fresh_address, peer_device, process_bundle, require_signal_wire, Conversation,
    Wire, MAX_PARSE,
};
use crate::adapter::proto::{request::Op, Reset};
use crate::peer::signal::wire::PreKeySignalMessage;
use crate::peer::signal::{Address, PublicKey};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// How many sessions the target starts in each round.
const SESSIONS_PER_ROUND: usize = 3;

/// X3DH §3.3: "Alice then generates another ephemeral key pair with public
/// key EK_A." and "After calculating SK, Alice deletes her ephemeral private
/// key and the DH outputs."; Double Ratchet §3.5 (DHRatchet: "state.DHs =
/// GENERATE_DH()"). The target starts sessions with three peers from one
/// device, with one more from a second device, then again after a Reset;
/// every PreKeySignalMessage must carry a base key and a ratchet key never
/// seen in another session, and the peer must read each.
pub fn fresh_keys_every_session(ctx: &mut ScenarioCtx) -> Check {
    require_signal_wire(ctx)?;
    let mut seen: Vec<(Vec<u8>, String)> = Vec::new();
    let mut sessions = 0;
    for round in 1..=2 {
        if round == 2 {
            // A target that derives its keys from state Reset restores
            // would repeat them only across a Reset.
            ctx.expect_result(Op::Reset(Reset {}), "Reset")?;
        }
        let first = Conversation::devices(ctx, 0)?;
        let mut targets = vec![(first.target_addr.clone(), first.target_identity)];
        let mut second = fresh_address(ctx);
        while targets.iter().any(|(a, _)| *a == second) {
            second = fresh_address(ctx);
        }
        let (identity, _) = create_device(ctx, &second, 0, None)?;
        targets.push((second, identity));
        let taken: Vec<Address> = targets.iter().map(|(a, _)| a.clone()).collect();
        for (i, target) in targets.iter().enumerate() {
            let peers = if i == 0 { SESSIONS_PER_ROUND } else { 1 };
            for _ in 0..peers {
                sessions += 1;
                let what = format!(
                    "session {sessions} (round {round}, target device {})",
                    i + 1
                );
                let message = one_session(ctx, target, &taken, &what)?;
                for (kind, key) in [
                    ("base key", message.base_key.serialize().to_vec()),
                    (
                        "ratchet key",
                        message.message.ratchet_key.serialize().to_vec(),
                    ),
                ] {
                    if let Some((_, earlier)) = seen.iter().find(|(k, _)| *k == key) {
                        return Err(Finding::fail(format!(
                            "the {kind} of the target's PreKeySignalMessage in {what} is a key it already sent in {earlier} (X3DH §3.3: a new ephemeral key pair for every run; Double Ratchet §3.5: a new ratchet key pair for every DH ratchet step)"
                        )));
                    }
                    seen.push((key, format!("{what} as its {kind}")));
                }
            }
        }
    }
    Ok(format!(
        "{sessions} sessions from two devices, before and after a Reset: every base key and first ratchet key fresh"
    ))
}

/// The target device `target` starts a session with a new peer device and
/// sends one message, which the peer must read; returns it, parsed.
fn one_session(
    ctx: &mut ScenarioCtx,
    (target, target_identity): &(Address, PublicKey),
    taken: &[Address],
    what: &str,
) -> Result<PreKeySignalMessage, Finding> {
    let mut peer_addr = fresh_address(ctx);
    while taken.contains(&peer_addr) {
        peer_addr = fresh_address(ctx);
    }
    let mut peer = peer_device(ctx, &peer_addr);
    let bundle = peer.bundle();
    process_bundle(ctx, target, &peer_addr, &bundle)?;
    let mut c = Conversation {
        peer,
        peer_addr,
        target_addr: target.clone(),
        target_identity: *target_identity,
        target_registration_id: 0,
    };
    let text = format!("the first message of {what}");
    let wire = c.target_to_peer(ctx, text.as_bytes())?;
    ensure_prekey(&wire, what)
}

fn ensure_prekey(wire: &Wire, what: &str) -> Result<PreKeySignalMessage, Finding> {
    PreKeySignalMessage::parse(&wire.bytes, MAX_PARSE).map_err(|e| {
        Finding::fail(format!(
            "the target's first message in {what} is not a PreKeySignalMessage: {e}"
        ))
    })
}
