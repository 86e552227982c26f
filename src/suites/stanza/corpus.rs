//! The golden corpus (`vectors/stanza/`, embedded at build time), replayed
//! through the target one group at a time. Each case expects the view it
//! records or the refusal category it names.

use super::corpus_files::FILES;
use super::target::{expect_refused_as, expect_view};
use crate::adapter::proto::ErrorCategory;
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::corpus::{check_case, Expectation};
use crate::peer::stanza::{parse as peer_parse, Category, View};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

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
pub type Select = fn(&str, &Expectation) -> bool;

/// What a case must get under the run's profile.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    View(Box<View>),
    /// Refused; the categories the docs allow for it.
    Refused(Vec<ErrorCategory>),
}

/// The answer `case` must get under `limits`, and whether the limits made
/// it differ from the corpus's (which records the default profile's answer,
/// checked against the peer by `every_case_holds_under_the_default_profile`).
///
/// Only a limit may change an answer (docs/stanza.md §7): a case that
/// exceeds one of these limits must be refused with `LIMIT_EXCEEDED` (and a
/// case with another defect too may be refused for either, §1: "an input
/// with several defects may be refused in the category of whichever defect
/// the parser meets first (the size limit always first)"); a case the
/// corpus refuses only for a default limit it no longer exceeds gets what
/// the rest of the profile makes of it (the peer's view or refusal under
/// these limits). Any other change is the harness's error.
pub fn expected_under(
    xml: &[u8],
    expectation: &Expectation,
    limits: &StanzaParams,
) -> Result<(Expected, bool), String> {
    let corpus = match (&expectation.view, expectation.refused) {
        (Some(view), _) => Expected::View(Box::new(view.clone())),
        (None, Some(category)) => Expected::Refused(vec![category.to_proto()]),
        (None, None) => return Err("no expectation".into()),
    };
    if check_case(xml, expectation, limits).is_ok() {
        return Ok((corpus, false));
    }
    let under = peer_parse(xml, limits);
    match (&corpus, under) {
        (_, Err(e)) if e.category == Category::Limit => {
            let mut categories = vec![ErrorCategory::LimitExceeded];
            if let Expected::Refused(first) = &corpus {
                categories.extend(first.iter().copied());
            }
            categories.dedup();
            Ok((Expected::Refused(categories), true))
        }
        (Expected::Refused(c), Ok(view)) if c == &[ErrorCategory::LimitExceeded] => {
            Ok((Expected::View(Box::new(view)), true))
        }
        (Expected::Refused(c), Err(e)) if c == &[ErrorCategory::LimitExceeded] => {
            Ok((Expected::Refused(vec![e.category.to_proto()]), true))
        }
        (_, other) => Err(format!(
            "the answer changes under these limits for a reason other than a limit: {}",
            match other {
                Ok(_) => "the peer accepts it".to_string(),
                Err(e) => format!("the peer refuses it ({e})"),
            }
        )),
    }
}

