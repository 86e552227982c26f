//! The runner against targets that crash, hang, close stdout, write garbage
//! or announce a 1 GiB frame: each scenario that meets the misbehaviour gets
//! an `error` outcome with evidence, the target is restarted, and the run
//! finishes with an outcome for every scenario.

mod common;

use std::time::{Duration, Instant};

use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::{run, RunError, RunResult};
use interspec::scenario::outcome::OutcomeKind;

fn run_against(mode: &str) -> RunResult {
    let catalog = Catalog::builtin().expect("catalog");
    // The adapter suite: its Ping scenarios meet the misbehaviour and its
    // others must pass on restarted targets. The other suites never Ping,
    // so they would add minutes of debug-build run time and nothing checked.
    let adapter_suite = Selection {
        suites: vec!["adapter".to_string()],
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &adapter_suite).expect("plan");
    let mut config = common::config(
        common::hostile_spec(mode).parse().expect("spec"),
        Duration::from_millis(1500),
    );
    // These targets misbehave only on Ping: every other scenario must still
    // run on a restarted target, so never give up on them.
    config.max_unresponsive = 0;
    let started = Instant::now();
    let result = run(&plan, &config, &mut |_| {}).expect("the run completes");
    assert_eq!(
        result.outcomes.len(),
        plan.len(),
        "{mode}: every scenario has an outcome"
    );
    assert!(result.not_run.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "{mode}: the run must not hang"
    );
    result
}

/// Scenarios that send a Ping meet the misbehaviour; those that never do
/// must still pass on a restarted target.
fn check(mode: &str, evidence_must_mention: &str) -> RunResult {
    let result = run_against(mode);
    let broken: Vec<_> = result
        .outcomes
        .iter()
        .filter(|o| o.id.contains("ping"))
        .collect();
    assert!(!broken.is_empty());
    for outcome in &broken {
        assert_eq!(
            outcome.kind,
            OutcomeKind::Error,
            "{mode}: {} was {:?}: {}",
            outcome.id,
            outcome.kind,
            outcome.message
        );
        assert!(
            !outcome.evidence.transcript.is_empty(),
            "{mode}: {} has a transcript",
            outcome.id
        );
        let all_evidence = format!(
            "{} {}",
            outcome.message,
            outcome.evidence.transcript.join("\n")
        );
        assert!(
            all_evidence.contains(evidence_must_mention),
            "{mode}: evidence of {} should mention {evidence_must_mention:?}: {all_evidence}",
            outcome.id
        );
    }
    for id in [
        "adapter/hello-fields-valid",
        "adapter/reset-clears-remembered-state",
        "adapter/hello-major-version-mismatch-refused",
    ] {
        let outcome = result.outcomes.iter().find(|o| o.id == id).expect(id);
        assert_eq!(
            outcome.kind,
            OutcomeKind::Pass,
            "{mode}: {id} should pass: {}",
            outcome.message
        );
    }
    assert!(result.restarts > 0, "{mode}: broken targets are replaced");
    result
}

#[test]
fn target_that_crashes_mid_run() {
    check("crash-on-ping", "the target process was killed by signal 6");
}

#[test]
fn target_that_hangs() {
    check("hang-on-ping", "did not answer within 1500 ms");
}

#[test]
fn target_that_closes_stdout() {
    check(
        "close-stdout-on-ping",
        "the target closed the connection (the target process is still running)",
    );
}

#[test]
fn target_that_writes_garbage() {
    check("garbage-on-ping", "not an adapter Response");
}

/// A debug line on stdout is read as a frame: the error says what the
/// bytes are and where logs belong, and the evidence shows them as text.
#[test]
fn target_that_logs_to_stdout() {
    let hint = "text on stdout: logs belong on stderr";
    let result = check("debug-line-on-ping", hint);
    let outcome = result
        .outcomes
        .iter()
        .find(|o| o.id.contains("ping") && o.message.contains(hint))
        .expect("a Ping scenario names the debug line");
    assert!(
        outcome.message.contains("EBUG: got a Ping request"),
        "{}",
        outcome.message
    );
    let decoded = outcome.evidence.decoded.join("\n");
    assert!(
        decoded.contains("reads as text: \"EBUG: got a Ping request"),
        "{decoded}"
    );
    assert_eq!(
        outcome.evidence.decoded.len(),
        outcome.evidence.transcript.len()
    );
}

