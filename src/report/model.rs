//! The report model. `report.json` is this structure; its schema is
//! documented in docs/report-format.md and versioned by `schema_version`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::adapter::proto::HelloResult;
use crate::catalog::profile::CertificationParams;
use crate::catalog::{Catalog, Level, ScenarioKind};
use crate::runner::configure::Delivery;
use crate::runner::plan::{PlannedScenario, Selection};
use crate::runner::RunResult;
use crate::scenario::outcome::{Deviation, Evidence, OutcomeKind};

pub const SCHEMA_VERSION: u32 = 3;

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
    /// Whether the target was told the profile's values (`Configure`).
    pub profile_told: bool,
    /// Why not, when it was not.
    pub profile_note: String,
    /// What a certificate under the profile needs.
    pub certification: CertificationParams,
    pub suites: Vec<String>,
    pub filters: Vec<String>,
    pub shard: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    pub interrupted: bool,
    pub not_run: Vec<String>,
    pub target_restarts: u32,
    /// How many shard reports `report merge` combined into this one; 0 for
    /// a report of one run.
    #[serde(default)]
    pub merged_shards: u32,
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
    /// Every scenario of it needs an optional capability the target does
    /// not declare: it is not judged for this target.
    OptedOut,
}

impl RequirementStatus {
    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::Pass => "pass",
            RequirementStatus::Fail => "fail",
            RequirementStatus::Error => "error",
            RequirementStatus::NotApplicable => "not-applicable",
            RequirementStatus::NotRun => "not-run",
            RequirementStatus::OptedOut => "opted-out",
        }
    }
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
    /// Optional capabilities it needs that the target did not declare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opted_out: Vec<String>,
    /// Right refusals under another category than the docs name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<Deviation>,
    /// Present for every outcome but `pass`.
    pub evidence: Option<Evidence>,
    /// The command that reruns just this scenario with the same inputs.
    pub reproduce: String,
}

/// A suite's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuiteStatus {
    /// Every scenario ran and every MUST requirement passed.
    Met,
    /// A MUST requirement failed, errored or was not demonstrated.
    NotMet,
    /// Nothing failed, but not every scenario ran (filter, shard,
    /// interruption, too few property cases).
    Incomplete,
    /// Not selected, or the target does not declare the suite's capability.
    NotCovered,
}

impl SuiteStatus {
    pub fn label(self) -> &'static str {
        match self {
            SuiteStatus::Met => "met",
            SuiteStatus::NotMet => "not met",
            SuiteStatus::Incomplete => "incomplete",
            SuiteStatus::NotCovered => "not covered",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SuiteVerdict {
    pub suite: String,
    pub status: SuiteStatus,
    /// Whether the profile requires it for a certificate.
    pub required: bool,
    /// Why it is not met, incomplete or not covered; empty when met.
    pub reason: String,
    /// Scenarios of the suite in the catalog, and how many ran.
    pub scenarios_in_catalog: usize,
    pub scenarios_run: usize,
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

/// The run's verdict (docs/report-format.md §Verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictState {
    /// Every suite the profile requires was covered and met, every scenario
    /// ran, with at least the profile's minimum property cases.
    Certified,
    /// A MUST requirement is unmet, or a required suite is not covered
    /// because the target does not declare its capability.
    NotCertified,
    /// Nothing that ran failed, but the run did not show everything a
    /// certificate needs (a suite subset, filter, lone shard, interruption,
    /// too few property cases).
    Incomplete,
}

impl VerdictState {
    pub fn label(self) -> &'static str {
        match self {
            VerdictState::Certified => "CERTIFIED",
            VerdictState::NotCertified => "NOT CERTIFIED",
            VerdictState::Incomplete => "INCOMPLETE",
        }
    }
}

/// Checks a target opted out of by not declaring an optional capability.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OptOut {
    pub capability: String,
    pub scenarios: Vec<String>,
    /// Requirements left unjudged because all their scenarios need it.
    pub requirements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Verdict {
    pub state: VerdictState,
    /// `state == certified`.
    pub certified: bool,
    /// Why the state is not `certified`, one line each.
    pub reasons: Vec<String>,
    pub profile: String,
    /// Whether the target was told the profile's values (`Configure`).
    pub profile_told: bool,
    /// `full` when the plan held every scenario of the selected suites and
    /// every one of them ran; `partial` otherwise.
    pub scope: String,
    /// MUST requirements that failed, errored or were not demonstrated.
    pub must_unmet: Vec<String>,
    /// SHOULD requirements that did not pass.
    pub should_warnings: Vec<String>,
    /// Scenarios that passed with a refusal under another category.
    pub deviations: Vec<String>,
    pub opted_out: Vec<OptOut>,
    pub suites: Vec<SuiteVerdict>,
    pub counts: Counts,
}

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
}

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
                        "interspec certify --target {} --profile {} --filter {} --seed {} --cases {}",
                        shell_word(&config.target),
                        shell_word(config.profile),
                        shell_word(&p.id),
                        config.seed,
                        config.cases
                    ),
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

