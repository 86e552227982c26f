//! What a scenario ends with, and the evidence kept for it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::adapter::client::CallError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    /// Every check held.
    Pass,
    /// A requirement is violated; evidence is attached.
    Fail,
    /// The target said `Unsupported`, or lacks a capability the scenario
    /// needs. Never counted as a pass.
    NotApplicable,
    /// The harness or the target broke (crash, hang, bad frame).
    Error,
}

impl OutcomeKind {
    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::Pass => "pass",
            OutcomeKind::Fail => "fail",
            OutcomeKind::NotApplicable => "not-applicable",
            OutcomeKind::Error => "error",
        }
    }
}

/// The minimal failing input of a property scenario, after shrinking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The shrunk input, described for people.
    pub minimal_input: String,
    /// The run seed that reproduces it (with the same scenario id).
    pub seed: u64,
}

/// A refusal for the right reason under another category than the one the
/// docs name: the scenario passes (the input was refused and nothing
/// changed), and the difference is recorded, in the manner of TLS-Anvil's
/// "conceptually succeeded".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The input that was refused, as the scenario names it.
    pub input: String,
    /// The categories the docs name for it.
    pub expected: Vec<String>,
    /// The category the target named.
    pub got: String,
}

impl Deviation {
    pub fn describe(&self) -> String {
        format!(
            "{}: refused as {}, the docs name {}",
            self.input,
            self.got,
            self.expected.join(" or ")
        )
    }
}

/// Why a scenario did not pass.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: OutcomeKind,
    pub message: String,
    pub counterexample: Option<Counterexample>,
}

impl Finding {
    pub fn fail(message: impl Into<String>) -> Finding {
        Finding {
            kind: OutcomeKind::Fail,
            message: message.into(),
            counterexample: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Finding {
        Finding {
            kind: OutcomeKind::Error,
            message: message.into(),
            counterexample: None,
        }
    }

    pub fn not_applicable(message: impl Into<String>) -> Finding {
        Finding {
            kind: OutcomeKind::NotApplicable,
            message: message.into(),
            counterexample: None,
        }
    }
}

/// A broken call is an `error` unless the scenario decides otherwise (a
/// robustness scenario turns "the target died" into a failure).
impl From<CallError> for Finding {
    fn from(err: CallError) -> Finding {
        Finding::error(err.to_string())
    }
}

/// What a scenario function returns: a short note on success.
pub type Check = Result<String, Finding>;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Evidence {
    /// Frames exchanged during the scenario (hex-truncated).
    pub transcript: Vec<String>,
    /// The same entries decoded (message and field names, text as text),
    /// one for each line of `transcript`, empty for notes; redacted like
    /// the transcript. Absent in reports of earlier versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decoded: Vec<String>,
    /// What the target wrote to stderr during the scenario (bounded).
    pub target_log: String,
    pub counterexample: Option<Counterexample>,
}

#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub id: String,
    pub suite: String,
    pub kind: OutcomeKind,
    pub message: String,
    pub duration: Duration,
    /// Kept for every outcome but `pass`.
    pub evidence: Evidence,
    /// Whether a new target instance was started for this scenario after an
    /// earlier one broke.
    pub restarted_target: bool,
    /// Right refusals under another category (kept for every outcome).
    pub deviations: Vec<Deviation>,
    /// How many times the scenario ran (`--repeat`, or again after a
    /// failure to see whether it reproduces), and how many of those failed.
    pub repetitions: Repetitions,
}

/// How often a scenario ran with the same inputs, and how often it failed:
/// where the outcome depends on the target's own randomness, "failed k of
/// n" is the fact the report can stand behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Repetitions {
    pub runs: u32,
    pub failed: u32,
}

impl Repetitions {
    /// Failed in some runs but not all: the target's behaviour varies.
    pub fn intermittent(&self) -> bool {
        self.failed > 0 && self.failed < self.runs
    }
}
