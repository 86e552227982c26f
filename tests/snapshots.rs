//! Snapshots of what users see and what CI consumes: the `list` output, and
//! a deterministic report.json and junit.xml of the reference (timestamps
//! and durations redacted). Any change to what the harness checks shows up
//! here in review.

mod common;

use common::{interspec, read_json};

#[test]
fn list_output() {
    let out = interspec(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).expect("utf8"));
}

#[test]
fn reference_report_json_and_junit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = interspec(&[
        "certify",
        "--seed",
        "20261122",
        "--jobs",
        "1",
        "--cases",
        "8",
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
    insta::assert_json_snapshot!("reference_report_json", report, {
        ".run.started_at" => "[timestamp]",
        ".run.finished_at" => "[timestamp]",
        ".run.duration_ms" => "[duration]",
        ".scenarios[].duration_ms" => "[duration]",
        ".harness.version" => "[version]",
        ".target.implementation_version" => "[version]",
    });
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    insta::with_settings!({filters => vec![
        (r#"time="[0-9.]+""#, r#"time="[duration]""#),
        (r#"timestamp="[^"]+""#, r#"timestamp="[timestamp]""#),
        (r#"name="harness_version" value="[^"]+""#, r#"name="harness_version" value="[version]""#),
        (r#"value="interspec-reference [^"]+""#, r#"value="interspec-reference [version]""#),
    ]}, {
        insta::assert_snapshot!("reference_junit_xml", junit);
    });
}
