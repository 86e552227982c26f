//! builtin:olm (Matrix's Olm through vodozemac, docs/olm.md, beside the
//! reference's other suites): it declares E2EE without SIGNAL_V3_WIRE and
//! keeps vodozemac's 40 skipped keys per chain, so only the compatible path
//! (profile compatible-e2ee) can judge it, and there it is CERTIFIED: every
//! Signal-wire requirement out of scope, every guarantee shown device to
//! device against the bounds it declares.

mod common;

use std::collections::BTreeSet;

use interspec::catalog::profile::SIGNAL_WIRE_TAG;
use interspec::catalog::Catalog;

/// Under the default profile (exactly 2000 skipped keys per chain) the
/// target refuses Configure and says which profile can judge it.
#[test]
fn builtin_olm_refuses_the_default_profile() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("olm-default");
    let run = common::interspec(&[
        "certify",
        "--target",
        "builtin:olm",
        "--suite",
        "e2ee",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains("refused profile \"default\"")
            && stderr.contains("keeps 40")
            && stderr.contains("--profile compatible-e2ee"),
        "{stderr}"
    );
}

/// The compatible path (profile compatible-e2ee, docs/e2ee.md §Two paths):
/// builtin:olm is CERTIFIED on every suite; exactly the requirements marked
/// `signal_wire` are out of scope; the scenarios tagged `signal-wire` are
/// exactly the e2ee ones that do not apply to it; the bounds scenarios
/// judge it against its declared 40 skipped keys per chain.
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
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("verdict: CERTIFIED (profile compatible-e2ee, scope full)")
            && stdout.contains("e2ee judged on the compatible path")
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
    // Every suite's Signal-wire requirements: e2ee's, and media's end to end
    // (docs/media.md §End to end).
    let wire_requirements: BTreeSet<&str> = catalog
        .suites
        .iter()
        .flat_map(|s| s.requirements.iter())
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

    let tagged: BTreeSet<&str> = catalog
        .suites
        .iter()
        .flat_map(|s| s.scenarios.iter())
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
            assert!(
                id.starts_with("e2ee/") || id.starts_with("media/end-to-end-"),
                "{id} does not apply"
            );
            not_applicable.insert(id);
        }
        if id == "e2ee/devices-skipped-keys-bounded" {
            let message = s["message"].as_str().unwrap_or("");
            assert!(message.contains("(bound 40, declared)"), "{message}");
        }
    }
    assert_eq!(
        not_applicable, tagged,
        "the `signal-wire` tags must name exactly the scenarios that need Signal's wire"
    );
    assert_eq!(report["verdict"]["must_unmet"], serde_json::json!([]));
}

/// The reference (which speaks Signal v3 too) is certified on the
/// compatible path, with nothing out of scope (on the Signal path:
/// tests/reference_report.rs).
#[test]
fn the_reference_on_the_compatible_path() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("reference");
    let run = common::interspec(&[
        "certify",
        "--profile",
        "compatible-e2ee",
        "--out",
        dir.to_str().expect("utf-8 path"),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(
        stdout.contains("e2ee judged on the compatible path")
            && stdout.contains("verdict: CERTIFIED (profile compatible-e2ee, scope full)"),
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
