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
            // A debug build on a loaded machine: no call may time out
            // (an error would make the exit code 1, not 4).
            "--call-timeout-ms",
            "60000",
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
    let mut child = Command::new(common::exe())
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
    // The header line comes after the Ctrl-C handler is installed; the
    // interrupt is sent once it is out (and the run under way), however
    // loaded the machine is.
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut header = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut header).expect("header line");
    assert!(header.contains("scenarios against"), "{header}");
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("wait");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).expect("stderr");
    assert_eq!(
        out.status.code(),
        Some(1),
        "an interrupted run is not certified: {rest}"
    );
    let report = read_json(&dir.path().join("report.json"));
    assert_eq!(report["run"]["interrupted"], true);
    assert!(!report["run"]["not_run"]
        .as_array()
        .expect("not_run")
        .is_empty());
    assert_eq!(report["verdict"]["certified"], false);
}

/// A failing scenario's reproduce command, run where the run was, shows the
/// failure again in a folder of its own and leaves the run's reports as
/// they were.
#[test]
fn a_reproduce_command_fails_again_in_its_own_folder() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(common::exe())
            .args(args)
            .current_dir(cwd.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run interspec")
    };
    let out = run(&[
        "certify",
        "--target",
        "builtin:mutant/adapter-accepts-any-major",
        "--suite",
        "adapter",
        "--seed",
        "3",
        "--out",
        "reports",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report_path = cwd.path().join("reports/report.json");
    let before = std::fs::read(&report_path).expect("report");
    let report = read_json(&report_path);
    let failed = report["scenarios"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["outcome"] == "fail"))
        .expect("a failing scenario");
    let id = failed["id"].as_str().expect("id");
    let reproduce = failed["reproduce"].as_str().expect("reproduce");
    let words: Vec<&str> = reproduce.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"interspec"), "{reproduce}");
    // The ids and targets here need no quoting, so the words split as a
    // shell would split them.
    assert!(!reproduce.contains('\''), "{reproduce}");
    let again = run(&words[1..]);
    assert_eq!(again.status.code(), Some(1), "{reproduce}");
    let own = read_json(
        &cwd.path()
            .join("reports/reproduce")
            .join(id)
            .join("report.json"),
    );
    let scenarios = own["scenarios"].as_array().expect("scenarios");
    assert_eq!(scenarios.len(), 1, "{reproduce}");
    assert_eq!(scenarios[0]["id"], id);
    assert_eq!(scenarios[0]["outcome"], "fail");
    assert_eq!(
        std::fs::read(&report_path).expect("report"),
        before,
        "the reproduce run overwrote the run's report"
    );
}

/// `list --format json` gives the same scenarios as the text, each with its
/// requirements and levels, and `--profile` marks the suites that profile
/// requires (here a profile file that requires two of the five).
#[test]
fn list_in_json_marks_the_suites_a_profile_requires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let default = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/suites/profiles/default.toml"
    ))
    .expect("default profile");
    let narrow = default
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("required_suites") {
                r#"required_suites = ["adapter", "handshake"]"#.to_string()
            } else if l.trim_start().starts_with("name =") {
                r#"name = "narrow""#.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let profile = dir.path().join("narrow.toml");
    std::fs::write(&profile, narrow).expect("write profile");
    let profile = profile.to_str().expect("path");

    let out = interspec(&["list", "--profile", profile, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(listed["profile"]["name"], "narrow");
    let scenarios = listed["scenarios"].as_array().expect("scenarios");
    let text = String::from_utf8(interspec(&["list", "--profile", profile]).stdout).expect("utf8");
    let text_ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.contains('/'))
        .collect();
    let json_ids: Vec<&str> = scenarios.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(json_ids, text_ids);
    for s in scenarios {
        let suite = s["suite"].as_str().expect("suite");
        assert_eq!(
            s["suite_required"],
            matches!(suite, "adapter" | "handshake"),
            "{s}"
        );
        let requirements = s["requirements"].as_array().expect("requirements");
        assert!(!requirements.is_empty(), "{s}");
        assert!(requirements.iter().all(|r| r["level"].is_string()), "{s}");
    }
    assert!(text.starts_with("profile narrow: required suites adapter, handshake;"));
    assert_eq!(
        interspec(&["list", "--format", "yaml"]).status.code(),
        Some(2)
    );
}

/// `vectors verify` works outside a checkout, on the tree built into the
/// binary, and checks exactly what `--dir vectors` checks in the checkout.
#[test]
fn vectors_verify_works_anywhere_on_its_built_in_tree() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let built_in = Command::new(common::exe())
        .args(["vectors", "verify"])
        .current_dir(elsewhere.path())
        .output()
        .expect("run interspec");
    let built_in_text = String::from_utf8(built_in.stdout).expect("utf8");
    assert_eq!(built_in.status.code(), Some(0), "{built_in_text}");
    assert!(built_in_text.starts_with("vectors built into interspec"));
    let checkout = interspec(&[
        "vectors",
        "verify",
        "--dir",
        concat!(env!("CARGO_MANIFEST_DIR"), "/vectors"),
    ]);
    assert_eq!(checkout.status.code(), Some(0));
    let checkout_text = String::from_utf8(checkout.stdout).expect("utf8");
    let tally = |text: &str| {
        text.lines()
            .rfind(|l| l.starts_with("vectors: "))
            .map(str::to_string)
    };
    assert_eq!(tally(&built_in_text), tally(&checkout_text));
    assert!(tally(&checkout_text).is_some_and(|t| t.contains(" 0 failed")));
}
