//! Scenarios as data: an id, its parameters and one function, kept in one
//! table per suite. A family (one check run on each part of each message)
//! is one function plus its parameter list, not one function per member.

use std::fmt;
use std::sync::Arc;

use super::ctx::ScenarioCtx;
use super::outcome::Check;

type Run = Arc<dyn Fn(&mut ScenarioCtx) -> Check + Send + Sync>;

/// One runnable scenario: the catalog id it implements and its code.
#[derive(Clone)]
pub struct Scenario {
    id: &'static str,
    run: Run,
}

impl Scenario {
    /// The catalog id this scenario implements.
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// Runs the scenario's code once.
    pub fn run(&self, ctx: &mut ScenarioCtx) -> Check {
        (self.run)(ctx)
    }
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario").field("id", &self.id).finish()
    }
}

/// Every scenario a run may draw from, in registration order. Suites add
/// theirs; the runner is handed the result and looks scenarios up by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    scenarios: Vec<Scenario>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers a scenario that takes no parameters.
    pub fn add(&mut self, id: &'static str, run: fn(&mut ScenarioCtx) -> Check) -> &mut Registry {
        self.scenarios.push(Scenario {
            id,
            run: Arc::new(run),
        });
        self
    }

    /// Registers a family: `run` once per member, each under its own id and
    /// with its own parameters.
    pub fn family<P>(
        &mut self,
        run: fn(&mut ScenarioCtx, &P) -> Check,
        members: impl IntoIterator<Item = (&'static str, P)>,
    ) -> &mut Registry
    where
        P: Send + Sync + 'static,
    {
        for (id, params) in members {
            self.scenarios.push(Scenario {
                id,
                run: Arc::new(move |ctx: &mut ScenarioCtx| run(ctx, &params)),
            });
        }
        self
    }

    pub fn get(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Scenario> {
        self.scenarios.iter()
    }

    pub fn len(&self) -> usize {
        self.scenarios.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scenarios.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passes(_: &mut ScenarioCtx) -> Check {
        Ok("passed".into())
    }

    fn echoes(_: &mut ScenarioCtx, word: &&'static str) -> Check {
        Ok(word.to_string())
    }

    #[test]
    fn a_family_registers_one_scenario_per_member_in_order() {
        let mut registry = Registry::new();
        registry
            .add("suite/plain", passes)
            .family(echoes, [("suite/one", "one"), ("suite/two", "two")]);
        let ids: Vec<_> = registry.iter().map(Scenario::id).collect();
        assert_eq!(ids, ["suite/plain", "suite/one", "suite/two"]);
        assert!(registry.get("suite/two").is_some());
        assert!(registry.get("suite/three").is_none());
    }
}
