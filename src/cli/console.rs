//! What the command line prints: progress while running (a bar on a
//! terminal, plain lines otherwise or with NO_COLOR), the summary table, and
//! the `list` and `explain` texts.

use std::fmt::Write as _;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::catalog::Catalog;
use crate::report::Report;
use crate::runner::outcome::{OutcomeKind, ScenarioOutcome};
use crate::runner::plan::PlannedScenario;
use crate::targets::mutants;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        let fancy = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = fancy.then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress { bar }
    }

    pub fn observe(&mut self, outcome: &ScenarioOutcome) {
        let line = format!(
            "{:<14} {} ({} ms){}",
            outcome.kind.label().to_uppercase(),
            outcome.id,
            outcome.duration.as_millis(),
            if outcome.kind == OutcomeKind::Pass {
                String::new()
            } else {
                format!(": {}", outcome.message)
            }
        );
        match &self.bar {
            Some(bar) => {
                if outcome.kind != OutcomeKind::Pass {
                    bar.println(line);
                }
                bar.set_message(outcome.id.clone());
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

pub fn print_summary(report: &Report) {
    print!("{}", render_summary(report));
}

pub fn render_summary(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<12} {:>6} {:>6} {:>6} {:>6}  covered",
        "suite", "pass", "fail", "n/a", "error"
    );
    for suite in &report.verdict.suites {
        let c = &suite.counts;
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>6} {:>6} {:>6}  {}",
            suite.suite,
            c.pass,
            c.fail,
            c.not_applicable,
            c.error,
            if suite.covered {
                "yes"
            } else {
                "no (capability not declared)"
            }
        );
    }
    for scenario in report
        .scenarios
        .iter()
        .filter(|s| s.outcome != OutcomeKind::Pass)
    {
        let _ = writeln!(
            out,
            "{:<14} {}: {}",
            scenario.outcome.label().to_uppercase(),
            scenario.id,
            scenario.message
        );
        if matches!(scenario.outcome, OutcomeKind::Fail | OutcomeKind::Error) {
            let _ = writeln!(out, "    reproduce: {}", scenario.reproduce);
        }
    }
    if !report.verdict.should_warnings.is_empty() {
        let _ = writeln!(
            out,
            "SHOULD warnings: {}",
            report.verdict.should_warnings.join(", ")
        );
    }
    if report.run.interrupted {
        let _ = writeln!(
            out,
            "the run was interrupted; {} scenarios did not run",
            report.run.not_run.len()
        );
    }
    let _ = writeln!(
        out,
        "verdict: {} (profile {}, scope {}){}",
        if report.verdict.certified {
            "CERTIFIED"
        } else {
            "NOT CERTIFIED"
        },
        report.verdict.profile,
        report.verdict.scope,
        if report.verdict.must_unmet.is_empty() {
            String::new()
        } else {
            format!(
                "; MUST requirements not met: {}",
                report.verdict.must_unmet.join(", ")
            )
        }
    );
    out
}

pub fn render_list(catalog: &Catalog, plan: &[PlannedScenario]) -> String {
    let mut out = String::new();
    for p in plan {
        let levels: Vec<String> = p
            .requirements
            .iter()
            .map(|id| match catalog.requirement(id) {
                Some((_, r)) => format!("{id} {}", r.level),
                None => id.clone(),
            })
            .collect();
        let _ = writeln!(out, "{:<48} [{}] {}", p.id, levels.join(", "), p.title);
    }
    let _ = writeln!(out, "{} scenarios", plan.len());
    out
}

pub fn render_explain(catalog: &Catalog, id: &str) -> Option<String> {
    let mut out = String::new();
    if let Some((suite, scenario)) = catalog.scenario(id) {
        let _ = writeln!(
            out,
            "scenario {} ({:?}, suite {})",
            scenario.id, scenario.kind, suite.suite
        );
        let _ = writeln!(out, "  {}", scenario.title);
        if !scenario.tags.is_empty() {
            let _ = writeln!(out, "  tags: {}", scenario.tags.join(", "));
        }
        for req_id in &scenario.requirements {
            if let Some((_, r)) = catalog.requirement(req_id) {
                let _ = writeln!(
                    out,
                    "  checks {} {}: {}\n    source: {}",
                    r.id, r.level, r.statement, r.source
                );
            }
        }
        let caught: Vec<&str> = mutants::MUTANTS
            .iter()
            .filter(|m| m.suite == suite.suite)
            .map(|m| m.name)
            .collect();
        let _ = writeln!(
            out,
            "  run alone: interspec certify --filter '{}'",
            scenario.id
        );
        if !caught.is_empty() {
            let _ = writeln!(out, "  suite mutants: {}", caught.join(", "));
        }
        return Some(out);
    }
    if let Some((suite, r)) = catalog.requirement(id) {
        let _ = writeln!(
            out,
            "requirement {} {} (suite {})",
            r.id, r.level, suite.suite
        );
        let _ = writeln!(out, "  {}\n  source: {}", r.statement, r.source);
        for s in suite
            .scenarios
            .iter()
            .filter(|s| s.requirements.contains(&r.id))
        {
            let _ = writeln!(out, "  checked by {}: {}", s.id, s.title);
        }
        return Some(out);
    }
    let m = mutants::by_name(id)?;
    let _ = writeln!(
        out,
        "mutant {} (suite {})\n  defect: {}",
        m.name, m.suite, m.defect
    );
    let _ = writeln!(
        out,
        "  run: interspec certify --target builtin:mutant/{} --suite {}",
        m.name, m.suite
    );
    Some(out)
}
