//! The e2ee property scenario against a mutant that accepts replays: it
//! fails, shrinks the random operation sequence to the minimal one (send,
//! deliver, replay), and reports the run seed that replays it exactly.

mod common;

use std::time::Duration;

use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::run;
use interspec::scenario::outcome::{Counterexample, OutcomeKind};
use interspec::targets::TargetSpec;

const SCENARIO: &str = "e2ee/adversarial-network-peer-target";

fn counterexample(seed: u64) -> (OutcomeKind, String, Option<Counterexample>) {
    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(
        &catalog,
        &Selection {
            filters: vec![SCENARIO.into()],
            ..Selection::default()
        },
    )
    .expect("plan");
    assert_eq!(plan.len(), 1);
    let mut config = common::config(
        TargetSpec::Builtin {
            mutant: Some("e2ee-accepts-replay".into()),
        },
        Duration::from_secs(10),
    );
    config.seed = seed;
    config.cases = 32;
    config.scenario_timeout = Duration::from_secs(120);
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    let outcome = &result.outcomes[0];
    (
        outcome.kind,
        outcome.message.clone(),
        outcome.evidence.counterexample.clone(),
    )
}

#[test]
fn replay_mutant_is_shrunk_to_send_deliver_replay_and_the_seed_replays_it() {
    let (kind, message, found) = counterexample(7);
    assert_eq!(kind, OutcomeKind::Fail, "{message}");
    let found = found.expect("a counterexample is reported");
    assert_eq!(found.seed, 7, "the run seed is reported");
    // Shrinking removes every act but the three the defect needs.
    assert_eq!(
        found.minimal_input, "3 acts: [send A->B (0 B), deliver #0 to B, replay delivered #0 to B]",
        "{message}"
    );
    assert!(message.contains("decrypted a second time"), "{message}");
    // The same seed gives the same minimal sequence.
    let (_, _, again) = counterexample(7);
    assert_eq!(again, Some(found));
}

#[test]
fn reference_passes_the_same_property() {
    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(
        &catalog,
        &Selection {
            filters: vec![
                SCENARIO.into(),
                "e2ee/adversarial-network-target-target".into(),
            ],
            ..Selection::default()
        },
    )
    .expect("plan");
    let config = common::config(
        TargetSpec::Builtin { mutant: None },
        Duration::from_secs(10),
    );
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    for outcome in &result.outcomes {
        assert_eq!(
            outcome.kind,
            OutcomeKind::Pass,
            "{}: {}",
            outcome.id,
            outcome.message
        );
    }
    assert_eq!(result.outcomes.len(), 2);
}
