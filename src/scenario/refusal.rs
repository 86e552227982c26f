//! The one place that judges a reply that should be a refusal
//! (docs/adapter.md §Refusals).
//!
//! The security property of a negative scenario is "refused, and nothing
//! changed"; the scenario checks the second half itself. The category a
//! target names is a diagnostic: a refusal under another category passes and
//! is recorded as a [`Deviation`]. The replies that are not refusals:
//!
//! - a result: the input was accepted, a failure;
//! - `Unsupported`: the target lacks the operation, so the scenario is not
//!   applicable (never a pass; a requirement shown by nothing is unmet);
//! - `InternalError`: the target did not refuse cleanly, a failure.

use crate::adapter::client::Reply;
use crate::adapter::names::category_name;
use crate::adapter::proto::ErrorCategory;
use crate::scenario::outcome::{Deviation, Finding};

/// How a reply that should be a refusal was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Refused under one of the expected categories.
    Exact,
    /// Refused under another category.
    Deviation(Deviation),
}

/// Judges `reply` to the input described by `what`, which the docs say is
/// refused with one of `expected`.
pub fn judge(reply: &Reply, expected: &[ErrorCategory], what: &str) -> Result<Refusal, Finding> {
    let names = || {
        expected
            .iter()
            .map(|c| c.as_str_name())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match reply {
        Reply::Rejected { category, .. } => Ok(judge_category(*category, expected, what)),
        Reply::Result(_) => Err(Finding::fail(format!(
            "{what} was accepted, expected a refusal ({})",
            names()
        ))),
        Reply::Unsupported(detail) => Err(Finding::not_applicable(format!(
            "the target does not support {what}: {detail}"
        ))),
        Reply::Internal(detail) => Err(Finding::fail(format!(
            "{what} was answered InternalError ({detail}), expected a refusal ({})",
            names()
        ))),
    }
}

/// Judges a refusal already reduced to its category (suites that keep the
/// category of a `Rejected` reply): `Ok` with the deviation, if any.
pub fn judge_category(category: i32, expected: &[ErrorCategory], what: &str) -> Refusal {
    if expected.iter().any(|c| *c as i32 == category) {
        Refusal::Exact
    } else {
        Refusal::Deviation(Deviation {
            input: what.to_string(),
            expected: expected.iter().map(|c| c.as_str_name().into()).collect(),
            got: category_name(category),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::outcome::OutcomeKind;

    fn rejected(category: ErrorCategory) -> Reply {
        Reply::Rejected {
            category: category as i32,
            detail: "no".into(),
        }
    }

    #[test]
    fn the_expected_category_is_exact_and_another_is_a_deviation() {
        let expected = [ErrorCategory::BadMac, ErrorCategory::InvalidKey];
        assert!(matches!(
            judge(&rejected(ErrorCategory::InvalidKey), &expected, "x"),
            Ok(Refusal::Exact)
        ));
        let Ok(Refusal::Deviation(d)) = judge(
            &rejected(ErrorCategory::MalformedInput),
            &expected,
            "a forged key",
        ) else {
            panic!("expected a deviation");
        };
        assert_eq!(d.got, "MALFORMED_INPUT");
        assert_eq!(d.expected, ["BAD_MAC", "INVALID_KEY"]);
        assert!(d.describe().contains("a forged key"));
    }

    #[test]
    fn acceptance_and_internal_errors_fail_and_unsupported_is_not_applicable() {
        let expected = [ErrorCategory::BadMac];
        let kind = |reply: Reply| judge(&reply, &expected, "x").map_err(|f| f.kind).err();
        assert_eq!(
            kind(Reply::Unsupported("no".into())),
            Some(OutcomeKind::NotApplicable)
        );
        assert_eq!(
            kind(Reply::Internal("boom".into())),
            Some(OutcomeKind::Fail)
        );
        assert_eq!(
            kind(Reply::Result(
                crate::adapter::proto::response::Reply::Reset(
                    crate::adapter::proto::ResetResult {}
                )
            )),
            Some(OutcomeKind::Fail)
        );
    }
}