#[test]
fn target_that_announces_a_gigabyte_frame() {
    check("huge-frame-on-ping", "1073741824 bytes was announced");
}

#[test]
fn target_that_exits_at_start_cannot_be_driven() {
    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(&catalog, &Selection::default()).expect("plan");
    let config = common::config(
        common::hostile_spec("exit-at-start").parse().expect("spec"),
        Duration::from_secs(2),
    );
    match run(&plan, &config, &mut |_| {}) {
        Err(RunError::TargetUnusable(message)) => {
            assert!(message.contains("exited with status 3"), "{message}");
            assert!(
                message.contains("hostile: exiting at start"),
                "the target's log is shown: {message}"
            );
        }
        Ok(_) => panic!("a target that exits at once cannot be certified"),
    }
}

#[test]
fn cli_exits_3_when_the_target_cannot_be_driven() {
    let out = common::interspec(&[
        "certify",
        "--target",
        &common::hostile_spec("exit-at-start"),
        "--out",
        &tempdir(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = tempdir();
    let out = common::interspec(&[
        "certify",
        "--target",
        "exec:/nonexistent/adapter",
        "--out",
        &reports,
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // CI still gets a report: not certified, with the reason, and a failing
    // JUnit case.
    let dir = std::path::Path::new(&reports);
    let report = common::read_json(&dir.join("report.json"));
    assert_eq!(report["verdict"]["state"], "not-certified", "{report}");
    let why = report["run"]["target_unusable"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("/nonexistent/adapter"), "{report}");
    assert!(report["verdict"]["reasons"][0]
        .as_str()
        .is_some_and(|r| r.starts_with("the target could not be driven")));
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains("<testcase name=\"target-could-be-driven\"") && junit.contains("<error"),
        "{junit}"
    );
    let markdown = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        markdown.contains("the target could not be driven"),
        "{markdown}"
    );
}

#[test]
fn unwritable_out_is_refused_before_any_scenario_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").expect("write");
    let out = common::interspec(&[
        "certify",
        "--target",
        &common::hostile_spec("hang-on-ping"),
        "--out",
        blocker.join("reports").to_str().expect("path"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot create"), "{stderr}");
    assert!(
        !stderr.contains("scenarios against"),
        "the run started: {stderr}"
    );
}

fn tempdir() -> String {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    dir.display().to_string()
}

/// A target that announces a frame and sends it one byte every 200 ms never
/// lets a single read time out; the call still ends at its deadline, measured
/// on the wall clock (the margin is generous: it only has to show the wait
/// does not grow with the drip, which before would have lasted for days).
#[test]
fn target_that_drips_is_stopped_at_the_deadline() {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        filters: vec!["adapter/ping-echoes-empty".into()],
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    assert_eq!(plan.len(), 1);
    let call_timeout = Duration::from_millis(2000);
    let config = common::config(
        common::hostile_spec("drip-on-ping").parse().expect("spec"),
        call_timeout,
    );
    let started = Instant::now();
    let result = run(&plan, &config, &mut |_| {}).expect("the run completes");
    let took = started.elapsed();
    let outcome = &result.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Error, "{}", outcome.message);
    assert!(
        outcome.message.contains("did not answer within 2000 ms"),
        "{}",
        outcome.message
    );
    assert!(
        took < call_timeout + Duration::from_secs(3),
        "a dripping target held the call for {took:?}"
    );
}

/// Processes running `sleep SECONDS` (only the escape-on-ping and
/// hide-on-ping targets start one, with 424242 and 434343).
fn helpers_sleeping(seconds: &str) -> Vec<u32> {
    let wanted = format!("sleep\x00{seconds}\x00").into_bytes();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == wanted))
        .collect()
}

/// Waits a moment for killed processes to be gone, then names those left.
fn left_after_a_moment(seconds: &str) -> Vec<u32> {
    let mut left = helpers_sleeping(seconds);
    for _ in 0..50 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        left = helpers_sleeping(seconds);
    }
    left
}

fn escaped_helpers() -> Vec<u32> {
    left_after_a_moment("424242")
}

/// A helper that leaves the target's process group and session (`setsid`)
/// and keeps its stdout open is ended with the target.
#[test]
fn a_helper_that_escapes_the_process_group_ends_with_the_target() {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        filters: vec!["adapter/ping-echoes-empty".into()],
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    let config = common::config(
        common::hostile_spec("escape-on-ping")
            .parse()
            .expect("spec"),
        Duration::from_millis(2000),
    );
    let result = run(&plan, &config, &mut |_| {}).expect("the run completes");
    assert_eq!(result.outcomes.len(), 1);
    // The run has returned, so every target instance is gone.
    let left = escaped_helpers();
    assert!(left.is_empty(), "helpers left running: {left:?}");
}

/// A helper that a shell started and left behind (a double fork), in a
/// session of its own, with an empty environment and the polite signals
/// ignored: only the harness taking back orphans (a child subreaper) finds
/// it. The command line does that, so this runs the binary; once it has
/// exited, nothing of the target is left.
#[test]
fn an_orphan_with_no_marker_ends_with_the_target() {
    let (report, stderr) = common::certify_report(
        &[
            "--target",
            &common::hostile_spec("hide-on-ping"),
            "--filter",
            "adapter/ping-echoes-empty",
        ],
        4,
    );
    assert_eq!(report["scenarios"][0]["outcome"], "pass", "{stderr}");
    let left = left_after_a_moment("434343");
    for pid in &left {
        // Do not leave it behind for the next test run.
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    }
    assert!(left.is_empty(), "helpers left running: {left:?}");
}

/// A target that answers Hello and Configure and then nothing: with the
/// default settings (10 s per call) the run gives up on it after two
/// scenarios in a row time out and errors the rest at once, instead of
/// waiting out every timeout (which took about 20 minutes).
#[test]
fn a_target_that_hangs_after_hello_ends_the_run_early() {
    let started = Instant::now();
    let (report, _) =
        common::certify_report(&["--target", &common::hostile_spec("hang-after-setup")], 1);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "the run took {took:?}");
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    assert!(scenarios.iter().all(|s| s["outcome"] == "error"));
    let gave_up = scenarios
        .iter()
        .filter(|s| {
            s["message"]
                .as_str()
                .is_some_and(|m| m.contains("the target stopped answering"))
        })
        .count();
    assert!(
        gave_up + 4 >= scenarios.len(),
        "{gave_up} of {}",
        scenarios.len()
    );
}

