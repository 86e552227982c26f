//! The requirement matrix and the verdict: which requirements were shown,
//! which suites are met, and whether the run certifies.

use std::collections::BTreeMap;

use super::model::*;
use crate::catalog::profile::{CertificationParams, E2eePath};
use crate::catalog::{Catalog, Level, ScenarioKind};
use crate::runner::plan::{PlannedScenario, Selection};
use crate::scenario::outcome::OutcomeKind;

/// What the verdict is computed from besides the outcomes: how the run was
/// scoped. Built from a run, or from the shard reports being merged.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    pub selection: &'a Selection,
    pub interrupted: bool,
    pub not_run: &'a [String],
    pub cases: u32,
    pub certification: &'a CertificationParams,
    pub profile: &'a str,
    /// Why the target was not told the profile; `None` when it was.
    pub not_told: Option<&'a str>,
    /// The capabilities the target declared, by proto name.
    pub capabilities: &'a [String],
    /// Why the target could not be driven at all, when it could not.
    pub unusable: Option<&'a str>,
}

/// The requirement matrix and the verdict, from the planned scenarios and
/// their results. Used for a run and again for merged shards.
pub fn assess(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
    scope: &Scope,
) -> (Vec<RequirementResult>, Verdict) {
    let requirements = requirement_results(catalog, plan, scenarios, scope.certification);
    let verdict = verdict(catalog, plan, scenarios, &requirements, scope);
    (requirements, verdict)
}

fn requirement_results(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
    certification: &CertificationParams,
) -> Vec<RequirementResult> {
    let result_of: BTreeMap<&str, &ScenarioResult> =
        scenarios.iter().map(|s| (s.id.as_str(), s)).collect();
    // On the compatible path, a requirement about Signal v3's bytes that
    // could not apply (the target speaks another wire) is out of scope.
    let compatible = certification.e2ee_path == E2eePath::Compatible;
    let mut results = Vec::new();
    for suite in &catalog.suites {
        for req in &suite.requirements {
            let planned: Vec<&PlannedScenario> = plan
                .iter()
                .filter(|p| p.requirements.contains(&req.id))
                .collect();
            if planned.is_empty() {
                continue;
            }
            let ran: Vec<&ScenarioResult> = planned
                .iter()
                .filter_map(|p| result_of.get(p.id.as_str()).copied())
                .collect();
            let outcomes: Vec<OutcomeKind> = ran.iter().map(|s| s.outcome).collect();
            let status = if outcomes.contains(&OutcomeKind::Fail) {
                RequirementStatus::Fail
            } else if outcomes.contains(&OutcomeKind::Error) {
                RequirementStatus::Error
            } else if outcomes.contains(&OutcomeKind::Pass) {
                RequirementStatus::Pass
            } else if outcomes.is_empty() {
                RequirementStatus::NotRun
            } else if ran.len() == planned.len() && ran.iter().all(|s| !s.opted_out.is_empty()) {
                RequirementStatus::OptedOut
            } else if compatible && req.signal_wire && ran.len() == planned.len() {
                RequirementStatus::OutOfScope
            } else {
                RequirementStatus::NotApplicable
            };
            results.push(RequirementResult {
                id: req.id.clone(),
                suite: suite.suite.clone(),
                level: req.level,
                statement: req.statement.clone(),
                source: req.source.clone(),
                status,
                scenarios: planned.iter().map(|p| p.id.clone()).collect(),
            });
        }
    }
    results
}

/// Whether a requirement status counts as shown.
fn judged_unmet(status: RequirementStatus) -> bool {
    !matches!(
        status,
        RequirementStatus::Pass | RequirementStatus::OptedOut | RequirementStatus::OutOfScope
    )
}

