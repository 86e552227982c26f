//! `interspec selftest`: proves the harness can tell a conforming target
//! from a broken one, and does not mistake an allowed behaviour for a
//! defect. The reference must pass every scenario, and `builtin:olm` (the
//! base of the Olm mutants, run like them under `compatible-e2ee`, the only
//! profile that accepts its bounds) must fail nothing in the e2ee suite;
//! every variant must pass its suite, under its own profile if it names
//! one (no fail, no error, not-applicable only where it opted out of an
//! optional capability); every mutant must be caught (a `fail` outcome,
//! not merely an `error`) by a scenario of its suite that checks one of the
//! requirements the mutant claims to violate ([`mutants::MutantInfo::requirements`]).
//! A mutant failed only by scenarios of other requirements is reported as
//! caught elsewhere and fails the selftest: either its metadata names the
//! wrong requirement or the requirement's own scenarios miss the defect.
//! The scenarios of the named requirements run first; the rest of the suite
//! runs only when none of them failed (to say where the mutant was seen), so
//! "caught by" lists the named requirements' scenarios only.
//!
//! On the compatible path ([`compatible`]), each e2ee mutant of the
//! reference runs again under the profile `compatible-e2ee` on the
//! device-to-device scenarios only: one whose claimed requirements include
//! a guarantee (a requirement not marked `signal_wire`) must stay caught
//! there.
//!
//! The reference, the variants and the mutants are independent target runs;
//! they are run `concurrent` at a time by a bounded pool of threads, and the
//! results are reported in the fixed order of [`variants::VARIANTS`] and
//! [`mutants::MUTANTS`] whatever order they finish in.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

mod compatible;

pub use compatible::CompatibleResult;

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::runner::plan::{build_plan, PlannedScenario, Selection};
use crate::runner::{self, RunConfig, RunResult};
use crate::scenario::outcome::{OutcomeKind, ScenarioOutcome};
use crate::targets::mutants::MutantInfo;
use crate::targets::variants::VariantInfo;
use crate::targets::{mutants, variants, Launcher, Target, TargetSpec};

pub struct MutantResult {
    pub name: &'static str,
    pub suite: &'static str,
    /// The requirement ids the mutant claims to violate.
    pub requirements: &'static [&'static str],
    /// Scenarios checking one of `requirements` whose outcome was `fail`.
    pub caught_by: Vec<String>,
    /// Scenarios of other requirements whose outcome was `fail`.
    pub caught_elsewhere: Vec<String>,
    /// Scenarios that errored (not counted as catching it).
    pub errors: Vec<String>,
}

impl MutantResult {
    pub fn caught(&self) -> bool {
        !self.caught_by.is_empty()
    }
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
    /// Scenarios the reference ran (`None`: the reference was not run).
    pub reference_scenarios: Option<usize>,
    /// Reference scenarios that did not pass, with their messages.
    pub reference_problems: Vec<String>,
    pub variants: Vec<VariantResult>,
    pub mutants: Vec<MutantResult>,
    /// The reference's e2ee mutants on the compatible path.
    pub compatible: Vec<CompatibleResult>,
}

/// What to run, and how many target runs at a time.
#[derive(Debug, Clone)]
pub struct Options {
    /// Target runs (the reference, a variant or a mutant, each with its own
    /// target processes) at the same time; at least 1.
    pub concurrent: usize,
    /// Names of the mutants and variants to run (and `reference` for the
    /// reference); empty: all of them.
    pub only: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            concurrent: 1,
            only: Vec::new(),
        }
    }
}

impl Options {
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }

    /// Names in `only` that are no mutant, variant or `reference`.
    pub fn unknown_names(&self) -> Vec<String> {
        self.only
            .iter()
            .filter(|o| {
                o.as_str() != "reference"
                    && mutants::by_name(o).is_none()
                    && variants::by_name(o).is_none()
            })
            .cloned()
            .collect()
    }
}

