//! `interspec report merge`: the shard reports of one run combined into one
//! report with one verdict, as if the run had not been sharded.
//!
//! Shards merge only when they are parts of the same run: same harness,
//! catalog, vectors, target, profile, seed, cases and selection, shards
//! `K/N` with one `N` and every `K` exactly once, and between them every
//! planned scenario exactly once. The requirement matrix and the verdict are
//! recomputed from the merged scenarios by the same code a run uses.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::assess::{assess, Scope};
use super::model::{RunInfo, ScenarioResult, SCHEMA_VERSION};
use super::Report;
use crate::catalog::Catalog;
use crate::runner::plan::{build_plan, Selection, Shard};

/// Merges `shards` (each a shard's report.json, in any order).
pub fn merge(catalog: &Catalog, shards: &[Report]) -> Result<Report, String> {
    let Some(first) = shards.first() else {
        return Err("report merge needs the reports of every shard".into());
    };
    for (index, other) in shards.iter().enumerate().skip(1) {
        same_run(first, other)
            .map_err(|why| format!("report {} differs from report 1: {why}", index + 1))?;
    }
    if first.catalog.sha256 != catalog.sha256 {
        return Err(format!(
            "the shards ran catalog {}, this interspec has catalog {}: merge with the interspec that made them",
            first.catalog.sha256, catalog.sha256
        ));
    }
    let total = check_shards(shards)?;

    let selection = Selection {
        suites: first.run.suites.clone(),
        filters: first.run.filters.clone(),
        shard: None,
    };
    let plan = build_plan(catalog, &selection).map_err(|e| e.to_string())?;
    let planned: BTreeSet<&str> = plan.iter().map(|p| p.id.as_str()).collect();

    let mut scenarios: Vec<ScenarioResult> = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut not_run = Vec::new();
    for (index, shard) in shards.iter().enumerate() {
        let ids = shard
            .scenarios
            .iter()
            .map(|s| &s.id)
            .chain(shard.run.not_run.iter());
        for id in ids {
            if !planned.contains(id.as_str()) {
                return Err(format!(
                    "report {} holds scenario {id}, which the merged selection does not plan",
                    index + 1
                ));
            }
            if let Some(earlier) = seen.insert(id.clone(), index + 1) {
                return Err(format!(
                    "scenario {id} is in report {earlier} and report {}: the shards overlap",
                    index + 1
                ));
            }
        }
        scenarios.extend(shard.scenarios.iter().cloned());
        not_run.extend(shard.run.not_run.iter().cloned());
    }
    let missing: Vec<&str> = planned
        .iter()
        .filter(|id| !seen.contains_key(**id))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{} planned scenarios are in no shard report (first: {}): a shard is missing",
            missing.len(),
            missing[0]
        ));
    }
    scenarios.sort_by(|a, b| a.id.cmp(&b.id));
    not_run.sort();

    let interrupted = shards.iter().any(|s| s.run.interrupted);
    let profile_note = first.run.profile_note.clone();
    let scope = Scope {
        selection: &selection,
        interrupted,
        not_run: &not_run,
        cases: first.run.cases,
        certification: &first.run.certification,
        profile: &first.run.profile,
        not_told: (!first.run.profile_told).then_some(profile_note.as_str()),
        capabilities: &first.target.capabilities,
        unusable: shards
            .iter()
            .map(|s| s.run.target_unusable.as_str())
            .find(|why| !why.is_empty()),
    };
    let (requirements, verdict) = assess(catalog, &plan, &scenarios, &scope);
    let target_unusable = scope.unusable.unwrap_or_default().to_string();

    let started = shards
        .iter()
        .map(|s| s.run.started_at.clone())
        .min()
        .unwrap_or_default();
    let finished = shards
        .iter()
        .map(|s| s.run.finished_at.clone())
        .max()
        .unwrap_or_default();
    let duration_ms = match (parse_time(&started), parse_time(&finished)) {
        (Some(a), Some(b)) => b
            .duration_since(a)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
        _ => shards.iter().map(|s| s.run.duration_ms).max().unwrap_or(0),
    };
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        harness: first.harness.clone(),
        run: RunInfo {
            shard: None,
            started_at: started,
            finished_at: finished,
            duration_ms,
            interrupted,
            not_run,
            target_restarts: shards.iter().map(|s| s.run.target_restarts).sum(),
            merged_shards: total,
            target_unusable,
            ..first.run.clone()
        },
        catalog: first.catalog.clone(),
        vectors: first.vectors.clone(),
        target: first.target.clone(),
        verdict,
        requirements,
        scenarios,
    })
}

/// The parts of two reports that must agree for them to be shards of one run.
fn same_run(a: &Report, b: &Report) -> Result<(), String> {
    let checks: [(&str, String, String); 12] = [
        (
            "harness version",
            a.harness.version.clone(),
            b.harness.version.clone(),
        ),
        (
            "catalog",
            a.catalog.sha256.clone(),
            b.catalog.sha256.clone(),
        ),
        (
            "vectors",
            a.vectors.manifest_sha256.clone(),
            b.vectors.manifest_sha256.clone(),
        ),
        ("target", a.target.spec.clone(), b.target.spec.clone()),
        (
            "target implementation",
            format!(
                "{} {}",
                a.target.implementation_name, a.target.implementation_version
            ),
            format!(
                "{} {}",
                b.target.implementation_name, b.target.implementation_version
            ),
        ),
        (
            "target capabilities",
            a.target.capabilities.join(","),
            b.target.capabilities.join(","),
        ),
        ("profile", a.run.profile.clone(), b.run.profile.clone()),
        (
            "certification needs",
            format!("{:?}", a.run.certification),
            format!("{:?}", b.run.certification),
        ),
        ("seed", a.run.seed.to_string(), b.run.seed.to_string()),
        ("cases", a.run.cases.to_string(), b.run.cases.to_string()),
        (
            "selection",
            format!("{:?} {:?}", a.run.suites, a.run.filters),
            format!("{:?} {:?}", b.run.suites, b.run.filters),
        ),
        (
            "profile told",
            a.run.profile_told.to_string(),
            b.run.profile_told.to_string(),
        ),
    ];
    for (what, left, right) in checks {
        if left != right {
            return Err(format!("{what}: {left:?} against {right:?}"));
        }
    }
    Ok(())
}

/// Every report is one shard `K/N` of the same `N`, each `K` once.
fn check_shards(shards: &[Report]) -> Result<u32, String> {
    let mut parsed = Vec::new();
    for (index, report) in shards.iter().enumerate() {
        let Some(text) = &report.run.shard else {
            return Err(format!(
                "report {} is not a shard (it ran without --shard); only shard reports merge",
                index + 1
            ));
        };
        let shard: Shard = text
            .parse()
            .map_err(|e| format!("report {}: {e}", index + 1))?;
        parsed.push(shard);
    }
    let total = parsed[0].total;
    if let Some(other) = parsed.iter().find(|s| s.total != total) {
        return Err(format!(
            "shard {other} and shard {} split the run differently",
            parsed[0]
        ));
    }
    let mut indices = BTreeSet::new();
    for shard in &parsed {
        if !indices.insert(shard.index) {
            return Err(format!("shard {shard} is given twice"));
        }
    }
    let missing: Vec<String> = (1..=total)
        .filter(|k| !indices.contains(k))
        .map(|k| format!("{k}/{total}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shards missing: {}", missing.join(", ")));
    }
    Ok(total)
}

fn parse_time(text: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339(text).ok()
}
