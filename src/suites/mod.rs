//! Scenario code: one folder per suite, one function per catalog scenario.
//! [`registry`] lists every implementation; a test keeps it and the catalog
//! in step in both directions.

pub mod adapter;
pub mod e2ee;
pub mod enlistment;
pub mod handshake;
mod property;
pub mod stanza;

use std::sync::OnceLock;

use crate::scenario::outcome::Check;
use crate::scenario::{Registry, ScenarioCtx};

pub use property::check_property;

/// One scenario's code.
pub struct ScenarioImpl {
    pub id: &'static str,
    pub run: fn(&mut ScenarioCtx) -> Check,
}

/// Every scenario of every suite: the registry the runner is given.
pub fn registry() -> &'static Registry {
    static ALL: OnceLock<Registry> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Registry::new();
        for scenario in [
            adapter::scenarios(),
            handshake::scenarios(),
            e2ee::scenarios(),
            stanza::scenarios(),
            enlistment::scenarios(),
        ]
        .into_iter()
        .flatten()
        {
            all.add(scenario.id, scenario.run);
        }
        all
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::catalog::Catalog;

    #[test]
    fn catalog_and_code_agree_in_both_directions() {
        let catalog = Catalog::builtin().expect("catalog");
        let in_catalog: BTreeSet<&str> = catalog
            .suites
            .iter()
            .flat_map(|s| s.scenarios.iter().map(|c| c.id.as_str()))
            .collect();
        let in_code: BTreeSet<&str> = super::registry().iter().map(|s| s.id()).collect();
        assert_eq!(
            super::registry().len(),
            in_code.len(),
            "a scenario is implemented twice"
        );
        let missing: Vec<_> = in_catalog.difference(&in_code).collect();
        let extra: Vec<_> = in_code.difference(&in_catalog).collect();
        assert!(
            missing.is_empty(),
            "catalog scenarios without code: {missing:?}"
        );
        assert!(extra.is_empty(), "code without a catalog entry: {extra:?}");
    }
}
