//! The e2ee variants (the reference with one behaviour the specs allow but
//! it does not use) pass the scenarios their behaviour touches, and the
//! refusal policy records what differs: a one-category target's refusals
//! are deviations, never failures; a target without an optional capability
//! is opted out of exactly the scenarios that need it; the skipped-key
//! store is judged by its bound, not its eviction order, and a store
//! without a bound still fails.

mod common;

use std::time::Duration;

use interspec::catalog::profile::Profile;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::scenario::outcome::{OutcomeKind, ScenarioOutcome};
use interspec::targets::TargetSpec;

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
    config.cases = 4;
    config.scenario_timeout = Duration::from_secs(240);
    interspec::runner::run(&plan, &config, &mut |_| {})
        .expect("run")
        .outcomes
}

fn variant(name: &str, filters: &[&str]) -> Vec<ScenarioOutcome> {
    run(TargetSpec::Variant(name.into()), filters)
}

fn outcome<'a>(outcomes: &'a [ScenarioOutcome], id: &str) -> &'a ScenarioOutcome {
    outcomes
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("{id} did not run"))
}

fn assert_all(outcomes: &[ScenarioOutcome], kind: OutcomeKind) {
    for o in outcomes {
        assert_eq!(o.kind, kind, "{}: {}", o.id, o.message);
    }
}

#[test]
fn one_refusal_category_passes_with_deviations_recorded() {
    let outcomes = variant(
        "e2ee-one-refusal-category",
        &[
            "e2ee/too-far-forward-rejected",
            "e2ee/duplicate-message-rejected",
            "e2ee/wrong-version-rejected",
            "e2ee/consumed-one-time-prekey-id-rejected",
            "e2ee/bad-signature-bundle-refused",
            "e2ee/identity-change-in-message-untrusted-until-approved",
            "e2ee/wrong-mac-rejected",
            "e2ee/adversarial-network-peer-target",
        ],
    );
    assert_eq!(outcomes.len(), 8);
    assert_all(&outcomes, OutcomeKind::Pass);
    for (id, expected) in [
        ("e2ee/too-far-forward-rejected", "TOO_FAR_FORWARD"),
        ("e2ee/duplicate-message-rejected", "DUPLICATE_MESSAGE"),
        ("e2ee/wrong-version-rejected", "VERSION_MISMATCH"),
        ("e2ee/consumed-one-time-prekey-id-rejected", "NOT_FOUND"),
        ("e2ee/bad-signature-bundle-refused", "BAD_SIGNATURE"),
        (
            "e2ee/identity-change-in-message-untrusted-until-approved",
            "UNTRUSTED_IDENTITY",
        ),
    ] {
        let o = outcome(&outcomes, id);
        assert!(
            o.deviations
                .iter()
                .any(|d| d.got == "BAD_MAC" && d.expected.iter().any(|e| e == expected)),
            "{id}: {:?}",
            o.deviations
        );
    }
    // BAD_MAC where BAD_MAC is expected is no deviation.
    assert!(outcome(&outcomes, "e2ee/wrong-mac-rejected")
        .deviations
        .is_empty());
}

#[test]
fn missing_optional_capabilities_opt_out_only_the_scenarios_that_need_them() {
    let transcripts = [
        "e2ee/transcript-target-as-bob",
        "e2ee/transcript-target-as-alice",
        "e2ee/safety-number-matches-vector",
    ];
    let outcomes = variant(
        "e2ee-no-fixed-keys",
        &[
            transcripts[0],
            transcripts[1],
            transcripts[2],
            "e2ee/target-initiates-with-one-time-prekey",
            "e2ee/peer-initiates-with-one-time-prekey",
            "e2ee/version-byte-0x33",
            "e2ee/safety-number-matches-peer",
        ],
    );
    for o in &outcomes {
        let expected = if transcripts.contains(&o.id.as_str()) {
            OutcomeKind::NotApplicable
        } else {
            // Wire compatibility (E2-003) is still shown, by round trips.
            OutcomeKind::Pass
        };
        assert_eq!(o.kind, expected, "{}: {}", o.id, o.message);
    }
    let outcomes = variant(
        "e2ee-no-safety-numbers",
        &[
            "e2ee/safety-number-matches-peer",
            "e2ee/safety-number-matches-vector",
            "e2ee/prekey-identity-not-trusted-before-mac",
        ],
    );
    for o in &outcomes {
        let expected = if o.id.starts_with("e2ee/safety-number") {
            OutcomeKind::NotApplicable
        } else {
            OutcomeKind::Pass
        };
        assert_eq!(o.kind, expected, "{}: {}", o.id, o.message);
    }
}

#[test]
fn the_skipped_key_store_is_judged_by_its_bound_not_its_order() {
    const ID: &str = "e2ee/skipped-keys-bounded";
    for name in [
        "e2ee-skipped-keys-evict-newest",
        "e2ee-skipped-keys-refuse-when-full",
    ] {
        let outcomes = variant(name, &[ID]);
        assert_eq!(outcomes.len(), 1);
        assert_all(&outcomes, OutcomeKind::Pass);
        if name.ends_with("refuse-when-full") {
            assert!(
                outcomes[0]
                    .message
                    .contains("refused while the store was full"),
                "{}",
                outcomes[0].message
            );
        }
    }
    let reference = run(TargetSpec::Builtin { mutant: None }, &[ID]);
    assert_all(&reference, OutcomeKind::Pass);
    let unbounded = run(
        TargetSpec::Builtin {
            mutant: Some("e2ee-unlimited-skipped-keys".into()),
        },
        &[ID],
    );
    assert_all(&unbounded, OutcomeKind::Fail);
    assert!(
        unbounded[0].message.contains("more skipped keys than"),
        "{}",
        unbounded[0].message
    );
}
