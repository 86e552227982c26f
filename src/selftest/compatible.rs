//! The reference's e2ee mutants on the compatible path: which defects of a
//! Signal implementation the device-to-device scenarios (no Signal wire)
//! still catch. A mutant whose claimed requirements include a guarantee
//! (a requirement not marked `signal_wire`) is wire-independent and must be
//! caught there; one that claims only Signal-wire requirements is reported,
//! caught or not, and decides nothing.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::runner::plan::PlannedScenario;
use crate::scenario::outcome::{OutcomeKind, ScenarioOutcome};
use crate::targets::mutants::{self, MutantInfo};

/// The profile of the compatible path.
pub const PROFILE: &str = "compatible-e2ee";
/// The catalog tag of the scenarios that run between two target devices.
pub const DEVICE_TO_DEVICE_TAG: &str = "target-target";

/// One e2ee mutant of the reference, run without its Signal-wire scenarios.
pub struct CompatibleResult {
    pub name: &'static str,
    pub requirements: &'static [&'static str],
    /// Whether one of `requirements` is a guarantee, so that the defect
    /// must show device to device.
    pub wire_independent: bool,
    /// Scenarios (none of them Signal-wire) whose outcome was `fail`.
    pub caught_by: Vec<String>,
}

impl CompatibleResult {
    /// Caught, or not required to be.
    pub fn holds(&self) -> bool {
        !self.wire_independent || !self.caught_by.is_empty()
    }
}

/// Whether `m` is judged on the compatible path too.
pub fn applies(m: &MutantInfo) -> bool {
    m.base == mutants::Base::Reference && m.suite == "e2ee"
}

/// The scenarios of `plan` that run device to device (tag
/// `target-target`): what a target without Signal's wire is judged on.
/// (Scenarios neither tagged so nor `signal-wire` need Signal's fixed keys
/// or safety numbers, which a compatible protocol does not have.)
pub fn plan(catalog: &Catalog, plan: Vec<PlannedScenario>) -> Vec<PlannedScenario> {
    plan.into_iter()
        .filter(|p| {
            catalog
                .scenario(&p.id)
                .is_some_and(|(_, s)| s.tags.iter().any(|t| t == DEVICE_TO_DEVICE_TAG))
        })
        .collect()
}

pub fn judge(
    catalog: &Catalog,
    info: &MutantInfo,
    outcomes: &[ScenarioOutcome],
) -> CompatibleResult {
    let wire_independent = info
        .requirements
        .iter()
        .any(|id| catalog.requirement(id).is_some_and(|(_, r)| !r.signal_wire));
    let mut caught_by: Vec<String> = outcomes
        .iter()
        .filter(|o| o.kind == OutcomeKind::Fail)
        .map(|o| o.id.clone())
        .collect();
    caught_by.sort();
    caught_by.dedup();
    CompatibleResult {
        name: info.name,
        requirements: info.requirements,
        wire_independent,
        caught_by,
    }
}

/// The compatible-path table of the selftest's output.
pub fn render(results: &[CompatibleResult], out: &mut String) {
    if results.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\ne2ee mutants on the compatible path (profile {PROFILE}, device-to-device scenarios only)\n{:<44} {:<20} caught by",
        "mutant", "requirements"
    );
    for r in results {
        let caught = match (r.caught_by.is_empty(), r.wire_independent) {
            (false, _) => r.caught_by.join(", "),
            (true, true) => {
                "SURVIVED (a guarantee it violates is not shown device to device)".into()
            }
            (true, false) => "not caught: its requirements are Signal-wire only".into(),
        };
        let _ = writeln!(
            out,
            "{:<44} {:<20} {caught}",
            r.name,
            r.requirements.join(",")
        );
    }
    let caught = results.iter().filter(|r| !r.caught_by.is_empty()).count();
    let required = results.iter().filter(|r| r.wire_independent).count();
    let held = results
        .iter()
        .filter(|r| r.wire_independent && !r.caught_by.is_empty())
        .count();
    let _ = writeln!(
        out,
        "compatible path: {caught}/{} e2ee mutants caught; {held}/{required} wire-independent ones",
        results.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> &'static MutantInfo {
        mutants::MUTANTS
            .iter()
            .find(|m| m.name == name)
            .expect("mutant")
    }

    /// A defect with a guarantee among its requirements must be caught;
    /// one with Signal-wire requirements only decides nothing.
    #[test]
    fn only_wire_independent_mutants_must_be_caught() {
        let catalog = Catalog::builtin().expect("catalog");
        let replay = judge(&catalog, info("e2ee-accepts-replay"), &[]);
        assert!(replay.wire_independent && !replay.holds());
        let version = judge(&catalog, info("e2ee-prekey-version-js-check"), &[]);
        assert!(!version.wire_independent && version.holds());
        assert!(applies(info("e2ee-accepts-replay")));
        assert!(!applies(info("olm-leaks-plaintext")));
        assert!(!applies(info("stanza-truncation-internal-error")));
    }

    #[test]
    fn the_plan_is_the_device_to_device_scenarios() {
        let catalog = Catalog::builtin().expect("catalog");
        let all = crate::runner::plan::build_plan(
            &catalog,
            &crate::runner::plan::Selection {
                suites: vec!["e2ee".into()],
                ..Default::default()
            },
        )
        .expect("plan");
        let kept = plan(&catalog, all);
        assert!(kept
            .iter()
            .any(|p| p.id == "e2ee/devices-skipped-keys-bounded"));
        assert!(kept
            .iter()
            .any(|p| p.id == "e2ee/adversarial-network-target-target"));
        assert!(!kept.iter().any(|p| p.id == "e2ee/skipped-keys-bounded"));
        assert!(!kept
            .iter()
            .any(|p| p.id == "e2ee/transcript-target-as-alice"));
    }
}
