//! Property scenarios: generated cases, seeded from the scenario seed and
//! shrunk to a minimal failing input by `check_property`.

use proptest::collection::vec;
use proptest::prelude::*;

use super::drive::*;
use super::stream::stream_session;
use super::tamper::advance_to;
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::noise::{Protocol, Role};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

/// Handshake messages the target reads and can authenticate:
/// (protocol, target role, message index).
const FLIP_CASES: [(Protocol, Role, usize); 4] = [
    (Protocol::XX, Role::Initiator, 1),
    (Protocol::XX, Role::Responder, 2),
    (Protocol::IK, Role::Responder, 0),
    (Protocol::IK, Role::Initiator, 1),
];

/// Any single bit flipped anywhere in any of those messages is refused
/// with BAD_MAC (the handshake hash authenticates every byte, §5.3).
pub fn single_bit_flip_refused(ctx: &mut ScenarioCtx) -> Check {
    let strategy = (0..FLIP_CASES.len(), any::<u32>(), 0usize..64);
    check_property(
        ctx,
        strategy,
        |&(case, raw, payload)| {
            let (protocol, role, message) = FLIP_CASES[case];
            format!(
                "{} message {message} to the target as {role:?}, {payload}-byte payload, bit {raw} modulo the message length in bits",
                protocol.name()
            )
        },
        |ctx, &(case, raw, payload_len)| {
            let (protocol, role, message) = FLIP_CASES[case];
            let mut live = start(ctx, &Setup::new(protocol, role))?;
            advance_to(ctx, &mut live, message)?;
            let payload: Vec<u8> = (0..payload_len).map(|i| i as u8).collect();
            let mut m = live
                .peer
                .write_message(&payload)
                .map_err(|e| harness("write", e))?;
            let bit = raw as usize % (m.len() * 8);
            m[bit / 8] ^= 1 << (bit % 8);
            expect_refused(
                ctx,
                read_op(&m),
                ErrorCategory::BadMac,
                &format!(
                    "{} message {message} with bit {bit} of {} flipped",
                    protocol.name(),
                    m.len() * 8
                ),
            )
        },
    )
}

fn pattern_payload(size: usize, salt: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31 + salt * 7) as u8).collect()
}

/// Random transport payloads and random chunkings of the whole stream
/// (header, handshake frames, transport frames) deliver every payload.
pub fn random_chunkings_round_trip(ctx: &mut ScenarioCtx) -> Check {
    let strategy = (
        vec(0usize..2000, 0..6),
        vec(1usize..80, 1..12),
        any::<bool>(),
    );
    check_property(
        ctx,
        strategy,
        |(sizes, chunks, coalesce)| {
            format!(
                "transport payloads of {sizes:?} bytes, chunk lengths cycling {chunks:?}, coalesced={coalesce}"
            )
        },
        |ctx, (sizes, chunks, coalesce)| {
            let payloads: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| pattern_payload(n, i))
                .collect();
            let mut next = 0;
            stream_session(ctx, &payloads, *coalesce, &mut |_, _| {
                let n = chunks[next % chunks.len()];
                next += 1;
                n
            })?;
            Ok(())
        },
    )
}

/// Random payload sizes in random directions round-trip in order.
pub fn random_payload_sizes(ctx: &mut ScenarioCtx) -> Check {
    let strategy = vec((0usize..=8192, any::<bool>()), 1..8);
    check_property(
        ctx,
        strategy,
        |messages| format!("transport messages (size, target-to-peer): {messages:?}"),
        |ctx, messages| {
            let mut t = established(ctx, &Setup::new(Protocol::XX, Role::Initiator))?;
            for (i, &(size, up)) in messages.iter().enumerate() {
                let payload = pattern_payload(size, i);
                if up {
                    let sealed = hs_seal(ctx, &payload)?;
                    let got = t.read_message(&sealed.message).map_err(|e| {
                        Finding::fail(format!("the peer could not open message {i}: {e}"))
                    })?;
                    ensure!(got == payload, "message {i} ({size} bytes) changed");
                } else {
                    let m = t.write_message(&payload).map_err(|e| harness("seal", e))?;
                    let got = hs_open(ctx, &m, &format!("message {i}"))?;
                    ensure!(got == payload, "message {i} ({size} bytes) changed");
                }
            }
            Ok(())
        },
    )
}
