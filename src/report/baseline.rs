//! Baselines: `certify --baseline FILE` lets a provider partway to
//! compliance ratchet upward. The run fails only on a regression (a
//! scenario doing worse than the baseline expects; scenarios not listed are
//! expected to pass) or on a listed failure that now passes (the baseline is
//! stale and must be tightened).
//!
//! ```toml
//! [[expect]]
//! scenario = "adapter/oversized-frame-refused"
//! outcome = "fail"
//! reason = "frame limit lands in release 2.4"
//! ```

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::model::Report;
use crate::scenario::outcome::OutcomeKind;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default)]
    pub expect: Vec<Expectation>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub scenario: String,
    pub outcome: OutcomeKind,
    pub reason: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct BaselineCheck {
    /// (scenario, expected, actual): worse than expected.
    pub regressions: Vec<(String, OutcomeKind, OutcomeKind)>,
    /// (scenario, expected): listed as not passing, but passed.
    pub unexpected_passes: Vec<(String, OutcomeKind)>,
    /// Listed scenarios that did not run in this report.
    pub not_in_run: Vec<String>,
    /// Scenarios doing exactly as the baseline expects while not passing.
    pub expected_failures: usize,
}

impl BaselineCheck {
    pub fn passed(&self) -> bool {
        self.regressions.is_empty() && self.unexpected_passes.is_empty()
    }

    /// The last line of a run with a baseline: whether the baseline is met
    /// (exit 0) or not (exit 1), and why, beside the run's own verdict.
    pub fn conclusion(&self, verdict: &str, interrupted: bool) -> String {
        let mut reasons = Vec::new();
        if !self.regressions.is_empty() {
            reasons.push(format!("{} regressions", self.regressions.len()));
        }
        if !self.unexpected_passes.is_empty() {
            reasons.push(format!(
                "{} unexpected passes (the baseline is out of date)",
                self.unexpected_passes.len()
            ));
        }
        if interrupted {
            reasons.push("the run was interrupted".to_string());
        }
        if reasons.is_empty() {
            format!("baseline: met (exit 0); the run's own verdict is {verdict}")
        } else {
            format!(
                "baseline: NOT MET (exit 1): {}; the run's own verdict is {verdict}, the exit code is the baseline's",
                reasons.join(", ")
            )
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "baseline: {} regressions, {} unexpected passes, {} expected failures, {} entries not in this run",
            self.regressions.len(),
            self.unexpected_passes.len(),
            self.expected_failures,
            self.not_in_run.len()
        );
        for (id, expected, actual) in &self.regressions {
            let _ = writeln!(
                out,
                "  regression {id}: expected {}, got {}",
                expected.label(),
                actual.label()
            );
        }
        for (id, expected) in &self.unexpected_passes {
            let _ = writeln!(
                out,
                "  unexpected pass {id}: the baseline expects {}; remove or update its entry",
                expected.label()
            );
        }
        for id in &self.not_in_run {
            let _ = writeln!(out, "  not in this run: {id}");
        }
        out
    }
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = crate::bounded::read_text(path, 16 * 1024 * 1024)
            .map_err(|e| format!("baseline: {e}"))?;
        Baseline::parse(&text).map_err(|e| format!("baseline {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = toml::from_str(text).map_err(|e| e.to_string())?;
        for (index, e) in baseline.expect.iter().enumerate() {
            if e.reason.trim().is_empty() {
                return Err(format!("entry for {} needs a reason", e.scenario));
            }
            if e.outcome == OutcomeKind::Pass {
                return Err(format!(
                    "entry for {}: expecting a pass needs no entry",
                    e.scenario
                ));
            }
            if baseline.expect[..index]
                .iter()
                .any(|o| o.scenario == e.scenario)
            {
                return Err(format!("{} is listed twice", e.scenario));
            }
        }
        Ok(baseline)
    }

    pub fn check(&self, report: &Report) -> BaselineCheck {
        let mut check = BaselineCheck::default();
        for scenario in &report.scenarios {
            let expected = self
                .expect
                .iter()
                .find(|e| e.scenario == scenario.id)
                .map_or(OutcomeKind::Pass, |e| e.outcome);
            if scenario.outcome == expected {
                if expected != OutcomeKind::Pass {
                    check.expected_failures += 1;
                }
            } else if scenario.outcome == OutcomeKind::Pass {
                check
                    .unexpected_passes
                    .push((scenario.id.clone(), expected));
            } else {
                check
                    .regressions
                    .push((scenario.id.clone(), expected, scenario.outcome));
            }
        }
        check.not_in_run = self
            .expect
            .iter()
            .filter(|e| !report.scenarios.iter().any(|s| s.id == e.scenario))
            .map(|e| e.scenario.clone())
            .collect();
        check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_reason_and_a_non_pass_outcome() {
        assert!(Baseline::parse(
            "[[expect]]\nscenario = \"a/b\"\noutcome = \"fail\"\nreason = \"\"\n"
        )
        .is_err());
        assert!(Baseline::parse(
            "[[expect]]\nscenario = \"a/b\"\noutcome = \"pass\"\nreason = \"x\"\n"
        )
        .is_err());
        assert!(Baseline::parse("[[expect]]\nscenario = \"a/b\"\noutcome = \"fail\"\n").is_err());
        assert!(Baseline::parse(
            "[[expect]]\nscenario = \"a/b\"\noutcome = \"not-applicable\"\nreason = \"x\"\n"
        )
        .is_ok());
    }
}
