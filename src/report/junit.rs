//! JUnit XML rendering of a report: one testsuite per suite, one testcase per
//! planned scenario. `fail` is a `<failure>`, `error` an `<error>`,
//! `not-applicable` and a scenario that did not run `<skipped>`; requirement
//! ids, levels, the seed and the reproduce command are testcase properties.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::model::{Report, ScenarioResult};
use crate::scenario::outcome::OutcomeKind;

pub fn render(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the results are ignored for that reason.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let counts = &report.verdict.counts;
    let unusable = !report.run.target_unusable.is_empty();
    let not_run = report.run.not_run.len();
    let total = counts.pass
        + counts.fail
        + counts.error
        + counts.not_applicable
        + not_run
        + usize::from(unusable);
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "interspec"));
    root.push_attribute(("tests", total.to_string().as_str()));
    root.push_attribute(("failures", counts.fail.to_string().as_str()));
    root.push_attribute((
        "errors",
        (counts.error + usize::from(unusable)).to_string().as_str(),
    ));
    root.push_attribute((
        "skipped",
        (counts.not_applicable + not_run).to_string().as_str(),
    ));
    root.push_attribute(("time", seconds(report.run.duration_ms).as_str()));
    let _ = writer.write_event(Event::Start(root));
    if unusable {
        write_unusable_target(&mut writer, report);
    }

    for suite in &report.verdict.suites {
        let cases: Vec<&ScenarioResult> = report
            .scenarios
            .iter()
            .filter(|s| s.suite == suite.suite)
            .collect();
        let unrun: Vec<&String> = report
            .run
            .not_run
            .iter()
            .filter(|id| suite_of(id) == suite.suite)
            .collect();
        let c = &suite.counts;
        let mut start = BytesStart::new("testsuite");
        start.push_attribute(("name", suite.suite.as_str()));
        start.push_attribute(("tests", (cases.len() + unrun.len()).to_string().as_str()));
        start.push_attribute(("failures", c.fail.to_string().as_str()));
        start.push_attribute(("errors", c.error.to_string().as_str()));
        start.push_attribute((
            "skipped",
            (c.not_applicable + unrun.len()).to_string().as_str(),
        ));
        let suite_ms: u64 = cases.iter().map(|s| s.duration_ms).sum();
        start.push_attribute(("time", seconds(suite_ms).as_str()));
        start.push_attribute(("timestamp", report.run.started_at.as_str()));
        let _ = writer.write_event(Event::Start(start));
        write_properties(
            &mut writer,
            &[
                ("seed", report.run.seed.to_string()),
                ("profile", report.run.profile.clone()),
                ("target", report.target.spec.clone()),
                (
                    "implementation",
                    format!(
                        "{} {}",
                        report.target.implementation_name, report.target.implementation_version
                    ),
                ),
                ("harness_version", report.harness.version.clone()),
                ("catalog_sha256", report.catalog.sha256.clone()),
                ("verdict", suite.status.label().to_string()),
                ("verdict_reason", suite.reason.clone()),
                ("required", suite.required.to_string()),
                ("run_verdict", report.verdict.state.label().to_string()),
            ],
        );
        for case in cases {
            write_case(&mut writer, report, case);
        }
        for id in unrun {
            write_not_run(&mut writer, report, id);
        }
        let _ = writer.write_event(Event::End(BytesEnd::new("testsuite")));
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("testsuites")));
    let mut text = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    text.push('\n');
    text
}

/// One errored case saying the target could not be driven, so CI shows a
/// failure rather than an empty test run.
fn write_unusable_target(writer: &mut Writer<Vec<u8>>, report: &Report) {
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", "target"));
    suite.push_attribute(("tests", "1"));
    suite.push_attribute(("failures", "0"));
    suite.push_attribute(("errors", "1"));
    suite.push_attribute(("skipped", "0"));
    let _ = writer.write_event(Event::Start(suite));
    let mut case = BytesStart::new("testcase");
    case.push_attribute(("name", "target-could-be-driven"));
    case.push_attribute(("classname", "interspec.target"));
    let _ = writer.write_event(Event::Start(case));
    let mut error = BytesStart::new("error");
    let message = format!(
        "the target could not be driven: {}",
        report.run.target_unusable
    );
    error.push_attribute(("message", xml_safe(&message).as_str()));
    error.push_attribute(("type", "error"));
    let _ = writer.write_event(Event::Empty(error));
    let _ = writer.write_event(Event::End(BytesEnd::new("testcase")));
    let _ = writer.write_event(Event::End(BytesEnd::new("testsuite")));
}

/// The suite of a scenario id (`suite/name`).
fn suite_of(id: &str) -> &str {
    id.split_once('/').map_or(id, |(suite, _)| suite)
}