impl SelftestOutcome {
    pub fn passed(&self) -> bool {
        self.reference_problems.is_empty()
            && self.variants.iter().all(|v| v.problems.is_empty())
            && self.mutants.iter().all(MutantResult::caught)
            && self.compatible.iter().all(CompatibleResult::holds)
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        match self.reference_scenarios {
            Some(count) => {
                let _ = writeln!(
                    out,
                    "reference: {count} scenarios, {} did not pass",
                    self.reference_problems.len()
                );
            }
            None => {
                let _ = writeln!(out, "reference: not run");
            }
        }
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
        let _ = writeln!(
            out,
            "\n{:<44} {:<10} {:<20} caught by",
            "mutant", "suite", "requirements"
        );
        for m in &self.mutants {
            let caught = if m.caught() {
                m.caught_by.join(", ")
            } else if !m.caught_elsewhere.is_empty() {
                format!(
                    "CAUGHT ONLY ELSEWHERE (no fail on a scenario of {}; failed: {})",
                    m.requirements.join(", "),
                    m.caught_elsewhere.join(", ")
                )
            } else {
                "SURVIVED".to_string()
            };
            let _ = writeln!(
                out,
                "{:<44} {:<10} {:<20} {caught}",
                m.name,
                m.suite,
                m.requirements.join(",")
            );
            if !m.caught() && !m.errors.is_empty() {
                let _ = writeln!(out, "{:<76} (errors: {})", "", m.errors.join(", "));
            }
        }
        compatible::render(&self.compatible, &mut out);
        let caught = self.mutants.iter().filter(|m| m.caught()).count();
        let elsewhere = self
            .mutants
            .iter()
            .filter(|m| !m.caught() && !m.caught_elsewhere.is_empty())
            .count();
        let passing = self
            .variants
            .iter()
            .filter(|v| v.problems.is_empty())
            .count();
        let reference = match (self.reference_scenarios, self.reference_problems.is_empty()) {
            (None, _) => "not run",
            (Some(_), true) => "passed every scenario",
            (Some(_), false) => "FAILED",
        };
        let _ = writeln!(
            out,
            "\nselftest: {caught}/{} mutants caught by their requirements' scenarios ({elsewhere} only elsewhere); {passing}/{} variants passed; reference {reference}",
            self.mutants.len(),
            self.variants.len(),
        );
        out
    }
}

/// One target run of the selftest.
#[derive(Clone, Copy)]
enum Job {
    Reference,
    /// `builtin:olm` on the e2ee suite: the base of the Olm mutants, which
    /// must itself fail nothing for their catches to mean anything.
    OlmBase,
    Variant(&'static VariantInfo),
    Mutant(&'static MutantInfo),
    /// An e2ee mutant of the reference on the compatible path.
    Compatible(&'static MutantInfo),
}

enum JobResult {
    Reference(usize, Vec<String>),
    OlmBase(Vec<String>),
    Variant(VariantResult),
    Mutant(MutantResult),
    Compatible(CompatibleResult),
}

/// Runs the reference (`base`), then every variant and every mutant started
/// by `launcher`, each under `base`'s settings, `options.concurrent` runs
/// at a time.
pub fn run(
    catalog: &Catalog,
    base: &RunConfig,
    launcher: &Launcher,
    options: &Options,
) -> Result<SelftestOutcome, String> {
    let mut jobs = Vec::new();
    if options.wants("reference") {
        jobs.push(Job::Reference);
    }
    let olm_mutants = mutants::MUTANTS
        .iter()
        .any(|m| m.base == mutants::Base::Olm && options.wants(m.name));
    if options.wants("reference") || olm_mutants {
        jobs.push(Job::OlmBase);
    }
    jobs.extend(
        variants::VARIANTS
            .iter()
            .filter(|v| options.wants(v.name))
            .map(Job::Variant),
    );
    jobs.extend(
        mutants::MUTANTS
            .iter()
            .filter(|m| options.wants(m.name))
            .map(Job::Mutant),
    );
    jobs.extend(
        mutants::MUTANTS
            .iter()
            .filter(|m| compatible::applies(m) && options.wants(m.name))
            .map(Job::Compatible),
    );

    // Workers take jobs in this order (the reference, the longest, first)
    // and put each result at its job's index, so the report's order does not
    // depend on which run ends first.
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<JobResult, String>>>> =
        Mutex::new(jobs.iter().map(|_| None).collect());
    let workers = options.concurrent.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(index) else { break };
                let result = run_job(catalog, base, launcher, *job);
                results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(result);
            });
        }
    });

    let mut outcome = SelftestOutcome {
        reference_scenarios: None,
        reference_problems: Vec::new(),
        variants: Vec::new(),
        mutants: Vec::new(),
        compatible: Vec::new(),
    };
    let results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    for result in results {
        match result.ok_or("a selftest run did not finish")?? {
            JobResult::Reference(count, problems) => {
                outcome.reference_scenarios = Some(count);
                outcome.reference_problems = problems;
            }
            JobResult::OlmBase(problems) => {
                outcome.reference_problems.extend(problems);
            }
            JobResult::Variant(v) => outcome.variants.push(v),
            JobResult::Mutant(m) => outcome.mutants.push(m),
            JobResult::Compatible(c) => outcome.compatible.push(c),
        }
    }
    Ok(outcome)
}