fn verdict(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
    requirements: &[RequirementResult],
    scope: &Scope,
) -> Verdict {
    let declared = |capability: &str| {
        scope
            .capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(capability))
    };
    let filtered = !scope.selection.filters.is_empty() || scope.selection.shard.is_some();
    let few_cases = scope.cases < scope.certification.min_cases;
    let mut suites = Vec::new();
    let mut counts = Counts::default();
    let mut reasons = Vec::new();
    // Required suites the target cannot be judged on: NOT CERTIFIED.
    let mut uncoverable = Vec::new();
    for suite in &catalog.suites {
        let required = scope.certification.required_suites.contains(&suite.suite);
        let planned = plan.iter().filter(|p| p.suite == suite.suite).count();
        let results: Vec<&ScenarioResult> = scenarios
            .iter()
            .filter(|s| s.suite == suite.suite)
            .collect();
        let mut suite_counts = Counts::default();
        for s in &results {
            suite_counts.add(s.outcome);
            counts.add(s.outcome);
        }
        // A requirement that did not run is a gap in the run, not a defect.
        let unmet: Vec<&str> = requirements
            .iter()
            .filter(|r| {
                r.suite == suite.suite
                    && r.level == Level::Must
                    && judged_unmet(r.status)
                    && r.status != RequirementStatus::NotRun
            })
            .map(|r| r.id.as_str())
            .collect();
        let has_property = suite
            .scenarios
            .iter()
            .any(|s| s.kind == ScenarioKind::Property);
        let missing_capability = suite.capability.as_deref().filter(|c| !declared(c));
        let (status, reason) = if planned == 0 {
            (
                SuiteStatus::NotCovered,
                "not selected for this run".to_string(),
            )
        } else if let Some(capability) = missing_capability {
            let reason = format!("the target does not declare the {capability} capability");
            if required {
                uncoverable.push(format!(
                    "required suite {} not covered: {reason}",
                    suite.suite
                ));
            }
            (SuiteStatus::NotCovered, reason)
        } else if !unmet.is_empty() {
            (
                SuiteStatus::NotMet,
                format!("MUST requirements not shown: {}", unmet.join(", ")),
            )
        } else if planned < suite.scenarios.len() || results.len() < planned {
            (
                SuiteStatus::Incomplete,
                format!(
                    "{} of its {} scenarios ran",
                    results.len(),
                    suite.scenarios.len()
                ),
            )
        } else if has_property && few_cases {
            (
                SuiteStatus::Incomplete,
                format!(
                    "property scenarios ran {} cases, the profile requires at least {}",
                    scope.cases, scope.certification.min_cases
                ),
            )
        } else {
            (SuiteStatus::Met, String::new())
        };
        if required || planned > 0 {
            suites.push(SuiteVerdict {
                suite: suite.suite.clone(),
                status,
                required,
                reason,
                scenarios_in_catalog: suite.scenarios.len(),
                scenarios_run: results.len(),
                counts: suite_counts,
            });
        }
    }

    let must_unmet: Vec<String> = requirements
        .iter()
        .filter(|r| {
            r.level == Level::Must
                && judged_unmet(r.status)
                && r.status != RequirementStatus::NotRun
                && suite_judged(&suites, &r.suite)
        })
        .map(|r| r.id.clone())
        .collect();
    let should_warnings = requirements
        .iter()
        .filter(|r| {
            r.level == Level::Should
                && judged_unmet(r.status)
                && r.status != RequirementStatus::NotRun
                && suite_judged(&suites, &r.suite)
        })
        .map(|r| r.id.clone())
        .collect();

    // NOT CERTIFIED: the target could not be driven, something shown is
    // wrong, or a required suite cannot be covered by this target.
    if let Some(why) = scope.unusable {
        reasons.push(format!("the target could not be driven: {why}"));
    }
    for s in suites.iter().filter(|s| s.status == SuiteStatus::NotMet) {
        reasons.push(format!("suite {} not met: {}", s.suite, s.reason));
    }
    reasons.extend(uncoverable);
    // Optional capabilities the profile needs all the same.
    for capability in &scope.certification.required_capabilities {
        if scope.unusable.is_none() && !declared(capability) {
            reasons.push(format!(
                "the profile requires the optional capability {capability}, which the target does not declare"
            ));
        }
    }
    let mut not_certified = !reasons.is_empty();
    for name in &scope.certification.required_suites {
        if catalog.suite(name).is_none() {
            not_certified = true;
            reasons.push(format!(
                "the profile requires suite {name}, which this catalog does not have"
            ));
        }
    }
    // INCOMPLETE: the run did not show everything a certificate needs.
    let mut incomplete = Vec::new();
    if scope.interrupted {
        incomplete.push(format!(
            "the run was interrupted; {} planned scenarios did not run",
            scope.not_run.len()
        ));
    } else if !scope.not_run.is_empty() {
        incomplete.push(format!(
            "{} planned scenarios did not run",
            scope.not_run.len()
        ));
    }
    if !scope.selection.filters.is_empty() {
        incomplete.push(format!(
            "filtered by {}",
            scope.selection.filters.join(", ")
        ));
    }
    if let Some(shard) = scope.selection.shard {
        incomplete.push(format!(
            "one shard ({shard}) of the run; merge every shard with `interspec report merge`"
        ));
    }
    if few_cases {
        incomplete.push(format!(
            "--cases {} is below the profile's minimum of {}",
            scope.cases, scope.certification.min_cases
        ));
    }
    let unselected: Vec<&str> = scope
        .certification
        .required_suites
        .iter()
        .filter(|name| !plan.iter().any(|p| &p.suite == *name))
        .filter(|name| catalog.suite(name).is_some())
        .map(String::as_str)
        .collect();
    if !unselected.is_empty() && !filtered {
        incomplete.push(format!(
            "required suites not run: {}",
            unselected.join(", ")
        ));
    }
    let state = if not_certified {
        VerdictState::NotCertified
    } else if !incomplete.is_empty() {
        VerdictState::Incomplete
    } else {
        VerdictState::Certified
    };
    reasons.extend(incomplete);
    let full = !filtered && scope.not_run.is_empty() && !scope.interrupted;

    let mut opted_out: BTreeMap<&str, OptOut> = BTreeMap::new();
    for s in scenarios {
        for capability in &s.opted_out {
            let entry = opted_out.entry(capability).or_insert_with(|| OptOut {
                capability: capability.clone(),
                scenarios: Vec::new(),
                requirements: Vec::new(),
            });
            entry.scenarios.push(s.id.clone());
        }
    }
    for r in requirements
        .iter()
        .filter(|r| r.status == RequirementStatus::OptedOut)
    {
        let first_need = scenarios
            .iter()
            .find(|s| r.scenarios.contains(&s.id))
            .and_then(|s| s.opted_out.first());
        if let Some(entry) = first_need.and_then(|c| opted_out.get_mut(c.as_str())) {
            entry.requirements.push(r.id.clone());
        }
    }
    Verdict {
        state,
        certified: state == VerdictState::Certified,
        reasons,
        profile: scope.profile.to_string(),
        profile_told: scope.not_told.is_none(),
        scope: if full { "full" } else { "partial" }.into(),
        must_unmet,
        should_warnings,
        deviations: scenarios
            .iter()
            .filter(|s| !s.deviations.is_empty())
            .map(|s| s.id.clone())
            .collect(),
        opted_out: opted_out.into_values().collect(),
        e2ee_path: scope.certification.e2ee_path.label().to_string(),
        out_of_scope: requirements
            .iter()
            .filter(|r| r.status == RequirementStatus::OutOfScope)
            .map(|r| r.id.clone())
            .collect(),
        suites,
        counts,
    }
}

