//! The golden corpus (`vectors/stanza/`, embedded at build time), replayed
//! through the target one group at a time. Each case expects the view it
//! records or the refusal category it names.

use super::corpus_files::FILES;
use super::target::{expect_refused, expect_view};
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::corpus::{check_case, Expectation};
use crate::runner::outcome::{Check, Finding};
use crate::suites::{ScenarioCtx, ScenarioImpl};

/// One embedded case.
pub struct Case {
    pub name: &'static str,
    pub xml: &'static [u8],
    pub expectation: Expectation,
}

/// Every embedded case, or why the embedded corpus is unusable.
pub fn embedded_cases() -> Result<Vec<Case>, String> {
    FILES
        .iter()
        .map(|(name, xml, json)| {
            Ok(Case {
                name,
                xml,
                expectation: Expectation::from_json(json).map_err(|e| format!("{name}: {e}"))?,
            })
        })
        .collect()
}

/// Which cases a scenario replays.
type Select = fn(&str, &Expectation) -> bool;

fn replay(ctx: &mut ScenarioCtx, select: Select, what: &str) -> Check {
    let cases = embedded_cases().map_err(Finding::error)?;
    // The corpus is written for the default profile; a case whose
    // expectation does not hold under this profile's limits (the peer says
    // otherwise) is left out rather than misjudged.
    let limits = ctx.profile.stanza;
    let in_group: Vec<&Case> = cases
        .iter()
        .filter(|c| select(c.name, &c.expectation))
        .collect();
    let selected: Vec<&Case> = in_group
        .iter()
        .copied()
        .filter(|c| check_case(c.xml, &c.expectation, &limits).is_ok())
        .collect();
    let left_out = in_group.len() - selected.len();
    if selected.is_empty() {
        return Err(Finding::not_applicable(format!(
            "no {what} corpus case holds under profile {}",
            ctx.profile.name
        )));
    }
    let mut failures = Vec::new();
    for case in &selected {
        let label = format!(
            "corpus case {} ({})",
            case.name, case.expectation.description
        );
        let result = match (&case.expectation.view, case.expectation.refused) {
            (Some(view), _) => expect_view(ctx, case.xml, view, &label),
            (None, Some(category)) => expect_refused(ctx, case.xml, category, &label),
            (None, None) => Err(Finding::error(format!("{}: no expectation", case.name))),
        };
        match result {
            Ok(()) => {}
            Err(finding) if finding.kind == crate::runner::outcome::OutcomeKind::Fail => {
                failures.push(finding.message)
            }
            // Not applicable or a harness error ends the scenario as it is.
            Err(finding) => return Err(finding),
        }
    }
    if failures.is_empty() {
        let note = if left_out > 0 {
            format!(" ({left_out} left out: they assume the default limits)")
        } else {
            String::new()
        };
        Ok(format!(
            "{} {what} cases answered as the corpus expects{note}",
            selected.len()
        ))
    } else {
        let shown: Vec<String> = failures.iter().take(5).cloned().collect();
        Err(Finding::fail(format!(
            "{} of {} {what} cases failed: {}{}",
            failures.len(),
            selected.len(),
            shown.join("; "),
            if failures.len() > 5 { "; …" } else { "" }
        )))
    }
}

fn is_malformed_xml(name: &str) -> bool {
    name.starts_with("invalid-utf8")
        || name == "utf16-bom"
        || name.starts_with("char-")
        || name.starts_with("charref-")
        || name.starts_with("duplicate-attribute")
        || is_namespace_error(name)
}

fn is_namespace_error(name: &str) -> bool {
    name.starts_with("unbound-") || name == "undeclare-prefix" || name == "rebind-xml-prefix"
}