/// Replays one group of cases: those `select` picks, called `what` in
/// messages. One member of the family registered from [`GROUPS`].
pub fn replay(ctx: &mut ScenarioCtx, &(what, select): &(&'static str, Select)) -> Check {
    let cases = embedded_cases().map_err(Finding::error)?;
    // Every case is judged under the run's profile: the corpus records the
    // default profile's answers, and a case a limit of this profile decides
    // otherwise gets the answer these limits give (the target was told them
    // through Configure).
    let limits = ctx.profile.stanza;
    let selected: Vec<&Case> = cases
        .iter()
        .filter(|c| select(c.name, &c.expectation))
        .collect();
    if selected.is_empty() {
        return Err(Finding::error(format!("no {what} corpus case")));
    }
    let mut failures = Vec::new();
    let mut changed = 0;
    for case in &selected {
        let (expected, differs) =
            expected_under(case.xml, &case.expectation, &limits).map_err(|e| {
                Finding::error(format!(
                    "corpus case {} under profile {}: {e}",
                    case.name, ctx.profile.name
                ))
            })?;
        let label = if differs {
            changed += 1;
            format!(
                "corpus case {} ({}; answered as profile {}'s limits decide)",
                case.name, case.expectation.description, ctx.profile.name
            )
        } else {
            format!(
                "corpus case {} ({})",
                case.name, case.expectation.description
            )
        };
        let result = match &expected {
            Expected::View(view) => expect_view(ctx, case.xml, view, &label),
            Expected::Refused(categories) => expect_refused_as(ctx, case.xml, categories, &label),
        };
        match result {
            Ok(()) => {}
            Err(finding) if finding.kind == crate::scenario::outcome::OutcomeKind::Fail => {
                failures.push(finding.message)
            }
            // Not applicable or a harness error ends the scenario as it is.
            Err(finding) => return Err(finding),
        }
    }
    if failures.is_empty() {
        let note = if changed > 0 {
            format!(
                " ({changed} of them answered as profile {}'s limits decide, not as the default's)",
                ctx.profile.name
            )
        } else {
            String::new()
        };
        Ok(format!(
            "{} {what} cases answered as expected{note}",
            selected.len()
        ))
    } else {
        // Every failed case is named: the corpus is built in, so the list
        // is bounded by it (report.html and report.md shorten long
        // messages; report.json keeps them whole).
        Err(Finding::fail(format!(
            "{} of {} {what} cases failed: {}",
            failures.len(),
            selected.len(),
            failures.join("; ")
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
pub const GROUPS: &[(&str, &str, Select)] = &[
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
    ("stanza/corpus-limits", "limit", |_, e| e.group == "limits"),
];

/// The corpus scenarios as a family: one [`replay`] per group.
pub fn groups() -> impl Iterator<Item = (&'static str, (&'static str, Select))> {
    GROUPS
        .iter()
        .map(|&(id, what, select)| (id, (what, select)))
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

    fn profile(
        depth: u32,
        children: u32,
        attributes: u32,
        attr_bytes: u32,
        bytes: u64,
    ) -> StanzaParams {
        StanzaParams {
            max_stanza_bytes: bytes,
            max_depth: depth,
            max_attributes: attributes,
            max_attribute_bytes: attr_bytes,
            max_children: children,
            ..StanzaParams::default()
        }
    }

    fn answers(limits: &StanzaParams) -> Vec<(&'static str, Expected, bool)> {
        embedded_cases()
            .expect("cases")
            .into_iter()
            .map(|c| {
                let (expected, differs) = expected_under(c.xml, &c.expectation, limits)
                    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
                (c.name, expected, differs)
            })
            .collect()
    }

    #[test]
    fn under_the_default_profile_every_case_keeps_its_corpus_answer() {
        assert!(answers(&StanzaParams::default()).iter().all(|(_, _, d)| !d));
    }

    #[test]
    fn a_smaller_profile_refuses_the_at_limit_case_and_keeps_the_rest() {
        let limits = profile(12, 64, 20, 512, 32768);
        for (name, expected, differs) in answers(&limits) {
            if name == "limit-depth-at-max" {
                assert!(differs);
                assert_eq!(
                    expected,
                    Expected::Refused(vec![ErrorCategory::LimitExceeded])
                );
            } else if name.starts_with("limit-") {
                assert_eq!(
                    expected,
                    Expected::Refused(vec![ErrorCategory::LimitExceeded]),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn a_larger_profile_accepts_the_over_limit_cases() {
        let limits = profile(64, 1024, 64, 4096, 1 << 20);
        for (name, expected, differs) in answers(&limits) {
            if name.starts_with("limit-") && name.ends_with("-over") {
                assert!(differs, "{name}");
                assert!(matches!(expected, Expected::View(_)), "{name}");
            } else {
                assert!(!differs, "{name}");
            }
        }
    }

    #[test]
    fn the_tightest_allowed_profile_only_adds_limit_refusals() {
        let limits = profile(2, 2, 4, 64, 1024);
        for (name, expected, differs) in answers(&limits) {
            if differs {
                let Expected::Refused(categories) = expected else {
                    panic!("{name} accepted under the tightest profile");
                };
                assert!(categories.contains(&ErrorCategory::LimitExceeded), "{name}");
            }
        }
    }

    #[test]
    fn every_case_is_replayed_by_exactly_one_scenario() {
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
