//! `interspec report diff OLD NEW`: what changed between two reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::Report;
use crate::scenario::outcome::OutcomeKind;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReportDiff {
    /// Passed before, fail or error now.
    pub regressions: Vec<(String, OutcomeKind, OutcomeKind)>,
    /// Failed or errored before, pass now.
    pub fixes: Vec<(String, OutcomeKind, OutcomeKind)>,
    /// Applicable before, not applicable now.
    pub newly_not_applicable: Vec<(String, OutcomeKind)>,
    /// Any other change of outcome (fail to error, n/a to pass, …).
    pub other_changes: Vec<(String, OutcomeKind, OutcomeKind)>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// (old, new) catalog hashes when they differ.
    pub catalog_changed: Option<(String, String)>,
}

impl ReportDiff {
    pub fn has_regressions(&self) -> bool {
        !self.regressions.is_empty()
    }
}

pub fn diff(old: &Report, new: &Report) -> ReportDiff {
    let before: BTreeMap<&str, OutcomeKind> = old
        .scenarios
        .iter()
        .map(|s| (s.id.as_str(), s.outcome))
        .collect();
    let after: BTreeMap<&str, OutcomeKind> = new
        .scenarios
        .iter()
        .map(|s| (s.id.as_str(), s.outcome))
        .collect();
    let mut d = ReportDiff::default();
    for (id, &now) in &after {
        let Some(&was) = before.get(id) else {
            d.added.push(id.to_string());
            continue;
        };
        let broken = |k| matches!(k, OutcomeKind::Fail | OutcomeKind::Error);
        if was == now {
            continue;
        } else if was == OutcomeKind::Pass && broken(now) {
            d.regressions.push((id.to_string(), was, now));
        } else if broken(was) && now == OutcomeKind::Pass {
            d.fixes.push((id.to_string(), was, now));
        } else if now == OutcomeKind::NotApplicable {
            d.newly_not_applicable.push((id.to_string(), was));
        } else {
            d.other_changes.push((id.to_string(), was, now));
        }
    }
    d.removed = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .map(|id| id.to_string())
        .collect();
    if old.catalog.sha256 != new.catalog.sha256 {
        d.catalog_changed = Some((old.catalog.sha256.clone(), new.catalog.sha256.clone()));
    }
    d
}

pub fn render(d: &ReportDiff) -> String {
    let mut out = String::new();
    let transitions =
        |out: &mut String, title: &str, items: &[(String, OutcomeKind, OutcomeKind)]| {
            let _ = writeln!(out, "{title}: {}", items.len());
            for (id, was, now) in items {
                let _ = writeln!(out, "  {id}: {} -> {}", was.label(), now.label());
            }
        };
    transitions(&mut out, "regressions", &d.regressions);
    transitions(&mut out, "fixes", &d.fixes);
    let _ = writeln!(
        out,
        "newly not applicable: {}",
        d.newly_not_applicable.len()
    );
    for (id, was) in &d.newly_not_applicable {
        let _ = writeln!(out, "  {id}: {} -> not-applicable", was.label());
    }
    transitions(&mut out, "other changes", &d.other_changes);
    let _ = writeln!(out, "scenarios added: {}", d.added.len());
    for id in &d.added {
        let _ = writeln!(out, "  + {id}");
    }
    let _ = writeln!(out, "scenarios removed: {}", d.removed.len());
    for id in &d.removed {
        let _ = writeln!(out, "  - {id}");
    }
    match &d.catalog_changed {
        Some((old, new)) => {
            let _ = writeln!(out, "catalog changed: {old} -> {new}");
        }
        None => out.push_str("catalog unchanged\n"),
    }
    out
}
