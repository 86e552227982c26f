//! The byte stream under the profile's conventions: connection header,
//! length prefixes, HandshakeMessage wrapping, arbitrary chunking.

use super::drive::*;
use crate::adapter::proto::{request::Op, ErrorCategory, HsFeed};
use crate::ensure;
use crate::peer::noise::wrapping;
use crate::peer::noise::{FrameDecoder, HandshakePattern, NoiseKnobs, Protocol, Role};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// The peer's side of the stream, built from the profile by hand (the
/// header may be any length the profile names).
pub struct PeerStream {
    header: Vec<u8>,
    prefix: usize,
    wrap: bool,
}

impl PeerStream {
    /// `sends_header`: the peer is the initiator (the client).
    pub fn new(ctx: &ScenarioCtx, sends_header: bool) -> PeerStream {
        let hs = &ctx.profile.handshake;
        PeerStream {
            header: if sends_header {
                hs.connection_header_bytes()
            } else {
                Vec::new()
            },
            prefix: hs.length_prefix_bytes as usize,
            wrap: hs.wrap_handshake_messages,
        }
    }

    pub fn frame(&mut self, body: &[u8]) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.header);
        out.extend_from_slice(&(body.len() as u32).to_be_bytes()[4 - self.prefix..]);
        out.extend_from_slice(body);
        out
    }

    pub fn handshake_frame(
        &mut self,
        pattern: HandshakePattern,
        index: usize,
        message: &[u8],
    ) -> Result<Vec<u8>, Finding> {
        if self.wrap {
            let wrapped =
                wrapping::wrap(pattern, index, message).map_err(|e| harness("wrap", e))?;
            return Ok(self.frame(&wrapped));
        }
        Ok(self.frame(message))
    }
}

/// Reads what the target put on the stream: frames (and, for handshake
/// messages, unwrapped Noise messages).
pub struct TargetStream {
    decoder: FrameDecoder,
    wrap: bool,
}

impl TargetStream {
    pub fn new(ctx: &ScenarioCtx) -> TargetStream {
        let hs = &ctx.profile.handshake;
        TargetStream {
            decoder: FrameDecoder::without_header(hs.max_frame as usize)
                .with_prefix_len(hs.length_prefix_bytes as usize),
            wrap: hs.wrap_handshake_messages,
        }
    }

    fn one_frame(&mut self, wire: &[u8], what: &str) -> Result<Vec<u8>, Finding> {
        let mut frames = self
            .decoder
            .push(wire)
            .map_err(|e| Finding::fail(format!("the target's {what} is not a valid frame: {e}")))?;
        ensure!(
            frames.len() == 1 && self.decoder.buffered() == 0,
            "the target's {what} holds {} frames (+{} stray bytes), expected exactly one",
            frames.len(),
            self.decoder.buffered()
        );
        Ok(frames.remove(0))
    }

    pub fn handshake_message(
        &mut self,
        wire: &[u8],
        pattern: HandshakePattern,
        index: usize,
    ) -> Result<Vec<u8>, Finding> {
        let what = format!("handshake message {index} wire");
        let body = self.one_frame(wire, &what)?;
        if !self.wrap {
            return Ok(body);
        }
        wrapping::unwrap(pattern, index, &body).map_err(|e| {
            Finding::fail(format!(
                "the target's {what} is not the HandshakeMessage the profile asks for: {e}"
            ))
        })
    }

    pub fn transport_message(&mut self, wire: &[u8]) -> Result<Vec<u8>, Finding> {
        self.one_frame(wire, "transport message wire")
    }
}

