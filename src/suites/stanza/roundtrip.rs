//! Serialization by the target, and the property scenarios over generated
//! stanzas: peer-written spellings parse on the target to the peer's view,
//! target-written stanzas parse back on the peer, corruptions and
//! truncations are parsed correctly or refused, never mishandled.

use proptest::collection::vec;
use proptest::prelude::*;

use super::target::{self, check_category, excerpt, limits, Answer};
use crate::adapter::names::category_name;
use crate::adapter::proto::ErrorCategory;
use crate::peer::stanza::generate::{shaped_stanza, spelled_stanza, spelling, stanza};
use crate::peer::stanza::hostile::base_message;
use crate::peer::stanza::serialize::{serialize, Spelling};
use crate::peer::stanza::view::{Node, CLIENT_NS, XML_NS};
use crate::peer::stanza::{parse as peer_parse, Category};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

/// The target writes `root`; the peer must read exactly `root` back under
/// the run's limits. A tree whose plainest spelling exceeds a limit of the
/// profile may be refused instead (docs/stanza.md §8: refused "with the
/// category parsing its serialization would give").
fn round_trip(ctx: &mut ScenarioCtx, root: &Node, what: &str) -> Result<(), Finding> {
    let limits = limits(ctx);
    match target::serialize(ctx, root, what)? {
        Answer::Accepted(xml) => {
            let view = peer_parse(&xml, &limits).map_err(|e| {
                Finding::fail(format!(
                    "{what}: the peer refuses the target's output ({e}): {}",
                    excerpt(&xml)
                ))
            })?;
            if view.root != *root {
                let expected = crate::peer::stanza::View {
                    root: root.clone(),
                    typed: view.typed.clone(),
                };
                return Err(Finding::fail(format!(
                    "{what}: the target's output {} reads back differently: {}",
                    excerpt(&xml),
                    target::difference(&view, &expected)
                )));
            }
            Ok(())
        }
        Answer::Refused(category) => {
            match peer_parse(&serialize(root, &Spelling::default()), &limits) {
                Err(e) if e.category == Category::Limit => check_category(
                    ctx,
                    Answer::<()>::Refused(category),
                    ErrorCategory::LimitExceeded,
                    &format!("{what} over a limit of profile {} ({e})", ctx.profile.name),
                ),
                _ => Err(Finding::fail(format!(
                    "{what} was refused with {}; it is a valid stanza",
                    category_name(category)
                ))),
            }
        }
    }
}

/// A fixed tree shows what its scenario checks only within the run's
/// limits; under a profile too small for it the scenario is not applicable.
fn fits(ctx: &ScenarioCtx, root: &Node, what: &str) -> Result<(), Finding> {
    match peer_parse(&serialize(root, &Spelling::default()), &limits(ctx)) {
        Err(e) if e.category == Category::Limit => Err(Finding::not_applicable(format!(
            "{what}: the tree exceeds a stanza limit of profile {} ({e})",
            ctx.profile.name
        ))),
        _ => Ok(()),
    }
}

pub fn serialize_base_message(ctx: &mut ScenarioCtx) -> Check {
    let base = target::base_stanza(ctx, 0);
    fits(ctx, &base, "the base message")?;
    round_trip(ctx, &base, "serializing the base message")?;
    Ok("the target's serialization of a message reads back as the same tree".into())
}

pub fn serialize_escapes(ctx: &mut ScenarioCtx) -> Check {
    let nasty = "a<b>&c\"d'e\tf\ng\rh ]]> i&amp;";
    let mut root = base_message()
        .with_attr("x-nasty", nasty)
        .with_attr("x-space", "  two  spaces  ")
        .with_child(Node::new(CLIENT_NS, "note").with_text(nasty))
        .with_child(Node::new(CLIENT_NS, "edge").with_text("\u{7f}\u{85}é😀\r\n"));
    root.set_attr("", "x-lines", "\r\n\t");
    fits(ctx, &root, "markup characters, quotes and white space")?;
    round_trip(
        ctx,
        &root,
        "serializing markup characters, quotes and white space",
    )?;
    Ok("markup characters, quotes, tabs, CR and LF survive the target's serialization".into())
}

