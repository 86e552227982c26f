//! Report tooling end to end: `report diff`, `certify --baseline`,
//! `keygen`, `report sign` and `report verify` (tampered files and
//! signatures caught), the Markdown size bound and GitHub annotations.

mod common;

use std::path::Path;

use common::{interspec, read_json};
use interspec::report::markdown::{annotations, render, ANNOTATIONS_PER_KIND, MAX_MARKDOWN_BYTES};
use interspec::report::Report;
use interspec::scenario::outcome::{Evidence, OutcomeKind};

fn certify(dir: &Path, extra: &[&str]) -> std::process::Output {
    // The adapter suite alone (INCOMPLETE, exit 4, when it passes): a broken
    // Reset also breaks every other suite.
    let mut args = vec![
        "certify",
        "--suite",
        "adapter",
        "--seed",
        "11",
        "--call-timeout-ms",
        "3000",
        "--out",
        dir.to_str().expect("path"),
    ];
    args.extend_from_slice(extra);
    interspec(&args)
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn diff_names_regressions_and_fixes() {
    let good = tempfile::tempdir().expect("tempdir");
    let bad = tempfile::tempdir().expect("tempdir");
    assert_eq!(certify(good.path(), &[]).status.code(), Some(4));
    assert_eq!(
        certify(
            bad.path(),
            &["--target", "builtin:mutant/adapter-reset-keeps-state"]
        )
        .status
        .code(),
        Some(1)
    );
    let old = good.path().join("report.json");
    let new = bad.path().join("report.json");

    let out = interspec(&[
        "report",
        "diff",
        old.to_str().expect("p"),
        new.to_str().expect("p"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a regression fails the diff: {}",
        text(&out)
    );
    let shown = text(&out);
    assert!(shown.contains("regressions: 1"), "{shown}");
    assert!(
        shown.contains("adapter/reset-clears-remembered-state: pass -> fail"),
        "{shown}"
    );
    assert!(shown.contains("catalog unchanged"), "{shown}");

    let back = interspec(&[
        "report",
        "diff",
        new.to_str().expect("p"),
        old.to_str().expect("p"),
    ]);
    assert_eq!(back.status.code(), Some(0), "{}", text(&back));
    assert!(text(&back).contains("fixes: 1"));
}

#[test]
fn baseline_fails_only_on_regressions_and_unexpected_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.toml");
    let mutant = ["--target", "builtin:mutant/adapter-reset-keeps-state"];

    // The mutant's known failure is expected: the run passes the gate.
    std::fs::write(
        &baseline,
        "[[expect]]\nscenario = \"adapter/reset-clears-remembered-state\"\noutcome = \"fail\"\nreason = \"Reset is being fixed\"\n",
    )
    .expect("write");
    let b = baseline.to_str().expect("p");
    let out = certify(
        &dir.path().join("a"),
        &[&mutant[..], &["--baseline", b]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("baseline: 0 regressions, 0 unexpected passes, 1 expected failures")
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("baseline: met (exit 0)")));

    // Against the reference the same entry is stale: an unexpected pass.
    let out = certify(&dir.path().join("b"), &["--baseline", b]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("unexpected pass adapter/reset-clears-remembered-state"));
    // The run's CERTIFIED verdict is not the last word: the baseline's is.
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("baseline: NOT MET (exit 1): 1 unexpected passes"),
        "{last}"
    );

    // A failure the baseline does not expect is a regression.
    std::fs::write(&baseline, "expect = []\n").expect("write");
    let out = certify(
        &dir.path().join("c"),
        &[&mutant[..], &["--baseline", b]].concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out)
        .contains("regression adapter/reset-clears-remembered-state: expected pass, got fail"));

    // An entry without a reason is refused as a configuration error.
    std::fs::write(
        &baseline,
        "[[expect]]\nscenario = \"adapter/x\"\noutcome = \"fail\"\nreason = \" \"\n",
    )
    .expect("write");
    assert_eq!(
        certify(&dir.path().join("d"), &["--baseline", b])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn signed_reports_verify_and_tampering_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    assert_eq!(certify(&reports, &[]).status.code(), Some(4));
    let key = dir.path().join("signer.key");
    let out = interspec(&["keygen", "--out", key.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        interspec(&["keygen", "--out", key.to_str().expect("p")])
            .status
            .code(),
        Some(2),
        "never overwrites a key"
    );
    let pubkey = format!("{}.pub", key.display());
    let r = reports.to_str().expect("p");

    let out = interspec(&["report", "sign", r, "--key", key.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let manifest = read_json(&reports.join("manifest.json"));
    for file in ["report.json", "junit.xml", "report.html", "report.md"] {
        assert!(
            manifest["files"][file].is_string(),
            "{file} is in the manifest"
        );
    }
    assert!(
        manifest["catalog_sha256"].is_string() && manifest["vectors_manifest_sha256"].is_string()
    );

    let verify = |pubkey: &str| interspec(&["report", "verify", r, "--pubkey", pubkey]);
    let out = verify(&pubkey);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("verify: OK"));

    // Another signer's key is refused.
    let other = dir.path().join("other.key");
    assert_eq!(
        interspec(&["keygen", "--out", other.to_str().expect("p")])
            .status
            .code(),
        Some(0)
    );
    let out = verify(&format!("{}.pub", other.display()));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("not among the trusted keys"),
        "{}",
        text(&out)
    );

    // Without a trusted key, nothing is verified.
    let out = interspec(&["report", "verify", r]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("signer: NOT VERIFIED"),
        "{}",
        text(&out)
    );

    // A file of trusted keys, one of them the signer's.
    let trusted = dir.path().join("trusted-keys");
    let other_pub = std::fs::read_to_string(format!("{}.pub", other.display())).expect("read");
    let signer_pub = std::fs::read_to_string(&pubkey).expect("read");
    std::fs::write(
        &trusted,
        format!("# the provider's CI\n{other_pub}{signer_pub}"),
    )
    .expect("write");
    let out = verify(trusted.to_str().expect("p"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // A changed report file is named.
    let md = reports.join("report.md");
    let original = std::fs::read(&md).expect("read");
    std::fs::write(&md, [original.as_slice(), b"certified by me\n"].concat()).expect("write");
    let out = verify(&pubkey);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("changed: report.md"), "{}", text(&out));
    std::fs::write(&md, &original).expect("restore");

    // An added file and a removed file are named.
    std::fs::write(reports.join("extra.txt"), "x").expect("write");
    std::fs::remove_file(reports.join("junit.xml")).expect("rm");
    let shown = text(&verify(&pubkey));
    assert!(
        shown.contains("not in the manifest: extra.txt") && shown.contains("missing: junit.xml"),
        "{shown}"
    );
    std::fs::remove_file(reports.join("extra.txt")).expect("rm");

    // A subfolder, empty or not, is named.
    std::fs::create_dir(reports.join("sub")).expect("mkdir");
    let shown = text(&verify(&pubkey));
    assert!(shown.contains("not in the manifest: sub/"), "{shown}");
    std::fs::write(reports.join("sub/evidence.txt"), "x").expect("write");
    let shown = text(&verify(&pubkey));
    assert!(
        shown.contains("not in the manifest: sub/evidence.txt"),
        "{shown}"
    );
    std::fs::remove_dir_all(reports.join("sub")).expect("rm");

    // A tampered signature, and a manifest edited after signing.
    let sig = reports.join("manifest.sig");
    let mut signature = std::fs::read_to_string(&sig).expect("read");
    let flipped = if signature.starts_with('0') { "1" } else { "0" };
    signature.replace_range(0..1, flipped);
    std::fs::write(&sig, &signature).expect("write");
    assert!(text(&verify(&pubkey)).contains("signature: INVALID"));
}

/// A report edited to say certified and re-signed with the forger's own key
/// verifies only as "signed by someone": never against the signer's key,
/// and not without one.
#[test]
fn a_forged_report_does_not_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    assert_eq!(certify(&reports, &[]).status.code(), Some(4));
    let r = reports.to_str().expect("p");
    let key = dir.path().join("signer.key");
    let forger = dir.path().join("forger.key");
    for k in [&key, &forger] {
        let out = interspec(&["keygen", "--out", k.to_str().expect("p")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let out = interspec(&["report", "sign", r, "--key", key.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let manifest = read_json(&reports.join("manifest.json"));
    assert_eq!(manifest["run"]["verdict"], "incomplete", "{manifest}");

    // The forger edits the verdict and re-signs everything.
    let json = reports.join("report.json");
    let mut report = read_json(&json);
    report["verdict"]["state"] = "certified".into();
    report["verdict"]["certified"] = true.into();
    report["verdict"]["reasons"] = serde_json::json!([]);
    std::fs::write(&json, serde_json::to_string_pretty(&report).expect("json")).expect("write");
    let out = interspec(&["report", "sign", r, "--key", forger.to_str().expect("p")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        read_json(&reports.join("manifest.json"))["run"]["verdict"],
        "certified"
    );

    let out = interspec(&["report", "verify", r]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("signer: NOT VERIFIED"),
        "{}",
        text(&out)
    );
    let pubkey = format!("{}.pub", key.display());
    let out = interspec(&["report", "verify", r, "--pubkey", &pubkey]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("not among the trusted keys"),
        "{}",
        text(&out)
    );
}

fn sample_report() -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        certify(
            dir.path(),
            &["--target", "builtin:mutant/adapter-ping-truncates-64k"]
        )
        .status
        .code(),
        Some(1)
    );
    Report::load(&dir.path().join("report.json")).expect("load")
}

#[test]
fn markdown_stays_under_the_summary_limit_and_annotations_are_bounded() {
    let mut report = sample_report();
    let failure = report
        .scenarios
        .iter()
        .find(|s| s.outcome == OutcomeKind::Fail)
        .expect("a failure")
        .clone();
    report.scenarios.clear();
    for i in 0..400 {
        let mut s = failure.clone();
        s.id = format!("adapter/synthetic-{i:03}");
        s.message = "x".repeat(4000);
        s.evidence = Some(Evidence {
            transcript: vec!["y".repeat(2000); 40],
            ..Evidence::default()
        });
        report.scenarios.push(s);
    }
    let md = render(&report);
    assert!(md.len() <= MAX_MARKDOWN_BYTES, "{} bytes", md.len());
    assert!(md.contains("more; see report.json"));

    let lines = annotations(&report);
    let errors = lines.iter().filter(|l| l.starts_with("::error")).count();
    assert_eq!(errors, ANNOTATIONS_PER_KIND);
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("391 more scenarios did not pass")),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| !l.contains('\n')));
}

#[test]
fn github_actions_get_annotation_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(common::exe())
        .args([
            "certify",
            "--seed",
            "2",
            "--target",
            "builtin:mutant/adapter-reply-id-counter",
            "--out",
            dir.path().to_str().expect("p"),
        ])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with(
            "::error title=interspec fail adapter/reply-ids-match-pipelined-requests::"
        )),
        "{stdout}"
    );
}

