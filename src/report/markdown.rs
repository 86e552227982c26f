//! `report.md`, for `$GITHUB_STEP_SUMMARY` and pull requests: the verdict,
//! the suite table and every failure in detail, with passes summarised so
//! the file stays under GitHub's 1 MiB summary limit. Also the
//! `::error`/`::warning` workflow-command lines printed under GitHub Actions.

use std::fmt::Write as _;

use super::escape::{markdown as md, markdown_block, markdown_code as code};
use super::model::{Report, ScenarioResult};
use super::unmet;
use crate::catalog::Level;
use crate::scenario::outcome::OutcomeKind;

/// GitHub refuses step summaries over 1 MiB; leave room for the tail.
pub const MAX_MARKDOWN_BYTES: usize = 1024 * 1024 - 16 * 1024;
/// Transcript lines shown per failure (the rest are in report.json).
const TRANSCRIPT_LINES: usize = 12;
/// Lines of one frame's decoded form shown (the rest are in report.json).
const DECODED_LINES: usize = 40;
/// GitHub shows at most 10 annotations of each kind per step.
pub const ANNOTATIONS_PER_KIND: usize = 10;

pub fn render(report: &Report) -> String {
    let v = &report.verdict;
    let mut out = String::new();
    let _ = writeln!(out, "# interspec: {}\n", v.state.label());
    for reason in &v.reasons {
        let _ = writeln!(out, "- {}", md(reason));
    }
    if !v.reasons.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Target `{}` ({} {}), profile `{}`, scope {}, seed `{}`, harness {}.{}\n",
        code(&report.target.spec),
        md(&report.target.implementation_name),
        md(&report.target.implementation_version),
        code(&v.profile),
        v.scope,
        report.run.seed,
        report.harness.version,
        if report.run.interrupted {
            " **The run was interrupted.**"
        } else {
            ""
        }
    );
    if let Some(path) = v.e2ee_path_line() {
        let _ = writeln!(out, "{}\n", md(&path));
    }
    unmet_section(&mut out, report);
    out.push_str(
        "| suite | verdict | required | ran | pass | fail | n/a | error |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for s in &v.suites {
        let c = &s.counts;
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} of {} | {} | {} | {} | {} |",
            s.suite,
            s.status.label(),
            if s.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", md(&s.reason))
            },
            if s.required { "yes" } else { "no" },
            s.scenarios_run,
            s.scenarios_in_catalog,
            c.pass,
            c.fail,
            c.not_applicable,
            c.error
        );
    }
    if !report.run.profile_told {
        let _ = writeln!(
            out,
            "\n**Profile not told to the target:** {}",
            md(&report.run.profile_note)
        );
    }
    for o in &v.opted_out {
        let _ = writeln!(
            out,
            "\n**Opted out of {}** (not declared): {} scenarios{}",
            o.capability,
            o.scenarios.len(),
            if o.requirements.is_empty() {
                String::new()
            } else {
                format!("; requirements not judged: {}", o.requirements.join(", "))
            }
        );
    }
    let deviations: Vec<String> = report
        .scenarios
        .iter()
        .flat_map(|s| {
            s.deviations
                .iter()
                .map(move |d| format!("- `{}`: {}", code(&s.id), md(&d.describe())))
        })
        .collect();
    if !deviations.is_empty() {
        let _ = writeln!(
            out,
            "\n**Deviations** (refused for the right reason under another category; they pass):\n{}",
            deviations.join("\n")
        );
    }
    if !v.must_unmet.is_empty() {
        let _ = writeln!(
            out,
            "\n**MUST requirements not met:** {}",
            v.must_unmet.join(", ")
        );
    }
    if !v.should_warnings.is_empty() {
        let _ = writeln!(
            out,
            "\n**SHOULD warnings:** {}",
            v.should_warnings.join(", ")
        );
    }

    let problems: Vec<&ScenarioResult> = report
        .scenarios
        .iter()
        .filter(|s| matches!(s.outcome, OutcomeKind::Fail | OutcomeKind::Error))
        .collect();
    if !problems.is_empty() {
        out.push_str("\n## Failures and errors\n");
        for (shown, s) in problems.iter().enumerate() {
            let section = failure_section(s);
            if out.len() + section.len() > MAX_MARKDOWN_BYTES {
                let _ = writeln!(
                    out,
                    "\n… and {} more; see report.json.",
                    problems.len() - shown
                );
                break;
            }
            out.push_str(&section);
        }
    }

    let not_applicable: Vec<&str> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == OutcomeKind::NotApplicable)
        .map(|s| s.id.as_str())
        .collect();
    let passed: Vec<&str> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome == OutcomeKind::Pass)
        .map(|s| s.id.as_str())
        .collect();
    for (title, ids) in [("Not applicable", not_applicable), ("Passed", passed)] {
        if ids.is_empty() {
            continue;
        }
        let list = format!(
            "\n<details><summary>{title}: {} scenarios</summary>\n\n{}\n</details>\n",
            ids.len(),
            ids.iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if out.len() + list.len() > MAX_MARKDOWN_BYTES {
            let _ = writeln!(
                out,
                "\n{title}: {} scenarios (list omitted for size).",
                ids.len()
            );
        } else {
            out.push_str(&list);
        }
    }
    out
}

