//! The stanza benchmark (part of `interspec bench`): stanzas parsed per second
//! by the peer's own parser (in process) and through the adapter by the
//! built-in reference target (one connection, one request in flight), on the
//! same fixed mixed corpus: every golden corpus case, accepted and refused,
//! in a fixed order.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, StanzaParse};
use crate::catalog::profile::StanzaParams;
use crate::targets::Launcher;

#[derive(Debug)]
pub struct StanzaBench {
    /// Cases in the mixed corpus, and how many of them are refusals.
    pub corpus_cases: usize,
    pub corpus_refused: usize,
    pub corpus_bytes: usize,
    pub peer_per_sec: f64,
    pub adapter_per_sec: f64,
}

impl StanzaBench {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "stanza corpus: {} cases ({} refused), {} bytes",
            self.corpus_cases, self.corpus_refused, self.corpus_bytes
        );
        let _ = writeln!(
            out,
            "stanzas parsed/s by the peer (in process):      {:>12.0}",
            self.peer_per_sec
        );
        let _ = writeln!(
            out,
            "stanzas parsed/s via the adapter (builtin):     {:>12.0}",
            self.adapter_per_sec
        );
        out
    }
}

/// The fixed mixed corpus: every embedded case's input, in name order.
fn corpus() -> Result<(Vec<&'static [u8]>, usize), String> {
    let cases = crate::suites::stanza::embedded_cases()?;
    let refused = cases
        .iter()
        .filter(|c| c.expectation.refused.is_some())
        .count();
    Ok((cases.iter().map(|c| c.xml).collect(), refused))
}

/// Parses the corpus round after round until `duration` passes (after one
/// warm-up round); returns stanzas per second.
fn measure(
    inputs: &[&[u8]],
    duration: Duration,
    mut parse: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<f64, String> {
    for input in inputs {
        parse(input)?;
    }
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed() < duration {
        for input in inputs {
            parse(input)?;
        }
        count += inputs.len() as u64;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

pub fn run(launcher: &Launcher, duration: Duration) -> Result<StanzaBench, String> {
    let (inputs, corpus_refused) = corpus()?;
    let limits = StanzaParams::default();
    let peer_per_sec = measure(&inputs, duration, |xml| {
        // Refusals are part of the workload; only the time matters here.
        let _ = std::hint::black_box(crate::peer::stanza::parse(xml, &limits));
        Ok(())
    })?;

    let mut client = super::builtin_client(launcher)?;
    let adapter_per_sec = measure(&inputs, duration, |xml| {
        match client.call(Op::StanzaParse(StanzaParse { xml: xml.to_vec() })) {
            Ok(Reply::Result(response::Reply::StanzaParse(_))) | Ok(Reply::Rejected { .. }) => {
                Ok(())
            }
            Ok(other) => Err(format!("StanzaParse was answered {}", other.describe())),
            Err(e) => Err(e.to_string()),
        }
    })?;
    Ok(StanzaBench {
        corpus_cases: inputs.len(),
        corpus_refused,
        corpus_bytes: inputs.iter().map(|i| i.len()).sum(),
        peer_per_sec,
        adapter_per_sec,
    })
}
