//! Readable evidence (issue 17 item 1): the frames of a failing e2ee,
//! stanza and handshake scenario are in report.json decoded, with message
//! and field names, stanza XML as text and bytes as hex with an ASCII
//! column, beside the raw hex; report.html and report.md show the decoded
//! form; and no scenario message in report.json is cut short.

mod common;

use serde_json::Value;

/// Runs `certify` against a mutant (so scenarios fail and keep their
/// evidence) and returns the report and the rendered html and markdown.
fn failing_run(target: &str, filter: &str) -> (Value, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::interspec(&[
        "certify",
        "--target",
        target,
        "--filter",
        filter,
        "--seed",
        "7",
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = common::read_json(&dir.path().join("report.json"));
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    let md = std::fs::read_to_string(dir.path().join("report.md")).expect("md");
    (report, html, md)
}

/// The failed scenarios' decoded evidence, joined; checks each failure
/// has one decoded entry per transcript line.
fn decoded_of_failures(report: &Value) -> String {
    let mut all = String::new();
    let failed: Vec<&Value> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter(|s| s["outcome"] == "fail")
        .collect();
    assert!(!failed.is_empty(), "the mutant fails a scenario");
    for s in failed {
        let evidence = &s["evidence"];
        let transcript = evidence["transcript"].as_array().expect("transcript");
        let decoded = evidence["decoded"].as_array().expect("decoded evidence");
        assert_eq!(transcript.len(), decoded.len(), "{}", s["id"]);
        assert!(
            transcript
                .iter()
                .any(|l| l.as_str().is_some_and(|l| l.contains(" B] "))),
            "the raw hex is kept beside the decoded form"
        );
        for d in decoded {
            all.push_str(d.as_str().expect("text"));
            all.push('\n');
        }
    }
    all
}

/// No message is cut short: none ends in an ellipsis, and a corpus
/// scenario names every case it counts as failed.
fn no_truncated_message(report: &Value) {
    for s in report["scenarios"].as_array().expect("scenarios") {
        let message = s["message"].as_str().expect("message");
        assert!(
            !message.trim_end().ends_with('…') && !message.contains("; …"),
            "{} has a truncated message: {message}",
            s["id"]
        );
        if let Some((count, _)) = message
            .split_once(" cases failed: ")
            .and_then(|(head, _)| head.rsplit_once(": ").map(|(_, c)| c).or(Some(head)))
            .and_then(|counted| counted.split_once(" of "))
        {
            let failed: usize = count.trim().parse().expect("a count");
            assert_eq!(
                message.matches("corpus case ").count(),
                failed,
                "{} names every failed case: {message}",
                s["id"]
            );
        }
    }
}

#[test]
fn a_failing_stanza_scenario_shows_its_xml_as_text() {
    let (report, html, md) = failing_run(
        "builtin:mutant/stanza-expands-entities",
        "stanza/corpus-doctype-refused",
    );
    let decoded = decoded_of_failures(&report);
    for wanted in [
        "Request (",
        "stanza_parse: StanzaParse",
        "xml: text, ",
        "| <!DOCTYPE",
        "Response",
        "stanza_parse: StanzaParseResult",
        "name: \"message\"",
        "kind: STANZA_KIND_MESSAGE",
    ] {
        assert!(decoded.contains(wanted), "{wanted:?} in:\n{decoded}");
    }
    assert!(html.contains("| &lt;!DOCTYPE"), "report.html shows the XML");
    assert!(html.contains("stanza_parse: StanzaParse"));
    assert!(md.contains("stanza_parse: StanzaParse"));
    // Failures first: the unmet requirement and its failing scenario
    // before the suite table, and marked in the matrix.
    let statement = report["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == "ST-004"))
        .and_then(|r| r["statement"].as_str())
        .expect("ST-004");
    let reproduce = report["scenarios"][0]["reproduce"]
        .as_str()
        .expect("reproduce");
    let unmet = html
        .find("<section id=\"unmet\">")
        .expect("an unmet section");
    let suites = html.find("<section id=\"suites\">").expect("suites");
    assert!(unmet < suites, "report.html lists unmet requirements first");
    assert!(html[unmet..suites].contains("ST-004"));
    assert!(html[unmet..suites].contains("stanza/corpus-doctype-refused"));
    assert!(html[unmet..suites]
        .contains("interspec certify --target builtin:mutant/stanza-expands-entities"));
    assert!(html.contains(
        "<a class=\"fail\" href=\"#s-stanza_corpus-doctype-refused\">stanza/corpus-doctype-refused</a> (fail)"
    ));
    // Self-contained and offline: nothing is loaded from anywhere.
    for outside in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(outside), "report.html has {outside}");
    }
    let unmet = md.find("## Unmet requirements").expect("an unmet section");
    let suites = md.find("| suite |").expect("suites");
    assert!(unmet < suites, "report.md lists unmet requirements first");
    assert!(md[unmet..suites].contains(reproduce));
    assert!(md[unmet..suites].contains("**ST-004** (MUST, fail)"));
    assert!(md[unmet..suites].contains(&statement[..40]));
    no_truncated_message(&report);
    let message = report["scenarios"][0]["message"].as_str().expect("message");
    assert!(message.contains(" cases failed: "), "{message}");
}

#[test]
fn a_failing_e2ee_scenario_shows_field_names() {
    let (report, html, _) = failing_run("builtin:mutant/e2ee-constant-iv", "e2ee/transcript-*");
    let decoded = decoded_of_failures(&report);
    for wanted in [
        "e2ee_create_device: E2eeCreateDevice",
        "address: E2eeAddress",
        "fixed_keys: E2eeFixedKeys",
    ] {
        assert!(decoded.contains(wanted), "{wanted:?} in:\n{decoded}");
    }
    // Bytes as hex with an ASCII column.
    assert!(
        decoded
            .lines()
            .any(|l| l.trim_start().starts_with("0000  ") && l.ends_with('|')),
        "{decoded}"
    );
    assert!(html.contains("e2ee_create_device: E2eeCreateDevice"));
    no_truncated_message(&report);
}

#[test]
fn a_failing_handshake_scenario_shows_field_names() {
    let (report, _, md) = failing_run(
        "builtin:mutant/handshake-ignores-prologue",
        "handshake/prologue-mismatch-refused",
    );
    let decoded = decoded_of_failures(&report);
    for wanted in [
        "Request (",
        "Response",
        "hs_start: HsStart",
        "role: HS_ROLE_INITIATOR",
        "conventions: HsConventions",
        "hs_write: HsWriteResult",
    ] {
        assert!(decoded.contains(wanted), "{wanted:?} in:\n{decoded}");
    }
    // The prologue's bytes, as hex with their ASCII column.
    assert!(
        decoded.contains("|interspec-defaul|"),
        "the prologue as ASCII:\n{decoded}"
    );
    assert!(
        md.contains(": Hs"),
        "report.md shows decoded handshake frames"
    );
    no_truncated_message(&report);
}
