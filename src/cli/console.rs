//! What the command line prints: progress while running (a bar on a
//! terminal, plain lines otherwise or with NO_COLOR), the summary table, and
//! the `list` and `explain` texts.

use std::fmt::Write as _;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::report::escape::terminal;
use crate::report::Report;
use crate::runner::plan::PlannedScenario;
use crate::scenario::outcome::{OutcomeKind, ScenarioOutcome};
use crate::targets::mutants;

pub struct Progress {
    bar: Option<ProgressBar>,
    tally: Tally,
}

/// Outcomes so far, for the progress bar.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
}

impl Tally {
    pub fn add(&mut self, kind: OutcomeKind) {
        match kind {
            OutcomeKind::Pass => self.pass += 1,
            OutcomeKind::Fail => self.fail += 1,
            OutcomeKind::Error => self.error += 1,
            OutcomeKind::NotApplicable => self.not_applicable += 1,
        }
    }

    /// The bar's message: the counts so far and the scenario that just
    /// finished.
    pub fn message(&self, last: &str) -> String {
        format!(
            "{} pass, {} fail, {} error, {} n/a | {last}",
            self.pass, self.fail, self.error, self.not_applicable
        )
    }
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        let fancy = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let bar = fancy.then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} (eta {eta}) {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            tally: Tally::default(),
        }
    }

    pub fn observe(&mut self, outcome: &ScenarioOutcome) {
        self.tally.add(outcome.kind);
        let line = format!(
            "{:<14} {} ({} ms){}",
            outcome.kind.label().to_uppercase(),
            outcome.id,
            outcome.duration.as_millis(),
            if outcome.kind == OutcomeKind::Pass {
                String::new()
            } else {
                format!(": {}", terminal(&outcome.message))
            }
        );
        match &self.bar {
            Some(bar) => {
                if outcome.kind != OutcomeKind::Pass {
                    bar.println(line);
                }
                bar.inc(1);
                bar.set_message(self.tally.message(&outcome.id));
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
        "\n{:<12} {:>6} {:>6} {:>6} {:>6}  verdict",
        "suite", "pass", "fail", "n/a", "error"
    );
    for suite in &report.verdict.suites {
        let c = &suite.counts;
        let reason = if suite.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", terminal(&suite.reason))
        };
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>6} {:>6} {:>6}  {}{}{}",
            suite.suite,
            c.pass,
            c.fail,
            c.not_applicable,
            c.error,
            suite.status.label(),
            reason,
            if suite.required {
                ""
            } else {
                " [not required]"
            }
        );
    }
    for scenario in report
        .scenarios
        .iter()
        .filter(|s| s.outcome != OutcomeKind::Pass && s.opted_out.is_empty())
    {
        let _ = writeln!(
            out,
            "{:<14} {}: {}",
            scenario.outcome.label().to_uppercase(),
            scenario.id,
            terminal(&scenario.message)
        );
        if matches!(scenario.outcome, OutcomeKind::Fail | OutcomeKind::Error) {
            let _ = writeln!(out, "    reproduce: {}", terminal(&scenario.reproduce));
        }
    }
    for scenario in report.scenarios.iter().filter(|s| !s.deviations.is_empty()) {
        for deviation in &scenario.deviations {
            let _ = writeln!(
                out,
                "{:<14} {}: {}",
                "DEVIATION",
                scenario.id,
                terminal(&deviation.describe())
            );
        }
    }
    for opt_out in &report.verdict.opted_out {
        let _ = writeln!(
            out,
            "opted out of {} (not declared): {} scenarios{}",
            opt_out.capability,
            opt_out.scenarios.len(),
            if opt_out.requirements.is_empty() {
                String::new()
            } else {
                format!(
                    ", requirements {} not judged",
                    opt_out.requirements.join(", ")
                )
            }
        );
    }
    if !report.run.profile_told {
        let _ = writeln!(
            out,
            "profile not told to the target: {}",
            terminal(&report.run.profile_note)
        );
    }
    if !report.verdict.should_warnings.is_empty() {
        let _ = writeln!(
            out,
            "SHOULD warnings: {}",
            report.verdict.should_warnings.join(", ")
        );
    }
    for reason in &report.verdict.reasons {
        let _ = writeln!(out, "why: {}", terminal(reason));
    }
    if let Some(path) = report.verdict.e2ee_path_line() {
        let _ = writeln!(out, "{path}");
    }
    let _ = writeln!(
        out,
        "verdict: {} (profile {}, scope {})",
        report.verdict.state.label(),
        report.verdict.profile,
        report.verdict.scope,
    );
    out
}

pub fn render_list(catalog: &Catalog, profile: &Profile, plan: &[PlannedScenario]) -> String {
    let mut out = String::new();
    let required = &profile.certification.required_suites;
    let _ = writeln!(
        out,
        "profile {}: required suites {}; at least {} cases per property scenario",
        profile.name,
        required.join(", "),
        profile.certification.min_cases
    );
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
    let not_required = plan.iter().filter(|p| !required.contains(&p.suite)).count();
    let _ = writeln!(
        out,
        "{} scenarios ({not_required} in suites the profile does not require)",
        plan.len()
    );
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
    if let Some(v) = crate::targets::variants::by_name(id) {
        let _ = writeln!(
            out,
            "variant {} (suite {}): must pass\n  behaviour: {}\n  allowed by: {}",
            v.name, v.suite, v.behaviour, v.allowed_by
        );
        let profile = v
            .profile
            .map(|p| format!(" --profile {p}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  run: interspec certify --target builtin:variant/{} --suite {}{profile}",
            v.name, v.suite
        );
        return Some(out);
    }
    let m = mutants::by_name(id)?;
    let _ = writeln!(
        out,
        "mutant {} (suite {})\n  defect: {}\n  violates: {}\n  inspired by: {}",
        m.name,
        m.suite,
        m.defect,
        m.requirements.join(", "),
        m.inspired_by
    );
    for r in m.requirements {
        if let Some((_, req)) = catalog.requirement(r) {
            let _ = writeln!(out, "  {} {}: {}", req.id, req.level, req.statement);
        }
    }
    // builtin:olm takes only the compatible path's profile (docs/olm.md).
    let profile = match m.base {
        mutants::Base::Olm => " --profile compatible-e2ee",
        mutants::Base::Reference => "",
    };
    let _ = writeln!(
        out,
        "  run: interspec certify --target builtin:mutant/{} --suite {}{profile}",
        m.name, m.suite
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_message_counts_every_outcome_kind() {
        let mut tally = Tally::default();
        for kind in [
            OutcomeKind::Pass,
            OutcomeKind::Pass,
            OutcomeKind::Fail,
            OutcomeKind::Error,
            OutcomeKind::NotApplicable,
        ] {
            tally.add(kind);
        }
        assert_eq!(
            tally.message("e2ee/wrong-mac-rejected"),
            "2 pass, 1 fail, 1 error, 1 n/a | e2ee/wrong-mac-rejected"
        );
    }
}
