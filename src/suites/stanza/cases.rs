//! Single-input scenarios: each sends one or a few stanzas built on the
//! run's base message with exactly one thing changed, and expects either a
//! refusal in the category docs/stanza.md names or the peer's view (with a
//! stated property the harness checks on the peer's own view first, so a
//! scenario cannot pass on a peer that got the rule wrong too).
//!
//! The classes of input here were found by fault injection into independent
//! implementations: names and enumerated values in another case (XML 1.0
//! §1.2 "match": no case folding), mixed content (docs/stanza.md §2 keeps the
//! text on either side of a child), known elements at an unexpected depth
//! (§3: `enc` is only a child of `message`, the root must be a stanza). The
//! statements of §1, §3 and §5 at and past their bounds are in
//! [`super::bounds`], run by the same [`run`].

use super::target::{base_stanza, expect_refused, expect_view, under_profile};
use crate::peer::stanza::hostile::{build, Hostile};
use crate::peer::stanza::serialize::{serialize, Spelling};
use crate::peer::stanza::view::CLIENT_NS;
use crate::peer::stanza::{Category, Node, View};
use crate::scenario::outcome::{Check, Finding, OutcomeKind};
use crate::scenario::ScenarioCtx;

/// A case's inputs as (description, bytes), or why there are none.
pub(super) type Inputs = Result<Vec<(String, Vec<u8>)>, Finding>;

/// What every input of a case must get.
pub enum Expect {
    /// Refused; docs/stanza.md names this category.
    Refused(Category),
    /// Accepted with the peer's view, which must show this property.
    Accepted(fn(&View) -> Result<(), String>),
}

/// One member of the family: its inputs and what each must get.
pub struct Case {
    /// The inputs as (description, bytes), built for the run's profile.
    pub inputs: fn(&ScenarioCtx) -> Inputs,
    pub expect: Expect,
    /// The summary when every input got its answer.
    pub passed: &'static str,
}

/// Sends every input of `case` and judges each answer. An input the run's
/// profile cannot carry (it exceeds a stanza limit before its point shows,
/// docs/stanza.md §7) is left out and counted; the scenario is not
/// applicable only if every input is.
pub fn run(ctx: &mut ScenarioCtx, case: &Case) -> Check {
    let inputs = (case.inputs)(ctx)?;
    let mut left_out = Vec::new();
    for (what, bytes) in &inputs {
        match one(ctx, &case.expect, what, bytes) {
            Ok(()) => {}
            Err(finding) if finding.kind == OutcomeKind::NotApplicable => left_out.push(finding),
            Err(finding) => return Err(finding),
        }
    }
    if left_out.len() == inputs.len() {
        return Err(left_out
            .pop()
            .unwrap_or_else(|| Finding::error("the case has no input")));
    }
    let note = if left_out.is_empty() {
        String::new()
    } else {
        format!(
            "; {} left out as over a limit of profile {}",
            left_out.len(),
            ctx.profile.name
        )
    };
    Ok(format!(
        "{} ({} inputs{note})",
        case.passed,
        inputs.len() - left_out.len()
    ))
}

fn one(ctx: &mut ScenarioCtx, expect: &Expect, what: &str, bytes: &[u8]) -> Result<(), Finding> {
    match expect {
        Expect::Refused(category) => expect_refused(ctx, bytes, *category, what),
        Expect::Accepted(property) => {
            let expected = match under_profile(ctx, bytes) {
                Ok(view) => view,
                Err(e) if e.category == Category::Limit => {
                    return Err(Finding::not_applicable(format!(
                        "{what}: under profile {} the input exceeds a stanza limit ({e})",
                        ctx.profile.name
                    )))
                }
                Err(e) => {
                    return Err(Finding::error(format!(
                        "the peer refuses the harness's own {what}: {e}"
                    )))
                }
            };
            property(&expected).map_err(|why| {
                Finding::error(format!("the peer's view of {what} is wrong: {why}"))
            })?;
            expect_view(ctx, bytes, &expected, what)
        }
    }
}

/// The run's base message (docs/stanza.md §7: the smallest stanza the
/// profile leaves room for); not applicable if only a presence fits.
pub(super) fn message(ctx: &ScenarioCtx) -> Result<Node, Finding> {
    let base = base_stanza(ctx, 0);
    if base.name == "message" && !base.children.is_empty() {
        Ok(base)
    } else {
        Err(Finding::not_applicable(
            "the profile leaves no room for a message with an enc",
        ))
    }
}

pub(super) fn plain(node: &Node) -> Vec<u8> {
    serialize(node, &Spelling::default())
}

pub(super) fn input(what: impl Into<String>, bytes: Vec<u8>) -> (String, Vec<u8>) {
    (what.into(), bytes)
}

/// The base message with its first enc changed by `edit`.
pub(super) fn with_enc(base: &Node, edit: impl FnOnce(&mut Node)) -> Node {
    let mut node = base.clone();
    if let Some(enc) = node.children.iter_mut().find(|c| c.name == "enc") {
        edit(enc);
    }
    node
}

