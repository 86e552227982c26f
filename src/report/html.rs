//! `report.html`: the certification report for people, rendered from the
//! report model. Self-contained (inline CSS, no scripts, no external
//! assets), readable offline and printable.

use std::fmt::Write as _;

use super::model::{Report, RequirementStatus, ScenarioResult, SuiteStatus, VerdictState};
use super::unmet;
use crate::catalog::Level;
use crate::scenario::outcome::OutcomeKind;

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 0 1.5rem 3rem; color: #1b1f24; }
h1 { margin: 0; font-size: 2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eaeef2; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
#verdict { padding: 1.2rem 1.5rem; margin: 1.5rem 0; border-radius: 6px; color: #fff; }
#verdict.certified { background: #1a7f37; }
#verdict.not-certified { background: #cf222e; }
#verdict.incomplete { background: #9a6700; }
#verdict ul { margin: .4rem 0 0; }
#verdict p { margin: .4rem 0 0; }
.pass { background: #dafbe1; } .fail { background: #ffd8d3; } .error { background: #fff1c5; }
.not-applicable, .not-run, .opted-out, .not-covered { background: #eaeef2; }
.met { background: #dafbe1; } .not-met { background: #ffd8d3; } .incomplete { background: #fff1c5; }
.deviation { background: #fff8c5; }
.matrix th { background: #0550ae; color: #fff; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; word-break: break-all; }
details { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: .4rem .8rem; }
summary { cursor: pointer; }
#unmet .req { border-left: 4px solid #cf222e; padding: .1rem 0 .1rem .8rem; margin: .6rem 0 1rem; }
#unmet .req.should { border-left-color: #9a6700; }
#unmet h3 { margin: 0; font-size: 1.05rem; }
#unmet .statement { margin: .2rem 0; font-weight: 600; }
#unmet ul { margin: .2rem 0; padding-left: 1.2rem; }
#unmet pre { margin: .2rem 0 .4rem; padding: .3rem .5rem; }
.matrix a.fail, .matrix a.error, .matrix a.deviation { font-weight: 600; padding: 0 .2rem; border-radius: 3px; }
.matrix a.fail { background: #ffd8d3; } .matrix a.error { background: #fff1c5; } .matrix a.deviation { background: #fff8c5; }
pre.frames b { font-weight: 600; }
@media print { details { break-inside: avoid; } #verdict { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
"#;

/// Escapes text for HTML element content and quoted attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in super::escape::keep_lines(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id usable as an HTML anchor (scenario ids contain `/`).
fn anchor(id: &str) -> String {
    let slug: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("s-{slug}")
}

fn status_label(status: RequirementStatus) -> &'static str {
    status.label()
}

fn state_class(state: VerdictState) -> &'static str {
    match state {
        VerdictState::Certified => "certified",
        VerdictState::NotCertified => "not-certified",
        VerdictState::Incomplete => "incomplete",
    }
}

fn suite_class(status: SuiteStatus) -> &'static str {
    match status {
        SuiteStatus::Met => "met",
        SuiteStatus::NotMet => "not-met",
        SuiteStatus::Incomplete => "incomplete",
        SuiteStatus::NotCovered => "not-covered",
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let v = &report.verdict;
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>interspec report: {} {}</title><style>{STYLE}</style></head><body>\n",
        esc(&report.target.implementation_name),
        esc(&report.target.implementation_version)
    );
    let _ = writeln!(
        out,
        "<header id=\"verdict\" class=\"{}\"><h1>{}</h1><p>{} {} against profile <b>{}</b>{}, scope {}; \
         MUST requirements not met: {}; SHOULD warnings: {}; deviations: {}{}</p>",
        state_class(v.state),
        v.state.label(),
        esc(&report.target.implementation_name),
        esc(&report.target.implementation_version),
        esc(&v.profile),
        if v.profile_told { "" } else { " (not told to the target)" },
        esc(&v.scope),
        id_list(&v.must_unmet),
        id_list(&v.should_warnings),
        v.deviations.len(),
        if report.run.interrupted { "; the run was interrupted" } else { "" }
    );
    if let Some(path) = v.e2ee_path_line() {
        let _ = write!(out, "<p id=\"e2ee-path\">{}</p>", esc(&path));
    }
    if !v.reasons.is_empty() {
        out.push_str("<ul>");
        for reason in &v.reasons {
            let _ = write!(out, "<li>{}</li>", esc(reason));
        }
        out.push_str("</ul>");
    }
    out.push_str("</header>\n");
    render_unmet(&mut out, report);

    out.push_str("<section id=\"suites\"><h2>Suites</h2><table><tr><th>suite</th><th>verdict</th><th>required</th><th>ran</th><th>pass</th><th>fail</th><th>not applicable</th><th>error</th></tr>\n");
    for s in &v.suites {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"{}\">{}{}</td><td>{}</td><td>{} of {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.suite),
            suite_class(s.status),
            s.status.label(),
            if s.reason.is_empty() { String::new() } else { format!(": {}", esc(&s.reason)) },
            if s.required { "yes" } else { "no" },
            s.scenarios_run,
            s.scenarios_in_catalog,
            s.counts.pass,
            s.counts.fail,
            s.counts.not_applicable,
            s.counts.error
        );
    }
    out.push_str("</table></section>\n");

    if !v.opted_out.is_empty() {
        out.push_str("<section id=\"opted-out\"><h2>Optional checks opted out of</h2><table><tr><th>capability not declared</th><th>scenarios not run</th><th>requirements not judged</th></tr>\n");
        for o in &v.opted_out {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&o.capability),
                esc(&o.scenarios.join(", ")),
                esc(&o.requirements.join(", "))
            );
        }
        out.push_str("</table></section>\n");
    }
    if !v.deviations.is_empty() {
        out.push_str("<section id=\"deviations\"><h2>Deviations</h2><p>Inputs refused for the right reason under another category than the docs name: the scenario passes; the category is a diagnostic.</p><table><tr><th>scenario</th><th>input</th><th>category named</th><th>docs name</th></tr>\n");
        for s in report.scenarios.iter().filter(|s| !s.deviations.is_empty()) {
            for d in &s.deviations {
                let _ = writeln!(
                    out,
                    "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td class=\"deviation\">{}</td><td>{}</td></tr>",
                    anchor(&s.id),
                    esc(&s.id),
                    esc(&d.input),
                    esc(&d.got),
                    esc(&d.expected.join(" or "))
                );
            }
        }
        out.push_str("</table></section>\n");
    }

    out.push_str("<section id=\"matrix\"><h2>Requirement matrix</h2><table class=\"matrix\"><tr><th>requirement</th><th>level</th><th>statement</th><th>source</th><th>status</th><th>scenarios</th></tr>\n");
    for r in &report.requirements {
        let links: Vec<String> = r
            .scenarios
            .iter()
            .map(|id| match unmet::mark(report, id) {
                Some(mark) => format!(
                    "<a class=\"{mark}\" href=\"#{}\">{}</a> ({mark})",
                    anchor(id),
                    esc(id)
                ),
                None => format!("<a href=\"#{}\">{}</a>", anchor(id), esc(id)),
            })
            .collect();
        let label = status_label(r.status);
        let _ = writeln!(
            out,
            "<tr id=\"r-{id}\"><td>{id}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{label}\">{label}</td><td>{}</td></tr>",
            r.level,
            esc(&r.statement),
            esc(&r.source),
            links.join("<br>"),
            id = esc(&r.id)
        );
    }
    out.push_str("</table></section>\n");

    out.push_str("<section id=\"scenarios\"><h2>Scenarios</h2>\n");
    for s in &report.scenarios {
        render_scenario(&mut out, s);
    }
    out.push_str("</section>\n");

    let t = &report.target;
    let r = &report.run;
    out.push_str("<section id=\"run\"><h2>Target and run</h2><dl>\n");
    for (term, value) in [
        ("target", t.spec.clone()),
        (
            "implementation",
            format!("{} {}", t.implementation_name, t.implementation_version),
        ),
        ("adapter protocol", t.protocol_version.clone()),
        ("capabilities", t.capabilities.join(", ")),
        ("profiles", t.profiles.join(", ")),
        (
            "harness",
            format!("{} {}", report.harness.name, report.harness.version),
        ),
        ("catalog SHA-256", report.catalog.sha256.clone()),
        (
            "vectors manifest SHA-256",
            report.vectors.manifest_sha256.clone(),
        ),
        ("seed", r.seed.to_string()),
        ("cases per property", r.cases.to_string()),
        ("profile", r.profile.clone()),
        (
            "profile told to the target",
            if r.profile_told {
                "yes (Configure)".to_string()
            } else {
                format!("no: {}", r.profile_note)
            },
        ),
        (
            "certification needs",
            format!(
                "suites {}; at least {} cases per property scenario",
                r.certification.required_suites.join(", "),
                r.certification.min_cases
            ),
        ),
        ("selection", selection_text(report)),
        ("started", r.started_at.clone()),
        ("finished", r.finished_at.clone()),
        ("target restarts", r.target_restarts.to_string()),
    ] {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(term), esc(&value));
    }
    out.push_str("</dl></section>\n</body></html>\n");
    out
}

/// Failures first: each unmet requirement with its statement, level and
/// the scenarios that failed it, their one-line reasons and reproduce
/// commands, right below the verdict.
fn render_unmet(out: &mut String, report: &Report) {
    let list = unmet::unmet(report);
    if list.is_empty() {
        return;
    }
    out.push_str("<section id=\"unmet\"><h2>Unmet requirements</h2>\n");
    for item in &list {
        let r = item.requirement;
        let _ = write!(
            out,
            "<div class=\"req{}\"><h3><a href=\"#r-{id}\">{id}</a> {} <span class=\"{label}\">{label}</span></h3>\
             <p class=\"statement\">{}</p>",
            if r.level == Level::Must { "" } else { " should" },
            r.level,
            esc(&r.statement),
            id = esc(&r.id),
            label = status_label(r.status),
        );
        if item.failing.is_empty() {
            let _ = write!(
                out,
                "<p>No scenario of it failed; it is {}: {}.</p>",
                status_label(r.status),
                esc(&r.scenarios.join(", "))
            );
        } else {
            out.push_str("<ul>");
            for s in &item.failing {
                let _ = write!(
                    out,
                    "<li><a href=\"#{}\"><code>{}</code></a> <span class=\"{label}\">{label}</span>: {}\
                     <pre class=\"reproduce\">{}</pre></li>",
                    anchor(&s.id),
                    esc(&s.id),
                    esc(&unmet::one_line(&s.message)),
                    esc(&s.reproduce),
                    label = s.outcome.label(),
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

/// Requirement ids for the banner: all of a few, or how many (the list
/// below the banner names each), so the banner stays short.
fn id_list(ids: &[String]) -> String {
    match ids.len() {
        0 => "none".to_string(),
        1..=8 => esc(&ids.join(", ")),
        n => format!("{n} (listed below)"),
    }
}

fn selection_text(report: &Report) -> String {
    let r = &report.run;
    let mut parts = Vec::new();
    if !r.suites.is_empty() {
        parts.push(format!("suites {}", r.suites.join(", ")));
    }
    if !r.filters.is_empty() {
        parts.push(format!("filters {}", r.filters.join(", ")));
    }
    if let Some(shard) = &r.shard {
        parts.push(format!("shard {shard}"));
    }
    if parts.is_empty() {
        "everything".into()
    } else {
        parts.join("; ")
    }
}

fn render_scenario(out: &mut String, s: &ScenarioResult) {
    let label = s.outcome.label();
    let open = if s.outcome == OutcomeKind::Pass {
        ""
    } else {
        " open"
    };
    let _ = write!(
        out,
        "<details id=\"{}\"{open}><summary><span class=\"{label}\">{label}</span> <code>{}</code> {} <small>({} ms; {})</small></summary>\n<p>{}</p>\n",
        anchor(&s.id),
        esc(&s.id),
        esc(&s.title),
        s.duration_ms,
        esc(&s.requirements.join(", ")),
        esc(&s.message)
    );
    if !s.opted_out.is_empty() {
        let _ = writeln!(
            out,
            "<p>Opted out: the target does not declare {}.</p>",
            esc(&s.opted_out.join(", "))
        );
    }
    for d in &s.deviations {
        let _ = writeln!(
            out,
            "<p class=\"deviation\">Deviation: {}</p>",
            esc(&d.describe())
        );
    }
    if s.outcome != OutcomeKind::Pass {
        let _ = writeln!(out, "<p>Reproduce:</p><pre>{}</pre>", esc(&s.reproduce));
    }
    if let Some(evidence) = &s.evidence {
        if let Some(ce) = &evidence.counterexample {
            let _ = writeln!(
                out,
                "<p>Minimal failing input (seed {}):</p><pre>{}</pre>",
                ce.seed,
                esc(&ce.minimal_input)
            );
        }
        if !evidence.transcript.is_empty() {
            out.push_str("<p>Adapter transcript (each frame decoded below its hex):</p><pre class=\"frames\">");
            for (index, line) in evidence.transcript.iter().enumerate() {
                let _ = writeln!(out, "<b>{}</b>", esc(line));
                if let Some(decoded) = evidence.decoded.get(index).filter(|d| !d.is_empty()) {
                    for part in decoded.lines() {
                        let _ = writeln!(out, "    {}", esc(part));
                    }
                }
            }
            out.push_str("</pre>\n");
        }
        if !evidence.target_log.is_empty() {
            let _ = writeln!(
                out,
                "<p>Target log:</p><pre>{}</pre>",
                esc(&evidence.target_log)
            );
        }
    }
    out.push_str("</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            anchor("adapter/ping-echoes-1mib"),
            "s-adapter_ping-echoes-1mib"
        );
    }
}