/// `--max-fail N` stops taking scenarios after N failures; the rest are not
/// run, so the run cannot certify.
#[test]
fn max_fail_stops_the_run() {
    let (report, stderr) = common::certify_report(
        &[
            "--target",
            "builtin:mutant/adapter-ping-truncates-64k",
            "--jobs",
            "1",
            "--max-fail",
            "1",
        ],
        1,
    );
    assert!(
        stderr.contains("stopped after 1 failed scenarios"),
        "{stderr}"
    );
    let not_run = report["run"]["not_run"].as_array().expect("not_run").len();
    assert!(not_run > 100, "{not_run} scenarios did not run");
    let out = common::interspec(&["certify", "--max-fail", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A defect the target shows only sometimes: with `--repeat 30` the scenario
/// fails on every run of the same command, the report says in how many of
/// the 30 runs, and the reproduce command repeats as often. (A run that
/// missed it in all 30 has a chance of 2^-30.)
#[test]
fn an_intermittent_defect_is_reported_with_its_count() {
    for _ in 0..2 {
        let (report, _) = common::certify_report(
            &[
                "--target",
                &common::hostile_spec("flaky-ping"),
                "--filter",
                "adapter/ping-echoes-empty",
                "--seed",
                "7",
                "--repeat",
                "30",
            ],
            1,
        );
        let scenario = &report["scenarios"][0];
        assert_eq!(scenario["outcome"], "fail", "{scenario}");
        let runs = scenario["repetitions"]["runs"].as_u64();
        let failed = scenario["repetitions"]["failed"].as_u64().unwrap_or(0);
        assert_eq!(runs, Some(30), "{scenario}");
        assert!((1..30).contains(&failed), "{scenario}");
        let message = scenario["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("failed {failed} of 30 runs: ")),
            "{message}"
        );
        let reproduce = scenario["reproduce"].as_str().unwrap_or_default();
        assert!(reproduce.ends_with("--repeat 30"), "{reproduce}");
    }
}

/// A failure is run again to see whether it reproduces: a deterministic
/// defect fails all five runs, and its reproduce command needs no repeat.
#[test]
fn a_failure_is_run_again_to_see_whether_it_reproduces() {
    let (report, _) = common::certify_report(
        &[
            "--target",
            "builtin:mutant/adapter-ping-truncates-64k",
            "--filter",
            "adapter/ping-echoes-1mib",
        ],
        1,
    );
    let scenario = &report["scenarios"][0];
    assert_eq!(scenario["outcome"], "fail", "{scenario}");
    assert_eq!(scenario["repetitions"]["runs"], 5, "{scenario}");
    assert_eq!(scenario["repetitions"]["failed"], 5, "{scenario}");
    let reproduce = scenario["reproduce"].as_str().unwrap_or_default();
    assert!(!reproduce.contains("--repeat"), "{reproduce}");
}

/// A target whose Hello name and version, log and refusal detail are text
/// meant to take over a report or a terminal, run end to end through the
/// command line: every report format and the terminal show it as inert
/// text, and report.json keeps it exactly.
#[test]
fn hostile_target_text_is_inert_end_to_end() {
    use interspec::targets::hostile::HOSTILE_TEXT;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::interspec(&[
        "certify",
        "--target",
        &common::hostile_spec("hostile-text"),
        "--filter",
        "adapter/ping-echoes-empty",
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
    let markdown = read("report.md");
    let html = read("report.html");
    let junit = read("junit.xml");
    let json = read("report.json");

    // The text reached each report (the test is not vacuous) ...
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(report["target"]["implementation_name"], HOSTILE_TEXT);
    assert_eq!(report["scenarios"][0]["outcome"], "fail");
    for (format, text) in [("report.md", &markdown), ("report.html", &html)] {
        assert!(text.contains("evil"), "{format} does not name the target");
    }
    assert!(
        html.contains("&lt;img"),
        "report.html shows the tag as text"
    );
    // ... and took over none of them.
    assert!(
        !markdown.lines().any(|l| l.starts_with("# CERTIFIED")),
        "{markdown}"
    );
    let outside_fences: String = markdown.split("```").step_by(2).collect();
    assert!(
        !outside_fences
            .match_indices("<img")
            .any(|(at, _)| !outside_fences[..at].ends_with('\\')),
        "raw HTML in report.md:\n{markdown}"
    );
    assert!(!html.contains("<img src=x"), "raw HTML in report.html");
    assert!(!junit.contains("<img"), "markup in junit.xml");
    common::assert_well_formed_xml(&junit);
    for (place, text) in [
        ("report.md", &markdown),
        ("report.html", &html),
        ("junit.xml", &junit),
        ("report.json", &json),
        ("stdout", &stdout),
        ("stderr", &stderr),
    ] {
        common::assert_no_control_text(place, text);
    }
}

/// A run stopped by `--max-fail` lists every planned scenario in junit.xml:
/// the ones that did not run are skipped, saying why, and the counts add up.
#[test]
fn junit_lists_the_scenarios_that_did_not_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::interspec(&[
        "certify",
        "--target",
        "builtin:mutant/adapter-ping-truncates-64k",
        "--suite",
        "adapter",
        "--jobs",
        "1",
        "--max-fail",
        "1",
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report = common::read_json(&dir.path().join("report.json"));
    let not_run: Vec<&str> = report["run"]["not_run"]
        .as_array()
        .expect("not_run")
        .iter()
        .filter_map(|id| id.as_str())
        .collect();
    assert!(!not_run.is_empty(), "the run stopped early");
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).expect("junit.xml");
    common::assert_well_formed_xml(&junit);
    for id in &not_run {
        let case = format!("<testcase name=\"{id}\"");
        let at = junit
            .find(&case)
            .unwrap_or_else(|| panic!("{id} missing: {junit}"));
        let rest = &junit[at..];
        let end = rest.find("</testcase>").unwrap_or(rest.len());
        assert!(
            rest[..end]
                .contains("<skipped message=\"not run: the run stopped before it (--max-fail)\""),
            "{}",
            &rest[..end]
        );
    }
    let ran = report["scenarios"].as_array().expect("scenarios").len();
    let planned = ran + not_run.len();
    assert!(
        junit.contains(&format!("<testsuite name=\"adapter\" tests=\"{planned}\"")),
        "{junit}"
    );
}
