//! `report merge`: three shard reports of one run give the verdict, counts
//! and requirement matrix of the same run unsharded, and reports of
//! different runs, overlapping shards or a missing shard are refused.

mod common;

use std::path::Path;

use common::{interspec, read_json};
use serde_json::Value;

fn certify(out: &Path, args: &[&str]) -> Option<i32> {
    let mut all = vec!["certify", "--out", out.to_str().expect("path")];
    all.extend_from_slice(args);
    interspec(&all).status.code()
}

fn merge(out: &Path, shards: &[&Path]) -> (Option<i32>, String) {
    let mut args = vec!["report", "merge", "--out", out.to_str().expect("path")];
    args.extend(shards.iter().map(|p| p.to_str().expect("path")));
    let result = interspec(&args);
    (
        result.status.code(),
        String::from_utf8_lossy(&result.stderr).into_owned(),
    )
}

/// The report without what legitimately differs between runs: times,
/// durations, the shard bookkeeping.
fn comparable(report: &Value) -> (Value, Value, Vec<(String, String)>) {
    let scenarios = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_string(),
                s["outcome"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (
        report["verdict"].clone(),
        report["requirements"].clone(),
        scenarios,
    )
}

#[test]
fn three_merged_shards_equal_the_unsharded_run() {
    let root = tempfile::tempdir().expect("tempdir");
    let whole = root.path().join("whole");
    assert_eq!(certify(&whole, &["--seed", "21"]), Some(0));
    let shards: Vec<_> = (1..=3)
        .map(|k| {
            let dir = root.path().join(format!("shard-{k}"));
            let code = certify(&dir, &["--seed", "21", "--shard", &format!("{k}/3")]);
            assert_eq!(code, Some(4), "a lone shard is incomplete");
            dir
        })
        .collect();
    let merged = root.path().join("merged");
    // Any order.
    let (code, stderr) = merge(&merged, &[&shards[2], &shards[0], &shards[1]]);
    assert_eq!(code, Some(0), "{stderr}");
    let whole = read_json(&whole.join("report.json"));
    let merged = read_json(&merged.join("report.json"));
    assert_eq!(merged["verdict"]["state"], "certified");
    assert_eq!(merged["run"]["merged_shards"], 3);
    assert_eq!(merged["run"]["shard"], Value::Null);
    let (whole_verdict, whole_requirements, whole_scenarios) = comparable(&whole);
    let (merged_verdict, merged_requirements, merged_scenarios) = comparable(&merged);
    assert_eq!(merged_verdict, whole_verdict);
    assert_eq!(merged_requirements, whole_requirements);
    assert_eq!(merged_scenarios, whole_scenarios);
}

#[test]
fn shards_of_different_runs_overlapping_or_missing_are_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let shard = |name: &str, args: &[&str]| {
        let dir = root.path().join(name);
        certify(&dir, args);
        dir
    };
    let a1 = shard(
        "a1",
        &["--suite", "adapter", "--seed", "1", "--shard", "1/2"],
    );
    let a2 = shard(
        "a2",
        &["--suite", "adapter", "--seed", "1", "--shard", "2/2"],
    );
    let b2 = shard(
        "b2",
        &["--suite", "adapter", "--seed", "2", "--shard", "2/2"],
    );
    let whole = shard("whole", &["--suite", "adapter", "--seed", "1"]);
    let out = root.path().join("merged");

    let (code, stderr) = merge(&out, &[&a1, &a2]);
    assert_eq!(
        code,
        Some(4),
        "a merged adapter-only run is incomplete: {stderr}"
    );
    let merged = read_json(&out.join("report.json"));
    assert_eq!(merged["verdict"]["suites"][0]["status"], "met");

    for (shards, why) in [
        (vec![a1.as_path(), b2.as_path()], "seed"),
        (vec![a1.as_path(), a1.as_path()], "given twice"),
        (vec![a1.as_path()], "shards missing: 2/2"),
        (vec![a1.as_path(), whole.as_path()], "not a shard"),
    ] {
        let (code, stderr) = merge(&out, &shards);
        assert_eq!(code, Some(2), "{why}: {stderr}");
        assert!(stderr.contains(why), "expected {why:?} in {stderr}");
    }
}
