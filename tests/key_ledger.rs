//! The run's key ledger (`scenario::keys`): a key the target sent in one
//! scenario and again in another fails the second, though each scenario
//! alone passes; the reference, whose keys are fresh, passes both.

mod common;

use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::scenario::outcome::{OutcomeKind, ScenarioOutcome};
use interspec::targets::TargetSpec;

/// Two scenarios in which the target starts one session each: a base key
/// cached across sessions shows only when both run.
const PAIR: [&str; 2] = [
    "e2ee/target-initiates-with-one-time-prekey",
    "e2ee/target-initiates-without-one-time-prekey",
];

fn run(target: TargetSpec, filters: &[&str]) -> Vec<ScenarioOutcome> {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        suites: vec!["e2ee".into()],
        filters: filters.iter().map(|f| f.to_string()).collect(),
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    let mut config = common::config(target, Duration::from_secs(20));
    config.profile = Profile::load("default").expect("profile");
    // One target instance: both scenarios meet the same process.
    config.jobs = 1;
    interspec::runner::run(&plan, &config, &mut |_| {})
        .expect("run")
        .outcomes
}

fn mutant(name: &str) -> TargetSpec {
    format!("builtin:mutant/{name}").parse().expect("mutant")
}

#[test]
fn a_base_key_sent_in_two_scenarios_fails_the_run_though_each_alone_passes() {
    for id in PAIR {
        let alone = run(mutant("e2ee-reuses-base-key"), &[id]);
        assert_eq!(alone.len(), 1);
        assert_eq!(
            alone[0].kind,
            OutcomeKind::Pass,
            "{id}: {}",
            alone[0].message
        );
    }
    let both = run(mutant("e2ee-reuses-base-key"), &PAIR);
    let failed: Vec<&ScenarioOutcome> = both
        .iter()
        .filter(|o| o.kind == OutcomeKind::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{both:#?}");
    assert!(
        failed[0].message.contains("X3DH base key")
            && failed[0]
                .message
                .contains("already sent in scenario e2ee/target-initiates-"),
        "{}",
        failed[0].message
    );
}

#[test]
fn fresh_keys_pass_the_ledger() {
    let both = run("builtin".parse().expect("builtin"), &PAIR);
    assert_eq!(both.len(), 2);
    for o in &both {
        assert_eq!(o.kind, OutcomeKind::Pass, "{}: {}", o.id, o.message);
    }
}
