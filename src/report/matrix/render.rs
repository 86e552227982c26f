//! The two renderings of a [`Matrix`]: a self-contained HTML page and
//! GitHub-flavoured Markdown. Every string from a report is clipped and
//! escaped here.

use std::fmt::Write as _;

use super::{clip, Cell, Column, Matrix, KINDS, MAX_NAME, MAX_STATEMENT};
use crate::report::escape;
use crate::report::model::{SuiteStatus, VerdictState};

/// The first 12 hex digits of a hash, for a column header.
fn short_hash(hash: &str) -> String {
    clip(hash, 12)
}

fn suite_text(status: Option<SuiteStatus>) -> &'static str {
    match status {
        Some(s) => s.label(),
        None => "out of scope",
    }
}

fn suite_class(status: Option<SuiteStatus>) -> &'static str {
    match status {
        Some(SuiteStatus::Met) => "met",
        Some(SuiteStatus::NotMet) => "unmet",
        Some(SuiteStatus::Incomplete) => "undemonstrated",
        Some(SuiteStatus::NotCovered) => "na",
        None => "oos",
    }
}

fn verdict_class(state: VerdictState) -> &'static str {
    match state {
        VerdictState::Certified => "met",
        VerdictState::NotCertified => "unmet",
        VerdictState::Incomplete => "undemonstrated",
    }
}

fn shard_text(c: &Column) -> String {
    match (&c.shard, c.merged_shards) {
        (_, n) if n > 0 => format!("{n} shards merged"),
        (Some(shard), _) => format!("shard {shard}"),
        (None, _) => "whole run".into(),
    }
}

/// One line of hostile text for HTML content or a quoted attribute.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape::terminal(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Not characters XML allows, even as references.
            '\u{FFFE}' | '\u{FFFF}' => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// A row of the reports table: its name and what it shows of a column.
