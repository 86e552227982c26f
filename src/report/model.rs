//! The report model. `report.json` is this structure; its schema is
//! documented in docs/report-format.md and versioned by `schema_version`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::adapter::proto::HelloResult;
use crate::catalog::{Catalog, Level, ScenarioKind};
use crate::runner::outcome::{Evidence, OutcomeKind};
use crate::runner::plan::{PlannedScenario, Selection};
use crate::runner::{declares, RunConfig, RunResult};

pub const SCHEMA_VERSION: u32 = 2;

/// The golden-vector manifest built into this binary; its hash identifies
/// the vectors a report was made with.
const VECTORS_MANIFEST: &str = include_str!("../../vectors/MANIFEST.sha256");

/// SHA-256 of the built-in vector manifest (which lists every vector file's
/// SHA-256).
pub fn vectors_sha256() -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(VECTORS_MANIFEST.as_bytes()))
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema_version: u32,
    pub harness: HarnessInfo,
    pub run: RunInfo,
    pub catalog: CatalogInfo,
    pub vectors: VectorsInfo,
    pub target: TargetInfo,
    pub verdict: Verdict,
    pub requirements: Vec<RequirementResult>,
    pub scenarios: Vec<ScenarioResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HarnessInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunInfo {
    pub seed: u64,
    pub cases: u32,
    pub jobs: usize,
    pub profile: String,
    pub suites: Vec<String>,
    pub filters: Vec<String>,
    pub shard: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    pub interrupted: bool,
    pub not_run: Vec<String>,
    pub target_restarts: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CatalogInfo {
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VectorsInfo {
    /// SHA-256 of `vectors/MANIFEST.sha256` as built into the harness.
    pub manifest_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetInfo {
    pub spec: String,
    pub implementation_name: String,
    pub implementation_version: String,
    pub protocol_version: String,
    pub capabilities: Vec<String>,
    pub profiles: Vec<String>,
    pub max_frame_size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementStatus {
    Pass,
    Fail,
    Error,
    NotApplicable,
    NotRun,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequirementResult {
    pub id: String,
    pub suite: String,
    pub level: Level,
    pub statement: String,
    pub source: String,
    pub status: RequirementStatus,
    pub scenarios: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioResult {
    pub id: String,
    pub suite: String,
    pub title: String,
    pub kind: ScenarioKind,
    pub requirements: Vec<String>,
    pub outcome: OutcomeKind,
    pub message: String,
    pub duration_ms: u64,
    pub restarted_target: bool,
    /// Present for every outcome but `pass`.
    pub evidence: Option<Evidence>,
    /// The command that reruns just this scenario with the same inputs.
    pub reproduce: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SuiteVerdict {
    pub suite: String,
    /// False when the suite needs a capability the target did not declare.
    pub covered: bool,
    pub counts: Counts,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub not_applicable: usize,
    pub error: usize,
}

impl Counts {
    fn add(&mut self, kind: OutcomeKind) {
        match kind {
            OutcomeKind::Pass => self.pass += 1,
            OutcomeKind::Fail => self.fail += 1,
            OutcomeKind::NotApplicable => self.not_applicable += 1,
            OutcomeKind::Error => self.error += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verdict {
    /// Every MUST requirement of every covered suite passed, at least one
    /// did, and the run was not interrupted.
    pub certified: bool,
    pub profile: String,
    /// `full` when no filter or shard narrowed the plan.
    pub scope: String,
    /// MUST requirements that failed, errored or were not demonstrated.
    pub must_unmet: Vec<String>,
    /// SHOULD requirements that did not pass.
    pub should_warnings: Vec<String>,
    pub suites: Vec<SuiteVerdict>,
    pub counts: Counts,
}

impl Report {
    pub fn build(
        catalog: &Catalog,
        plan: &[PlannedScenario],
        selection: &Selection,
        config: &RunConfig,
        result: &RunResult,
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
                    evidence: (outcome.kind != OutcomeKind::Pass).then(|| outcome.evidence.clone()),
                    reproduce: format!(
                        "interspec certify --target {} --profile {} --filter {} --seed {} --cases {}",
                        shell_word(&config.target.to_string()),
                        shell_word(&config.profile.name),
                        shell_word(&p.id),
                        config.seed,
                        config.cases
                    ),
                })
            })
            .collect();

        let requirements = requirement_results(catalog, plan, &scenarios);
        let verdict = verdict(
            catalog,
            plan,
            selection,
            config,
            result,
            &requirements,
            &scenarios,
        );
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
                profile: config.profile.name.clone(),
                suites: selection.suites.clone(),
                filters: selection.filters.clone(),
                shard: selection.shard.map(|s| s.to_string()),
                started_at: timestamp(result.started),
                finished_at: timestamp(result.finished),
                duration_ms: duration.as_millis() as u64,
                interrupted: result.interrupted,
                not_run: result.not_run.clone(),
                target_restarts: result.restarts,
            },
            catalog: CatalogInfo {
                sha256: catalog.sha256.clone(),
            },
            vectors: VectorsInfo {
                manifest_sha256: vectors_sha256(),
            },
            target: target_info(&config.target.to_string(), &result.hello),
            verdict,
            requirements,
            scenarios,
        }
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

/// The largest report.json read back (diff, sign, verify).
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

impl Report {
    /// Reads a report.json, refusing oversized files and other schema versions.
    pub fn load(path: &std::path::Path) -> Result<Report, String> {
        let text = crate::bounded::read_text(path, MAX_REPORT_BYTES)?;
        let version: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        match version.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            other => {
                return Err(format!(
                    "{}: schema_version {other:?}; this interspec reads version {SCHEMA_VERSION}",
                    path.display()
                ))
            }
        }
        serde_json::from_value(version)
            .map_err(|e| format!("{} is not an interspec report: {e}", path.display()))
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

fn requirement_results(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
) -> Vec<RequirementResult> {
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
            let outcomes: Vec<OutcomeKind> = planned
                .iter()
                .filter_map(|p| scenarios.iter().find(|s| s.id == p.id).map(|s| s.outcome))
                .collect();
            let status = if outcomes.contains(&OutcomeKind::Fail) {
                RequirementStatus::Fail
            } else if outcomes.contains(&OutcomeKind::Error) {
                RequirementStatus::Error
            } else if outcomes.contains(&OutcomeKind::Pass) {
                RequirementStatus::Pass
            } else if outcomes.is_empty() {
                RequirementStatus::NotRun
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

fn verdict(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    selection: &Selection,
    config: &RunConfig,
    result: &RunResult,
    requirements: &[RequirementResult],
    scenarios: &[ScenarioResult],
) -> Verdict {
    let mut suites = Vec::new();
    let mut counts = Counts::default();
    for suite in &catalog.suites {
        if !plan.iter().any(|p| p.suite == suite.suite) {
            continue;
        }
        let covered = suite
            .capability
            .as_deref()
            .is_none_or(|c| declares(&result.hello, c));
        let mut suite_counts = Counts::default();
        for s in scenarios.iter().filter(|s| s.suite == suite.suite) {
            suite_counts.add(s.outcome);
            counts.add(s.outcome);
        }
        suites.push(SuiteVerdict {
            suite: suite.suite.clone(),
            covered,
            counts: suite_counts,
        });
    }
    let is_covered = |name: &str| suites.iter().any(|s| s.suite == name && s.covered);
    let must_unmet: Vec<String> = requirements
        .iter()
        .filter(|r| {
            r.level == Level::Must && is_covered(&r.suite) && r.status != RequirementStatus::Pass
        })
        .map(|r| r.id.clone())
        .collect();
    let should_warnings = requirements
        .iter()
        .filter(|r| {
            r.level == Level::Should && is_covered(&r.suite) && r.status != RequirementStatus::Pass
        })
        .map(|r| r.id.clone())
        .collect();
    let any_must_passed = requirements
        .iter()
        .any(|r| r.level == Level::Must && r.status == RequirementStatus::Pass);
    let full = selection.filters.is_empty() && selection.shard.is_none();
    Verdict {
        certified: !result.interrupted && must_unmet.is_empty() && any_must_passed,
        profile: config.profile.name.clone(),
        scope: if full { "full" } else { "partial" }.into(),
        must_unmet,
        should_warnings,
        suites,
        counts,
    }
}
