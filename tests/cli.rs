//! The command line end to end: exit codes, report files, shards, mutants,
//! and an interrupted run.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{interspec, read_json};
use interspec::targets::mutants::MUTANTS;

fn outdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn certify_against_the_reference_exits_0_and_writes_reports() {
    let dir = outdir();
    let out = interspec(&[
        "certify",
        "--seed",
        "7",
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(report["verdict"]["certified"], true);
    assert_eq!(report["run"]["seed"], 7);
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let adapter: Vec<_> = scenarios
        .iter()
        .filter(|s| s["suite"] == "adapter")
        .collect();
    assert!(
        adapter.len() >= 10,
        "the adapter suite has at least 10 scenarios"
    );
    assert!(adapter.iter().all(|s| s["outcome"] == "pass"));
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    assert!(junit.contains("<testsuite name=\"adapter\""));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("seed 7 (repeat with --seed 7)"), "{stderr}");
}

#[test]
fn every_adapter_mutant_is_not_certified() {
    for mutant in MUTANTS.iter().filter(|m| m.suite == "adapter") {
        let dir = outdir();
        let target = format!("builtin:mutant/{}", mutant.name);
        let out = interspec(&[
            "certify",
            "--target",
            &target,
            "--suite",
            "adapter",
            "--seed",
            "3",
            "--call-timeout-ms",
            "3000",
            "--out",
            dir.path().to_str().expect("path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            mutant.name,
            String::from_utf8_lossy(&out.stdout)
        );
        let report = read_json(&dir.path().join("report.json"));
        assert_eq!(report["verdict"]["certified"], false, "{}", mutant.name);
        let failed: Vec<_> = report["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .filter(|s| s["outcome"] == "fail")
            .collect();
        assert!(
            !failed.is_empty(),
            "{} is caught by a failing scenario",
            mutant.name
        );
        for scenario in failed {
            assert!(scenario["evidence"]["transcript"]
                .as_array()
                .is_some_and(|t| !t.is_empty()));
            assert!(scenario["reproduce"]
                .as_str()
                .is_some_and(|r| r.contains("--seed 3")));
        }
    }
}

#[test]
fn three_shards_run_every_scenario_exactly_once() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let dir = outdir();
        let out = interspec(&[
            "certify",
            "--shard",
            shard,
            "--seed",
            "1",
            "--out",
            dir.path().to_str().expect("path"),
        ]);
        assert_eq!(
            out.status.code(),
            Some(4),
            "a lone shard is incomplete: {shard}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = read_json(&dir.path().join("report.json"));
        assert_eq!(report["verdict"]["scope"], "partial");
        assert_eq!(report["verdict"]["state"], "incomplete");
        for scenario in report["scenarios"].as_array().expect("scenarios") {
            *seen
                .entry(scenario["id"].as_str().expect("id").to_string())
                .or_default() += 1;
        }
    }
    let listed = String::from_utf8(interspec(&["list"]).stdout).expect("utf8");
    let all: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.contains('/'))
        .collect();
    assert_eq!(seen.len(), all.len(), "the shards together cover the plan");
    assert!(
        all.iter().all(|id| seen.get(*id) == Some(&1)),
        "each scenario ran exactly once: {seen:?}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["certify", "--target", "nonsense"],
        vec!["certify", "--suite", "no-such-suite"],
        vec!["certify", "--filter", "matches-nothing*"],
        vec!["certify", "--shard", "4/3"],
        vec!["certify", "--profile", "no-such-profile"],
        vec!["certify", "--cases", "0"],
        vec!["explain", "no-such-id"],
        vec!["frobnicate"],
    ] {
        let out = interspec(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn explain_knows_scenarios_requirements_and_mutants() {
    let scenario =
        String::from_utf8(interspec(&["explain", "adapter/oversized-frame-refused"]).stdout)
            .expect("utf8");
    assert!(scenario.contains("AD-007 MUST"), "{scenario}");
    let requirement = String::from_utf8(interspec(&["explain", "AD-006"]).stdout).expect("utf8");
    assert!(
        requirement.contains("checked by adapter/ping-echoes-1mib"),
        "{requirement}"
    );
    let mutant = String::from_utf8(interspec(&["explain", "adapter-reset-keeps-state"]).stdout)
        .expect("utf8");
    assert!(mutant.contains("Reset acknowledges"), "{mutant}");
    let variant =
        String::from_utf8(interspec(&["explain", "adapter-protocol-1-0"]).stdout).expect("utf8");
    assert!(variant.contains("must pass"), "{variant}");
}

#[test]
fn ctrl_c_stops_the_run_and_still_writes_an_interrupted_report() {
    let dir = outdir();
    // One job against a target that hangs on Ping: the run is still going
    // when the interrupt arrives.
    let child = Command::new(common::exe())
        .args([
            "certify",
            "--target",
            &common::hostile_spec("hang-on-ping"),
            "--jobs",
            "1",
            "--call-timeout-ms",
            "2000",
            "--out",
            dir.path().to_str().expect("path"),
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an interrupted run is not certified: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(report["run"]["interrupted"], true);
    assert!(!report["run"]["not_run"]
        .as_array()
        .expect("not_run")
        .is_empty());
    assert_eq!(report["verdict"]["certified"], false);
}