/// The requirement matrix and the verdict, from the planned scenarios and
/// their results. Used for a run and again for merged shards.
pub fn assess(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
    scope: &Scope,
) -> (Vec<RequirementResult>, Verdict) {
    let requirements = requirement_results(catalog, plan, scenarios);
    let verdict = verdict(catalog, plan, scenarios, &requirements, scope);
    (requirements, verdict)
}

fn requirement_results(
    catalog: &Catalog,
    plan: &[PlannedScenario],
    scenarios: &[ScenarioResult],
) -> Vec<RequirementResult> {
    let result_of: BTreeMap<&str, &ScenarioResult> =
        scenarios.iter().map(|s| (s.id.as_str(), s)).collect();
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
        RequirementStatus::Pass | RequirementStatus::OptedOut
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

    // NOT CERTIFIED: something shown is wrong, or a required suite cannot
    // be covered by this target.
    for s in suites.iter().filter(|s| s.status == SuiteStatus::NotMet) {
        reasons.push(format!("suite {} not met: {}", s.suite, s.reason));
    }
    reasons.extend(uncoverable);
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
        let catalog = Catalog::builtin().expect("catalog");
        let selection = Selection {
            suites: vec!["e2ee".into()],
            ..Selection::default()
        };
        let plan = crate::runner::plan::build_plan(&catalog, &selection).expect("plan");
        let scenarios: Vec<ScenarioResult> = plan
            .iter()
            .map(|p| {
                let transcript = p.id.starts_with("e2ee/transcript-");
                ScenarioResult {
                    id: p.id.clone(),
                    suite: p.suite.clone(),
                    title: p.title.clone(),
                    kind: p.kind,
                    requirements: p.requirements.clone(),
                    outcome: if transcript {
                        OutcomeKind::NotApplicable
                    } else {
                        OutcomeKind::Pass
                    },
                    message: String::new(),
                    duration_ms: 0,
                    restarted_target: false,
                    opted_out: if transcript && opted_out {
                        vec!["E2EE_FIXED_KEYS".into()]
                    } else {
                        Vec::new()
                    },
                    deviations: Vec::new(),
                    evidence: None,
                    reproduce: String::new(),
                }
            })
            .collect();
        let certification = CertificationParams {
            required_suites: vec!["e2ee".into()],
            min_cases: 32,
        };
        let capabilities = ["E2EE".to_string(), "SIGNAL_V3_WIRE".to_string()];
        let scope = Scope {
            selection: &selection,
            interrupted: false,
            not_run: &[],
            cases: 32,
            certification: &certification,
            profile: "default",
            not_told: None,
            capabilities: &capabilities,
        };
        assess(&catalog, &plan, &scenarios, &scope)
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
