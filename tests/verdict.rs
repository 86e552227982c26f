//! The verdict certifies only what was shown: a target that declares no
//! capability, a suite subset, a filter, a lone shard, an interrupted run
//! and too few property cases are each not CERTIFIED, exit non-zero and say
//! why in the report.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{interspec, read_json};
use serde_json::Value;

fn certify(args: &[&str]) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().to_str().expect("path").to_string();
    let mut all = vec!["certify", "--seed", "11", "--out", &out_dir];
    all.extend_from_slice(args);
    let out = interspec(&all);
    let report = read_json(&dir.path().join("report.json"));
    let markdown = std::fs::read_to_string(dir.path().join("report.md")).expect("report.md");
    (out.status.code(), report, markdown)
}

fn reasons(report: &Value) -> String {
    report["verdict"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

fn suite_status<'a>(report: &'a Value, suite: &str) -> &'a str {
    report["verdict"]["suites"]
        .as_array()
        .expect("suites")
        .iter()
        .find(|s| s["suite"] == suite)
        .and_then(|s| s["status"].as_str())
        .unwrap_or("absent")
}

#[test]
fn a_target_declaring_no_capability_is_not_certified() {
    let target = common::hostile_spec("declares-nothing");
    let (code, report, markdown) = certify(&["--target", &target]);
    assert_eq!(code, Some(1), "{}", reasons(&report));
    assert_eq!(report["verdict"]["state"], "not-certified");
    assert_eq!(report["verdict"]["certified"], false);
    for suite in ["handshake", "stanza", "e2ee", "enlistment"] {
        assert_eq!(suite_status(&report, suite), "not-covered", "{suite}");
    }
    let why = reasons(&report);
    assert!(
        why.contains("required suite handshake not covered: the target does not declare the HANDSHAKE capability"),
        "{why}"
    );
    assert!(
        markdown.starts_with("# interspec: NOT CERTIFIED"),
        "{markdown}"
    );
}

#[test]
fn a_suite_subset_is_incomplete_and_its_suite_is_met() {
    let (code, report, markdown) = certify(&["--suite", "adapter"]);
    assert_eq!(code, Some(4), "{}", reasons(&report));
    assert_eq!(report["verdict"]["state"], "incomplete");
    assert_eq!(suite_status(&report, "adapter"), "met");
    assert_eq!(suite_status(&report, "e2ee"), "not-covered");
    let why = reasons(&report);
    assert!(
        why.contains("required suites not run: handshake, stanza, e2ee, enlistment"),
        "{why}"
    );
    assert!(
        markdown.starts_with("# interspec: INCOMPLETE"),
        "{markdown}"
    );
}

#[test]
fn a_filtered_run_is_incomplete() {
    let (code, report, _) = certify(&["--filter", "adapter/ping-*"]);
    assert_eq!(code, Some(4), "{}", reasons(&report));
    assert_eq!(report["verdict"]["state"], "incomplete");
    assert_eq!(report["verdict"]["scope"], "partial");
    assert_eq!(suite_status(&report, "adapter"), "incomplete");
    assert!(reasons(&report).contains("filtered by adapter/ping-*"));
}

#[test]
fn a_lone_shard_is_incomplete() {
    let (code, report, _) = certify(&["--suite", "adapter", "--shard", "2/3"]);
    assert_eq!(code, Some(4), "{}", reasons(&report));
    assert_eq!(suite_status(&report, "adapter"), "incomplete");
    assert!(reasons(&report).contains("one shard (2/3)"));
}

#[test]
fn too_few_property_cases_are_incomplete_and_zero_is_refused() {
    let (code, report, _) = certify(&["--suite", "adapter", "--cases", "4"]);
    assert_eq!(code, Some(4), "{}", reasons(&report));
    assert!(reasons(&report).contains("--cases 4 is below the profile's minimum of 32"));
    let out = interspec(&["certify", "--cases", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cases 0"));
}

#[test]
fn an_interrupted_run_of_a_passing_target_is_incomplete() {
    let dir = tempfile::tempdir().expect("tempdir");
    // One job against the reference: the full run takes seconds, so it is
    // still going when the interrupt arrives.
    let child = Command::new(common::exe())
        .args([
            "certify",
            "--jobs",
            "1",
            "--seed",
            "5",
            "--out",
            dir.path().to_str().expect("path"),
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["run"]["interrupted"], true);
    assert_eq!(report["verdict"]["state"], "incomplete");
    assert_eq!(report["verdict"]["scope"], "partial");
    assert!(reasons(&report).contains("the run was interrupted"));
}

#[test]
fn the_full_run_of_the_reference_is_certified_with_every_suite_met() {
    let (code, report, _) = certify(&[]);
    assert_eq!(code, Some(0), "{}", reasons(&report));
    assert_eq!(report["verdict"]["state"], "certified");
    assert!(reasons(&report).is_empty());
    for suite in ["adapter", "handshake", "stanza", "e2ee", "enlistment"] {
        assert_eq!(suite_status(&report, suite), "met", "{suite}");
    }
    assert_eq!(report["run"]["profile_told"], true);
}
