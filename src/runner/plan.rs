//! The run plan: which scenarios run, chosen from the catalog by suite,
//! glob filter and shard. Listing and running share it, so `interspec list`
//! shows exactly what `certify` would run.

use std::fmt;
use std::str::FromStr;

use globset::{Glob, GlobMatcher};
use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, ScenarioKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedScenario {
    pub suite: String,
    pub id: String,
    pub title: String,
    pub requirements: Vec<String>,
    pub kind: ScenarioKind,
    /// The Hello capability the target must declare for it to apply.
    pub capability: Option<String>,
    /// Optional capabilities it needs; without them the target opted out.
    pub needs: Vec<String>,
}

/// Shard K of N (1-based), as `--shard K/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub total: u32,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("shard {text:?} must be K/N, e.g. 1/3"))?;
        let index: u32 = k
            .trim()
            .parse()
            .map_err(|_| format!("shard index {k:?} is not a number"))?;
        let total: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("shard count {n:?} is not a number"))?;
        if total == 0 || index == 0 || index > total {
            return Err(format!("shard {text:?}: need 1 <= K <= N"));
        }
        Ok(Shard { index, total })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Suite names; empty means all.
    pub suites: Vec<String>,
    /// Globs over scenario and requirement ids; empty means all.
    pub filters: Vec<String>,
    pub shard: Option<Shard>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("unknown suite {0:?}; the catalog has: {1}")]
    UnknownSuite(String, String),
    #[error("bad filter {0:?}: {1}")]
    BadFilter(String, String),
    #[error("no scenario matches the selection")]
    Empty,
}

/// Builds the plan: scenarios sorted by id, then filtered, then sharded by
/// position, so the N shards of one selection cover it exactly once.
pub fn build_plan(
    catalog: &Catalog,
    selection: &Selection,
) -> Result<Vec<PlannedScenario>, PlanError> {
    for name in &selection.suites {
        if catalog.suite(name).is_none() {
            let known: Vec<&str> = catalog.suites.iter().map(|s| s.suite.as_str()).collect();
            return Err(PlanError::UnknownSuite(name.clone(), known.join(", ")));
        }
    }
    let matchers = selection
        .filters
        .iter()
        .map(|pattern| {
            Glob::new(pattern)
                .map(|g| g.compile_matcher())
                .map_err(|e| PlanError::BadFilter(pattern.clone(), e.to_string()))
        })
        .collect::<Result<Vec<GlobMatcher>, PlanError>>()?;

    let mut plan: Vec<PlannedScenario> = catalog
        .suites
        .iter()
        .filter(|s| selection.suites.is_empty() || selection.suites.contains(&s.suite))
        .flat_map(|suite| {
            suite.scenarios.iter().map(move |scenario| PlannedScenario {
                suite: suite.suite.clone(),
                id: scenario.id.clone(),
                title: scenario.title.clone(),
                requirements: scenario.requirements.clone(),
                kind: scenario.kind,
                capability: suite.capability.clone(),
                needs: scenario.needs.clone(),
            })
        })
        .filter(|p| {
            matchers.is_empty()
                || matchers
                    .iter()
                    .any(|m| m.is_match(&p.id) || p.requirements.iter().any(|r| m.is_match(r)))
        })
        .collect();
    plan.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(shard) = selection.shard {
        plan = plan
            .into_iter()
            .enumerate()
            .filter(|(position, _)| position % shard.total as usize == (shard.index - 1) as usize)
            .map(|(_, p)| p)
            .collect();
    }
    if plan.is_empty() {
        return Err(PlanError::Empty);
    }
    Ok(plan)
}

/// The seed material for one scenario: derived from the run seed and the
/// scenario id only, so jobs, shards and order never change its inputs.
pub fn scenario_seed(run_seed: u64, scenario_id: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"interspec scenario seed v1");
    hasher.update(run_seed.to_be_bytes());
    hasher.update(scenario_id.as_bytes());
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_plan_exactly_once() {
        let catalog = Catalog::builtin().expect("catalog");
        let all = build_plan(&catalog, &Selection::default()).expect("plan");
        for total in 1..=5u32 {
            let mut seen: Vec<String> = Vec::new();
            for index in 1..=total {
                let selection = Selection {
                    shard: Some(Shard { index, total }),
                    ..Selection::default()
                };
                match build_plan(&catalog, &selection) {
                    Ok(part) => seen.extend(part.into_iter().map(|p| p.id)),
                    Err(PlanError::Empty) => {}
                    Err(e) => panic!("{e}"),
                }
            }
            seen.sort();
            let expected: Vec<String> = all.iter().map(|p| p.id.clone()).collect();
            assert_eq!(seen, expected, "{total} shards");
        }
    }

    #[test]
    fn filter_matches_scenario_or_requirement_ids() {
        let catalog = Catalog::builtin().expect("catalog");
        let by_req = build_plan(
            &catalog,
            &Selection {
                filters: vec!["AD-006".into()],
                ..Selection::default()
            },
        )
        .expect("plan");
        assert!(by_req
            .iter()
            .all(|p| p.requirements.contains(&"AD-006".to_string())));
        assert!(by_req.len() >= 3);
        let by_glob = build_plan(
            &catalog,
            &Selection {
                filters: vec!["adapter/ping-*".into()],
                ..Selection::default()
            },
        )
        .expect("plan");
        assert_eq!(by_glob.len(), by_req.len());
        assert!(matches!(
            build_plan(
                &catalog,
                &Selection {
                    filters: vec!["nothing*".into()],
                    ..Selection::default()
                }
            ),
            Err(PlanError::Empty)
        ));
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, total: 3 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn scenario_seeds_depend_on_seed_and_id() {
        assert_eq!(scenario_seed(7, "a/b"), scenario_seed(7, "a/b"));
        assert_ne!(scenario_seed(7, "a/b"), scenario_seed(8, "a/b"));
        assert_ne!(scenario_seed(7, "a/b"), scenario_seed(7, "a/c"));
    }
}
