//! The test cargo-mutants runs when it measures the suites against
//! automatic mutations of the reference target (docs/mutation-testing.md).
//! It is ignored in ordinary runs: it certifies one suite, named by
//! `INTERSPEC_MEASURE_SUITE`, under each built-in profile, and fails when
//! that suite is not met, so a mutation that the suite notices makes it fail.

mod common;

use common::{interspec, read_json};

/// The built-in profiles: code reached only under one (the connection
/// header, a 3-byte length prefix) is measured too.
const PROFILES: [&str; 2] = ["default", "gatekeeper-deployed"];

#[test]
#[ignore = "run by cargo-mutants with INTERSPEC_MEASURE_SUITE set (docs/mutation-testing.md)"]
fn the_measured_suite_is_met_by_the_reference() {
    let suite = std::env::var("INTERSPEC_MEASURE_SUITE")
        .expect("INTERSPEC_MEASURE_SUITE names the suite to certify");
    for profile in PROFILES {
        let dir = tempfile::tempdir().expect("tempdir");
        let out_dir = dir.path().to_str().expect("path");
        let out = interspec(&[
            "certify",
            "--seed",
            "11",
            "--suite",
            &suite,
            "--profile",
            profile,
            "--out",
            out_dir,
        ]);
        let report = read_json(&dir.path().join("report.json"));
        let status = report["verdict"]["suites"]
            .as_array()
            .and_then(|suites| suites.iter().find(|s| s["suite"] == suite.as_str()))
            .and_then(|s| s["status"].as_str())
            .unwrap_or("absent")
            .to_string();
        assert_eq!(
            status,
            "met",
            "suite {suite} not met under profile {profile} (exit {:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
