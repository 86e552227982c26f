//! The committed reference report (`reports/reference/`): the built-in
//! reference target certified with a fixed seed, in every rendering, with
//! timestamps and durations normalised. This test regenerates it and
//! compares with insta, so any change to what the harness checks or how it
//! reports shows up in review (`cargo insta review` accepts a change).

mod common;

use std::time::Duration;

use interspec::catalog::Catalog;
use interspec::report::{html, junit, markdown, Report};
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::run;
use interspec::targets::TargetSpec;

pub const REFERENCE_SEED: u64 = 20_261_122;

/// Makes a report independent of when and how fast it ran.
fn normalise(report: &mut Report) {
    report.run.started_at = "2026-01-01T00:00:00.000Z".into();
    report.run.finished_at = "2026-01-01T00:00:00.000Z".into();
    report.run.duration_ms = 0;
    for scenario in &mut report.scenarios {
        scenario.duration_ms = 0;
    }
}

#[test]
fn reference_report_is_unchanged() {
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection::default();
    let plan = build_plan(&catalog, &selection).expect("plan");
    let mut config = common::config(
        TargetSpec::Builtin { mutant: None },
        Duration::from_secs(10),
    );
    config.seed = REFERENCE_SEED;
    // The profile's minimum: fewer cases could not certify.
    config.cases = 32;
    // One job: which scenario meets a freshly restarted target is then fixed.
    config.jobs = 1;
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    let mut report = Report::build(
        &catalog,
        &plan,
        &selection,
        &interspec::cli::run_summary(&config),
        &result,
    );
    assert!(report.verdict.certified, "the reference is certified");
    normalise(&mut report);
    let json = serde_json::to_string_pretty(&report).expect("json");
    insta::with_settings!({snapshot_path => "../reports/reference", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("report.json", json);
        insta::assert_snapshot!("junit.xml", junit::render(&report));
        insta::assert_snapshot!("report.md", markdown::render(&report));
        insta::assert_snapshot!("report.html", html::render(&report));
    });
}
