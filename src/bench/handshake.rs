//! Handshake benchmark, for `interspec bench`: the peer engine against snow
//! in the same run (XX handshakes per second, transport throughput), and XX
//! handshakes per second through the adapter against the built-in target.
//! Both engines run in this process, one after the other, on the same
//! inputs, so the ratio is meaningful even in a debug build; the absolute
//! figures are not.

use std::fmt::Write as _;
use std::time::Duration;

use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, HsConventions, HsRead, HsRole, HsStart, HsWrite,
};
use crate::peer::noise::{HandshakeConfig, HandshakeState, KeyPair, Protocol, Role};
use crate::targets::Launcher;

/// Transport payload per message: the largest one (65535 - 16, §3).
const TRANSPORT_PAYLOAD: usize = 65535 - 16;
const PROLOGUE: &[u8] = b"interspec-bench";

#[derive(Debug, Clone)]
pub struct HandshakeBench {
    pub peer_handshakes_per_sec: f64,
    pub snow_handshakes_per_sec: f64,
    pub peer_transport_mb_per_sec: f64,
    pub snow_transport_mb_per_sec: f64,
    pub adapter_handshakes_per_sec: f64,
}

impl HandshakeBench {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Noise_XX_25519_AESGCM_SHA256, both sides in process:");
        let _ = writeln!(
            out,
            "  handshakes/s   peer {:>10.1}   snow {:>10.1}   peer/snow {:.2}",
            self.peer_handshakes_per_sec,
            self.snow_handshakes_per_sec,
            self.peer_handshakes_per_sec / self.snow_handshakes_per_sec
        );
        let _ = writeln!(
            out,
            "  transport MB/s peer {:>10.1}   snow {:>10.1}   peer/snow {:.2}   (65519-byte payloads, seal + open)",
            self.peer_transport_mb_per_sec,
            self.snow_transport_mb_per_sec,
            self.peer_transport_mb_per_sec / self.snow_transport_mb_per_sec
        );
        let _ = writeln!(
            out,
            "  handshakes/s through the adapter (builtin target as initiator): {:.1}",
            self.adapter_handshakes_per_sec
        );
        out
    }
}

/// Runs every measurement for about `duration` each.
pub fn run(launcher: &Launcher, duration: Duration) -> Result<HandshakeBench, String> {
    Ok(HandshakeBench {
        peer_handshakes_per_sec: rate(duration, peer_handshake)?,
        snow_handshakes_per_sec: rate(duration, snow_handshake)?,
        peer_transport_mb_per_sec: throughput(duration, peer_transport()?)?,
        snow_transport_mb_per_sec: throughput(duration, snow_transport()?)?,
        adapter_handshakes_per_sec: adapter_handshakes(launcher, duration)?,
    })
}

/// Steps per second over `duration`, one step per clock read (a handshake
/// is slow enough).
fn rate(duration: Duration, step: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    super::measure(duration, 1, step)
}

/// MB/s of payload for a step that seals and opens one maximal message.
fn throughput(duration: Duration, step: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    Ok(rate(duration, step)? * TRANSPORT_PAYLOAD as f64 / 1e6)
}

fn keys() -> (KeyPair, KeyPair) {
    (
        KeyPair::from_private([0x11; 32]),
        KeyPair::from_private([0x22; 32]),
    )
}

fn peer_pair() -> Result<(HandshakeState, HandshakeState), String> {
    let (a, b) = keys();
    let make = |role, kp| {
        HandshakeState::new(
            HandshakeConfig::new(Protocol::XX, role)
                .prologue(PROLOGUE)
                .local_static(kp),
        )
        .map_err(|e| e.to_string())
    };
    Ok((make(Role::Initiator, a)?, make(Role::Responder, b)?))
}

fn peer_handshake() -> Result<(), String> {
    let (mut i, mut r) = peer_pair()?;
    run_peer(&mut i, &mut r)
}

fn run_peer(i: &mut HandshakeState, r: &mut HandshakeState) -> Result<(), String> {
    let e = |e: crate::peer::noise::NoiseError| e.to_string();
    let m0 = i.write_message(b"").map_err(e)?;
    r.read_message(&m0).map_err(e)?;
    let m1 = r.write_message(b"").map_err(e)?;
    i.read_message(&m1).map_err(e)?;
    let m2 = i.write_message(b"").map_err(e)?;
    r.read_message(&m2).map_err(e)?;
    Ok(())
}

