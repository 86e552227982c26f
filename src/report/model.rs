//! The report model. `report.json` is this structure; its schema is
//! documented in docs/report-format.md and versioned by `schema_version`.
//! [`super::build`] fills it from a run, [`super::assess`] judges it.

use serde::{Deserialize, Serialize};

use crate::catalog::profile::CertificationParams;
use crate::catalog::{Level, ScenarioKind};
use crate::scenario::outcome::{Deviation, Evidence, OutcomeKind, Repetitions};

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
    /// Why the target could not be driven at all (exit 3), when it could
    /// not; no scenario ran.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_unusable: String,
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
    /// Every scenario of it exchanges Signal v3's bytes with the peer, the
    /// target speaks another wire and the profile certifies the compatible
    /// path (docs/e2ee.md §Two paths): not judged.
    OutOfScope,
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
            RequirementStatus::OutOfScope => "out-of-scope",
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
    /// Present when the scenario ran more than once (`--repeat`, or again
    /// after a failure): runs, and how many of them failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repetitions: Option<Repetitions>,
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
    pub(super) fn add(&mut self, kind: OutcomeKind) {
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
    /// The path the e2ee suite was judged on: `signal` or `compatible`
    /// (docs/e2ee.md §Two paths). Reports from before it read as `signal`.
    #[serde(default = "signal_path")]
    pub e2ee_path: String,
    /// Requirements out of scope on that path.
    #[serde(default)]
    pub out_of_scope: Vec<String>,
}

fn signal_path() -> String {
    "signal".into()
}

impl Verdict {
    /// The sentence that says which path the e2ee suite was judged on, when
    /// it was part of the run (docs/e2ee.md §Two paths).
    pub fn e2ee_path_line(&self) -> Option<String> {
        let e2ee = self.suites.iter().find(|s| s.suite == "e2ee")?;
        if e2ee.scenarios_run == 0 {
            return None;
        }
        Some(match (self.e2ee_path.as_str(), self.out_of_scope.len()) {
            ("compatible", 0) => "e2ee judged on the compatible path: Signal's guarantees shown device to device (the target also speaks Signal v3, whose wire scenarios ran too)".to_string(),
            ("compatible", n) => format!(
                "e2ee judged on the compatible path: Signal's guarantees shown device to device; Signal v3 wire not checked ({n} requirements out of scope)"
            ),
            _ => "e2ee judged on the Signal path: Signal v3 on the wire with the gatekeeper's peer, and the guarantees".to_string(),
        })
    }
}

/// The largest report.json read back (diff, sign, verify).
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

impl Report {
    /// Reads a report.json, refusing oversized files and other schema versions.
    pub fn load(path: &std::path::Path) -> Result<Report, String> {
        let text = crate::bounded::read_text(path, MAX_REPORT_BYTES)?;
        Report::parse(&text, &path.display().to_string())
    }

    /// Parses report.json text; `name` names it in errors.
    pub fn parse(text: &str, name: &str) -> Result<Report, String> {
        let version: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{name} is not JSON: {e}"))?;
        let found = version.get("schema_version").and_then(|v| v.as_u64());
        if found != Some(u64::from(SCHEMA_VERSION)) {
            return Err(format!(
                "{name}: schema_version {found:?}; this interspec reads version {SCHEMA_VERSION}"
            ));
        }
        serde_json::from_value(version)
            .map_err(|e| format!("{name} is not an interspec report: {e}"))
    }
}
