//! `interspec selftest`: proves the harness can tell a conforming target
//! from a broken one. The reference must pass every scenario; every mutant
//! must be caught (a `fail` outcome, not merely an `error`) by at least one
//! scenario of its suite.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::runner::outcome::OutcomeKind;
use crate::runner::plan::{build_plan, Selection};
use crate::runner::{self, RunConfig};
use crate::targets::{mutants, TargetSpec};

pub struct MutantResult {
    pub name: &'static str,
    pub suite: &'static str,
    /// Scenarios whose outcome was `fail`.
    pub caught_by: Vec<String>,
    /// Scenarios that errored (not counted as catching it).
    pub errors: Vec<String>,
}

pub struct SelftestOutcome {
    pub reference_scenarios: usize,
    /// Reference scenarios that did not pass, with their messages.
    pub reference_problems: Vec<String>,
    pub mutants: Vec<MutantResult>,
}

impl SelftestOutcome {
    pub fn passed(&self) -> bool {
        self.reference_problems.is_empty() && self.mutants.iter().all(|m| !m.caught_by.is_empty())
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "reference: {} scenarios, {} did not pass",
            self.reference_scenarios,
            self.reference_problems.len()
        );
        for problem in &self.reference_problems {
            let _ = writeln!(out, "  {problem}");
        }
        let _ = writeln!(out, "\n{:<40} {:<10} caught by", "mutant", "suite");
        for m in &self.mutants {
            let caught = if m.caught_by.is_empty() {
                "SURVIVED".to_string()
            } else {
                m.caught_by.join(", ")
            };
            let _ = writeln!(out, "{:<40} {:<10} {caught}", m.name, m.suite);
            if m.caught_by.is_empty() && !m.errors.is_empty() {
                let _ = writeln!(out, "{:<51} (errors only: {})", "", m.errors.join(", "));
            }
        }
        let caught = self
            .mutants
            .iter()
            .filter(|m| !m.caught_by.is_empty())
            .count();
        let _ = writeln!(
            out,
            "\nselftest: {caught}/{} mutants caught; reference {}",
            self.mutants.len(),
            if self.reference_problems.is_empty() {
                "passed every scenario"
            } else {
                "FAILED"
            }
        );
        out
    }
}

pub fn run(catalog: &Catalog, base: &RunConfig) -> Result<SelftestOutcome, String> {
    let full = build_plan(catalog, &Selection::default()).map_err(|e| e.to_string())?;
    let reference = runner::run(&full, base, &mut |_| {}).map_err(|e| format!("reference: {e}"))?;
    let reference_problems = reference
        .outcomes
        .iter()
        .filter(|o| o.kind != OutcomeKind::Pass)
        .map(|o| format!("{} {}: {}", o.kind.label(), o.id, o.message))
        .chain(reference.not_run.iter().map(|id| format!("not run {id}")))
        .collect();

    let mut results = Vec::new();
    for info in mutants::MUTANTS {
        let selection = Selection {
            suites: vec![info.suite.to_string()],
            ..Selection::default()
        };
        let plan = build_plan(catalog, &selection).map_err(|e| e.to_string())?;
        let config = RunConfig {
            target: TargetSpec::Builtin {
                mutant: Some(info.name.to_string()),
            },
            ..base.clone()
        };
        let run = runner::run(&plan, &config, &mut |_| {})
            .map_err(|e| format!("mutant {}: {e}", info.name))?;
        let with = |kind| {
            run.outcomes
                .iter()
                .filter(|o| o.kind == kind)
                .map(|o| o.id.clone())
                .collect()
        };
        results.push(MutantResult {
            name: info.name,
            suite: info.suite,
            caught_by: with(OutcomeKind::Fail),
            errors: with(OutcomeKind::Error),
        });
    }
    Ok(SelftestOutcome {
        reference_scenarios: full.len(),
        reference_problems,
        mutants: results,
    })
}