fn snow_pair() -> Result<(snow::HandshakeState, snow::HandshakeState), String> {
    let (a, b) = keys();
    let params: snow::params::NoiseParams =
        Protocol::XX.name().parse().map_err(|e| format!("{e:?}"))?;
    let build = |private: [u8; 32], initiator: bool| {
        let builder = snow::Builder::new(params.clone())
            .prologue(PROLOGUE)
            .local_private_key(&private);
        if initiator {
            builder.build_initiator()
        } else {
            builder.build_responder()
        }
        .map_err(|e| e.to_string())
    };
    Ok((
        build(a.private_bytes(), true)?,
        build(b.private_bytes(), false)?,
    ))
}

fn snow_handshake() -> Result<(), String> {
    let (mut i, mut r) = snow_pair()?;
    run_snow(&mut i, &mut r)
}

fn run_snow(i: &mut snow::HandshakeState, r: &mut snow::HandshakeState) -> Result<(), String> {
    let mut buf = [0u8; 256];
    let mut out = [0u8; 256];
    let e = |e: snow::Error| e.to_string();
    let n = i.write_message(b"", &mut buf).map_err(e)?;
    r.read_message(&buf[..n], &mut out).map_err(e)?;
    let n = r.write_message(b"", &mut buf).map_err(e)?;
    i.read_message(&buf[..n], &mut out).map_err(e)?;
    let n = i.write_message(b"", &mut buf).map_err(e)?;
    r.read_message(&buf[..n], &mut out).map_err(e)?;
    Ok(())
}

fn peer_transport() -> Result<impl FnMut() -> Result<(), String>, String> {
    let (mut i, mut r) = peer_pair()?;
    run_peer(&mut i, &mut r)?;
    let mut a = i.into_transport().map_err(|e| e.to_string())?;
    let mut b = r.into_transport().map_err(|e| e.to_string())?;
    let payload = vec![0x5a; TRANSPORT_PAYLOAD];
    Ok(move || {
        let m = a.write_message(&payload).map_err(|e| e.to_string())?;
        b.read_message(&m).map(|_| ()).map_err(|e| e.to_string())
    })
}

fn snow_transport() -> Result<impl FnMut() -> Result<(), String>, String> {
    let (mut i, mut r) = snow_pair()?;
    run_snow(&mut i, &mut r)?;
    let mut a = i.into_transport_mode().map_err(|e| e.to_string())?;
    let mut b = r.into_transport_mode().map_err(|e| e.to_string())?;
    let payload = vec![0x5a; TRANSPORT_PAYLOAD];
    let mut message = vec![0u8; 65535];
    let mut opened = vec![0u8; 65535];
    Ok(move || {
        let n = a
            .write_message(&payload, &mut message)
            .map_err(|e| e.to_string())?;
        b.read_message(&message[..n], &mut opened)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// One XX handshake with the built-in target as initiator: HsStart, then
/// HsWrite / HsRead against the peer engine in this process.
fn adapter_handshakes(launcher: &Launcher, duration: Duration) -> Result<f64, String> {
    let mut client = super::builtin_client(launcher)?;
    let server = KeyPair::from_private([0x33; 32]);
    let mut call = |op: Op| match client.call(op) {
        Ok(Reply::Result(result)) => Ok(result),
        Ok(other) => Err(format!("the target answered {}", other.describe())),
        Err(e) => Err(e.to_string()),
    };
    rate(duration, || {
        let start = HsStart {
            role: HsRole::Initiator as i32,
            protocol_name: Protocol::XX.name(),
            prologue: PROLOGUE.to_vec(),
            conventions: Some(HsConventions {
                length_prefix_bytes: 2,
                max_frame: 65535,
                ..HsConventions::default()
            }),
            ..HsStart::default()
        };
        call(Op::HsStart(start))?;
        let mut peer = HandshakeState::new(
            HandshakeConfig::new(Protocol::XX, Role::Responder)
                .prologue(PROLOGUE)
                .local_static(server.clone()),
        )
        .map_err(|e| e.to_string())?;
        let written = |result| match result {
            response::Reply::HsWrite(w) => Ok(w.message),
            _ => Err("HsWrite was not answered with HsWriteResult".to_string()),
        };
        let m0 = written(call(Op::HsWrite(HsWrite { payload: vec![] }))?)?;
        peer.read_message(&m0).map_err(|e| e.to_string())?;
        let m1 = peer.write_message(b"").map_err(|e| e.to_string())?;
        call(Op::HsRead(HsRead { message: m1 }))?;
        let m2 = written(call(Op::HsWrite(HsWrite { payload: vec![] }))?)?;
        peer.read_message(&m2).map_err(|e| e.to_string())?;
        if !peer.is_finished() {
            return Err("the handshake did not finish".into());
        }
        Ok(())
    })
}