/// The payload of the base message's enc ("MwohBQ==").
const BASE_PAYLOAD: [u8; 4] = [0x33, 0x0a, 0x21, 0x05];

/// The peer's view has exactly the base message's one enc.
pub(super) fn only_the_base_enc(view: &View) -> Result<(), String> {
    match view.typed.enc.as_slice() {
        [enc] if enc.payload == BASE_PAYLOAD => Ok(()),
        other => Err(format!("expected only the base enc, got {other:?}")),
    }
}

fn no_enc(view: &View) -> Result<(), String> {
    if view.typed.enc.is_empty() {
        Ok(())
    } else {
        Err(format!("expected no enc, got {:?}", view.typed.enc))
    }
}

// ---- Names and enumerated values in another case ----

fn root_name_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(["Message", "MESSAGE"]
        .into_iter()
        .map(|name| {
            let mut node = base.clone();
            node.name = name.into();
            input(
                format!("a <{name}> root (names are case-sensitive)"),
                plain(&node),
            )
        })
        .collect())
}

fn enc_type_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(["MSG", "Pkmsg"]
        .into_iter()
        .map(|value| {
            let node = with_enc(&base, |enc| enc.set_attr("", "type", value));
            input(format!("an enc of type {value:?}"), plain(&node))
        })
        .collect())
}

fn iq_type_other_case(_: &ScenarioCtx) -> Inputs {
    Ok(["GET", "Result"]
        .into_iter()
        .map(|value| {
            let node = Node::new(CLIENT_NS, "iq")
                .with_attr("id", "q1")
                .with_attr("type", value);
            input(format!("an iq of type {value:?}"), plain(&node))
        })
        .collect())
}

fn attribute_name_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let mut id = base.clone();
    id.remove_attr("id");
    id.set_attr("", "ID", "3EB0A1");
    let v = with_enc(&base, |enc| {
        enc.remove_attr("v");
        enc.set_attr("", "V", "2");
    });
    Ok(vec![
        input("a message whose id is spelt ID", plain(&id)),
        input("an enc whose v is spelt V", plain(&v)),
    ])
}

fn namespace_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(["Jabber:Client", "JABBER:CLIENT"]
        .into_iter()
        .map(|ns| {
            let mut node = base.clone();
            node.ns = ns.into();
            for child in &mut node.children {
                child.ns = ns.into();
            }
            input(format!("a message in namespace {ns:?}"), plain(&node))
        })
        .collect())
}

fn enc_name_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(["Enc", "ENC"]
        .into_iter()
        .map(|name| {
            let node = base.clone().with_child(
                Node::new(CLIENT_NS, name)
                    .with_attr("v", "2")
                    .with_attr("type", "pkmsg")
                    .with_text("AAEC"),
            );
            input(
                format!("a message with an <{name}> child (an unknown element)"),
                plain(&node),
            )
        })
        .collect())
}

fn declaration_other_case(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok([
        "<?XML version=\"1.0\"?>",
        "<?xml VERSION=\"1.0\"?>",
        "<?xml version=\"1.0\" standalone=\"YES\"?>",
    ]
    .into_iter()
    .map(|prolog| {
        input(
            format!("a stanza after {prolog}"),
            build(&base, &Hostile::Prolog(prolog.into())),
        )
    })
    .collect())
}

// ---- Mixed content ----

fn note_text(expected: &'static str) -> impl Fn(&View) -> Result<(), String> {
    move |view: &View| {
        let note = view.root.children.iter().find(|c| c.name == "note");
        match note {
            Some(note) if note.text == expected => Ok(()),
            other => Err(format!(
                "expected a note with text {expected:?}, got {other:?}"
            )),
        }
    }
}

fn text_after_child(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(vec![
        input(
            "an unknown child whose text follows its own child",
            build(&base, &Hostile::Content("<note><x/>tail</note>".into())),
        ),
        input(
            "a message with text after its enc",
            build(&base, &Hostile::Content("after".into())),
        ),
    ])
}

fn text_after_child_view(view: &View) -> Result<(), String> {
    if view.root.text == "after" {
        return only_the_base_enc(view);
    }
    note_text("tail")(view)?;
    only_the_base_enc(view)
}

fn text_between_children(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(vec![input(
        "an unknown child with text before, between and after its children",
        build(
            &base,
            &Hostile::Content("<note>a<x/>b<y>in</y>c</note>".into()),
        ),
    )])
}

fn text_between_children_view(view: &View) -> Result<(), String> {
    note_text("abc")(view)?;
    only_the_base_enc(view)
}

fn enc_payload_beside_child(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(vec![
        input(
            "an enc whose payload follows an unknown child",
            build(&base, &Hostile::EncContent("<x/>MwohBQ==".into())),
        ),
        input(
            "an enc whose payload is split by an unknown child",
            build(&base, &Hostile::EncContent("Mwoh<x/>BQ==".into())),
        ),
    ])
}

