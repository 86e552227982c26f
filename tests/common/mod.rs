//! Shared helpers for the integration tests: the built binary and runs of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::RunConfig;
use interspec::scenario::outcome::ScenarioOutcome;
use interspec::targets::{Launcher, Target, TargetSpec};

pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_interspec"))
}

pub fn interspec(args: &[&str]) -> Output {
    Command::new(exe())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run interspec")
}

pub fn hostile_spec(mode: &str) -> String {
    format!("exec:'{}' target hostile --mode {mode}", exe().display())
}

pub fn config(target: TargetSpec, call_timeout: Duration) -> RunConfig {
    RunConfig {
        target: Arc::new(Target {
            spec: target,
            launcher: Launcher {
                interspec_exe: exe(),
            },
        }),
        scenarios: interspec::suites::registry(),
        seed: 42,
        cases: 8,
        jobs: 2,
        call_timeout,
        scenario_timeout: Duration::from_secs(30),
        profile: Profile::load("default").expect("default profile"),
        plaintext_excerpt: 16,
        max_unresponsive: interspec::runner::DEFAULT_MAX_UNRESPONSIVE,
        max_fail: None,
        repeat: 1,
        interrupt: Arc::new(AtomicBool::new(false)),
    }
}

/// Runs one suite (optionally narrowed by `filters`) against the reference or
/// one of its mutants under `profile`, with `cases` per property scenario.
pub fn run_suite(
    suite: &str,
    profile: &str,
    mutant: Option<&str>,
    filters: Vec<String>,
    cases: u32,
) -> Vec<ScenarioOutcome> {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        suites: vec![suite.into()],
        filters,
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    let mut config = config(
        TargetSpec::Builtin {
            mutant: mutant.map(str::to_string),
        },
        Duration::from_secs(10),
    );
    config.profile = Profile::load(profile).expect("profile");
    config.cases = cases;
    interspec::runner::run(&plan, &config, &mut |_| {})
        .expect("run")
        .outcomes
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read report");
    serde_json::from_str(&text).expect("report is JSON")
}

/// Runs `interspec certify ARGS --out TMP`, requires exit code `expected`,
/// and returns report.json and stderr.
pub fn certify_report(args: &[&str], expected: i32) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut full = vec!["certify"];
    full.extend_from_slice(args);
    full.extend(["--out", dir.path().to_str().expect("path")]);
    let out = interspec(&full);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(expected), "{stderr}");
    (read_json(&dir.path().join("report.json")), stderr)
}

/// Fails unless `xml` is well-formed (quick-xml reads it to the end).
pub fn assert_well_formed_xml(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}"),
        }
    }
}

/// Fails when a rendering holds a terminal escape, or (except report.json,
/// which keeps the target's text exactly) a bidi override.
pub fn assert_no_control_text(place: &str, text: &str) {
    assert!(
        !text.contains('\u{1b}'),
        "{place} holds an escape character"
    );
    assert!(
        !text.contains('\u{202E}') || place == "report.json",
        "{place} holds a bidi override"
    );
}
