//! The `[media]` table's per-type settings reach the target through
//! Configure (adapter protocol 1.6): under a profile that leaves stickers
//! out and gives images a limit of their own, the reference passes the
//! media suite, the sticker scenarios do not apply, and clients that
//! ignore the per-type limits fail the scenarios that judge them.

mod common;

use common::{interspec, read_json};
use serde_json::Value;

/// The default profile without stickers, images limited to 256 KiB.
fn profile_without_stickers() -> String {
    let replacements = [
        ("name = \"default\"", "name = \"no-stickers\""),
        (
            "allowed_types = [\"image\", \"video\", \"audio\", \"voice-note\", \"document\", \"sticker\"]",
            "allowed_types = [\"image\", \"video\", \"audio\", \"voice-note\", \"document\"]",
        ),
        ("sticker = 512000", "image = 262144"),
    ];
    let mut text = include_str!("../suites/profiles/default.toml").to_string();
    for (from, to) in replacements {
        assert!(text.contains(from), "default.toml no longer has {from}");
        text = text.replace(from, to);
    }
    text
}

fn run(target: &str, filters: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("no-stickers.toml");
    std::fs::write(&profile, profile_without_stickers()).expect("write profile");
    let out_dir = dir.path().join("out");
    let mut args = vec![
        "certify",
        "--suite",
        "media",
        "--seed",
        "29",
        "--target",
        target,
        "--profile",
        profile.to_str().expect("path"),
        "--out",
        out_dir.to_str().expect("path"),
    ];
    for f in filters {
        args.extend(["--filter", f]);
    }
    interspec(&args);
    read_json(&out_dir.join("report.json"))
}

fn outcome<'a>(report: &'a Value, id: &str) -> (&'a str, &'a str) {
    let scenario = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} did not run"));
    (
        scenario["outcome"].as_str().expect("outcome"),
        scenario["message"].as_str().unwrap_or(""),
    )
}

#[test]
fn the_reference_keeps_the_profiles_types_and_limits() {
    let report = run("builtin", &[]);
    assert_eq!(report["run"]["profile_told"], true);
    let media = report["verdict"]["suites"]
        .as_array()
        .expect("suites")
        .iter()
        .find(|s| s["suite"] == "media")
        .expect("media");
    assert_eq!(media["status"], "met", "{media}");
    let (kind, message) = outcome(&report, "media/send-type-limits");
    assert_eq!(kind, "pass", "{message}");
    assert!(message.contains("image (262144 bytes)"), "{message}");
    assert_eq!(outcome(&report, "media/download-type-limits").0, "pass");
    for sticker in [
        "media/encrypt-sticker-decrypts-at-gatekeeper",
        "media/decrypt-sticker",
    ] {
        assert_eq!(outcome(&report, sticker).0, "not-applicable", "{sticker}");
    }
}

#[test]
fn clients_ignoring_the_type_limits_fail_them() {
    let report = run(
        "builtin:mutant/media-ignores-type-limits",
        &["media/send-type-limits"],
    );
    let (kind, message) = outcome(&report, "media/send-type-limits");
    assert_eq!(kind, "fail", "{message}");
    assert!(message.contains("image"), "{message}");
    let report = run(
        "builtin:mutant/media-no-type-limit-on-download",
        &["media/download-type-limits"],
    );
    assert_eq!(outcome(&report, "media/download-type-limits").0, "fail");
}
