//! The profile reaches the target: the reference, told a custom profile
//! through `Configure` (other stanza limits, e2ee body limit, enlistment
//! audience, lifetimes and skew), is certified under it; and a 1.0 adapter
//! that cannot be told is driven only under a profile it lists.

mod common;

use common::{interspec, read_json};

/// The default profile with every limit a target is judged against changed.
fn custom_profile() -> String {
    let replacements = [
        ("name = \"default\"", "name = \"custom-limits\""),
        // e2ee
        ("max_body_len = 262144", "max_body_len = 131072"),
        // stanza
        ("max_stanza_bytes = 65536", "max_stanza_bytes = 32768"),
        ("max_depth = 16", "max_depth = 12"),
        ("max_attributes = 32", "max_attributes = 24"),
        ("max_attribute_bytes = 1024", "max_attribute_bytes = 512"),
        ("max_children = 256", "max_children = 64"),
        ("max_payload_bytes = 65536", "max_payload_bytes = 32768"),
        ("max_payload_depth = 8", "max_payload_depth = 6"),
        // enlistment
        (
            "proof_audience = \"https://gatekeeper.example/enlistment\"",
            "proof_audience = \"https://gatekeeper.test/v2/enlist\"",
        ),
        (
            "max_proof_lifetime_seconds = 300",
            "max_proof_lifetime_seconds = 120",
        ),
        (
            "max_call_token_lifetime_seconds = 300",
            "max_call_token_lifetime_seconds = 90",
        ),
        ("clock_skew_seconds = 60", "clock_skew_seconds = 30"),
    ];
    let mut text = include_str!("../suites/profiles/default.toml").to_string();
    for (from, to) in replacements {
        assert!(text.contains(from), "default.toml no longer has {from}");
        text = text.replace(from, to);
    }
    text
}

#[test]
fn the_reference_is_certified_under_a_custom_profile() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = dir.path().join("custom-limits.toml");
    std::fs::write(&profile, custom_profile()).expect("write profile");
    let out_dir = dir.path().join("out");
    let out = interspec(&[
        "certify",
        "--seed",
        "17",
        "--profile",
        profile.to_str().expect("path"),
        "--out",
        out_dir.to_str().expect("path"),
    ]);
    let report = read_json(&out_dir.join("report.json"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        report["verdict"]["reasons"]
    );
    assert_eq!(report["verdict"]["state"], "certified");
    assert_eq!(report["run"]["profile"], "custom-limits");
    assert_eq!(report["run"]["profile_told"], true);
}

#[test]
fn a_1_0_adapter_is_driven_only_under_a_profile_it_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let out = interspec(&[
        "certify",
        "--suite",
        "adapter",
        "--target",
        "builtin:variant/adapter-protocol-1-0",
        "--out",
        out_dir.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(4), "one suite: incomplete");
    let report = read_json(&out_dir.join("report.json"));
    assert_eq!(report["run"]["profile_told"], false);
    assert!(report["run"]["profile_note"]
        .as_str()
        .is_some_and(|n| n.contains("Configure Unsupported")));

    let profile = dir.path().join("custom-limits.toml");
    std::fs::write(&profile, custom_profile()).expect("write profile");
    let out = interspec(&[
        "certify",
        "--suite",
        "adapter",
        "--target",
        "builtin:variant/adapter-protocol-1-0",
        "--profile",
        profile.to_str().expect("path"),
        "--out",
        out_dir.to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "a 1.0 adapter cannot be told custom-limits"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not list profile \"custom-limits\""),
        "{stderr}"
    );
}

/// The catalog writes the e2ee defaults down itself (it sits below the
/// peer); they must stay the bounds the peer's engine uses by default.
#[test]
fn e2ee_profile_defaults_match_the_peer_engine() {
    let profile = interspec::catalog::profile::E2eeParams::default();
    let engine = interspec::peer::signal::SignalConfig::default();
    assert_eq!(profile.max_forward_jump, engine.max_forward_jump);
    assert_eq!(profile.max_skipped_keys as usize, engine.max_skipped_keys);
    assert_eq!(profile.max_body_len as usize, engine.max_body_len);
}
