//! Shared helpers for the integration tests: the built binary and runs of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::runner::RunConfig;
use interspec::targets::{Launcher, TargetSpec};

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
        target,
        launcher: Launcher {
            interspec_exe: exe(),
        },
        seed: 42,
        cases: 8,
        jobs: 2,
        call_timeout,
        scenario_timeout: Duration::from_secs(30),
        profile: Profile::load("default").expect("default profile"),
        plaintext_excerpt: 16,
        interrupt: Arc::new(AtomicBool::new(false)),
    }
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read report");
    serde_json::from_str(&text).expect("report is JSON")
}
