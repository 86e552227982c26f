//! Cost per property case: the e2ee adversarial-network properties run at a
//! small and a large case count in the same run, with evidence recorded as
//! `certify` records it, and the time per case compared. More cases must
//! not make each case dearer (issue 14: the redaction list grew with every
//! plaintext registered and each recorded frame was scanned against all of
//! it).

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::runner::plan::{build_plan, Selection};
use crate::runner::{run as run_plan, RunConfig, DEFAULT_MAX_UNRESPONSIVE};
use crate::scenario::outcome::OutcomeKind;
use crate::targets::{Launcher, Target, TargetSpec};

/// The property scenarios measured.
pub const SCENARIOS: &[&str] = &[
    "e2ee/adversarial-network-peer-target",
    "e2ee/adversarial-network-target-target",
];
/// The default case count of `certify`, and the large count compared.
pub const FEW: u32 = 32;
pub const MANY: u32 = 2048;

pub struct CaseCost {
    pub scenario: &'static str,
    /// Milliseconds per case at the few and at the many cases.
    pub few_ms: f64,
    pub many_ms: f64,
}

impl CaseCost {
    /// How many times dearer a case is at many cases than at few.
    pub fn ratio(&self) -> f64 {
        self.many_ms / self.few_ms
    }
}

pub struct CasesResult {
    pub few: u32,
    pub many: u32,
    pub costs: Vec<CaseCost>,
}

impl CasesResult {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "cost per property case (evidence recorded as certify does):"
        );
        let _ = writeln!(
            out,
            "  {:<40} {:>10} {:>10} {:>8}",
            "scenario",
            format!("{} cases", self.few),
            format!("{} cases", self.many),
            "ratio"
        );
        for cost in &self.costs {
            let _ = writeln!(
                out,
                "  {:<40} {:>8.2}ms {:>8.2}ms {:>8.2}",
                cost.scenario,
                cost.few_ms,
                cost.many_ms,
                cost.ratio()
            );
        }
        out
    }
}

/// Each scenario at `few` and at `many` cases (`interspec bench` uses
/// [`FEW`] and [`MANY`]).
pub fn run(launcher: &Launcher, few: u32, many: u32) -> Result<CasesResult, String> {
    let mut costs = Vec::new();
    for &scenario in SCENARIOS {
        costs.push(CaseCost {
            scenario,
            few_ms: per_case_ms(launcher, scenario, few)?,
            many_ms: per_case_ms(launcher, scenario, many)?,
        });
    }
    Ok(CasesResult { few, many, costs })
}

/// Runs `scenario` alone with `cases` cases against the reference and
/// returns the scenario's own time divided by the case count.
fn per_case_ms(launcher: &Launcher, scenario: &str, cases: u32) -> Result<f64, String> {
    let catalog = Catalog::builtin().map_err(|e| e.to_string())?;
    let selection = Selection {
        filters: vec![scenario.to_string()],
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).map_err(|e| e.to_string())?;
    let config = RunConfig {
        target: Arc::new(Target {
            spec: TargetSpec::Builtin { mutant: None },
            launcher: launcher.clone(),
        }),
        scenarios: crate::suites::registry(),
        seed: 1,
        cases,
        jobs: 1,
        call_timeout: Duration::from_secs(10),
        scenario_timeout: Duration::from_secs(600),
        profile: Profile::load("default").map_err(|e| e.to_string())?,
        interrupt: Arc::new(AtomicBool::new(false)),
        plaintext_excerpt: 16,
        max_unresponsive: DEFAULT_MAX_UNRESPONSIVE,
        max_fail: None,
        repeat: 1,
    };
    let result = run_plan(&plan, &config, &mut |_| {}).map_err(|e| e.to_string())?;
    let outcome = result
        .outcomes
        .first()
        .ok_or_else(|| format!("{scenario} did not run"))?;
    if outcome.kind != OutcomeKind::Pass {
        return Err(format!(
            "{scenario} at {cases} cases: {:?}: {}",
            outcome.kind, outcome.message
        ));
    }
    Ok(outcome.duration.as_secs_f64() * 1000.0 / f64::from(cases))
}