pub fn serialize_namespaces(ctx: &mut ScenarioCtx) -> Check {
    let mut root = base_message()
        .with_child(
            Node::new("urn:x-interspec:ext", "meta")
                .with_child(Node::new("", "plain").with_text("no namespace"))
                .with_child(Node::new("urn:x-interspec:ext", "inner")),
        )
        .with_child(Node::new("", "enc").with_attr("type", "not-validated"));
    root.set_attr("urn:x-interspec:ext", "id", "namespaced id");
    root.set_attr(XML_NS, "lang", "en");
    fits(ctx, &root, "foreign, empty and attribute namespaces")?;
    round_trip(
        ctx,
        &root,
        "serializing foreign, empty and attribute namespaces",
    )?;
    Ok("foreign and empty namespaces and namespaced attributes survive serialization".into())
}

pub fn serialize_refuses_invalid(ctx: &mut ScenarioCtx) -> Check {
    let mut no_to = base_message();
    no_to.remove_attr("to");
    let mut bad_enc = base_message();
    bad_enc.children[0].set_attr("", "type", "frank");
    let mut bad_name = base_message();
    bad_name.children.push(Node::new(CLIENT_NS, "two words"));
    let mut bad_char = base_message();
    bad_char.set_attr("", "x-nul", "a\u{0}b");
    let cases = [
        (
            no_to,
            ErrorCategory::SchemaViolation,
            "a message without to",
        ),
        (
            Node::new(CLIENT_NS, "chat").with_attr("id", "1"),
            ErrorCategory::SchemaViolation,
            "an unknown root element",
        ),
        (
            bad_enc,
            ErrorCategory::SchemaViolation,
            "an enc of unknown type",
        ),
        (
            bad_name,
            ErrorCategory::MalformedInput,
            "an element named \"two words\"",
        ),
        (
            bad_char,
            ErrorCategory::MalformedInput,
            "an attribute holding NUL",
        ),
    ];
    for (root, category, what) in cases {
        let what = format!("serializing {what}");
        let answer = target::serialize(ctx, &root, &what)?;
        check_category(ctx, answer, category, &what)?;
    }
    Ok("5 invalid trees refused".into())
}

fn describe_spelled((node, spelling): &(Node, Spelling)) -> String {
    excerpt(&serialize(node, spelling))
}

pub fn generated_parse(ctx: &mut ScenarioCtx) -> Check {
    let limits = limits(ctx);
    check_property(
        ctx,
        spelled_stanza(limits),
        describe_spelled,
        |ctx, (node, spelling)| {
            let bytes = serialize(node, spelling);
            target::expect_as_profile_says(ctx, &bytes, "a generated stanza")
        },
    )
}

pub fn serialization_parses_back(ctx: &mut ScenarioCtx) -> Check {
    let limits = limits(ctx);
    check_property(
        ctx,
        shaped_stanza(limits, false),
        |node| format!("{node:?}"),
        |ctx, node| round_trip(ctx, node, "serializing a generated stanza"),
    )
}

/// Bytes that matter to an XML reader, for substitutions and insertions.
const INTERESTING: &[u8] = b"<>&\"'=/!?[]:;#x- \t\n\r\x00\xff\xc3\xa9";

#[derive(Debug, Clone)]
enum Corruption {
    FlipBit(usize, u8),
    Replace(usize, u8),
    Delete(usize),
    Insert(usize, u8),
    Repeat(usize, u8),
}

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Corruption::FlipBit(at, bit)),
        (any::<usize>(), 0..INTERESTING.len())
            .prop_map(|(at, i)| Corruption::Replace(at, INTERESTING[i])),
        any::<usize>().prop_map(Corruption::Delete),
        (any::<usize>(), 0..INTERESTING.len())
            .prop_map(|(at, i)| Corruption::Insert(at, INTERESTING[i])),
        (any::<usize>(), 1u8..24).prop_map(|(at, len)| Corruption::Repeat(at, len)),
    ]
}

