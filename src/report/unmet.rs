//! Failures first: the requirements a report shows at its top (report.html,
//! report.md), each with the scenarios that failed it, their one-line
//! reasons and reproduce commands.

use super::model::{Report, RequirementResult, RequirementStatus, ScenarioResult};
use crate::catalog::Level;
use crate::scenario::outcome::OutcomeKind;

/// Characters of a scenario's message shown as its one-line reason (the
/// whole message is in the scenario's section and in report.json).
pub const REASON_CHARS: usize = 240;

/// One requirement not met, with what failed it.
pub struct Unmet<'a> {
    pub requirement: &'a RequirementResult,
    /// Its scenarios that failed or errored.
    pub failing: Vec<&'a ScenarioResult>,
}

/// Requirements that failed, errored or were not demonstrated: the MUST
/// ones the verdict names first, then SHOULD warnings, then any other
/// requirement that failed or errored, each in catalog order.
pub fn unmet(report: &Report) -> Vec<Unmet<'_>> {
    let v = &report.verdict;
    let named = |r: &RequirementResult, ids: &[String]| ids.contains(&r.id);
    let problem = |r: &RequirementResult| {
        matches!(r.status, RequirementStatus::Fail | RequirementStatus::Error)
    };
    let mut ordered: Vec<&RequirementResult> = Vec::new();
    for pick in [
        &|r: &RequirementResult| named(r, &v.must_unmet),
        &|r: &RequirementResult| named(r, &v.should_warnings),
        &|r: &RequirementResult| problem(r) && r.level == Level::Must,
        &|r: &RequirementResult| problem(r),
    ] as [&dyn Fn(&RequirementResult) -> bool; 4]
    {
        for r in report.requirements.iter().filter(|r| pick(r)) {
            if !ordered.iter().any(|o| o.id == r.id) {
                ordered.push(r);
            }
        }
    }
    ordered
        .into_iter()
        .map(|requirement| Unmet {
            requirement,
            failing: requirement
                .scenarios
                .iter()
                .filter_map(|id| report.scenarios.iter().find(|s| &s.id == id))
                .filter(|s| matches!(s.outcome, OutcomeKind::Fail | OutcomeKind::Error))
                .collect(),
        })
        .collect()
}

/// The first line of `message`, at most [`REASON_CHARS`] characters,
/// ending in `…` when anything was left out.
pub fn one_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let mut shown: String = first.chars().take(REASON_CHARS).collect();
    if shown.len() < message.trim_end().len() {
        shown.push('…');
    }
    shown
}

/// How a scenario shows in the requirement matrix: `fail`, `error` or
/// `deviation` (passed with a refusal under another category), or `None`
/// for a plain pass, not-applicable or not-run.
pub fn mark(report: &Report, scenario: &str) -> Option<&'static str> {
    let s = report.scenarios.iter().find(|s| s.id == scenario)?;
    match s.outcome {
        OutcomeKind::Fail => Some("fail"),
        OutcomeKind::Error => Some("error"),
        _ if !s.deviations.is_empty() => Some("deviation"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_keeps_the_first_line_and_says_when_it_cut() {
        assert_eq!(one_line("short"), "short");
        assert_eq!(one_line("first\nsecond"), "first…");
        let long = "x".repeat(REASON_CHARS + 10);
        assert_eq!(one_line(&long).chars().count(), REASON_CHARS + 1);
    }
}
