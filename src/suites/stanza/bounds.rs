//! Single-input cases for the statements of docs/stanza.md §1, §3 and §5
//! at and past their bounds: every required attribute absent and empty,
//! reserved namespace declarations, names that are not QNames, addresses
//! and numbers either side of each bound. Run by [`super::cases::run`].

use super::cases::{input, message, only_the_base_enc, plain, with_enc, Case, Expect, Inputs};
use crate::peer::stanza::hostile::{build, Hostile};
use crate::peer::stanza::view::CLIENT_NS;
use crate::peer::stanza::{Category, Node, View};
use crate::scenario::outcome::Finding;
use crate::scenario::ScenarioCtx;

/// Each stanza of docs/stanza.md §3 with its required attributes, and the
/// base message's enc (`v`, `type`), each attribute absent and then empty.
fn required_attributes(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let stanzas = [
        base.clone(),
        Node::new(CLIENT_NS, "receipt").with_attr("id", "r1"),
        Node::new(CLIENT_NS, "ack")
            .with_attr("id", "a1")
            .with_attr("class", "message"),
        Node::new(CLIENT_NS, "iq")
            .with_attr("id", "q1")
            .with_attr("type", "get"),
        Node::new(CLIENT_NS, "notification")
            .with_attr("id", "n1")
            .with_attr("type", "devices"),
    ];
    let mut inputs = Vec::new();
    for stanza in &stanzas {
        let kind = crate::peer::stanza::view::Kind::from_element(&stanza.name)
            .ok_or_else(|| Finding::error(format!("{} is no stanza", stanza.name)))?;
        for &name in crate::peer::stanza::schema::required_attributes(kind) {
            let mut absent = stanza.clone();
            absent.remove_attr(name);
            inputs.push(input(
                format!("a {} without {name}", stanza.name),
                plain(&absent),
            ));
            let mut empty = stanza.clone();
            empty.set_attr("", name, "");
            inputs.push(input(
                format!("a {} with {name}=\"\"", stanza.name),
                plain(&empty),
            ));
        }
    }
    for name in crate::peer::stanza::schema::ENC_REQUIRED {
        let absent = with_enc(&base, |enc| enc.remove_attr(name));
        inputs.push(input(format!("an enc without {name}"), plain(&absent)));
        let empty = with_enc(&base, |enc| enc.set_attr("", name, ""));
        inputs.push(input(format!("an enc with {name}=\"\""), plain(&empty)));
    }
    Ok(inputs)
}

/// Namespaces in XML 1.0 §3: `xmlns` is never declared, and neither
/// reserved namespace is bound to another prefix or made the default.
fn reserved_declarations(ctx: &ScenarioCtx) -> Inputs {
    use crate::peer::stanza::view::{XMLNS_NS, XML_NS};
    let base = message(ctx)?;
    Ok(vec![
        input(
            "xmlns:xmlns declared",
            build(
                &base,
                &Hostile::RawAttributes("xmlns:xmlns=\"urn:x-interspec:ext\"".into()),
            ),
        ),
        input(
            "a prefix bound to the xmlns namespace",
            build(
                &base,
                &Hostile::RawAttributes(format!("xmlns:p=\"{XMLNS_NS}\"")),
            ),
        ),
        input(
            "a prefix other than xml bound to the XML namespace",
            build(
                &base,
                &Hostile::RawAttributes(format!("xmlns:p=\"{XML_NS}\"")),
            ),
        ),
        input(
            "the XML namespace as a child's default namespace",
            build(&base, &Hostile::Content(format!("<x xmlns=\"{XML_NS}\"/>"))),
        ),
    ])
}

/// Namespaces in XML 1.0 §4: element and attribute names are QNames (at
/// most one colon, a non-empty prefix and local part).
fn not_qnames(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let declared = "xmlns:a=\"urn:x-interspec:ext\"";
    Ok(vec![
        input(
            "an element named a:b:c",
            build(&base, &Hostile::Content(format!("<a:b:c {declared}/>"))),
        ),
        input(
            "an element named :x",
            build(&base, &Hostile::Content("<:x/>".into())),
        ),
        input(
            "an attribute named a:",
            build(
                &base,
                &Hostile::Content(format!("<x {declared} a:=\"1\"/>")),
            ),
        ),
    ])
}

fn with_to(base: &Node, to: &str) -> Node {
    let mut node = base.clone();
    node.set_attr("", "to", to);
    node
}

/// docs/stanza.md §5, each part of an address one past its bounds or
/// holding a character its syntax does not allow.
fn bad_addresses(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let long_domain = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(62)
    );
    let cases = [
        (
            format!("{}@example.org", "u".repeat(65)),
            "a user of 65 bytes",
        ),
        ("bo!b@example.org".to_string(), "a '!' in the user"),
        ("bob:-1@example.org".to_string(), "a signed device"),
        ("bob:@example.org".to_string(), "an empty device"),
        (format!("bob@{long_domain}"), "a domain of 254 bytes"),
        (
            format!("bob@{}.org", "a".repeat(64)),
            "a domain label of 64 bytes",
        ),
        ("bob@-example.org".to_string(), "a label starting with '-'"),
        ("bob@example-.org".to_string(), "a label ending with '-'"),
        ("bob@example..org".to_string(), "an empty label"),
        ("bob@exa_mple.org".to_string(), "a '_' in the domain"),
        (
            format!("bob@example.org/{}", "r".repeat(257)),
            "a resource of 257 bytes",
        ),
        ("bob@example.org/a b".to_string(), "a space in the resource"),
        (
            "bob@example.org/caf\u{E9}".to_string(),
            "a non-ASCII resource",
        ),
    ];
    Ok(cases
        .into_iter()
        .map(|(to, what)| input(format!("to={to:?} ({what})"), plain(&with_to(&base, &to))))
        .collect())
}

