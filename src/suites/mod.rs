//! Scenario code: one folder per suite, each with one registration table
//! (`register`) that names a function, or a family's function and its
//! parameters, for every catalog scenario. [`registry`] gathers the suites'
//! tables; a test keeps it and the catalog in step in both directions.

pub mod adapter;
pub mod e2ee;
pub mod enlistment;
pub mod handshake;
pub mod media;
mod property;
pub mod stanza;

use std::sync::OnceLock;

use crate::scenario::Registry;

pub use property::check_property;

/// Every scenario of every suite: the registry the runner is given.
pub fn registry() -> &'static Registry {
    static ALL: OnceLock<Registry> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Registry::new();
        adapter::register(&mut all);
        handshake::register(&mut all);
        e2ee::register(&mut all);
        stanza::register(&mut all);
        enlistment::register(&mut all);
        media::register(&mut all);
        all
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::catalog::Catalog;
    use crate::scenario::outcome::Check;
    use crate::scenario::{Registry, ScenarioCtx};

    /// Ids registered more than once, each named once.
    fn registered_twice(registry: &Registry) -> BTreeSet<&'static str> {
        let mut seen = BTreeSet::new();
        registry
            .iter()
            .map(|s| s.id())
            .filter(|id| !seen.insert(*id))
            .collect()
    }

    #[test]
    fn catalog_and_code_agree_in_both_directions() {
        let catalog = Catalog::builtin().expect("catalog");
        let in_catalog: BTreeSet<&str> = catalog
            .suites
            .iter()
            .flat_map(|s| s.scenarios.iter().map(|c| c.id.as_str()))
            .collect();
        let twice = registered_twice(super::registry());
        assert!(twice.is_empty(), "scenarios registered twice: {twice:?}");
        let in_code: BTreeSet<&str> = super::registry().iter().map(|s| s.id()).collect();
        let missing: Vec<_> = in_catalog.difference(&in_code).collect();
        let extra: Vec<_> = in_code.difference(&in_catalog).collect();
        assert!(
            missing.is_empty(),
            "catalog scenarios without code: {missing:?}"
        );
        assert!(extra.is_empty(), "code without a catalog entry: {extra:?}");
    }

    fn passes(_: &mut ScenarioCtx) -> Check {
        Ok("passed".into())
    }

    fn echoes(_: &mut ScenarioCtx, word: &&'static str) -> Check {
        Ok(word.to_string())
    }

    #[test]
    fn an_id_registered_twice_is_caught_plain_or_in_a_family() {
        let mut registry = Registry::new();
        registry
            .add("suite/plain", passes)
            .family(echoes, [("suite/one", "one"), ("suite/plain", "again")]);
        assert_eq!(registered_twice(&registry), BTreeSet::from(["suite/plain"]));
    }
}