/// (scenario id, what the cases are, which cases) for every corpus scenario.
const GROUPS: &[(&str, &str, Select)] = &[
    ("stanza/corpus-spellings", "spelling", |_, e| {
        e.group == "spelling"
    }),
    ("stanza/corpus-namespaces", "namespace", |_, e| {
        e.group == "namespaces"
    }),
    ("stanza/corpus-typed-fields", "typed-field", |_, e| {
        e.group == "typed"
    }),
    ("stanza/corpus-doctype-refused", "DOCTYPE", |n, _| {
        n.starts_with("doctype")
    }),
    (
        "stanza/corpus-pi-and-encoding-refused",
        "processing-instruction and encoding",
        |n, _| n.starts_with("pi-") || n.starts_with("encoding-") || n.starts_with("xml-version"),
    ),
    (
        "stanza/corpus-invalid-utf8-refused",
        "invalid-UTF-8",
        |n, _| n.starts_with("invalid-utf8") || n == "utf16-bom",
    ),
    (
        "stanza/corpus-forbidden-characters-refused",
        "forbidden-character",
        |n, _| n.starts_with("char-") || n.starts_with("charref-"),
    ),
    (
        "stanza/corpus-duplicate-attributes-refused",
        "duplicate-attribute",
        |n, _| n.starts_with("duplicate-attribute"),
    ),
    (
        "stanza/corpus-namespace-errors-refused",
        "namespace-error",
        |n, _| is_namespace_error(n),
    ),
    (
        "stanza/corpus-structure-errors-refused",
        "structural well-formedness",
        |n, e| e.group == "malformed" && !is_malformed_xml(n),
    ),
    (
        "stanza/corpus-schema-violations-refused",
        "schema",
        |_, e| e.group == "schema",
    ),
    ("stanza/corpus-bad-base64-refused", "base64", |n, _| {
        n.starts_with("base64-")
    }),
    ("stanza/corpus-bad-addresses-refused", "address", |n, _| {
        n.starts_with("address-")
    }),
    ("stanza/corpus-bad-numbers-refused", "number", |n, _| {
        n.starts_with("t-") || n.starts_with("enc-v-")
    }),
    ("stanza/corpus-default-limits", "default-limit", |_, e| {
        e.group == "limits"
    }),
];

/// The limit cases are written for the default profile's values.
const LIMITS_GROUP: usize = 14;

fn run_group(ctx: &mut ScenarioCtx, index: usize) -> Check {
    let (_, what, select) = GROUPS[index];
    if index == LIMITS_GROUP && ctx.profile.stanza != StanzaParams::default() {
        return Err(Finding::not_applicable(
            "the corpus's limit cases assume the default profile's limits",
        ));
    }
    replay(ctx, select, what)
}

macro_rules! group_fns {
    ($($index:literal => $fn_name:ident),* $(,)?) => {
        $(fn $fn_name(ctx: &mut ScenarioCtx) -> Check { run_group(ctx, $index) })*
        const GROUP_FNS: &[fn(&mut ScenarioCtx) -> Check] = &[$($fn_name),*];
    };
}

group_fns!(
    0 => g0, 1 => g1, 2 => g2, 3 => g3, 4 => g4, 5 => g5, 6 => g6, 7 => g7,
    8 => g8, 9 => g9, 10 => g10, 11 => g11, 12 => g12, 13 => g13, 14 => g14,
);

pub fn scenarios() -> Vec<ScenarioImpl> {
    GROUPS
        .iter()
        .zip(GROUP_FNS)
        .map(|((id, _, _), run)| ScenarioImpl { id, run: *run })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn embedded_corpus_matches_the_vector_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/stanza");
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .expect("vectors/stanza")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        let inputs: BTreeSet<String> = std::fs::read_dir(&dir)
            .expect("vectors/stanza")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            on_disk, inputs,
            "every .xml has its .json and every .json its .xml"
        );
        let embedded: BTreeSet<String> = FILES.iter().map(|(n, _, _)| n.to_string()).collect();
        assert_eq!(on_disk, embedded, "rerun tools/stanza_corpus.py");
        assert!(embedded.len() >= 60);
    }

    #[test]
    fn every_case_holds_under_the_default_profile() {
        for case in embedded_cases().expect("cases") {
            check_case(case.xml, &case.expectation, &StanzaParams::default())
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        }
    }

    #[test]
    fn every_case_is_replayed_by_exactly_one_scenario() {
        assert_eq!(GROUPS.len(), GROUP_FNS.len());
        assert_eq!(GROUPS[LIMITS_GROUP].0, "stanza/corpus-default-limits");
        for case in embedded_cases().expect("cases") {
            let owners: Vec<&str> = GROUPS
                .iter()
                .filter(|(_, _, select)| select(case.name, &case.expectation))
                .map(|(id, _, _)| *id)
                .collect();
            assert_eq!(owners.len(), 1, "{} is replayed by {owners:?}", case.name);
        }
    }
}