// ---- Known elements at an unexpected depth ----

fn enc_nested_in_child(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(vec![
        input(
            "a message with a valid enc inside an unknown child",
            build(
                &base,
                &Hostile::Content("<x><enc v=\"3\" type=\"pkmsg\">AAEC</enc></x>".into()),
            ),
        ),
        input(
            "a message with an invalid enc inside an unknown child",
            build(
                &base,
                &Hostile::Content("<x><enc v=\"x\" type=\"bogus\"/></x>".into()),
            ),
        ),
    ])
}

fn enc_outside_message(_: &ScenarioCtx) -> Inputs {
    let enc = Node::new(CLIENT_NS, "enc")
        .with_attr("v", "2")
        .with_attr("type", "msg")
        .with_text("MwohBQ==");
    Ok(vec![
        input(
            "a presence with an enc child",
            plain(&Node::new(CLIENT_NS, "presence").with_child(enc.clone())),
        ),
        input(
            "a receipt with an enc child",
            plain(
                &Node::new(CLIENT_NS, "receipt")
                    .with_attr("id", "r1")
                    .with_child(enc),
            ),
        ),
    ])
}

fn stanza_nested_in_unknown_root(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    Ok(["stream", "body"]
        .into_iter()
        .map(|name| {
            input(
                format!("a message inside a <{name}> root"),
                build(&base, &Hostile::Wrapped(name.into())),
            )
        })
        .collect())
}

fn enc_as_root(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let enc = base
        .children
        .iter()
        .find(|c| c.name == "enc")
        .cloned()
        .ok_or_else(|| Finding::error("the base message has no enc"))?;
    Ok(vec![input("an enc as the root", plain(&enc))])
}

/// The members of this module; with [`super::bounds::cases`], one family
/// of [`run`].
pub fn cases() -> Vec<(&'static str, Case)> {
    use Category::{Malformed, Schema};
    vec![
        (
            "stanza/root-name-other-case-refused",
            Case {
                inputs: root_name_other_case,
                expect: Expect::Refused(Schema),
                passed: "a stanza root named in another case refused",
            },
        ),
        (
            "stanza/enc-type-other-case-refused",
            Case {
                inputs: enc_type_other_case,
                expect: Expect::Refused(Schema),
                passed: "enc types in another case refused",
            },
        ),
        (
            "stanza/iq-type-other-case-refused",
            Case {
                inputs: iq_type_other_case,
                expect: Expect::Refused(Schema),
                passed: "iq types in another case refused",
            },
        ),
        (
            "stanza/attribute-name-other-case-refused",
            Case {
                inputs: attribute_name_other_case,
                expect: Expect::Refused(Schema),
                passed: "required attributes named in another case count as missing",
            },
        ),
        (
            "stanza/namespace-other-case-refused",
            Case {
                inputs: namespace_other_case,
                expect: Expect::Refused(Schema),
                passed: "the stanza namespace in another case is another namespace",
            },
        ),
        (
            "stanza/enc-name-other-case-ignored",
            Case {
                inputs: enc_name_other_case,
                expect: Expect::Accepted(only_the_base_enc),
                passed: "<Enc> and <ENC> are unknown elements, not encs",
            },
        ),
        (
            "stanza/xml-declaration-other-case-refused",
            Case {
                inputs: declaration_other_case,
                expect: Expect::Refused(Malformed),
                passed: "XML declarations spelt in another case refused",
            },
        ),
        (
            "stanza/mixed-text-after-child",
            Case {
                inputs: text_after_child,
                expect: Expect::Accepted(text_after_child_view),
                passed: "text after a child element kept in its element's text",
            },
        ),
        (
            "stanza/mixed-text-between-children",
            Case {
                inputs: text_between_children,
                expect: Expect::Accepted(text_between_children_view),
                passed: "text around and between children joined",
            },
        ),
        (
            "stanza/enc-payload-beside-child",
            Case {
                inputs: enc_payload_beside_child,
                expect: Expect::Accepted(only_the_base_enc),
                passed: "an enc payload beside an unknown child decoded",
            },
        ),
        (
            "stanza/enc-nested-in-child-ignored",
            Case {
                inputs: enc_nested_in_child,
                expect: Expect::Accepted(only_the_base_enc),
                passed: "an enc nested in an unknown child is not the message's",
            },
        ),
        (
            "stanza/enc-outside-message-ignored",
            Case {
                inputs: enc_outside_message,
                expect: Expect::Accepted(no_enc),
                passed: "an enc in a presence or receipt is not typed",
            },
        ),
        (
            "stanza/stanza-nested-in-unknown-root-refused",
            Case {
                inputs: stanza_nested_in_unknown_root,
                expect: Expect::Refused(Schema),
                passed: "a message wrapped in an unknown root refused, not unwrapped",
            },
        ),
        (
            "stanza/enc-as-root-refused",
            Case {
                inputs: enc_as_root,
                expect: Expect::Refused(Schema),
                passed: "an enc as the root refused",
            },
        ),
    ]
}
