//! `interspec selftest`: proves the harness can tell a conforming target
//! from a broken one, and does not mistake an allowed behaviour for a
//! defect. The reference must pass every scenario; every variant must pass
//! its suite (no fail, no error, not-applicable only where it opted out of
//! an optional capability); every mutant must be caught (a `fail` outcome,
//! not merely an `error`) by at least one scenario of its suite.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::runner::plan::{build_plan, Selection};
use crate::runner::{self, RunConfig};
use crate::scenario::outcome::OutcomeKind;
use crate::targets::{mutants, variants, Launcher, Target, TargetSpec};

pub struct MutantResult {
    pub name: &'static str,
    pub suite: &'static str,
    /// Scenarios whose outcome was `fail`.
    pub caught_by: Vec<String>,
    /// Scenarios that errored (not counted as catching it).
    pub errors: Vec<String>,
}

pub struct VariantResult {
    pub name: &'static str,
    pub suite: &'static str,
    /// Scenarios that did not pass and were not opted out, with outcomes.
    pub problems: Vec<String>,
    /// Scenarios that passed with a recorded deviation.
    pub deviations: usize,
    /// Scenarios it opted out of.
    pub opted_out: usize,
}

pub struct SelftestOutcome {
    pub reference_scenarios: usize,
    /// Reference scenarios that did not pass, with their messages.
    pub reference_problems: Vec<String>,
    pub variants: Vec<VariantResult>,
    pub mutants: Vec<MutantResult>,
}

impl SelftestOutcome {
    pub fn passed(&self) -> bool {
        self.reference_problems.is_empty()
            && self.variants.iter().all(|v| v.problems.is_empty())
            && self.mutants.iter().all(|m| !m.caught_by.is_empty())
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
        let _ = writeln!(out, "\n{:<44} {:<10} result", "variant", "suite");
        for v in &self.variants {
            let result = if v.problems.is_empty() {
                format!(
                    "passed ({} deviations, {} opted out)",
                    v.deviations, v.opted_out
                )
            } else {
                format!("FAILED: {}", v.problems.join("; "))
            };
            let _ = writeln!(out, "{:<44} {:<10} {result}", v.name, v.suite);
        }
        let _ = writeln!(out, "\n{:<44} {:<10} caught by", "mutant", "suite");
        for m in &self.mutants {
            let caught = if m.caught_by.is_empty() {
                "SURVIVED".to_string()
            } else {
                m.caught_by.join(", ")
            };
            let _ = writeln!(out, "{:<44} {:<10} {caught}", m.name, m.suite);
            if m.caught_by.is_empty() && !m.errors.is_empty() {
                let _ = writeln!(out, "{:<55} (errors only: {})", "", m.errors.join(", "));
            }
        }
        let caught = self
            .mutants
            .iter()
            .filter(|m| !m.caught_by.is_empty())
            .count();
        let passing = self
            .variants
            .iter()
            .filter(|v| v.problems.is_empty())
            .count();
        let _ = writeln!(
            out,
            "\nselftest: {caught}/{} mutants caught; {passing}/{} variants passed; reference {}",
            self.mutants.len(),
            self.variants.len(),
            if self.reference_problems.is_empty() {
                "passed every scenario"
            } else {
                "FAILED"
            }
        );
        out
    }
}

/// Runs the reference (`base`), then every variant and every mutant started
/// by `launcher`, each under `base`'s settings.
pub fn run(
    catalog: &Catalog,
    base: &RunConfig,
    launcher: &Launcher,
) -> Result<SelftestOutcome, String> {
    let with_target = |spec: TargetSpec| RunConfig {
        target: Arc::new(Target {
            spec,
            launcher: launcher.clone(),
        }),
        ..base.clone()
    };
    let full = build_plan(catalog, &Selection::default()).map_err(|e| e.to_string())?;
    let reference = runner::run(&full, base, &mut |_| {}).map_err(|e| format!("reference: {e}"))?;
    let reference_problems = reference
        .outcomes
        .iter()
        .filter(|o| o.kind != OutcomeKind::Pass)
        .map(|o| format!("{} {}: {}", o.kind.label(), o.id, o.message))
        .chain(reference.not_run.iter().map(|id| format!("not run {id}")))
        .collect();

    let mut variant_results = Vec::new();
    for info in variants::VARIANTS {
        let selection = Selection {
            suites: vec![info.suite.to_string()],
            ..Selection::default()
        };
        let plan = build_plan(catalog, &selection).map_err(|e| e.to_string())?;
        let config = with_target(TargetSpec::Variant(info.name.to_string()));
        let run = runner::run(&plan, &config, &mut |_| {})
            .map_err(|e| format!("variant {}: {e}", info.name))?;
        let opted_out = |id: &str| {
            plan.iter()
                .find(|p| p.id == id)
                .is_some_and(|p| runner::opted_out(&run.hello, p).is_some())
        };
        variant_results.push(VariantResult {
            name: info.name,
            suite: info.suite,
            problems: run
                .outcomes
                .iter()
                .filter(|o| o.kind != OutcomeKind::Pass && !opted_out(&o.id))
                .map(|o| format!("{} {}: {}", o.kind.label(), o.id, o.message))
                .chain(run.not_run.iter().map(|id| format!("not run {id}")))
                .collect(),
            deviations: run
                .outcomes
                .iter()
                .filter(|o| !o.deviations.is_empty())
                .count(),
            opted_out: run.outcomes.iter().filter(|o| opted_out(&o.id)).count(),
        });
    }

    let mut results = Vec::new();
    for info in mutants::MUTANTS {
        let selection = Selection {
            suites: vec![info.suite.to_string()],
            ..Selection::default()
        };
        let plan = build_plan(catalog, &selection).map_err(|e| e.to_string())?;
        let config = with_target(TargetSpec::Builtin {
            mutant: Some(info.name.to_string()),
        });
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
        variants: variant_results,
        mutants: results,
    })
}