fn run_job(
    catalog: &Catalog,
    base: &RunConfig,
    launcher: &Launcher,
    job: Job,
) -> Result<JobResult, String> {
    let suite_plan = |suite: &str| {
        let selection = Selection {
            suites: vec![suite.to_string()],
            ..Selection::default()
        };
        build_plan(catalog, &selection).map_err(|e| e.to_string())
    };
    let with_target = |spec: TargetSpec| RunConfig {
        target: Arc::new(Target {
            spec,
            launcher: launcher.clone(),
        }),
        ..base.clone()
    };
    // builtin:olm keeps 40 skipped keys per chain, which only the
    // compatible path's profile accepts (docs/olm.md).
    let under = |profile: &str, config: RunConfig| -> Result<RunConfig, String> {
        Ok(RunConfig {
            profile: Profile::load(profile)?,
            ..config
        })
    };
    match job {
        Job::Reference => {
            let full = build_plan(catalog, &Selection::default()).map_err(|e| e.to_string())?;
            let run =
                runner::run(&full, base, &mut |_| {}).map_err(|e| format!("reference: {e}"))?;
            let problems = run
                .outcomes
                .iter()
                .filter(|o| o.kind != OutcomeKind::Pass)
                .map(|o| format!("{} {}: {}", o.kind.label(), o.id, o.message))
                .chain(run.not_run.iter().map(|id| format!("not run {id}")))
                .collect();
            Ok(JobResult::Reference(full.len(), problems))
        }
        Job::OlmBase => {
            let plan = suite_plan("e2ee")?;
            let config = under(compatible::PROFILE, with_target(TargetSpec::Olm))?;
            let run = runner::run(&plan, &config, &mut |_| {})
                .map_err(|e| format!("builtin:olm: {e}"))?;
            // Scenarios that need Signal's wire are not applicable to it.
            Ok(JobResult::OlmBase(
                run.outcomes
                    .iter()
                    .filter(|o| !matches!(o.kind, OutcomeKind::Pass | OutcomeKind::NotApplicable))
                    .map(|o| format!("builtin:olm {} {}: {}", o.kind.label(), o.id, o.message))
                    .collect(),
            ))
        }
        Job::Variant(info) => {
            let plan = suite_plan(info.suite)?;
            let mut config = with_target(TargetSpec::Variant(info.name.to_string()));
            if let Some(profile) = info.profile {
                config = under(profile, config)?;
            }
            let run = runner::run(&plan, &config, &mut |_| {})
                .map_err(|e| format!("variant {}: {e}", info.name))?;
            Ok(JobResult::Variant(judge_variant(info, &plan, &run)))
        }
        Job::Mutant(info) => {
            // Only a scenario of a requirement the mutant names can catch
            // it, so those run first; the rest of its suite runs only when
            // none of them failed, to report where it was seen instead.
            let (claimed, rest): (Vec<_>, Vec<_>) = suite_plan(info.suite)?
                .into_iter()
                .partition(|p| checks_any(p, info.requirements));
            let mut config = with_target(TargetSpec::Builtin {
                mutant: Some(info.name.to_string()),
            });
            if info.base == mutants::Base::Olm {
                config = under(compatible::PROFILE, config)?;
            }
            let run_plan = |plan: &[PlannedScenario]| {
                if plan.is_empty() {
                    return Ok(Vec::new());
                }
                runner::run(plan, &config, &mut |_| {})
                    .map(|run| run.outcomes)
                    .map_err(|e| format!("mutant {}: {e}", info.name))
            };
            let mut outcomes = run_plan(&claimed)?;
            if !outcomes.iter().any(|o| o.kind == OutcomeKind::Fail) {
                outcomes.extend(run_plan(&rest)?);
            }
            let plan: Vec<PlannedScenario> = claimed.into_iter().chain(rest).collect();
            Ok(JobResult::Mutant(judge_mutant(info, &plan, &outcomes)))
        }
        Job::Compatible(info) => {
            let plan = compatible::plan(catalog, suite_plan(info.suite)?);
            let config = under(
                compatible::PROFILE,
                with_target(TargetSpec::Builtin {
                    mutant: Some(info.name.to_string()),
                }),
            )?;
            let run = runner::run(&plan, &config, &mut |_| {})
                .map_err(|e| format!("mutant {} (compatible path): {e}", info.name))?;
            Ok(JobResult::Compatible(compatible::judge(
                catalog,
                info,
                &run.outcomes,
            )))
        }
    }
}