/// Everything the target receives is fed through HsFeed, cut by `cut`
/// (which returns the next chunk length); everything it sends is read from
/// its `wire`. The target is the XX responder, so it also receives the
/// connection header. With `coalesce` the last handshake frame and every
/// transport frame go in one piece before cutting. Returns how many HsFeed
/// calls were made.
pub fn stream_session(
    ctx: &mut ScenarioCtx,
    transport: &[Vec<u8>],
    coalesce: bool,
    cut: &mut dyn FnMut(&mut ScenarioCtx, usize) -> usize,
) -> Result<usize, Finding> {
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    let mut out = PeerStream::new(ctx, true);
    let mut back = TargetStream::new(ctx);
    let mut expected = Vec::new();
    let mut got = Vec::new();
    let mut calls = 0;
    let mut feed = |ctx: &mut ScenarioCtx, bytes: &[u8], got: &mut Vec<Vec<u8>>| {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = cut(ctx, rest.len()).clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(n);
            let result = hs_feed(ctx, chunk, &format!("a {n}-byte chunk"))?;
            got.extend(result.payloads);
            rest = tail;
            calls += 1;
        }
        Ok::<(), Finding>(())
    };

    let p0 = random_payload(ctx, 16);
    let m0 = live
        .peer
        .write_message(&p0)
        .map_err(|e| harness("write", e))?;
    let f0 = out.handshake_frame(HandshakePattern::XX, 0, &m0)?;
    expected.push(p0);
    feed(ctx, &f0, &mut got)?;
    ensure!(
        got.len() == expected.len(),
        "after message 0 the stream yielded {} payloads, expected {}",
        got.len(),
        expected.len()
    );
    ensure!(
        got == expected,
        "the payload of message 0 read from the stream differs from the one sent"
    );
    let p1 = random_payload(ctx, 16);
    let w1 = hs_write(ctx, &p1, "XX message 1")?;
    let m1 = back.handshake_message(&w1.wire, HandshakePattern::XX, 1)?;
    ensure!(
        m1 == w1.message,
        "the wire of message 1 does not carry its message"
    );
    live.peer.read_message(&m1).map_err(|e| {
        Finding::fail(format!(
            "the peer refused message 1 read from the wire: {e}"
        ))
    })?;
    file_target_ephemeral(ctx, &live.peer, "XX message 1")?;
    let p2 = random_payload(ctx, 16);
    let m2 = live
        .peer
        .write_message(&p2)
        .map_err(|e| harness("write", e))?;
    let mut tail = out.handshake_frame(HandshakePattern::XX, 2, &m2)?;
    expected.push(p2);
    let mut t = live
        .peer
        .into_transport()
        .map_err(|e| harness("split", e))?;
    let mut pieces = Vec::new();
    for payload in transport {
        let m = t.write_message(payload).map_err(|e| harness("seal", e))?;
        pieces.push(out.frame(&m));
        expected.push(payload.clone());
    }
    if coalesce {
        for piece in pieces {
            tail.extend_from_slice(&piece);
        }
        feed(ctx, &tail, &mut got)?;
    } else {
        feed(ctx, &tail, &mut got)?;
        for piece in pieces {
            feed(ctx, &piece, &mut got)?;
        }
    }
    ensure!(
        got.len() == expected.len(),
        "the stream yielded {} payloads, expected {}",
        got.len(),
        expected.len()
    );
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        ensure!(
            g == e,
            "payload {i} from the stream differs from what was sent"
        );
    }
    // And back: the target's transport frames decode on the peer's side.
    let up = random_payload(ctx, 64);
    let sealed = hs_seal(ctx, &up)?;
    let m = back.transport_message(&sealed.wire)?;
    ensure!(
        m == sealed.message,
        "the wire of a sealed message does not carry it"
    );
    ensure!(
        t.read_message(&m).ok().as_deref() == Some(up.as_slice()),
        "the peer could not open the target's framed transport message"
    );
    Ok(calls)
}

pub fn one_byte_chunks(ctx: &mut ScenarioCtx) -> Check {
    let transport = vec![b"one".to_vec(), Vec::new(), random_payload(ctx, 300)];
    let calls = stream_session(ctx, &transport, false, &mut |_, _| 1)?;
    Ok(format!(
        "handshake and 3 transport frames fed one byte at a time ({calls} calls)"
    ))
}