/// A planned scenario that did not run (an interrupted run, or one stopped
/// by `--max-fail`): skipped, saying why, so CI lists it.
fn write_not_run(writer: &mut Writer<Vec<u8>>, report: &Report, id: &str) {
    let mut start = BytesStart::new("testcase");
    start.push_attribute(("name", id));
    start.push_attribute(("classname", format!("interspec.{}", suite_of(id)).as_str()));
    start.push_attribute(("time", "0.000"));
    let _ = writer.write_event(Event::Start(start));
    let why = if !report.run.target_unusable.is_empty() {
        "not run: the target could not be driven"
    } else if report.run.interrupted {
        "not run: the run was interrupted"
    } else {
        "not run: the run stopped before it (--max-fail)"
    };
    let mut skipped = BytesStart::new("skipped");
    skipped.push_attribute(("message", why));
    let _ = writer.write_event(Event::Empty(skipped));
    let _ = writer.write_event(Event::End(BytesEnd::new("testcase")));
}

fn write_case(writer: &mut Writer<Vec<u8>>, report: &Report, case: &ScenarioResult) {
    let mut start = BytesStart::new("testcase");
    start.push_attribute(("name", case.id.as_str()));
    start.push_attribute(("classname", format!("interspec.{}", case.suite).as_str()));
    start.push_attribute(("time", seconds(case.duration_ms).as_str()));
    let _ = writer.write_event(Event::Start(start));
    let levels: Vec<String> = case
        .requirements
        .iter()
        .map(|id| {
            report
                .requirements
                .iter()
                .find(|r| &r.id == id)
                .map(|r| format!("{id}:{}", r.level))
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let mut properties = vec![
        ("requirements", case.requirements.join(",")),
        ("levels", levels.join(",")),
        ("seed", report.run.seed.to_string()),
        ("reproduce", case.reproduce.clone()),
    ];
    if !case.opted_out.is_empty() {
        properties.push(("opted_out", case.opted_out.join(",")));
    }
    for deviation in &case.deviations {
        properties.push(("deviation", deviation.describe()));
    }
    write_properties(writer, &properties);
    let element = match case.outcome {
        OutcomeKind::Pass => None,
        OutcomeKind::Fail => Some("failure"),
        OutcomeKind::Error => Some("error"),
        OutcomeKind::NotApplicable => Some("skipped"),
    };
    if let Some(name) = element {
        let mut tag = BytesStart::new(name);
        tag.push_attribute(("message", xml_safe(&case.message).as_str()));
        if case.outcome != OutcomeKind::NotApplicable {
            tag.push_attribute(("type", case.outcome.label()));
        }
        let body = xml_safe(&evidence_text(case));
        if body.is_empty() {
            let _ = writer.write_event(Event::Empty(tag));
        } else {
            let _ = writer.write_event(Event::Start(tag));
            let _ = writer.write_event(Event::Text(BytesText::new(&body)));
            let _ = writer.write_event(Event::End(BytesEnd::new(name)));
        }
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("testcase")));
}

fn evidence_text(case: &ScenarioResult) -> String {
    let Some(evidence) = &case.evidence else {
        return String::new();
    };
    let mut text = String::new();
    if let Some(ce) = &evidence.counterexample {
        text.push_str(&format!(
            "minimal failing input: {} (seed {})\n",
            ce.minimal_input, ce.seed
        ));
    }
    if !evidence.transcript.is_empty() {
        text.push_str("transcript:\n");
        for line in &evidence.transcript {
            text.push_str(&format!("  {line}\n"));
        }
    }
    if !evidence.target_log.is_empty() {
        text.push_str("target log:\n");
        text.push_str(&evidence.target_log);
        text.push('\n');
    }
    if !text.is_empty() {
        text.push_str(&format!("reproduce: {}\n", case.reproduce));
    }
    text
}

fn write_properties(writer: &mut Writer<Vec<u8>>, properties: &[(&str, String)]) {
    let _ = writer.write_event(Event::Start(BytesStart::new("properties")));
    for (name, value) in properties {
        let mut property = BytesStart::new("property");
        property.push_attribute(("name", *name));
        property.push_attribute(("value", xml_safe(value).as_str()));
        let _ = writer.write_event(Event::Empty(property));
    }
    let _ = writer.write_event(Event::End(BytesEnd::new("properties")));
}

/// Makes target text safe for XML 1.0 and for whoever reads the file:
/// control characters (other than newline and tab) and bidirectional
/// controls shown as escapes (see [`super::escape::keep_lines`]), and the
/// noncharacters XML does not allow (§2.2 Char: U+FFFE, U+FFFF) replaced.
fn xml_safe(text: &str) -> String {
    super::escape::keep_lines(text)
        .chars()
        .map(|c| match c {
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
