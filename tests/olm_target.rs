//! builtin:olm (Matrix's Olm through vodozemac, docs/olm.md) under the
//! e2ee suite: it declares E2EE without SIGNAL_V3_WIRE, so the
//! device-to-device property scenario runs (identities and bundles handed
//! over as opaque bytes) and must pass; every peer<->target scenario is not
//! applicable; nothing errors.

mod common;

use std::time::Duration;

use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::run;
use interspec::scenario::outcome::OutcomeKind;
use interspec::targets::TargetSpec;

#[test]
fn the_e2ee_suite_runs_against_builtin_olm() {
    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(
        &catalog,
        &Selection {
            suites: vec!["e2ee".into()],
            ..Selection::default()
        },
    )
    .expect("plan");
    let config = common::config(TargetSpec::Olm, Duration::from_secs(10));
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    assert_eq!(result.outcomes.len(), plan.len());
    let mut passed = 0;
    for outcome in &result.outcomes {
        assert_ne!(
            outcome.kind,
            OutcomeKind::Error,
            "{}: {}",
            outcome.id,
            outcome.message
        );
        assert_ne!(
            outcome.kind,
            OutcomeKind::Fail,
            "{}: {}",
            outcome.id,
            outcome.message
        );
        if outcome.id == "e2ee/adversarial-network-target-target" {
            assert_eq!(outcome.kind, OutcomeKind::Pass, "{}", outcome.message);
        }
        if outcome.kind == OutcomeKind::Pass {
            passed += 1;
        }
    }
    assert!(passed >= 1);
}
