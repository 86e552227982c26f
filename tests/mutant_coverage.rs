//! The mutants against the catalog, without running a target: every MUST
//! requirement is named by at least one mutant, every requirement a mutant
//! names is a MUST or SHOULD of the mutant's suite, every mutant cites what
//! inspired it, and docs/mutants.md is the table as rendered now.

use interspec::catalog::Catalog;
use interspec::targets::mutants::{self, MUTANTS};

#[test]
fn every_must_has_a_mutant_and_every_claim_is_a_requirement() {
    let catalog = Catalog::builtin().expect("catalog");
    let gaps = mutants::gaps(&catalog);
    assert!(
        gaps.bad_claims.is_empty(),
        "mutants naming a requirement that is not a MUST or SHOULD of their suite: {:?}",
        gaps.bad_claims
    );
    assert!(
        gaps.mutants_without_requirement.is_empty(),
        "mutants naming no requirement: {:?}",
        gaps.mutants_without_requirement
    );
    assert!(
        gaps.musts_without_mutant.is_empty(),
        "MUST requirements no mutant names ({}): {:?}",
        gaps.musts_without_mutant.len(),
        gaps.musts_without_mutant
    );
}

#[test]
fn every_mutant_cites_its_inspiration() {
    for m in MUTANTS {
        assert!(
            m.inspired_by.trim().len() >= 10,
            "{}: inspired_by should name the bug, CVE or library behaviour",
            m.name
        );
    }
}

#[test]
fn docs_mutants_md_is_up_to_date() {
    let catalog = Catalog::builtin().expect("catalog");
    let rendered = mutants::render_markdown(&catalog);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/mutants.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/mutants.md is out of date: run `cargo run -- explain --mutants > docs/mutants.md`"
    );
}
