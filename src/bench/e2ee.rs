//! E2EE benchmark, for `interspec bench` to call: Signal round trips per
//! second through the adapter against the built-in target (peer encrypts,
//! target decrypts, target encrypts, peer decrypts), against the same round
//! trip between two peer devices in this process (the engine's own cost,
//! with no adapter, process boundary or protobuf in between). With the
//! `libsignal` feature, also messages per second (one encrypt and its
//! decrypt) of the peer engine against libsignal-protocol-c in this
//! process, and round trips through the adapter to `builtin:libsignal`.

use std::fmt::Write as _;
use std::time::Duration;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::adapter::client::{AdapterClient, Reply};
use crate::adapter::proto::{
    request::Op, response, E2eeAddress, E2eeCreateDevice, E2eeDecrypt, E2eeEncrypt, E2eeGetBundle,
};
use crate::peer::signal::{Address, Device, MessageType};
use crate::targets::reference::e2ee::bundle_from_proto;
use crate::targets::{Launcher, TargetSpec};

/// Round trips between clock reads.
const BATCH: u64 = 32;

pub struct E2eeBenchResult {
    pub payload: usize,
    /// Round trips per second with the built-in target over the adapter.
    pub adapter_per_sec: f64,
    /// Round trips per second between two in-process peer devices.
    pub in_process_per_sec: f64,
    /// The comparison with libsignal-protocol-c (feature `libsignal`).
    pub libsignal: Option<LibsignalFigures>,
}

/// Peer against libsignal-protocol-c, measured in the same run.
pub struct LibsignalFigures {
    /// Messages/s (encrypt, then decrypt by the other side; directions
    /// alternate, so each message takes one DH ratchet step) between two
    /// in-process peer devices, and between two libsignal devices.
    pub peer_messages_per_sec: f64,
    pub libsignal_messages_per_sec: f64,
    /// Round trips per second with `builtin:libsignal` over the adapter.
    pub adapter_per_sec: f64,
}

impl E2eeBenchResult {
    /// How many times slower a round trip through the adapter is.
    pub fn ratio(&self) -> f64 {
        self.in_process_per_sec / self.adapter_per_sec
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "E2EE payload: {} bytes", self.payload);
        let _ = writeln!(
            out,
            "E2EE round trips/s through the adapter (builtin target): {:>10.0}",
            self.adapter_per_sec
        );
        let _ = writeln!(
            out,
            "E2EE round trips/s between two in-process peer devices:  {:>10.0}",
            self.in_process_per_sec
        );
        let _ = writeln!(
            out,
            "ratio in-process/adapter:                                {:>10.2}",
            self.ratio()
        );
        match &self.libsignal {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "E2EE messages/s in process (encrypt+decrypt), peer:      {:>10.0}",
                    l.peer_messages_per_sec
                );
                let _ = writeln!(
                    out,
                    "E2EE messages/s in process, libsignal-protocol-c:        {:>10.0}",
                    l.libsignal_messages_per_sec
                );
                let _ = writeln!(
                    out,
                    "ratio peer/libsignal:                                    {:>10.2}",
                    l.peer_messages_per_sec / l.libsignal_messages_per_sec
                );
                let _ = writeln!(
                    out,
                    "E2EE round trips/s through the adapter (builtin:libsignal): {:>7.0}",
                    l.adapter_per_sec
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "peer against libsignal-protocol-c: build with --features libsignal"
                );
            }
        }
        out
    }
}

pub fn run(
    launcher: &Launcher,
    payload: usize,
    duration: Duration,
) -> Result<E2eeBenchResult, String> {
    Ok(E2eeBenchResult {
        payload,
        adapter_per_sec: through_adapter(
            launcher,
            &TargetSpec::Builtin { mutant: None },
            payload,
            duration,
        )?,
        in_process_per_sec: in_process(payload, duration)?,
        libsignal: libsignal_figures(launcher, payload, duration)?,
    })
}

#[cfg(not(feature = "libsignal"))]
fn libsignal_figures(
    _launcher: &Launcher,
    _payload: usize,
    _duration: Duration,
) -> Result<Option<LibsignalFigures>, String> {
    Ok(None)
}