pub fn coalesced_frames(ctx: &mut ScenarioCtx) -> Check {
    let mut transport: Vec<Vec<u8>> = (0..6).map(|_| random_payload(ctx, 200)).collect();
    // The limit is inclusive: a frame of exactly max_frame bytes (at most a
    // 65535-byte message, §3, and what the prefix can say) must come out.
    let hs = &ctx.profile.handshake;
    let prefix_max = (1usize << (8 * hs.length_prefix_bytes.min(3))) - 1;
    let limit = (hs.max_frame as usize).min(65535).min(prefix_max);
    let at_limit = limit.checked_sub(16).map(|payload| {
        let mut bytes = vec![0u8; payload];
        rand::RngCore::fill_bytes(&mut ctx.rng, &mut bytes);
        bytes
    });
    transport.extend(at_limit.clone());
    stream_session(ctx, &transport, true, &mut |_, rest| rest)?;
    Ok(format!(
        "the last handshake frame and {} transport frames in one read all came out{}",
        transport.len(),
        if at_limit.is_some() {
            format!(", the last a frame of exactly the {limit}-byte limit")
        } else {
            String::new()
        }
    ))
}

/// The target's outgoing bytes are exactly what the profile prescribes.
pub fn wire_format_follows_profile(ctx: &mut ScenarioCtx) -> Check {
    let hs = ctx.profile.handshake.clone();
    let header = hs.connection_header_bytes();
    for role in [Role::Initiator, Role::Responder] {
        let mut live = start(ctx, &Setup::new(Protocol::XX, role))?;
        let mut expect = PeerStream::new(ctx, role == Role::Initiator);
        let mut sent = 0;
        while !live.peer.is_finished() {
            let index = live.peer.message_index();
            let payload = random_payload(ctx, 16);
            if live.peer.is_my_turn() {
                let m = live
                    .peer
                    .write_message(&payload)
                    .map_err(|e| harness("write", e))?;
                hs_read(ctx, &m, &format!("message {index}"))?;
            } else {
                let w = hs_write(ctx, &payload, &format!("message {index}"))?;
                let want = expect.handshake_frame(HandshakePattern::XX, index, &w.message)?;
                ensure!(
                    w.wire == want,
                    "as {role:?}, the wire of message {index} is {}, expected {} (header {} on the initiator's first frame only, {}-byte length, {})",
                    hex::encode(&w.wire),
                    hex::encode(&want),
                    hex::encode(&header),
                    hs.length_prefix_bytes,
                    if hs.wrap_handshake_messages { "HandshakeMessage-wrapped" } else { "bare" }
                );
                live.peer
                    .read_message(&w.message)
                    .map_err(|e| Finding::fail(format!("the peer refused message {index}: {e}")))?;
                file_target_ephemeral(ctx, &live.peer, &format!("message {index}"))?;
                sent += 1;
            }
        }
        let sealed = hs_seal(ctx, b"transport")?;
        let want = expect.frame(&sealed.message);
        ensure!(
            sealed.wire == want,
            "as {role:?}, a transport wire is {}, expected {}",
            hex::encode(&sealed.wire),
            hex::encode(&want)
        );
        ensure!(sent > 0, "scenario bug: the target sent nothing");
    }
    Ok(format!(
        "handshake and transport wires match the profile (header {:?}, {}-byte length, {})",
        hex::encode(&header),
        hs.length_prefix_bytes,
        if hs.wrap_handshake_messages {
            "wrapped"
        } else {
            "bare"
        }
    ))
}