/// Whether a suite's requirements are judged in this run (it ran and the
/// target declares its capability).
fn suite_judged(suites: &[SuiteVerdict], name: &str) -> bool {
    suites
        .iter()
        .any(|s| s.suite == name && !matches!(s.status, SuiteStatus::NotCovered))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every e2ee scenario passes except the fixed-key transcripts, which
    /// are not applicable, opted out or not.
    fn e2ee_run(opted_out: bool) -> (Vec<RequirementResult>, Verdict) {
        let certification = CertificationParams {
            required_suites: vec!["e2ee".into()],
            ..CertificationParams::default()
        };
        e2ee_run_with(
            |p| {
                let transcript = p.id.starts_with("e2ee/transcript-");
                match (transcript, opted_out) {
                    (false, _) => (OutcomeKind::Pass, Vec::new()),
                    (true, false) => (OutcomeKind::NotApplicable, Vec::new()),
                    (true, true) => (OutcomeKind::NotApplicable, vec!["E2EE_FIXED_KEYS".into()]),
                }
            },
            &certification,
            &["E2EE", "SIGNAL_V3_WIRE"],
        )
    }

    /// The e2ee suite with each scenario's outcome (and opted-out
    /// capabilities) from `outcome`.
    fn e2ee_run_with(
        outcome: impl Fn(&PlannedScenario) -> (OutcomeKind, Vec<String>),
        certification: &CertificationParams,
        capabilities: &[&str],
    ) -> (Vec<RequirementResult>, Verdict) {
        let catalog = Catalog::builtin().expect("catalog");
        let selection = Selection {
            suites: vec!["e2ee".into()],
            ..Selection::default()
        };
        let plan = crate::runner::plan::build_plan(&catalog, &selection).expect("plan");
        let scenarios: Vec<ScenarioResult> = plan
            .iter()
            .map(|p| {
                let (outcome, opted_out) = outcome(p);
                ScenarioResult {
                    id: p.id.clone(),
                    suite: p.suite.clone(),
                    title: p.title.clone(),
                    kind: p.kind,
                    requirements: p.requirements.clone(),
                    outcome,
                    message: String::new(),
                    duration_ms: 0,
                    restarted_target: false,
                    opted_out,
                    deviations: Vec::new(),
                    evidence: None,
                    reproduce: String::new(),
                    repetitions: None,
                }
            })
            .collect();
        let capabilities: Vec<String> = capabilities.iter().map(|c| c.to_string()).collect();
        let scope = Scope {
            selection: &selection,
            interrupted: false,
            not_run: &[],
            cases: 32,
            certification,
            profile: "test",
            not_told: None,
            capabilities: &capabilities,
            unusable: None,
        };
        assess(&catalog, &plan, &scenarios, &scope)
    }

    /// A target with its own wire on the compatible path: what the catalog
    /// tags `signal-wire` does not apply, nor any scenario of the
    /// requirement `also_not_shown`; everything else passes.
    fn compatible_run(
        also_not_shown: &str,
        capabilities: &[&str],
    ) -> (Vec<RequirementResult>, Verdict) {
        let catalog = Catalog::builtin().expect("catalog");
        let wire: Vec<String> = catalog
            .suite("e2ee")
            .expect("e2ee")
            .scenarios
            .iter()
            .filter(|s| {
                s.tags
                    .iter()
                    .any(|t| t == crate::catalog::profile::SIGNAL_WIRE_TAG)
            })
            .map(|s| s.id.clone())
            .collect();
        let certification = CertificationParams {
            required_suites: vec!["e2ee".into()],
            e2ee_path: E2eePath::Compatible,
            required_capabilities: vec!["E2EE_CLONE_DEVICE".into()],
            ..CertificationParams::default()
        };
        e2ee_run_with(
            |p| {
                if wire.contains(&p.id) || p.requirements.iter().any(|r| r == also_not_shown) {
                    (OutcomeKind::NotApplicable, Vec::new())
                } else {
                    (OutcomeKind::Pass, Vec::new())
                }
            },
            &certification,
            capabilities,
        )
    }

    #[test]
    fn signal_wire_requirements_are_out_of_scope_on_the_compatible_path() {
        let (requirements, verdict) = compatible_run("", &["E2EE", "E2EE_CLONE_DEVICE"]);
        assert_eq!(
            status(&requirements, "E2-028"),
            RequirementStatus::OutOfScope
        );
        assert_eq!(status(&requirements, "E2-013"), RequirementStatus::Pass);
        assert_eq!(verdict.e2ee_path, "compatible");
        assert!(verdict.out_of_scope.contains(&"E2-028".to_string()));
        let catalog = Catalog::builtin().expect("catalog");
        for id in &verdict.must_unmet {
            let (_, requirement) = catalog.requirement(id).expect("requirement");
            assert!(!requirement.signal_wire, "{id} is out of scope, not unmet");
        }
    }

    #[test]
    fn a_guarantee_not_shown_stays_unmet_on_the_compatible_path() {
        // E2-024 (session deletion) is no statement about Signal's bytes:
        // with none of its scenarios shown it stays unmet.
        let (requirements, verdict) = compatible_run("E2-024", &["E2EE", "E2EE_CLONE_DEVICE"]);
        assert_eq!(
            status(&requirements, "E2-024"),
            RequirementStatus::NotApplicable
        );
        assert!(verdict.must_unmet.contains(&"E2-024".to_string()));
        assert_eq!(verdict.state, VerdictState::NotCertified);
    }

    #[test]
    fn a_capability_the_profile_requires_is_required() {
        let (_, verdict) = compatible_run("", &["E2EE"]);
        assert_eq!(verdict.state, VerdictState::NotCertified);
        assert!(
            verdict
                .reasons
                .iter()
                .any(|r| r.contains("E2EE_CLONE_DEVICE")),
            "{:?}",
            verdict.reasons
        );
    }

    fn status(requirements: &[RequirementResult], id: &str) -> RequirementStatus {
        requirements
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.status)
            .expect("requirement")
    }

    #[test]
    fn an_opted_out_requirement_does_not_decide_the_verdict() {
        let (requirements, verdict) = e2ee_run(true);
        assert_eq!(status(&requirements, "E2-019"), RequirementStatus::OptedOut);
        assert_eq!(
            verdict.state,
            VerdictState::Certified,
            "{:?}",
            verdict.reasons
        );
        assert_eq!(verdict.opted_out.len(), 1);
        assert_eq!(verdict.opted_out[0].requirements, ["E2-019"]);
    }

    #[test]
    fn a_required_check_answered_unsupported_stays_unmet() {
        let (requirements, verdict) = e2ee_run(false);
        assert_eq!(
            status(&requirements, "E2-019"),
            RequirementStatus::NotApplicable
        );
        assert_eq!(verdict.state, VerdictState::NotCertified);
        assert!(verdict.must_unmet.contains(&"E2-019".to_string()));
        assert_eq!(verdict.suites[0].status, SuiteStatus::NotMet);
    }
}