#[cfg(feature = "libsignal")]
fn libsignal_figures(
    launcher: &Launcher,
    payload: usize,
    duration: Duration,
) -> Result<Option<LibsignalFigures>, String> {
    Ok(Some(LibsignalFigures {
        peer_messages_per_sec: peer_messages(payload, duration)?,
        libsignal_messages_per_sec: libsignal_messages(payload, duration)?,
        adapter_per_sec: through_adapter(launcher, &TargetSpec::Libsignal, payload, duration)?,
    }))
}

/// Messages per second between two in-process peer devices, directions
/// alternating.
#[cfg(feature = "libsignal")]
fn peer_messages(payload: usize, duration: Duration) -> Result<f64, String> {
    let (mut alice, mut bob, a, b) = peer_pair()?;
    let body = vec![0x5au8; payload];
    let mut alice_sends = true;
    measure(duration, || {
        let ((sender, to), (receiver, from)) = if alice_sends {
            ((&mut alice, &b), (&mut bob, &a))
        } else {
            ((&mut bob, &a), (&mut alice, &b))
        };
        alice_sends = !alice_sends;
        let (kind, m) = sender.encrypt(to, &body).map_err(|e| e.to_string())?;
        let back = receiver
            .decrypt(from, kind, &m)
            .map_err(|e| e.to_string())?;
        (back == body)
            .then_some(())
            .ok_or_else(|| "the peer decrypted other bytes".to_string())
    })
}

/// The same between two libsignal-protocol-c devices.
#[cfg(feature = "libsignal")]
fn libsignal_messages(payload: usize, duration: Duration) -> Result<f64, String> {
    use crate::targets::libsignal::device::{Device as LibsignalDevice, RemoteAddress};
    let failed = |f: crate::targets::libsignal::device::Failure| format!("libsignal: {f:?}");
    let a = RemoteAddress::new("+10000000001", 1).map_err(failed)?;
    let b = RemoteAddress::new("+10000000002", 1).map_err(failed)?;
    let mut alice = LibsignalDevice::generate("+10000000001", 1, 1, 0).map_err(failed)?;
    let mut bob = LibsignalDevice::generate("+10000000002", 1, 2, 1).map_err(failed)?;
    let bundle = bob.bundle(true);
    alice.process_bundle(&b, &bundle).map_err(failed)?;
    let body = vec![0x5au8; payload];
    let max_body = payload + 16;
    let mut alice_sends = true;
    measure(duration, || {
        let ((sender, to), (receiver, from)) = if alice_sends {
            ((&mut alice, &b), (&mut bob, &a))
        } else {
            ((&mut bob, &a), (&mut alice, &b))
        };
        alice_sends = !alice_sends;
        let (kind, m) = sender.encrypt(to, &body).map_err(failed)?;
        let back = receiver.decrypt(from, kind, &m, max_body).map_err(failed)?;
        (back == body)
            .then_some(())
            .ok_or_else(|| "libsignal decrypted other bytes".to_string())
    })
}

fn measure(duration: Duration, step: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    super::measure(duration, BATCH, step)
}

fn addr(a: &Address) -> Option<E2eeAddress> {
    Some(E2eeAddress {
        name: a.name.clone(),
        device_id: a.device_id,
    })
}

