//! The scenario contract, below both the runner and the suites: what a
//! scenario is ([`Scenario`], kept in a [`Registry`]), what it is given
//! ([`ScenarioCtx`]), what it ends with ([`outcome`]), and the one judge of
//! refusals ([`refusal`]). The runner executes scenarios without knowing
//! any suite; the suites write scenarios without knowing the runner.

mod ctx;
pub mod keys;
pub mod outcome;
pub mod refusal;
mod registry;

pub use ctx::{expect_rejected, unexpected, ScenarioCtx};
pub use registry::{Registry, Scenario};
