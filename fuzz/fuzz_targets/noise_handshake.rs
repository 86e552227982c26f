#![no_main]
//! The Noise peer's message parser (src/peer/noise/handshake_state/read.rs,
//! transport.rs) behind its framing: the input is a framed stream (header,
//! 3-byte lengths) whose frames are read, in order, by a handshake state
//! after a fixed deterministic setup picked by the first byte.

use std::sync::OnceLock;

use interspec::peer::noise::dh::KeyPair;
use interspec::peer::noise::framing::{ConnectionHeader, FrameDecoder, MAX_FRAME_LEN};
use interspec::peer::noise::handshake_state::{HandshakeConfig, HandshakeState};
use interspec::peer::noise::patterns::{Protocol, Role};
use libfuzzer_sys::fuzz_target;

const HEADER: ConnectionHeader = ConnectionHeader([b'W', b'A', 6, 3]);

fn key(n: u8) -> KeyPair {
    KeyPair::from_private([n; 32])
}

fn config(protocol: Protocol, role: Role, s: u8, e: u8) -> HandshakeConfig {
    HandshakeConfig::new(protocol, role)
        .prologue(&HEADER.prologue())
        .local_static(key(s))
        .local_ephemeral(key(e))
}

/// A state that reads next, or `None` if the fixed setup failed.
fn setup(mode: u8) -> Option<Reader> {
    let server_static = key(1).public();
    Some(match mode % 6 {
        // XX responder reading message 0.
        0 => Reader::Handshake(
            HandshakeState::new(config(Protocol::XX, Role::Responder, 1, 2)).ok()?,
        ),
        // XX initiator, after its message 0, reading message 1.
        1 => {
            let mut hs = HandshakeState::new(config(Protocol::XX, Role::Initiator, 3, 4)).ok()?;
            hs.write_message(&[]).ok()?;
            Reader::Handshake(hs)
        }
        // IK responder reading message 0.
        2 => Reader::Handshake(
            HandshakeState::new(config(Protocol::IK, Role::Responder, 1, 2)).ok()?,
        ),
        // IK initiator, after its message 0, reading message 1.
        3 => {
            let mut hs = HandshakeState::new(
                config(Protocol::IK, Role::Initiator, 3, 4).remote_static(server_static),
            )
            .ok()?;
            hs.write_message(b"hello").ok()?;
            Reader::Handshake(hs)
        }
        // XXfallback initiator (pre-message e) reading the responder's message 0.
        4 => Reader::Handshake(
            HandshakeState::new(config(Protocol::XX_FALLBACK, Role::Initiator, 3, 4)).ok()?,
        ),
        // The responder's transport phase after an honest XX handshake.
        _ => {
            let mut init = HandshakeState::new(config(Protocol::XX, Role::Initiator, 3, 4)).ok()?;
            let mut resp = HandshakeState::new(config(Protocol::XX, Role::Responder, 1, 2)).ok()?;
            resp.read_message(&init.write_message(&[]).ok()?).ok()?;
            init.read_message(&resp.write_message(&[]).ok()?).ok()?;
            resp.read_message(&init.write_message(b"x").ok()?).ok()?;
            Reader::Transport(Box::new(resp.into_transport().ok()?))
        }
    })
}

/// The six setups, built once: their DH work is the same for every input.
fn reader(mode: u8) -> Option<Reader> {
    static READERS: OnceLock<Vec<Option<Reader>>> = OnceLock::new();
    READERS.get_or_init(|| (0..6).map(setup).collect())[usize::from(mode % 6)].clone()
}

#[derive(Clone)]
enum Reader {
    Handshake(HandshakeState),
    Transport(Box<interspec::peer::noise::transport::TransportState>),
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some(mut reader) = reader(mode) else {
        return;
    };
    let mut decoder = if mode & 0x80 == 0 {
        FrameDecoder::new(HEADER, MAX_FRAME_LEN)
    } else {
        FrameDecoder::without_header(MAX_FRAME_LEN)
    };
    let Ok(frames) = decoder.push(rest) else {
        return;
    };
    for frame in frames {
        let ok = match &mut reader {
            Reader::Handshake(hs) => {
                let ok = hs.read_message(&frame).is_ok();
                if ok && hs.is_my_turn() && !hs.is_finished() {
                    // Answer, so the next frame meets the next read.
                    let _ = hs.write_message(&[]);
                }
                ok
            }
            Reader::Transport(t) => t.read_message(&frame).is_ok(),
        };
        if !ok {
            break;
        }
    }
});