/// A stream from a peer with another prologue fails; with a connection
/// header in the profile, a wrong header is refused before any frame.
pub fn header_or_prologue_mismatch_refused(ctx: &mut ScenarioCtx) -> Check {
    // Target initiator: its message 1 arrives from a peer hashing another prologue.
    let mut wrong = prologue(ctx);
    wrong.extend_from_slice(b"-other");
    let setup = Setup::new(Protocol::XX, Role::Initiator).knobs(NoiseKnobs {
        wrong_prologue: Some(wrong),
        ..NoiseKnobs::default()
    });
    let mut live = start(ctx, &setup)?;
    let w0 = hs_write(ctx, b"", "XX message 0")?;
    // The target is the initiator: its first wire starts with the header.
    let header = ctx.profile.handshake.connection_header_bytes();
    ensure!(
        w0.wire.starts_with(&header),
        "the initiator's first wire does not start with the connection header"
    );
    let m0 = TargetStream::new(ctx).handshake_message(
        &w0.wire[header.len()..],
        HandshakePattern::XX,
        0,
    )?;
    live.peer
        .read_message(&m0)
        .map_err(|e| harness("read", e))?;
    file_target_ephemeral(ctx, &live.peer, "XX message 0")?;
    let m1 = live
        .peer
        .write_message(b"")
        .map_err(|e| harness("write", e))?;
    let frame = PeerStream::new(ctx, false).handshake_frame(HandshakePattern::XX, 1, &m1)?;
    expect_refused(
        ctx,
        Op::HsFeed(HsFeed { data: frame }),
        ErrorCategory::BadMac,
        "a framed message 1 from a peer with another prologue",
    )?;
    expect_aborted(ctx, "a prologue mismatch")?;
    if header.is_empty() {
        return Ok(
            "the profile has no connection header; a prologue mismatch on the stream was refused"
                .into(),
        );
    }
    // Target responder: a wrong header (last byte changed) is refused.
    let mut live = start(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
    let mut bad = header.clone();
    if let Some(last) = bad.last_mut() {
        *last ^= 0x01;
    }
    let m0 = live
        .peer
        .write_message(b"")
        .map_err(|e| harness("write", e))?;
    let mut stream = PeerStream::new(ctx, false);
    let mut data = bad.clone();
    data.extend_from_slice(&stream.handshake_frame(HandshakePattern::XX, 0, &m0)?);
    expect_refused(
        ctx,
        Op::HsFeed(HsFeed { data }),
        ErrorCategory::MalformedInput,
        &format!("a stream starting with header {}", hex::encode(&bad)),
    )?;
    Ok(format!(
        "prologue mismatch refused; header {} refused",
        hex::encode(&bad)
    ))
}

/// A frame whose body cannot be the handshake message due at its position
/// is MALFORMED_INPUT: too short when messages travel bare; the wrong
/// HandshakeMessage field, a part of the wrong size, or not a protobuf at
/// all when they are wrapped.
pub fn malformed_handshake_frame_refused(ctx: &mut ScenarioCtx) -> Check {
    use crate::peer::noise::wrapping::proto::handshake_message::ClientHello;
    use crate::peer::noise::wrapping::proto::HandshakeMessage;
    use prost::Message;

    let wrapped = ctx.profile.handshake.wrap_handshake_messages;
    let mut bodies: Vec<(&str, Vec<u8>)> = Vec::new();
    if wrapped {
        let fake: Vec<u8> = (0..96u8).collect();
        let server_hello =
            wrapping::wrap(HandshakePattern::XX, 1, &fake).map_err(|e| harness("wrap", e))?;
        bodies.push(("a serverHello where the clientHello is due", server_hello));
        let short = HandshakeMessage {
            client_hello: Some(ClientHello {
                ephemeral: vec![7; 31],
                ..ClientHello::default()
            }),
            ..HandshakeMessage::default()
        };
        bodies.push((
            "a clientHello with a 31-byte ephemeral",
            short.encode_to_vec(),
        ));
        bodies.push(("bytes that are not a HandshakeMessage", vec![0xff; 40]));
    } else {
        bodies.push(("a 31-byte XX message 0", vec![7; 31]));
    }
    for (what, body) in &bodies {
        start(ctx, &Setup::new(Protocol::XX, Role::Responder))?;
        let data = PeerStream::new(ctx, true).frame(body);
        expect_refused(
            ctx,
            Op::HsFeed(HsFeed { data }),
            ErrorCategory::MalformedInput,
            &format!("a frame holding {what}"),
        )?;
        expect_aborted(ctx, what)?;
    }
    Ok(format!(
        "{} malformed handshake frame bodies ({}) refused, the handshake aborted",
        bodies.len(),
        if wrapped { "wrapped" } else { "bare" }
    ))
}
