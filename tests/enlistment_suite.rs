//! The enlistment suite over real loopback HTTP: the reference passes every
//! scenario under both built-in profiles (what `interspec certify --suite
//! enlistment` checks), and the token-mutation property shrinks a mutant's
//! failure to a single-field mutation.

mod common;

use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::catalog::Catalog;
use interspec::runner::outcome::{OutcomeKind, ScenarioOutcome};
use interspec::runner::plan::{build_plan, Selection};
use interspec::targets::TargetSpec;

fn run(
    profile: &str,
    mutant: Option<&str>,
    filters: Vec<String>,
    cases: u32,
) -> Vec<ScenarioOutcome> {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        suites: vec!["enlistment".into()],
        filters,
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    let mut config = common::config(
        TargetSpec::Builtin {
            mutant: mutant.map(str::to_string),
        },
        Duration::from_secs(10),
    );
    config.profile = Profile::load(profile).expect("profile");
    config.cases = cases;
    interspec::runner::run(&plan, &config, &mut |_| {})
        .expect("run")
        .outcomes
}

#[test]
fn reference_passes_every_enlistment_scenario_under_both_profiles() {
    for profile in ["default", "gatekeeper-deployed"] {
        let outcomes = run(profile, None, Vec::new(), 16);
        assert!(outcomes.len() >= 35, "the suite has at least 35 scenarios");
        let problems: Vec<_> = outcomes
            .iter()
            .filter(|o| o.kind != OutcomeKind::Pass)
            .map(|o| (&o.id, o.kind, &o.message))
            .collect();
        assert!(problems.is_empty(), "{profile}: {problems:#?}");
    }
}

#[test]
fn token_mutation_property_shrinks_to_the_single_wrong_audience() {
    let outcomes = run(
        "default",
        Some("enlistment-ignores-aud"),
        vec!["enlistment/property-token-mutations".into()],
        64,
    );
    assert_eq!(outcomes.len(), 1);
    let outcome = &outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Fail, "{}", outcome.message);
    let counterexample = outcome
        .evidence
        .counterexample
        .as_ref()
        .expect("a property failure carries its counterexample");
    // Shrinking drops every other mutation: only the audience change,
    // which this mutant fails to notice, is left.
    assert_eq!(counterexample.minimal_input, "[WrongAudience]");
    assert_eq!(counterexample.seed, 42);
}