type Field = (&'static str, fn(&Column) -> String);

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 0 1.5rem 3rem; color: #1b1f24; }
h1 { margin: 1rem 0 .5rem; font-size: 1.8rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eaeef2; }
th.suite { background: #0550ae; color: #fff; }
td.statement { font-size: 13px; color: #57606a; max-width: 32rem; }
code { font: 13px/1.4 ui-monospace, monospace; word-break: break-all; }
.met { background: #dafbe1; } .unmet { background: #ffd8d3; font-weight: 600; }
.undemonstrated { background: #fff1c5; } .na { background: #eaeef2; } .oos { color: #57606a; }
.warning { border: 2px solid #9a6700; background: #fff8c5; padding: .6rem 1rem; border-radius: 6px; }
@media print { body { font-size: 11px; } .met, .unmet, .undemonstrated, .na, .warning, th.suite { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"#;

/// The matrix as one self-contained HTML page (inline CSS, no script, no
/// external resource), also well-formed XML.
pub fn render_html(m: &Matrix) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<title>interspec interop matrix</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>Interop matrix</h1>\n");
    let _ = writeln!(
        out,
        "<p>{} reports × {} requirements in {} suites.</p>",
        m.columns.len(),
        m.row_count(),
        m.suites.len()
    );
    for w in &m.warnings {
        let _ = writeln!(
            out,
            "<p class=\"warning\"><strong>Warning:</strong> {}</p>",
            esc(w)
        );
    }
    html_reports(&mut out, m);
    html_requirements(&mut out, m);
    out.push_str("<h2>Legend</h2>\n<ul>\n");
    for kind in KINDS {
        let _ = writeln!(
            out,
            "<li><span class=\"{}\">{} {}</span>: {}</li>",
            kind.class(),
            kind.symbol(),
            kind.text(),
            legend(kind)
        );
    }
    out.push_str("</ul>\n</body>\n</html>\n");
    out
}

fn legend(kind: Cell) -> &'static str {
    match kind {
        Cell::Met => "every scenario of the requirement passed",
        Cell::Unmet { .. } => {
            "a scenario failed, or errored (the target crashed, hung or broke the protocol)"
        }
        Cell::NotDemonstrated => "selected, but not run (filter, shard, interruption)",
        Cell::NotApplicable { .. } => {
            "the target answered Unsupported, or opted out by not declaring an optional capability"
        }
        Cell::OutOfScope => {
            "not in this report: its suite was not selected, or its catalog lacks it"
        }
    }
}

fn html_reports(out: &mut String, m: &Matrix) {
    out.push_str("<h2>Reports</h2>\n<table>\n<thead><tr><th></th>");
    for c in &m.columns {
        let _ = write!(out, "<th>{}</th>", esc(&c.label));
    }
    out.push_str("</tr></thead>\n<tbody>\n<tr><th>verdict</th>");
    for c in &m.columns {
        let _ = write!(
            out,
            "<td class=\"{}\"><strong>{}</strong></td>",
            verdict_class(c.verdict),
            c.verdict.label()
        );
    }
    out.push_str("</tr>\n");
    let rows: [Field; 10] = [
        ("target", |c| c.spec.clone()),
        ("implementation", |c| c.implementation.clone()),
        ("adapter protocol", |c| c.protocol_version.clone()),
        ("harness", |c| c.harness.clone()),
        ("catalog sha256", |c| c.catalog_sha256.clone()),
        ("seed", |c| c.seed.to_string()),
        ("profile", |c| c.profile.clone()),
        ("run", shard_text),
        ("finished", |c| c.finished_at.clone()),
        ("report", |c| c.source.clone()),
    ];
    for (name, value) in rows {
        let _ = write!(out, "<tr><th>{name}</th>");
        for c in &m.columns {
            let _ = write!(
                out,
                "<td><code>{}</code></td>",
                esc(&clip(&value(c), MAX_STATEMENT))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("<tr><th>requirements</th>");
    for c in &m.columns {
        let parts: Vec<String> = KINDS
            .iter()
            .zip(c.counts)
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{n} {} {}", kind.symbol(), kind.text()))
            .collect();
        let _ = write!(out, "<td>{}</td>", esc(&parts.join(", ")));
    }
    out.push_str("</tr>\n</tbody>\n</table>\n");
}

fn html_requirements(out: &mut String, m: &Matrix) {
    out.push_str(
        "<h2>Suites and requirements</h2>\n<table>\n<thead><tr><th>requirement</th><th>level</th>",
    );
    for c in &m.columns {
        let _ = write!(out, "<th>{}</th>", esc(&c.label));
    }
    out.push_str("<th>statement</th></tr></thead>\n");
    for s in &m.suites {
        let _ = write!(
            out,
            "<tbody>\n<tr><th class=\"suite\" colspan=\"2\">suite {}</th>",
            esc(&clip(&s.suite, MAX_NAME))
        );
        for k in 0..m.columns.len() {
            let status = m.suite_status(k, &s.suite);
            let _ = write!(
                out,
                "<td class=\"{}\"><strong>{}</strong></td>",
                suite_class(status),
                suite_text(status)
            );
        }
        out.push_str("<td></td></tr>\n");
        for r in &s.rows {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td>",
                esc(&clip(&r.id, MAX_NAME)),
                r.level
            );
            for k in 0..m.columns.len() {
                let cell = m.cell(k, &r.id);
                let _ = write!(
                    out,
                    "<td class=\"{}\">{} {}</td>",
                    cell.class(),
                    cell.symbol(),
                    cell.text()
                );
            }
            let _ = writeln!(
                out,
                "<td class=\"statement\">{}</td></tr>",
                esc(&clip(&r.statement, MAX_STATEMENT))
            );
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
}

/// Hostile text for a Markdown table cell.
fn md(text: &str, max: usize) -> String {
    escape::markdown(&clip(text, max))
}

/// The matrix as Markdown (GitHub-flavoured tables), for a step summary.
pub fn render_markdown(m: &Matrix) -> String {
    let mut out = String::from("# Interop matrix\n\n");
    let _ = writeln!(
        out,
        "{} reports × {} requirements in {} suites.\n",
        m.columns.len(),
        m.row_count(),
        m.suites.len()
    );
    for w in &m.warnings {
        let _ = writeln!(out, "> **Warning:** {}\n", md(w, usize::MAX));
    }
    let header = |out: &mut String, first: &str| {
        let _ = write!(out, "| {first} |");
        for c in &m.columns {
            let _ = write!(out, " {} |", md(&c.label, MAX_NAME));
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(m.columns.len()));
        out.push('\n');
    };
    out.push_str("## Reports\n\n");
    header(&mut out, "");
    out.push_str("| verdict |");
    for c in &m.columns {
        let _ = write!(out, " **{}** |", c.verdict.label());
    }
    out.push('\n');
    let rows: [Field; 7] = [
        ("target", |c| c.spec.clone()),
        ("implementation", |c| c.implementation.clone()),
        ("harness", |c| c.harness.clone()),
        ("catalog", |c| short_hash(&c.catalog_sha256)),
        ("seed", |c| c.seed.to_string()),
        ("profile", |c| c.profile.clone()),
        ("run", shard_text),
    ];
    for (name, value) in rows {
        let _ = write!(out, "| {name} |");
        for c in &m.columns {
            // GFM splits a table cell at `|` even inside a code span.
            let code = escape::markdown_code(&clip(&value(c), MAX_NAME)).replace('|', "\\|");
            let _ = write!(out, " `{code}` |");
        }
        out.push('\n');
    }
    out.push_str("\n## Suites and requirements\n\n");
    header(&mut out, "requirement");
    for s in &m.suites {
        let _ = write!(out, "| **suite {}** |", md(&s.suite, MAX_NAME));
        for k in 0..m.columns.len() {
            let _ = write!(out, " **{}** |", suite_text(m.suite_status(k, &s.suite)));
        }
        out.push('\n');
        for r in &s.rows {
            let _ = write!(out, "| {} ({}) |", md(&r.id, MAX_NAME), r.level);
            for k in 0..m.columns.len() {
                let cell = m.cell(k, &r.id);
                let _ = write!(out, " {} {} |", cell.symbol(), cell.text());
            }
            out.push('\n');
        }
    }
    out.push_str("\nLegend: ");
    let legend: Vec<String> = KINDS
        .iter()
        .map(|k| format!("{} {}: {}", k.symbol(), k.text(), legend(*k)))
        .collect();
    out.push_str(&legend.join("; "));
    out.push_str(".\n");
    out
}
