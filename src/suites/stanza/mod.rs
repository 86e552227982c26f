//! The stanza suite (`suites/stanza.toml`, docs/stanza.md): parsing and
//! producing XML message stanzas and their protobuf payloads, and refusing
//! hostile XML without expanding, fetching or falling over.
//!
//! Modules: [`corpus`] replays the golden corpus by group, [`limits`] builds
//! limit and character cases from the profile, [`probe`] is the loopback
//! external-entity probe, [`roundtrip`] holds serialization and the
//! property scenarios, [`payload`] the `Message` payload scenarios, and
//! [`target`] the calls and comparisons they share.

mod corpus;
mod corpus_files;
mod limits;
mod payload;
pub mod probe;
mod roundtrip;
mod target;

use super::ScenarioImpl;

pub use corpus::embedded_cases;

pub fn scenarios() -> Vec<ScenarioImpl> {
    let mut all = Vec::new();
    all.extend(corpus::scenarios());
    all.extend(limits::scenarios());
    all.extend(probe::scenarios());
    all.extend(roundtrip::scenarios());
    all.extend(payload::scenarios());
    all
}