/// Failures first: each unmet requirement, its statement and level, and
/// the scenarios that failed it with one-line reasons and reproduce
/// commands. Bounded like the rest of the file: past the budget the list
/// stops with a count.
fn unmet_section(out: &mut String, report: &Report) {
    let list = unmet::unmet(report);
    if list.is_empty() {
        return;
    }
    out.push_str("## Unmet requirements\n");
    for (shown, item) in list.iter().enumerate() {
        let r = item.requirement;
        let mut section = format!(
            "\n**{}** ({}, {}): {}\n\n",
            md(&r.id),
            r.level,
            r.status.label(),
            md(&r.statement)
        );
        if item.failing.is_empty() {
            let _ = writeln!(
                section,
                "No scenario of it failed; it is {}.",
                r.status.label()
            );
        }
        for s in &item.failing {
            let _ = writeln!(
                section,
                "- {} `{}`: {}\n  ```sh\n  {}\n  ```",
                s.outcome.label(),
                code(&s.id),
                md(&unmet::one_line(&s.message)),
                markdown_block(std::slice::from_ref(&s.reproduce))
            );
        }
        if out.len() + section.len() > MAX_MARKDOWN_BYTES / 4 {
            let _ = writeln!(
                out,
                "\n… and {} more unmet requirements; see below and report.json.",
                list.len() - shown
            );
            break;
        }
        out.push_str(&section);
    }
    out.push('\n');
}

fn failure_section(s: &ScenarioResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### {} `{}`\n\n{} (requirements {})\n\n> {}\n",
        s.outcome.label(),
        code(&s.id),
        md(&s.title),
        s.requirements.join(", "),
        md(&s.message)
    );
    if let Some(evidence) = &s.evidence {
        if let Some(ce) = &evidence.counterexample {
            let _ = writeln!(
                out,
                "Minimal failing input (seed {}): `{}`\n",
                ce.seed,
                code(&ce.minimal_input)
            );
        }
        if !evidence.transcript.is_empty() {
            let skip = evidence.transcript.len().saturating_sub(TRANSCRIPT_LINES);
            let mut lines = Vec::new();
            for (index, line) in evidence.transcript.iter().enumerate().skip(skip) {
                lines.push(line.clone());
                if let Some(decoded) = evidence.decoded.get(index).filter(|d| !d.is_empty()) {
                    let total = decoded.lines().count();
                    for part in decoded.lines().take(DECODED_LINES) {
                        lines.push(format!("    {part}"));
                    }
                    if total > DECODED_LINES {
                        lines.push(format!(
                            "    [… {} more lines in report.json]",
                            total - DECODED_LINES
                        ));
                    }
                }
            }
            let _ = writeln!(out, "```text\n{}\n```", markdown_block(&lines));
        }
    }
    let _ = writeln!(
        out,
        "Reproduce:\n```sh\n{}\n```",
        markdown_block(std::slice::from_ref(&s.reproduce))
    );
    out
}

/// Workflow-command escaping for messages (GitHub Actions docs,
/// "Workflow commands": `%`, CR and LF are percent-encoded).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::error` lines for failed and errored scenarios and for unmet MUST
/// requirements' scenarios, `::warning` lines for SHOULD failures; at most
/// ten of each kind, the tenth summarising the rest.
pub fn annotations(report: &Report) -> Vec<String> {
    let level_of = |s: &ScenarioResult| {
        let should_only = s.requirements.iter().all(|id| {
            report
                .requirements
                .iter()
                .find(|r| &r.id == id)
                .is_some_and(|r| r.level != Level::Must)
        });
        if should_only {
            "warning"
        } else {
            "error"
        }
    };
    let mut lines = Vec::new();
    for kind in ["error", "warning"] {
        let items: Vec<&ScenarioResult> = report
            .scenarios
            .iter()
            .filter(|s| {
                matches!(s.outcome, OutcomeKind::Fail | OutcomeKind::Error) && level_of(s) == kind
            })
            .collect();
        for (index, s) in items.iter().enumerate() {
            if items.len() > ANNOTATIONS_PER_KIND && index == ANNOTATIONS_PER_KIND - 1 {
                lines.push(format!(
                    "::{kind} title={}::{} more scenarios did not pass; see report.md",
                    escape_property("interspec"),
                    items.len() - index
                ));
                break;
            }
            lines.push(format!(
                "::{kind} title={}::{}",
                escape_property(&format!("interspec {} {}", s.outcome.label(), s.id)),
                escape_data(&format!("{} Reproduce: {}", s.message, s.reproduce))
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
