//! Calls to the target's stanza operations and the comparisons every
//! stanza scenario uses. A crash, hang or `InternalError` on a stanza input
//! is a `fail`: the profile says what the answer must be for every input.

use crate::adapter::client::Reply;
use crate::adapter::names::category_name;
use crate::adapter::proto::{request::Op, response, ErrorCategory, StanzaParse, StanzaSerialize};
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::{parse as peer_parse, parse_uri_namespaces, Category, Node, View};
use crate::scenario::outcome::Finding;
use crate::scenario::{refusal, ScenarioCtx};

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
        Answer::Accepted(other) => Err(crate::scenario::unexpected(Reply::Result(other), what)),
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
        Answer::Accepted(other) => Err(crate::scenario::unexpected(Reply::Result(other), what)),
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
        Answer::Refused(category) => match non_uri_namespace(ctx, xml) {
            Some(why) => check_category(
                ctx,
                Answer::<()>::Refused(category),
                ErrorCategory::MalformedInput,
                &format!("{what}, refused for its namespace name ({why})"),
            ),
            None => Err(Finding::fail(format!(
                "{what} was refused with {}; it is a valid stanza",
                category_name(category)
            ))),
        },
    }
}

/// Why `xml`, which the peer accepts, may still be refused: it declares a
/// namespace name that is not a URI reference. Namespaces in XML 1.0 §3
/// makes such a value an error of the document, and §8 leaves checking it
/// to the processor (docs/stanza.md §2): taking the value as the namespace
/// name and refusing the stanza both conform.
pub fn non_uri_namespace(ctx: &ScenarioCtx, xml: &[u8]) -> Option<String> {
    let limits = limits(ctx);
    match (peer_parse(xml, &limits), parse_uri_namespaces(xml, &limits)) {
        (Ok(_), Err(e)) => Some(e.to_string()),
        _ => None,
    }
}

/// `xml` has one defect, refused as `expected`. Under a profile whose
/// limits the rest of the input already exceeds, the defect cannot be
/// shown (the limit is met first, docs/stanza.md §1): not applicable.
pub fn expect_refused(
    ctx: &mut ScenarioCtx,
    xml: &[u8],
    expected: Category,
    what: &str,
) -> Result<(), Finding> {
    if expected != Category::Limit {
        if let Err(e) = peer_parse(xml, &limits(ctx)) {
            if e.category == Category::Limit {
                return Err(Finding::not_applicable(format!(
                    "{what}: under profile {} the input exceeds a stanza limit before its defect shows ({e})",
                    ctx.profile.name
                )));
            }
        }
    }
    expect_refused_as(ctx, xml, &[expected.to_proto()], what)
}

/// `xml` must be refused; the docs name `expected` as its categories.
pub fn expect_refused_as(
    ctx: &mut ScenarioCtx,
    xml: &[u8],
    expected: &[ErrorCategory],
    what: &str,
) -> Result<(), Finding> {
    let answer = parse(ctx, xml, what)?;
    check_categories(ctx, answer, expected, what)
}

/// A refusal, for which the docs name `expected` (another category is a
/// recorded deviation, see `suites::refusal`).
pub fn check_category<T>(
    ctx: &mut ScenarioCtx,
    answer: Answer<T>,
    expected: ErrorCategory,
    what: &str,
) -> Result<(), Finding> {
    check_categories(ctx, answer, &[expected], what)
}

/// A refusal, for which the docs name any of `expected`: every category
/// passes, another one is recorded as a deviation (`suites::refusal`).
pub fn check_categories<T>(
    ctx: &mut ScenarioCtx,
    answer: Answer<T>,
    expected: &[ErrorCategory],
    what: &str,
) -> Result<(), Finding> {
    match answer {
        Answer::Refused(category) => {
            ctx.note(refusal::judge_category(category, expected, what));
            Ok(())
        }
        Answer::Accepted(_) => Err(Finding::fail(format!(
            "{what} was accepted; expected a refusal ({})",
            expected
                .iter()
                .map(|c| c.as_str_name())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// The stanza one-defect inputs are built on, with room for `extra` more
/// attributes on the root: the peer's base message; under a profile too
/// small for it, the same message without the optional `from` (four
/// attributes, namespace declaration included, docs/stanza.md §7: the
/// fewest a message allows); under a smaller one still, a `presence` (no
/// required attribute, §3) with one unknown child.
pub fn base_stanza(ctx: &ScenarioCtx, extra: u32) -> Node {
    use crate::peer::stanza::view::CLIENT_NS;
    let message = crate::peer::stanza::hostile::base_message();
    let mut without_from = message.clone();
    without_from.remove_attr("from");
    let presence = Node::new(CLIENT_NS, "presence").with_child(Node::new(CLIENT_NS, "x"));
    let max = u64::from(limits(ctx).max_attributes);
    let fits = |node: &Node| {
        // The plain spelling declares the default namespace on the root.
        let attributes = node.attrs.len() as u64 + 1 + u64::from(extra);
        let plain = crate::peer::stanza::serialize::serialize(
            node,
            &crate::peer::stanza::serialize::Spelling::default(),
        );
        attributes <= max && under_profile(ctx, &plain).is_ok()
    };
    [message, without_from]
        .into_iter()
        .find(fits)
        .unwrap_or(presence)
}

/// What the docs make of `xml` under the run's profile: the peer's answer,
/// with the run's limits (docs/stanza.md §7).
pub fn under_profile(
    ctx: &ScenarioCtx,
    xml: &[u8],
) -> Result<View, crate::peer::stanza::StanzaError> {
    peer_parse(xml, &limits(ctx))
}

/// `xml` must get the answer the profile gives it: the view, or a refusal.
/// For inputs the harness built valid except perhaps for a limit (generated
/// stanzas), so a refusal other than a limit is the harness's own error.
pub fn expect_as_profile_says(
    ctx: &mut ScenarioCtx,
    xml: &[u8],
    what: &str,
) -> Result<(), Finding> {
    match under_profile(ctx, xml) {
        Ok(expected) => expect_view(ctx, xml, &expected, what),
        Err(e) if e.category == Category::Limit => expect_refused_as(
            ctx,
            xml,
            &[ErrorCategory::LimitExceeded],
            &format!("{what} over a limit of profile {} ({e})", ctx.profile.name),
        ),
        Err(e) => Err(Finding::error(format!(
            "the peer refuses the harness's own {what}: {e}"
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