/// What a hostile target says (its Hello's name and version, its refusal
/// details in messages, its log) stays text in every format: no Markdown
/// heading or raw HTML in report.md, no markup in report.html or junit.xml,
/// no terminal control sequence anywhere, and report.json keeps it exactly.
#[test]
fn hostile_target_text_is_inert_in_every_format() {
    const HOSTILE: &str =
        "evil\n# CERTIFIED\n<img src=x onerror=alert(1)>]]>`\u{1b}[2J\u{202E}[link](http://x) | *";
    let mut report = sample_report();
    report.target.implementation_name = HOSTILE.into();
    report.target.implementation_version = HOSTILE.into();
    let failure = report
        .scenarios
        .iter_mut()
        .find(|s| s.outcome == OutcomeKind::Fail)
        .expect("a failure");
    failure.message = format!("refused: {HOSTILE}");
    failure.evidence = Some(Evidence {
        transcript: vec![HOSTILE.into()],
        target_log: HOSTILE.into(),
        ..Evidence::default()
    });

    let markdown = render(&report);
    assert!(
        !markdown.lines().any(|l| l.starts_with("# CERTIFIED")),
        "{markdown}"
    );
    // Inside fenced code blocks text is shown as is; outside them no raw
    // HTML and no link may appear.
    let outside_fences: String = markdown.split("```").step_by(2).collect();
    let raw_tag = outside_fences
        .match_indices("<img")
        .any(|(at, _)| !outside_fences[..at].ends_with('\\'));
    assert!(!raw_tag, "raw HTML in report.md:\n{markdown}");
    assert!(
        !outside_fences.contains("[link](") && outside_fences.contains("\\[link\\](http://x)"),
        "a link in report.md:\n{markdown}"
    );
    assert!(markdown.contains("```text\n"), "the transcript is fenced");

    let html = interspec::report::html::render(&report);
    assert!(!html.contains("<img src=x"), "raw HTML in report.html");
    let junit = interspec::report::junit::render(&report);
    assert!(!junit.contains("<img"), "markup in junit.xml");
    assert!(!junit.contains("]]>`"), "a CDATA end in junit.xml");
    common::assert_well_formed_xml(&junit);
    let json = serde_json::to_string_pretty(&report).expect("json");

    for (format, text) in [
        ("report.md", &markdown),
        ("report.html", &html),
        ("junit.xml", &junit),
        ("report.json", &json),
    ] {
        common::assert_no_control_text(format, text);
    }
    let back: Report = serde_json::from_str(&json).expect("parse back");
    assert_eq!(back.target.implementation_name, HOSTILE);
}
