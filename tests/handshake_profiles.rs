//! The reference target passes every handshake scenario under both built-in
//! profiles (what `interspec certify --suite handshake --profile NAME`
//! checks), and a mutant is caught under the deployed profile too.

mod common;

use interspec::runner::outcome::OutcomeKind;

fn run(profile: &str, mutant: Option<&str>) -> Vec<(String, OutcomeKind, String)> {
    let outcomes = common::run_suite("handshake", profile, mutant, Vec::new(), 4);
    assert!(outcomes.len() >= 35, "the suite has at least 35 scenarios");
    outcomes
        .into_iter()
        .map(|o| (o.id, o.kind, o.message))
        .collect()
}

#[test]
fn reference_passes_every_handshake_scenario_under_both_profiles() {
    for profile in ["default", "gatekeeper-deployed"] {
        let problems: Vec<_> = run(profile, None)
            .into_iter()
            .filter(|(_, kind, _)| *kind != OutcomeKind::Pass)
            .collect();
        assert!(problems.is_empty(), "{profile}: {problems:#?}");
    }
}

#[test]
fn a_transport_mutant_is_caught_under_the_deployed_profile() {
    let outcomes = run(
        "gatekeeper-deployed",
        Some("handshake-accepts-replayed-frame"),
    );
    let caught: Vec<_> = outcomes
        .iter()
        .filter(|(_, kind, _)| *kind == OutcomeKind::Fail)
        .map(|(id, _, _)| id.as_str())
        .collect();
    assert!(
        caught.contains(&"handshake/transport-replayed-frame-refused"),
        "{caught:?}"
    );
}
