//! builtin:olm (Matrix's Olm through vodozemac, docs/olm.md) under the
//! e2ee suite: it declares E2EE without SIGNAL_V3_WIRE, so the
//! device-to-device property scenario runs (identities and bundles handed
//! over as opaque bytes) and must pass; every peer<->target scenario is not
//! applicable; nothing errors.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use interspec::catalog::profile::SIGNAL_WIRE_TAG;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::run;
use interspec::scenario::outcome::OutcomeKind;
use interspec::targets::TargetSpec;

#[test]
fn the_e2ee_suite_runs_against_builtin_olm() {
    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(
        &catalog,
        &Selection {
            suites: vec!["e2ee".into()],
            ..Selection::default()
        },
    )
    .expect("plan");
    let config = common::config(TargetSpec::Olm, Duration::from_secs(10));
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    assert_eq!(result.outcomes.len(), plan.len());
    let mut passed = 0;
    for outcome in &result.outcomes {
        assert_ne!(
            outcome.kind,
            OutcomeKind::Error,
            "{}: {}",
            outcome.id,
            outcome.message
        );
        assert_ne!(
            outcome.kind,
            OutcomeKind::Fail,
            "{}: {}",
            outcome.id,
            outcome.message
        );
        if outcome.id == "e2ee/adversarial-network-target-target" {
            assert_eq!(outcome.kind, OutcomeKind::Pass, "{}", outcome.message);
        }
        if outcome.kind == OutcomeKind::Pass {
            passed += 1;
        }
    }
    assert!(passed >= 1);
}

/// The compatible path (profile compatible-e2ee, docs/e2ee.md §Two paths):
/// builtin:olm fails nothing; exactly the requirements marked
/// `signal_wire` are out of scope; the scenarios tagged `signal-wire` are
/// exactly those that do not apply to it; and what stays unmet is the list
/// of guarantees that have no device-to-device scenario yet.
#[test]
fn builtin_olm_on_the_compatible_path() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("olm");
    let run = common::interspec(&[
        "certify",
        "--target",
        "builtin:olm",
        "--profile",
        "compatible-e2ee",
        "--suite",
        "e2ee",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("e2ee judged on the compatible path")
            && stdout.contains("Signal v3 wire not checked"),
        "{stdout}"
    );
    // The reports say it plainly too.
    for page in ["report.md", "report.html"] {
        let text = std::fs::read_to_string(dir.join(page)).expect(page);
        assert!(
            text.contains("e2ee judged on the compatible path"),
            "{page} does not name the path"
        );
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).expect("report.json"))
            .expect("json");
    let catalog = Catalog::builtin().expect("catalog");
    let e2ee = catalog.suite("e2ee").expect("e2ee suite");

    let wire_requirements: BTreeSet<&str> = e2ee
        .requirements
        .iter()
        .filter(|r| r.signal_wire)
        .map(|r| r.id.as_str())
        .collect();
    let out_of_scope: BTreeSet<&str> = report["verdict"]["out_of_scope"]
        .as_array()
        .expect("out_of_scope")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    // The optional-capability ones stay opted out.
    let opted_out = ["E2-018", "E2-019"];
    let expected: BTreeSet<&str> = wire_requirements
        .iter()
        .copied()
        .filter(|id| !opted_out.contains(id))
        .collect();
    assert_eq!(out_of_scope, expected);

    let tagged: BTreeSet<&str> = e2ee
        .scenarios
        .iter()
        .filter(|s| s.tags.iter().any(|t| t == SIGNAL_WIRE_TAG))
        .map(|s| s.id.as_str())
        .collect();
    let mut not_applicable = BTreeSet::new();
    for s in report["scenarios"].as_array().expect("scenarios") {
        let id = s["id"].as_str().expect("id");
        let outcome = s["outcome"].as_str().expect("outcome");
        assert!(
            outcome == "pass" || outcome == "not-applicable",
            "{id}: {outcome}: {}",
            s["message"]
        );
        let opted = s["message"].as_str().unwrap_or("").starts_with("opted out");
        if outcome == "not-applicable" && !opted {
            not_applicable.insert(id);
        }
    }
    assert_eq!(
        not_applicable, tagged,
        "the `signal-wire` tags must name exactly the scenarios that need Signal's wire"
    );

    // What the compatible path cannot show yet for a target with its own
    // wire: the bounds (E2-005, E2-006, E2-027), which need declared
    // bounds. docs/open-work.md §Compatible protocols.
    let suite = report["verdict"]["suites"]
        .as_array()
        .expect("suites")
        .iter()
        .find(|s| s["suite"] == "e2ee")
        .expect("e2ee verdict");
    assert_eq!(suite["status"], "not-met");
    let unmet: BTreeSet<&str> = report["verdict"]["must_unmet"]
        .as_array()
        .expect("must_unmet")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(unmet, BTreeSet::from(["E2-005", "E2-006", "E2-027"]));
}

/// The reference (which speaks Signal v3 too) meets the e2ee suite on the
/// compatible path, with nothing out of scope.
#[test]
fn the_reference_on_the_compatible_path() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("reference");
    let run = common::interspec(&[
        "certify",
        "--profile",
        "compatible-e2ee",
        "--suite",
        "e2ee",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("e2ee judged on the compatible path"),
        "{stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).expect("report.json"))
            .expect("json");
    let suite = report["verdict"]["suites"]
        .as_array()
        .expect("suites")
        .iter()
        .find(|s| s["suite"] == "e2ee")
        .expect("e2ee verdict");
    assert_eq!(suite["status"], "met", "{suite}");
    assert_eq!(report["verdict"]["out_of_scope"], serde_json::json!([]));
}
