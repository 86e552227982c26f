//! The e2ee property scenarios against mutants: each fails, shrinks the
//! random operation sequence to the minimal one, and reports the run seed
//! that replays it exactly. One accepts replays (send, deliver, replay);
//! one keeps fewer skipped keys than it declares, which only a burst
//! reaching the bound shows.

mod common;

use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, PlannedScenario, Selection};
use interspec::runner::run;
use interspec::scenario::outcome::{Counterexample, OutcomeKind};
use interspec::targets::TargetSpec;

const SCENARIO: &str = "e2ee/adversarial-network-peer-target";
const TARGET_TARGET: &str = "e2ee/adversarial-network-target-target";

/// The plan of the scenarios `filters` name.
fn plan_of(filters: &[&str]) -> Vec<PlannedScenario> {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        filters: filters.iter().map(|f| f.to_string()).collect(),
        ..Selection::default()
    };
    build_plan(&catalog, &selection).expect("plan")
}

fn counterexample(seed: u64) -> (OutcomeKind, String, Option<Counterexample>) {
    counterexample_of(SCENARIO, "e2ee-accepts-replay", "default", seed)
}

fn counterexample_of(
    scenario: &str,
    mutant: &str,
    profile: &str,
    seed: u64,
) -> (OutcomeKind, String, Option<Counterexample>) {
    let plan = plan_of(&[scenario]);
    assert_eq!(plan.len(), 1);
    let mut config = common::config(
        TargetSpec::Builtin {
            mutant: Some(mutant.into()),
        },
        Duration::from_secs(10),
    );
    config.profile = Profile::load(profile).expect("profile");
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

/// builtin:olm declaring 48 skipped keys per chain where vodozemac keeps
/// 40: a burst whose newest message arrives first skips more than 40 but
/// no more than 48, and the oldest of them no longer decrypt.
#[test]
fn an_overstated_skipped_key_bound_is_shrunk_to_one_burst() {
    let mutant = "olm-overstates-skipped-keys";
    let (kind, message, found) = counterexample_of(TARGET_TARGET, mutant, "compatible-e2ee", 42);
    assert_eq!(kind, OutcomeKind::Fail, "{message}");
    let found = found.expect("a counterexample is reported");
    // Bursts run from 3 below the declared 48 up: the smallest, 45, skips
    // 44 keys, which must all be kept.
    assert_eq!(
        found.minimal_input, "1 acts: [burst of 45 A->B, newest delivered first]",
        "{message}"
    );
    assert!(
        message.contains("within the window was refused"),
        "{message}"
    );
    let (_, _, again) = counterexample_of(TARGET_TARGET, mutant, "compatible-e2ee", 42);
    assert_eq!(again, Some(found));
}

/// builtin:olm itself (40 declared, 40 kept) passes with bursts past its
/// bound: the oldest skipped keys may go, nothing else may.
#[test]
fn olm_passes_the_property_with_bursts_past_its_bound() {
    let plan = plan_of(&[TARGET_TARGET]);
    let mut config = common::config(TargetSpec::Olm, Duration::from_secs(10));
    config.profile = Profile::load("compatible-e2ee").expect("profile");
    config.cases = 32;
    config.scenario_timeout = Duration::from_secs(120);
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    let outcome = &result.outcomes[0];
    assert_eq!(outcome.kind, OutcomeKind::Pass, "{}", outcome.message);
}

#[test]
fn reference_passes_the_same_property() {
    let plan = plan_of(&[SCENARIO, TARGET_TARGET]);
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