fn corrupt(mut bytes: Vec<u8>, corruptions: &[Corruption]) -> Vec<u8> {
    for c in corruptions {
        if bytes.is_empty() {
            break;
        }
        let at = |i: usize| i % bytes.len();
        match *c {
            Corruption::FlipBit(i, bit) => {
                let i = at(i);
                bytes[i] ^= 1 << bit;
            }
            Corruption::Replace(i, b) => {
                let i = at(i);
                bytes[i] = b;
            }
            Corruption::Delete(i) => {
                let i = at(i);
                bytes.remove(i);
            }
            Corruption::Insert(i, b) => {
                let i = at(i);
                bytes.insert(i, b);
            }
            Corruption::Repeat(i, len) => {
                let i = at(i);
                let end = (i + len as usize).min(bytes.len());
                let piece = bytes[i..end].to_vec();
                bytes.splice(i..i, piece);
            }
        }
    }
    bytes
}

pub fn corrupted(ctx: &mut ScenarioCtx) -> Check {
    let strategy = (stanza(), spelling(), vec(corruption(), 1..4));
    check_property(
        ctx,
        strategy,
        |(node, spelling, corruptions)| {
            format!(
                "{} after {corruptions:?}",
                excerpt(&corrupt(serialize(node, spelling), corruptions))
            )
        },
        |ctx, (node, spelling, corruptions)| {
            let bytes = corrupt(serialize(node, spelling), corruptions);
            let peer = peer_parse(&bytes, &limits(ctx));
            match (peer, target::parse(ctx, &bytes, "a corrupted stanza")?) {
                (Ok(expected), Answer::Accepted(got)) if got == expected => Ok(()),
                (Ok(expected), Answer::Accepted(got)) => Err(Finding::fail(format!(
                    "a corrupted stanza that is still valid: {}",
                    target::difference(&got, &expected)
                ))),
                (Ok(_), Answer::Refused(category)) => {
                    match target::non_uri_namespace(ctx, &bytes) {
                        // docs/stanza.md §2: refusing a namespace name that is
                        // not a URI reference conforms too.
                        Some(why) => check_category(
                            ctx,
                            Answer::<()>::Refused(category),
                            ErrorCategory::MalformedInput,
                            &format!("a corrupted stanza refused for its namespace name ({why})"),
                        ),
                        None => Err(Finding::fail(format!(
                            "a corrupted stanza that is still valid was refused with {}",
                            category_name(category)
                        ))),
                    }
                }
                (Err(e), Answer::Accepted(_)) => Err(Finding::fail(format!(
                    "a corrupted stanza was accepted; it must be refused ({e})"
                ))),
                (Err(_), Answer::Refused(_)) => Ok(()),
            }
        },
    )
}

pub fn truncated(ctx: &mut ScenarioCtx) -> Check {
    // No trailing comment: then every strict prefix is incomplete.
    let spelled = (stanza(), spelling()).prop_map(|(node, mut spelling)| {
        spelling.comments = false;
        (node, spelling)
    });
    check_property(
        ctx,
        (spelled, 0.0f64..1.0),
        |((node, spelling), cut)| {
            let bytes = serialize(node, spelling);
            let keep = (bytes.len() as f64 * cut) as usize;
            format!(
                "the first {keep} of {} bytes of {}",
                bytes.len(),
                excerpt(&bytes)
            )
        },
        |ctx, ((node, spelling), cut)| {
            let bytes = serialize(node, spelling);
            let keep = ((bytes.len() as f64 * cut) as usize).min(bytes.len().saturating_sub(1));
            // Besides the random cut, every case also cuts just before the
            // root's end tag: a document that ends inside an open element
            // whatever the random cut fell on.
            let before_end_tag = find_last(&bytes, b"</").filter(|&at| at != keep);
            for keep in std::iter::once(keep).chain(before_end_tag) {
                // A prefix that already exceeds a limit of the profile may be
                // refused for either defect (docs/stanza.md §1).
                let mut expected = vec![ErrorCategory::MalformedInput];
                if let Err(e) = target::under_profile(ctx, &bytes[..keep]) {
                    if e.category == Category::Limit {
                        expected.push(ErrorCategory::LimitExceeded);
                    }
                }
                target::expect_refused_as(
                    ctx,
                    &bytes[..keep],
                    &expected,
                    &format!("the first {keep} of {} bytes of a stanza", bytes.len()),
                )?;
            }
            Ok(())
        },
    )
}

/// Where `needle` last starts in `haystack`.
fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