/// docs/stanza.md §5, each part of an address exactly at its bounds.
fn addresses_at_bounds(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let longest_domain = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    let cases = [
        format!("{}@example.org", "u".repeat(64)),
        "bob:0@example.org".to_string(),
        format!("bob@{longest_domain}"),
        format!("bob@{}.org", "a".repeat(63)),
        format!("bob@example.org/{}", "r".repeat(256)),
        "a-b.c_d+e@1x.example.org/!~".to_string(),
    ];
    Ok(cases
        .into_iter()
        .map(|to| input(format!("to={to:?}"), plain(&with_to(&base, &to))))
        .collect())
}

fn addresses_at_bounds_view(view: &View) -> Result<(), String> {
    match &view.typed.to {
        Some(to) if !to.domain.is_empty() => only_the_base_enc(view),
        other => Err(format!("expected a parsed to, got {other:?}")),
    }
}

/// docs/stanza.md §3: `v` a canonical decimal at most 2^32-1, `t` a
/// canonical decimal u64.
fn bad_numbers(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let mut inputs: Vec<(String, Vec<u8>)> = ["4294967296", "02", "+2", "2.0"]
        .into_iter()
        .map(|v| {
            let node = with_enc(&base, |enc| enc.set_attr("", "v", v));
            input(format!("an enc with v={v:?}"), plain(&node))
        })
        .collect();
    for t in ["+1700000000", "-1", "0x10"] {
        let mut node = base.clone();
        node.set_attr("", "t", t);
        inputs.push(input(format!("a message with t={t:?}"), plain(&node)));
    }
    Ok(inputs)
}

fn numbers_at_bounds(ctx: &ScenarioCtx) -> Inputs {
    let base = message(ctx)?;
    let mut inputs: Vec<(String, Vec<u8>)> = ["4294967295", "0"]
        .into_iter()
        .map(|v| {
            let node = with_enc(&base, |enc| enc.set_attr("", "v", v));
            input(format!("an enc with v={v:?}"), plain(&node))
        })
        .collect();
    for t in ["0", "18446744073709551615"] {
        let mut node = base.clone();
        node.set_attr("", "t", t);
        inputs.push(input(format!("a message with t={t:?}"), plain(&node)));
    }
    Ok(inputs)
}

fn numbers_at_bounds_view(view: &View) -> Result<(), String> {
    let v = view.typed.enc.first().map(|e| e.v);
    match (v, view.typed.t) {
        (Some(0 | 2 | 4294967295), None | Some(0 | 1700000000 | u64::MAX)) => Ok(()),
        other => Err(format!("unexpected v and t {other:?}")),
    }
}

/// The members of this module, run by [`super::cases::run`].
pub fn cases() -> Vec<(&'static str, Case)> {
    use Category::{Malformed, Schema};
    vec![
        (
            "stanza/required-attributes-refused",
            Case {
                inputs: required_attributes,
                expect: Expect::Refused(Schema),
                passed:
                    "every required attribute of every stanza and enc, absent or empty, refused",
            },
        ),
        (
            "stanza/reserved-namespace-declarations-refused",
            Case {
                inputs: reserved_declarations,
                expect: Expect::Refused(Malformed),
                passed: "declarations of the reserved prefixes and namespaces refused",
            },
        ),
        (
            "stanza/names-not-qnames-refused",
            Case {
                inputs: not_qnames,
                expect: Expect::Refused(Malformed),
                passed: "element and attribute names that are not QNames refused",
            },
        ),
        (
            "stanza/address-syntax-refused",
            Case {
                inputs: bad_addresses,
                expect: Expect::Refused(Malformed),
                passed:
                    "addresses past their bounds or with characters outside their syntax refused",
            },
        ),
        (
            "stanza/address-bounds-accepted",
            Case {
                inputs: addresses_at_bounds,
                expect: Expect::Accepted(addresses_at_bounds_view),
                passed: "addresses exactly at their bounds parsed",
            },
        ),
        (
            "stanza/number-syntax-refused",
            Case {
                inputs: bad_numbers,
                expect: Expect::Refused(Malformed),
                passed: "v and t with a sign, a leading zero, a fraction or out of range refused",
            },
        ),
        (
            "stanza/number-bounds-accepted",
            Case {
                inputs: numbers_at_bounds,
                expect: Expect::Accepted(numbers_at_bounds_view),
                passed: "v and t at their bounds parsed",
            },
        ),
    ]
}
