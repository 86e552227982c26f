//! The external-entity probe: a loopback HTTP listener the harness starts
//! for one scenario. Stanzas whose external entity, external parameter
//! entity or external DTD point at it must be refused with
//! `FORBIDDEN_CONSTRUCT`, and any connection reaching it fails the scenario:
//! the target tried to fetch.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rand::Rng;

use super::target::{base_stanza, expect_refused};
use crate::peer::stanza::hostile::{build, Hostile};
use crate::peer::stanza::Category;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// How long the probe keeps listening after the last reply: a target could
/// fetch in the background.
const GRACE: Duration = Duration::from_millis(300);

/// A listener on 127.0.0.1 that counts connections and answers 404.
pub struct Probe {
    address: SocketAddr,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Probe {
    pub fn start() -> std::io::Result<Probe> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_hits, thread_stop) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !thread_stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        thread_hits.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                        let mut request = [0u8; 1024];
                        let _ = stream.read(&mut request);
                        let _ = stream
                            .write_all(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(Probe {
            address,
            hits,
            stop,
            thread: Some(thread),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.address)
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Connects to the probe as a client would, so a scenario knows it
    /// counts connections before it relies on it.
    fn self_test(&self) -> Result<(), String> {
        let before = self.hits();
        let mut stream =
            std::net::TcpStream::connect_timeout(&self.address, Duration::from_secs(1))
                .map_err(|e| format!("cannot reach the probe: {e}"))?;
        let _ = stream.write_all(b"GET /self-test HTTP/1.0\r\n\r\n");
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let mut sink = [0u8; 64];
        let _ = stream.read(&mut sink);
        for _ in 0..100 {
            if self.hits() > before {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Err("the probe did not count a connection".into())
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A kind of external reference a stanza can carry.
#[derive(Debug, Clone, Copy)]
pub enum External {
    Entity,
    ParameterEntity,
    Dtd,
}

impl External {
    /// The reference's name in messages.
    fn what(self) -> &'static str {
        match self {
            External::Entity => "an external general entity",
            External::ParameterEntity => "an external parameter entity",
            External::Dtd => "an external DTD subset",
        }
    }

    /// The reference, pointing at `url`.
    fn pointing_at(self, url: String) -> Hostile {
        match self {
            External::Entity => Hostile::ExternalEntity { url },
            External::ParameterEntity => Hostile::ExternalParameterEntity { url },
            External::Dtd => Hostile::ExternalDtd { url },
        }
    }
}

/// A stanza whose external reference points at the probe: it must be
/// refused, and never fetched.
pub fn not_fetched(ctx: &mut ScenarioCtx, &external: &External) -> Check {
    let what = external.what();
    let probe =
        Probe::start().map_err(|e| Finding::error(format!("cannot start the probe: {e}")))?;
    probe.self_test().map_err(Finding::error)?;
    let baseline = probe.hits();
    // A fresh path per run, so a cached fetch cannot hide one.
    let url = probe.url(&format!("xxe-{:016x}", ctx.rng.gen::<u64>()));
    let bytes = build(&base_stanza(ctx, 0), &external.pointing_at(url.clone()));
    let refused = expect_refused(
        ctx,
        &bytes,
        Category::Forbidden,
        &format!("a stanza with {what}"),
    );
    std::thread::sleep(GRACE);
    let fetched = probe.hits() - baseline;
    if fetched > 0 {
        return Err(Finding::fail(format!(
            "the target connected {fetched} time(s) to {url}, named by {what} in a stanza: it tried to fetch it"
        )));
    }
    refused?;
    Ok(format!(
        "{what} refused; the loopback probe saw no connection"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_counts_connections_and_only_listens_on_loopback() {
        let probe = Probe::start().expect("probe");
        assert!(probe.address.ip().is_loopback());
        assert_eq!(probe.hits(), 0);
        probe.self_test().expect("self test");
        assert_eq!(probe.hits(), 1);
        assert!(probe.url("x").starts_with("http://127.0.0.1:"));
    }
}
