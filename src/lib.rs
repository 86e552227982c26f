//! interspec: a conformance and certification harness for messaging
//! interoperability under the EU Digital Markets Act.
//!
//! The layers and what each may import are in docs/architecture.md (and
//! checked by tests/layers.rs): the adapter protocol that drives any target
//! ([`adapter`]), the requirement and scenario catalog ([`catalog`]), the
//! scenario contract ([`scenario`]), one folder of scenario code per suite
//! ([`suites`]), the gatekeeper side with its deliberate misbehaviours
//! ([`peer`]), the runner ([`runner`]), the report model with its renderings
//! ([`report`]), and the judged: built-in targets, mutants and variants
//! ([`targets`]), which no judging module imports.

pub mod adapter;
pub mod bench;
pub mod bounded;
pub mod catalog;
pub mod cli;
pub mod peer;
pub mod redact;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod selftest;
pub mod suites;
pub mod targets;
pub mod vectors;

/// The harness's own version, recorded in every report.
pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The harness's name as sent in `Hello` and written in reports.
pub const HARNESS_NAME: &str = "interspec";