fn call(client: &mut AdapterClient, op: Op, what: &str) -> Result<response::Reply, String> {
    match client.call(op) {
        Ok(Reply::Result(r)) => Ok(r),
        Ok(other) => Err(format!("{what} was answered {}", other.describe())),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn through_adapter(
    launcher: &Launcher,
    target_spec: &TargetSpec,
    payload: usize,
    duration: Duration,
) -> Result<f64, String> {
    let mut client = super::client(launcher, target_spec)?;
    let (target, peer_addr) = (
        Address::new("+10000000001", 1),
        Address::new("+10000000002", 1),
    );
    call(
        &mut client,
        Op::E2eeCreateDevice(E2eeCreateDevice {
            address: addr(&target),
            registration_id: 0,
            one_time_prekeys: 1,
            fixed_keys: None,
        }),
        "E2eeCreateDevice",
    )?;
    let response::Reply::E2eeGetBundle(b) = call(
        &mut client,
        Op::E2eeGetBundle(E2eeGetBundle {
            local: addr(&target),
            with_one_time_prekey: true,
        }),
        "E2eeGetBundle",
    )?
    else {
        return Err("E2eeGetBundle was not answered with its result".into());
    };
    let bundle = b
        .bundle
        .as_ref()
        .ok_or("no bundle")
        .map_err(str::to_string)
        .and_then(|b| bundle_from_proto(b).map_err(|_| "the bundle does not parse".to_string()))?;
    let mut peer = Device::new(
        &mut ChaCha20Rng::seed_from_u64(1),
        peer_addr.name.as_bytes(),
        7,
        1,
    );
    peer.process_bundle(&target, &bundle)
        .map_err(|e| e.to_string())?;
    let body = vec![0x5au8; payload];
    measure(duration, || {
        let (kind, ciphertext) = peer.encrypt(&target, &body).map_err(|e| e.to_string())?;
        match call(
            &mut client,
            Op::E2eeDecrypt(E2eeDecrypt {
                local: addr(&target),
                remote: addr(&peer_addr),
                message_type: kind.wire_type(),
                ciphertext,
            }),
            "E2eeDecrypt",
        )? {
            response::Reply::E2eeDecrypt(d) if d.plaintext == body => {}
            _ => return Err("the target did not decrypt the peer's message".into()),
        }
        let response::Reply::E2eeEncrypt(e) = call(
            &mut client,
            Op::E2eeEncrypt(E2eeEncrypt {
                local: addr(&target),
                remote: addr(&peer_addr),
                plaintext: body.clone(),
            }),
            "E2eeEncrypt",
        )?
        else {
            return Err("E2eeEncrypt was not answered with its result".into());
        };
        let kind = MessageType::from_wire_type(e.message_type).map_err(|e| e.to_string())?;
        let back = peer
            .decrypt(&target, kind, &e.ciphertext)
            .map_err(|e| format!("the peer refused the target's message: {e}"))?;
        if back != body {
            return Err("the target's message decrypted to other bytes".into());
        }
        Ok(())
    })
}

/// Two peer devices with a session from Alice to Bob.
fn peer_pair() -> Result<(Device, Device, Address, Address), String> {
    let (a, b) = (
        Address::new("+10000000001", 1),
        Address::new("+10000000002", 1),
    );
    let mut alice = Device::from_seed([1; 32], a.name.as_bytes(), 1, 1);
    let mut bob = Device::from_seed([2; 32], b.name.as_bytes(), 2, 1);
    bob.generate_one_time_prekeys(1);
    let bundle = bob.bundle();
    alice
        .process_bundle(&b, &bundle)
        .map_err(|e| e.to_string())?;
    Ok((alice, bob, a, b))
}

fn in_process(payload: usize, duration: Duration) -> Result<f64, String> {
    let (mut alice, mut bob, a, b) = peer_pair()?;
    let body = vec![0x5au8; payload];
    measure(duration, || {
        let (kind, m) = alice.encrypt(&b, &body).map_err(|e| e.to_string())?;
        bob.decrypt(&a, kind, &m).map_err(|e| e.to_string())?;
        let (kind, m) = bob.encrypt(&a, &body).map_err(|e| e.to_string())?;
        alice.decrypt(&b, kind, &m).map_err(|e| e.to_string())?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn in_process_round_trips_are_measured() {
        let per_sec = super::in_process(64, std::time::Duration::from_millis(50)).expect("bench");
        assert!(per_sec > 0.0);
    }

    #[cfg(feature = "libsignal")]
    #[test]
    fn peer_and_libsignal_messages_are_measured() {
        let short = std::time::Duration::from_millis(50);
        assert!(super::peer_messages(128, short).expect("peer") > 0.0);
        assert!(super::libsignal_messages(128, short).expect("libsignal") > 0.0);
    }
}
