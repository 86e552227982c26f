//! Calls to the target's stanza operations and the comparisons every
//! stanza scenario uses. A crash, hang or `InternalError` on a stanza input
//! is a `fail`: the profile says what the answer must be for every input.

use crate::adapter::client::Reply;
use crate::adapter::names::category_name;
use crate::adapter::proto::{request::Op, response, ErrorCategory, StanzaParse, StanzaSerialize};
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::{Category, Node, View};
use crate::runner::outcome::Finding;
use crate::suites::{refusal, ScenarioCtx};

/// What the target made of a stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<T> {
    Accepted(T),
    Refused(i32),
}

pub fn limits(ctx: &ScenarioCtx) -> StanzaParams {
    ctx.profile.stanza
}

/// Bounds the trees the harness converts from a target's reply.
fn max_elements(ctx: &ScenarioCtx) -> usize {
    (limits(ctx).max_stanza_bytes as usize).max(1024)
}

/// Sends one request; transport failures and `InternalError` fail the
/// scenario, `Unsupported` makes it not applicable.
fn call(ctx: &mut ScenarioCtx, op: Op, what: &str) -> Result<Answer<response::Reply>, Finding> {
    match ctx.client.call(op) {
        Ok(Reply::Result(result)) => Ok(Answer::Accepted(result)),
        Ok(Reply::Rejected { category, .. }) => Ok(Answer::Refused(category)),
        Ok(Reply::Unsupported(detail)) => Err(Finding::not_applicable(format!(
            "the target does not support {what}: {detail}"
        ))),
        Ok(Reply::Internal(detail)) => Err(Finding::fail(format!(
            "the target failed internally on {what} (a result or a refusal is due): {detail}"
        ))),
        Err(err) => Err(Finding::fail(format!("the target broke on {what}: {err}"))),
    }
}

pub fn parse(ctx: &mut ScenarioCtx, xml: &[u8], what: &str) -> Result<Answer<View>, Finding> {
    let op = Op::StanzaParse(StanzaParse { xml: xml.to_vec() });
    match call(ctx, op, what)? {
        Answer::Accepted(response::Reply::StanzaParse(result)) => {
            let view = result
                .view
                .ok_or_else(|| Finding::fail(format!("{what}: the result carries no view")))?;
            View::from_proto(&view, max_elements(ctx))
                .map(Answer::Accepted)
                .map_err(|why| {
                    Finding::fail(format!("{what}: the returned view is invalid: {why}"))
                })
        }
        Answer::Accepted(other) => Err(super::super::unexpected(Reply::Result(other), what)),
        Answer::Refused(category) => Ok(Answer::Refused(category)),
    }
}

pub fn serialize(
    ctx: &mut ScenarioCtx,
    root: &Node,
    what: &str,
) -> Result<Answer<Vec<u8>>, Finding> {
    let op = Op::StanzaSerialize(StanzaSerialize {
        root: Some(root.to_proto()),
    });
    match call(ctx, op, what)? {
        Answer::Accepted(response::Reply::StanzaSerialize(result)) => {
            Ok(Answer::Accepted(result.xml))
        }
        Answer::Accepted(other) => Err(super::super::unexpected(Reply::Result(other), what)),
        Answer::Refused(category) => Ok(Answer::Refused(category)),
    }
}

/// The first place two views differ, for a readable failure.
pub fn difference(got: &View, expected: &View) -> String {
    let got_json = serde_json::to_string(got).unwrap_or_default();
    let expected_json = serde_json::to_string(expected).unwrap_or_default();
    let at = got_json
        .bytes()
        .zip(expected_json.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(got_json.len().min(expected_json.len()));
    let from = at.saturating_sub(60);
    let excerpt = |s: &str| {
        let start = (from..=at.min(s.len()))
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        let end = (at + 80).min(s.len());
        let end = (end..=s.len())
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(s.len());
        s[start..end].to_string()
    };
    format!(
        "views differ at JSON offset {at}: got …{}…, expected …{}…",
        excerpt(&got_json),
        excerpt(&expected_json)
    )
}

pub fn expect_view(
    ctx: &mut ScenarioCtx,
    xml: &[u8],
    expected: &View,
    what: &str,
) -> Result<(), Finding> {
    match parse(ctx, xml, what)? {
        Answer::Accepted(got) if got == *expected => Ok(()),
        Answer::Accepted(got) => Err(Finding::fail(format!(
            "{what}: {}",
            difference(&got, expected)
        ))),
        Answer::Refused(category) => Err(Finding::fail(format!(
            "{what} was refused with {}; it is a valid stanza",
            category_name(category)
        ))),
    }
}

pub fn expect_refused(
    ctx: &mut ScenarioCtx,
    xml: &[u8],
    expected: Category,
    what: &str,
) -> Result<(), Finding> {
    let answer = parse(ctx, xml, what)?;
    check_category(ctx, answer, expected.to_proto(), what)
}

/// A refusal, for which the docs name `expected` (another category is a
/// recorded deviation, see `suites::refusal`).
pub fn check_category<T>(
    ctx: &mut ScenarioCtx,
    answer: Answer<T>,
    expected: ErrorCategory,
    what: &str,
) -> Result<(), Finding> {
    match answer {
        Answer::Refused(category) => {
            ctx.note(refusal::judge_category(category, &[expected], what));
            Ok(())
        }
        Answer::Accepted(_) => Err(Finding::fail(format!(
            "{what} was accepted; expected a refusal ({})",
            expected.as_str_name()
        ))),
    }
}

/// Shortens bytes for a message: the start, as lossy text.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
    if bytes.len() > 300 {
        format!("{text:?}… ({} bytes)", bytes.len())
    } else {
        format!("{text:?}")
    }
}
