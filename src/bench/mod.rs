//! `interspec bench`: adapter Ping round trips per second on one connection
//! to the built-in target, against a raw stdio ping-pong of the same payload
//! size in the same run (the physical baseline: same process setup, same
//! kind of stdio, no framing and no protobuf). Suites add their own
//! measurements as submodules.

pub mod cases;
pub mod e2ee;
pub mod enlistment;
pub mod handshake;
pub mod media;
pub mod stanza;

use std::fmt::Write as _;
use std::io::Read;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::adapter::client::{AdapterClient, ClientConfig, Reply};
use crate::adapter::link::Link;
use crate::adapter::proto::{request::Op, response, Ping};
use crate::targets::{Launcher, TargetSpec};

/// Round trips between clock reads.
const BATCH: u64 = 256;

pub struct BenchResult {
    pub payload: usize,
    pub adapter_per_sec: f64,
    pub raw_per_sec: f64,
}

impl BenchResult {
    /// How many times slower the adapter round trip is than the raw one.
    pub fn ratio(&self) -> f64 {
        self.raw_per_sec / self.adapter_per_sec
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "payload: {} bytes", self.payload);
        let _ = writeln!(
            out,
            "adapter Ping round trips/s (builtin target): {:>12.0}",
            self.adapter_per_sec
        );
        let _ = writeln!(
            out,
            "raw stdio ping-pong round trips/s:           {:>12.0}",
            self.raw_per_sec
        );
        let _ = writeln!(
            out,
            "ratio raw/adapter:                           {:>12.2}",
            self.ratio()
        );
        out
    }
}

/// Every measurement, rendered: adapter overhead first, then each suite's.
pub fn run_all(launcher: &Launcher, payload: usize, duration: Duration) -> Result<String, String> {
    let ping = run(launcher, payload, duration)?;
    let handshake = handshake::run(launcher, duration)?;
    let e2ee = e2ee::run(launcher, 128, duration)?;
    let stanza = stanza::run(launcher, duration)?;
    let enlistment = enlistment::run(launcher, duration)?;
    let media = media::run(duration)?;
    let cases = cases::run(launcher, cases::FEW, cases::MANY)?;
    Ok([
        ping.render(),
        handshake.render(),
        e2ee.render(),
        stanza.render(),
        enlistment.render(),
        media.render(),
        cases.render(),
    ]
    .join("\n"))
}

pub fn run(launcher: &Launcher, payload: usize, duration: Duration) -> Result<BenchResult, String> {
    let adapter_per_sec = adapter_pings(launcher, payload, duration)?;
    let raw_per_sec = raw_pingpong(launcher, payload, duration)?;
    Ok(BenchResult {
        payload,
        adapter_per_sec,
        raw_per_sec,
    })
}

/// Runs `step` in batches of `batch` until `duration` passes (after a
/// warm-up batch); returns steps per second. Batches keep clock reads off
/// fast steps.
pub(crate) fn measure(
    duration: Duration,
    batch: u64,
    mut step: impl FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    for _ in 0..batch {
        step()?;
    }
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < duration {
        for _ in 0..batch {
            step()?;
        }
        count += batch;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// A connection to the built-in reference, after Hello, without transcript.
pub(crate) fn builtin_client(launcher: &Launcher) -> Result<AdapterClient, String> {
    client(launcher, &TargetSpec::Builtin { mutant: None })
}

/// A connection to `target`, after Hello, without transcript.
pub fn client(launcher: &Launcher, target: &TargetSpec) -> Result<AdapterClient, String> {
    let link = launcher.open(target, Duration::from_secs(10))?;
    let mut client = AdapterClient::new(
        link,
        ClientConfig {
            max_frame: crate::adapter::DEFAULT_MAX_FRAME,
            call_timeout: Duration::from_secs(10),
            record: false,
            plaintext_excerpt: 0,
        },
    );
    client.hello()?;
    Ok(client)
}

fn adapter_pings(launcher: &Launcher, payload: usize, duration: Duration) -> Result<f64, String> {
    let mut client = builtin_client(launcher)?;
    let body = vec![0x5au8; payload];
    measure(duration, BATCH, || {
        match client.call(Op::Ping(Ping {
            payload: body.clone(),
        })) {
            Ok(Reply::Result(response::Reply::Ping(p))) if p.payload.len() == payload => Ok(()),
            Ok(other) => Err(format!("Ping was answered {}", other.describe())),
            Err(e) => Err(e.to_string()),
        }
    })
}

fn raw_pingpong(launcher: &Launcher, payload: usize, duration: Duration) -> Result<f64, String> {
    let size = payload.max(1);
    let mut command = Command::new(&launcher.interspec_exe);
    command.args(["target", "raw-echo", "--size", &size.to_string()]);
    let mut link = Link::spawn(command).map_err(|e| format!("cannot start the raw echo: {e}"))?;
    link.set_timeout(Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let out = vec![0x5au8; size];
    let mut back = vec![0u8; size];
    measure(duration, BATCH, || {
        link.write_all(&out).map_err(|e| e.to_string())?;
        link.reader()
            .read_exact(&mut back)
            .map_err(|e| e.to_string())
    })
}
