//! Builds a [`Report`] from a run: the planned scenarios, their outcomes
//! and a summary of how the run was made.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::assess::{assess, Scope};
use super::model::*;
use crate::adapter::proto::HelloResult;
use crate::catalog::profile::CertificationParams;
use crate::catalog::Catalog;
use crate::runner::configure::Delivery;
use crate::runner::plan::{PlannedScenario, Selection};
use crate::runner::RunResult;
use crate::scenario::outcome::OutcomeKind;

/// How the run was made, as far as the report tells it: the caller fills it
/// from its own settings, so the report does not depend on how runs are
/// configured.
#[derive(Debug, Clone)]
pub struct RunSummary<'a> {
    /// The target as the user named it (`--target`).
    pub target: String,
    pub seed: u64,
    pub cases: u32,
    pub jobs: usize,
    /// `--repeat`.
    pub repeat: u32,
    pub profile: &'a str,
    pub certification: &'a CertificationParams,
}

impl Report {
    pub fn build(
        catalog: &Catalog,
        plan: &[PlannedScenario],
        selection: &Selection,
        config: &RunSummary,
        result: &RunResult,
    ) -> Report {
        build(catalog, plan, selection, config, result, None)
    }

    /// The report of a run whose target could not be driven at all (no
    /// Hello, exit 3): nothing ran, and the verdict says why it is not
    /// certified, so CI still gets a report, a failing JUnit case and a
    /// summary.
    pub fn of_unusable_target(
        catalog: &Catalog,
        plan: &[PlannedScenario],
        selection: &Selection,
        config: &RunSummary,
        why: &str,
        started: SystemTime,
    ) -> Report {
        let result = RunResult {
            outcomes: Vec::new(),
            hello: HelloResult::default(),
            started,
            finished: SystemTime::now(),
            interrupted: false,
            not_run: plan.iter().map(|p| p.id.clone()).collect(),
            restarts: 0,
            delivery: Delivery::NotTold("the target could not be driven".into()),
            stopped_after_failures: false,
        };
        build(catalog, plan, selection, config, &result, Some(why))
    }
}

fn build(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    selection: &Selection,
    config: &RunSummary,
    result: &RunResult,
    unusable: Option<&str>,
) -> Report {
    let outcome_of: BTreeMap<&str, _> =
        result.outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    let scenarios: Vec<ScenarioResult> = plan
        .iter()
        .filter_map(|p| {
            let outcome = outcome_of.get(p.id.as_str())?;
            Some(ScenarioResult {
                id: p.id.clone(),
                suite: p.suite.clone(),
                title: p.title.clone(),
                kind: p.kind,
                requirements: p.requirements.clone(),
                outcome: outcome.kind,
                message: outcome.message.clone(),
                duration_ms: outcome.duration.as_millis() as u64,
                restarted_target: outcome.restarted_target,
                // Only where the suite applies: a suite whose capability
                // is missing is not covered as a whole.
                opted_out: p
                    .needs
                    .iter()
                    .filter(|n| {
                        p.capability
                            .as_deref()
                            .is_none_or(|c| result.hello.declares(c))
                            && !result.hello.declares(n)
                    })
                    .cloned()
                    .collect(),
                deviations: outcome.deviations.clone(),
                evidence: (outcome.kind != OutcomeKind::Pass).then(|| outcome.evidence.clone()),
                reproduce: format!(
                    "interspec certify --target {} --profile {} --filter {} --seed {} --cases {} --out {}{}",
                    shell_word(&config.target),
                    shell_word(config.profile),
                    shell_word(&p.id),
                    config.seed,
                    config.cases,
                    // Its own folder, so the run it reproduces keeps its
                    // reports.
                    shell_word(&format!("reports/reproduce/{}", p.id)),
                    // A failure seen in some runs only needs as many runs
                    // to show again.
                    if outcome.repetitions.intermittent() || config.repeat > 1 {
                        format!(" --repeat {}", outcome.repetitions.runs.max(config.repeat))
                    } else {
                        String::new()
                    }
                ),
                repetitions: (outcome.repetitions.runs > 1).then_some(outcome.repetitions),
            })
        })
        .collect();

    let target = target_info(&config.target, &result.hello);
    let not_told = match &result.delivery {
        Delivery::Told => None,
        Delivery::NotTold(note) => Some(note.as_str()),
    };
    let scope = Scope {
        selection,
        interrupted: result.interrupted,
        not_run: &result.not_run,
        cases: config.cases,
        certification: config.certification,
        profile: config.profile,
        not_told,
        capabilities: &target.capabilities,
        unusable,
    };
    let (requirements, verdict) = assess(catalog, plan, &scenarios, &scope);
    let duration = result
        .finished
        .duration_since(result.started)
        .unwrap_or_default();
    Report {
        schema_version: SCHEMA_VERSION,
        harness: HarnessInfo {
            name: crate::HARNESS_NAME.into(),
            version: crate::HARNESS_VERSION.into(),
        },
        run: RunInfo {
            seed: config.seed,
            cases: config.cases,
            jobs: config.jobs,
            profile: config.profile.to_string(),
            profile_told: not_told.is_none(),
            profile_note: not_told.unwrap_or_default().to_string(),
            certification: config.certification.clone(),
            suites: selection.suites.clone(),
            filters: selection.filters.clone(),
            shard: selection.shard.map(|s| s.to_string()),
            started_at: timestamp(result.started),
            finished_at: timestamp(result.finished),
            duration_ms: duration.as_millis() as u64,
            interrupted: result.interrupted,
            not_run: result.not_run.clone(),
            target_restarts: result.restarts,
            merged_shards: 0,
            target_unusable: unusable.unwrap_or_default().to_string(),
        },
        catalog: CatalogInfo {
            sha256: catalog.sha256.clone(),
        },
        vectors: VectorsInfo {
            manifest_sha256: vectors_sha256(),
        },
        target,
        verdict,
        requirements,
        scenarios,
    }
}

/// Quotes `word` for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    match shlex::try_quote(word) {
        Ok(quoted) => quoted.into_owned(),
        // Only a NUL byte cannot be quoted; show it escaped instead.
        Err(_) => format!("{word:?}"),
    }
}

fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

fn target_info(spec: &str, hello: &HelloResult) -> TargetInfo {
    TargetInfo {
        spec: spec.to_string(),
        implementation_name: hello.implementation_name.clone(),
        implementation_version: hello.implementation_version.clone(),
        protocol_version: format!("{}.{}", hello.protocol_major, hello.protocol_minor),
        capabilities: hello
            .capabilities()
            .map(|c| c.as_str_name().to_string())
            .collect(),
        profiles: hello.profiles.clone(),
        max_frame_size: hello.max_frame_size,
    }
}
