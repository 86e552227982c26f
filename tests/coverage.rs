//! The refusal coverage table (src/catalog/coverage.rs): every rule of the
//! catalog is sent by a scenario, every requirement of a suite with a rule
//! table has a rule, and docs/coverage.md is the table as rendered now.

use interspec::catalog::{coverage, Catalog};

#[test]
fn every_rule_is_sent_by_a_scenario() {
    let catalog = Catalog::builtin().expect("catalog");
    let gaps = coverage::gaps(&catalog);
    assert!(
        gaps.rules_without_scenario.is_empty(),
        "rules no scenario sends: {:?}",
        gaps.rules_without_scenario
    );
    assert!(
        gaps.requirements_without_rule.is_empty(),
        "requirements of a suite with a rule table that have no rule: {:?}",
        gaps.requirements_without_rule
    );
}

#[test]
fn docs_coverage_md_is_up_to_date() {
    let catalog = Catalog::builtin().expect("catalog");
    let rendered = coverage::render_markdown(&catalog);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/coverage.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/coverage.md is out of date: run `cargo run -- explain --coverage > docs/coverage.md`"
    );
}

/// A rule naming a scenario that does not check its requirement, or an
/// unknown scenario, does not load: the table cannot claim coverage that a
/// scenario does not give.
#[test]
fn a_rule_must_name_scenarios_of_its_requirement() {
    let suite = |scenarios: &str| {
        format!(
            r#"
suite = "demo"
title = "Demo"
description = "d"
[[requirement]]
id = "DM-001"
level = "MUST"
statement = "s"
source = "x"
[[requirement]]
id = "DM-002"
level = "MUST"
statement = "s"
source = "x"
[[scenario]]
id = "demo/one"
title = "t"
requirements = ["DM-001"]
[[scenario]]
id = "demo/two"
title = "t"
requirements = ["DM-002"]
[[rule]]
id = "DM-001/wrong-thing"
rule = "r"
source = "x"
scenarios = [{scenarios}]
"#
        )
    };
    let load = |text: String| Catalog::from_files([("demo.toml".to_string(), text)]);
    assert!(load(suite(r#""demo/one""#)).is_ok());
    let err = load(suite(r#""demo/two""#)).expect_err("demo/two checks DM-002");
    assert!(err.to_string().contains("does not check DM-001"), "{err}");
    let err = load(suite(r#""demo/three""#)).expect_err("unknown scenario");
    assert!(err.to_string().contains("unknown scenario"), "{err}");
    // A rule table must cover every requirement of its suite.
    let catalog = load(suite(r#""demo/one""#)).expect("loads");
    let gaps = coverage::gaps(&catalog);
    assert_eq!(gaps.requirements_without_rule, vec!["DM-002".to_string()]);
    let gaps = coverage::gaps(&load(suite("")).expect("a gap loads"));
    assert_eq!(
        gaps.rules_without_scenario,
        vec!["DM-001/wrong-thing".to_string()]
    );
}