fn judge_variant(info: &VariantInfo, plan: &[PlannedScenario], run: &RunResult) -> VariantResult {
    let opted_out = |id: &str| {
        plan.iter()
            .find(|p| p.id == id)
            .is_some_and(|p| runner::opted_out(&run.hello, p).is_some())
    };
    VariantResult {
        name: info.name,
        suite: info.suite,
        problems: run
            .outcomes
            .iter()
            .filter(|o| o.kind != OutcomeKind::Pass && !opted_out(&o.id))
            // builtin:olm has no Signal wire: those scenarios do not apply
            // to its variants, as to the target itself (Job::OlmBase).
            .filter(|o| !(info.base == mutants::Base::Olm && o.kind == OutcomeKind::NotApplicable))
            .map(|o| format!("{} {}: {}", o.kind.label(), o.id, o.message))
            .chain(run.not_run.iter().map(|id| format!("not run {id}")))
            .collect(),
        deviations: run
            .outcomes
            .iter()
            .filter(|o| !o.deviations.is_empty())
            .count(),
        opted_out: run.outcomes.iter().filter(|o| opted_out(&o.id)).count(),
    }
}

/// Splits a mutant's failed scenarios into those that check one of the
/// requirements it claims to violate and the others.
pub fn judge_mutant(
    info: &MutantInfo,
    plan: &[PlannedScenario],
    outcomes: &[ScenarioOutcome],
) -> MutantResult {
    let failed = outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Fail)
        .map(|o| o.id.clone())
        .collect();
    let (caught_by, caught_elsewhere) = split_by_requirement(info.requirements, plan, failed);
    MutantResult {
        name: info.name,
        suite: info.suite,
        requirements: info.requirements,
        caught_by,
        caught_elsewhere,
        errors: outcomes
            .iter()
            .filter(|o| o.kind == OutcomeKind::Error)
            .map(|o| o.id.clone())
            .collect(),
    }
}

/// The failed scenario ids of `plan` that check one of `requirements`, and
/// the others.
fn split_by_requirement(
    requirements: &[&str],
    plan: &[PlannedScenario],
    failed: Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let checks_claimed = |id: &str| {
        plan.iter()
            .find(|p| p.id == id)
            .is_some_and(|p| checks_any(p, requirements))
    };
    failed.into_iter().partition(|id| checks_claimed(id))
}

/// Whether `scenario` checks one of `requirements`.
fn checks_any(scenario: &PlannedScenario, requirements: &[&str]) -> bool {
    scenario
        .requirements
        .iter()
        .any(|r| requirements.contains(&r.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ScenarioKind;

    fn planned(id: &str, requirements: &[&str]) -> PlannedScenario {
        PlannedScenario {
            suite: "demo".into(),
            id: id.into(),
            title: String::new(),
            requirements: requirements.iter().map(|r| r.to_string()).collect(),
            kind: ScenarioKind::Example,
            capability: None,
            needs: Vec::new(),
        }
    }

    #[test]
    fn a_failure_counts_only_for_the_requirements_it_checks() {
        let plan = [
            planned("demo/a", &["DM-001"]),
            planned("demo/b", &["DM-002", "DM-003"]),
        ];
        let failed = || vec!["demo/a".to_string(), "demo/b".to_string()];
        assert_eq!(
            split_by_requirement(&["DM-003"], &plan, failed()),
            (vec!["demo/b".to_string()], vec!["demo/a".to_string()])
        );
        assert_eq!(
            split_by_requirement(&["DM-009"], &plan, failed()),
            (Vec::<String>::new(), failed())
        );
        // A failure of a scenario outside the plan never counts.
        assert_eq!(
            split_by_requirement(&["DM-001"], &plan, vec!["demo/z".into()]),
            (Vec::<String>::new(), vec!["demo/z".to_string()])
        );
    }
}
