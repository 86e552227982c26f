//! The property scenarios' generators find the rare shapes at the default
//! case count: 32 cases drawn exactly as a scenario draws them (proptest's
//! ChaCha RNG from the scenario seed) hold every named shape, for many run
//! seeds. The shapes are recognised in the bytes (or the tree) by a reader
//! that shares no code with the generators: quick-xml.

use std::collections::BTreeSet;

use interspec::catalog::profile::StanzaParams;
use interspec::peer::stanza::generate::{shaped_stanza, spelled_stanza};
use interspec::peer::stanza::serialize::{serialize, Spelling};
use interspec::peer::stanza::view::Node;
use interspec::runner::plan::scenario_seed;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The default case count of `certify`.
const CASES: u32 = 32;

/// Run seeds checked: small ones, the ones in the README and CI, and a few
/// large ones.
const SEEDS: [u64; 16] = [
    0,
    1,
    2,
    3,
    7,
    42,
    1234,
    2024,
    65_535,
    1 << 32,
    0xDEAD_BEEF,
    0x5EED_5EED_5EED,
    u64::MAX,
    u64::MAX - 1,
    987_654_321,
    31_337,
];

/// Draws `CASES` values of `strategy` as `check_property` does for
/// `scenario` under `run_seed`.
fn draw<S: Strategy>(strategy: &S, run_seed: u64, scenario: &str) -> Vec<S::Value>
where
    S::Value: Clone,
{
    let seed = scenario_seed(run_seed, scenario);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let drawn = std::cell::RefCell::new(Vec::new());
    runner
        .run(strategy, |value| {
            drawn.borrow_mut().push(value);
            Ok(())
        })
        .expect("drawing cases");
    drawn.into_inner()
}

/// What quick-xml sees in one serialized stanza.
#[derive(Default, Debug)]
struct Seen {
    max_depth: usize,
    /// Non-white-space text after a child element closed, in its parent.
    mixed: bool,
    /// Attribute values, unescaped, with their byte lengths.
    attribute_lengths: Vec<(usize, bool)>,
    /// Text or an attribute value holding a character above U+007F.
    multi_byte: bool,
}

fn read(bytes: &[u8]) -> Seen {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Reader::from_reader(bytes);
    let mut seen = Seen::default();
    // One entry per open element: whether a child of it has closed.
    let mut open: Vec<bool> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).expect("well-formed XML");
        match event {
            Event::Start(e) => {
                attributes_seen(&mut seen, &e);
                seen.max_depth = seen.max_depth.max(open.len() + 1);
                open.push(false);
            }
            Event::Empty(e) => {
                attributes_seen(&mut seen, &e);
                seen.max_depth = seen.max_depth.max(open.len() + 1);
                if let Some(parent) = open.last_mut() {
                    *parent = true;
                }
            }
            Event::End(_) => close(&mut open),
            Event::Text(t) => {
                let text = t.decode().expect("text");
                text_seen(&mut seen, &open, &text);
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(&t).into_owned();
                text_seen(&mut seen, &open, &text);
            }
            Event::GeneralRef(r) => {
                let wide = r
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .is_some_and(|c| !c.is_ascii());
                seen.multi_byte |= wide && !open.is_empty();
                if open.last() == Some(&true) {
                    seen.mixed = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    seen
}

fn attributes_seen(seen: &mut Seen, e: &quick_xml::events::BytesStart) {
    for attr in e.attributes().with_checks(false) {
        let attr = attr.expect("attribute");
        let value = attr.unescape_value().expect("attribute value");
        let wide = !value.is_ascii();
        seen.multi_byte |= wide;
        seen.attribute_lengths.push((value.len(), wide));
    }
}

fn close(open: &mut Vec<bool>) {
    open.pop();
    if let Some(parent) = open.last_mut() {
        *parent = true;
    }
}

fn text_seen(seen: &mut Seen, open: &[bool], text: &str) {
    if open.is_empty() {
        return;
    }
    seen.multi_byte |= !text.is_ascii();
    let content = text.chars().any(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'));
    if content && open.last() == Some(&true) {
        seen.mixed = true;
    }
}

/// The shapes a parse-side case (bytes the peer writes) shows.
fn parse_shapes(bytes: &[u8], limits: &StanzaParams) -> BTreeSet<&'static str> {
    let seen = read(bytes);
    let depth = limits.max_depth as usize;
    let attribute = limits.max_attribute_bytes as usize;
    let total = limits.max_stanza_bytes as usize;
    let mut shapes = BTreeSet::new();
    let mut add = |cond: bool, name| {
        if cond {
            shapes.insert(name);
        }
    };
    add(seen.mixed, "mixed content");
    add(seen.max_depth == depth, "depth at the limit");
    add(seen.max_depth == depth + 1, "depth one over the limit");
    add(
        seen.attribute_lengths.contains(&(attribute, true)),
        "multi-byte attribute value at the byte limit",
    );
    add(
        seen.attribute_lengths.contains(&(attribute + 1, true)),
        "multi-byte attribute value one byte over the limit",
    );
    add(bytes.len() == total, "stanza at the byte limit");
    add(bytes.len() == total + 1, "stanza one byte over the limit");
    add(seen.multi_byte, "multi-byte text");
    shapes
}

const PARSE_SHAPES: [&str; 8] = [
    "mixed content",
    "depth at the limit",
    "depth one over the limit",
    "multi-byte attribute value at the byte limit",
    "multi-byte attribute value one byte over the limit",
    "stanza at the byte limit",
    "stanza one byte over the limit",
    "multi-byte text",
];

#[test]
fn generated_parse_cases_hold_every_rare_shape_within_32_cases() {
    let limits = StanzaParams::default();
    let strategy = spelled_stanza(limits);
    for seed in SEEDS {
        let cases = draw(
            &strategy,
            seed,
            "stanza/generated-stanzas-parse-to-peer-view",
        );
        let found: BTreeSet<&str> = cases
            .iter()
            .flat_map(|(node, spelling): &(Node, Spelling)| {
                parse_shapes(&serialize(node, spelling), &limits)
            })
            .collect();
        let missing: Vec<&str> = PARSE_SHAPES
            .iter()
            .filter(|s| !found.contains(*s))
            .copied()
            .collect();
        assert!(
            missing.is_empty(),
            "run seed {seed}: 32 cases of stanza/generated-stanzas-parse-to-peer-view lack {missing:?}"
        );
    }
}

/// The tree-side shapes (the target writes the bytes): read off the tree
/// by a walk that shares nothing with the generator.
fn tree_shapes(root: &Node, limits: &StanzaParams) -> BTreeSet<&'static str> {
    fn walk(node: &Node, depth: usize, out: &mut (usize, bool, bool, Vec<(usize, bool)>)) {
        out.0 = out.0.max(depth);
        out.1 |= !node.text.trim().is_empty() && !node.children.is_empty();
        out.2 |= !node.text.is_ascii();
        for attr in &node.attrs {
            out.2 |= !attr.value.is_ascii();
            out.3.push((attr.value.len(), !attr.value.is_ascii()));
        }
        for child in &node.children {
            walk(child, depth + 1, out);
        }
    }
    let mut seen = (0, false, false, Vec::new());
    walk(root, 1, &mut seen);
    let mut shapes = BTreeSet::new();
    if seen.1 {
        shapes.insert("text and children in one element");
    }
    if seen.0 == limits.max_depth as usize {
        shapes.insert("depth at the limit");
    }
    if seen
        .3
        .contains(&(limits.max_attribute_bytes as usize, true))
    {
        shapes.insert("multi-byte attribute value at the byte limit");
    }
    if seen.2 {
        shapes.insert("multi-byte text");
    }
    shapes
}

#[test]
fn serialization_cases_hold_every_rare_shape_within_32_cases() {
    let limits = StanzaParams::default();
    let strategy = shaped_stanza(limits, false);
    for seed in SEEDS {
        let cases = draw(&strategy, seed, "stanza/target-serialization-parses-back");
        let found: BTreeSet<&str> = cases.iter().flat_map(|n| tree_shapes(n, &limits)).collect();
        for shape in [
            "text and children in one element",
            "depth at the limit",
            "multi-byte attribute value at the byte limit",
            "multi-byte text",
        ] {
            assert!(
                found.contains(shape),
                "run seed {seed}: 32 cases of stanza/target-serialization-parses-back lack {shape:?}"
            );
        }
        // Nothing over a limit: the target is asked to write these.
        for n in &cases {
            let shapes = tree_shapes(n, &limits);
            assert!(!shapes.contains("depth one over the limit"));
        }
    }
}

/// The classifier itself tells the shapes apart (so the tests above can
/// fail).
#[test]
fn the_reader_recognises_each_shape_and_not_its_absence() {
    let limits = StanzaParams {
        max_depth: 3,
        max_attribute_bytes: 4,
        ..StanzaParams::default()
    };
    let plain = parse_shapes(br#"<a x="ab"><b>t</b></a>"#, &limits);
    assert!(plain.is_empty(), "{plain:?}");
    let mixed = parse_shapes(b"<a><b/>after</a>", &limits);
    assert!(mixed.contains("mixed content"));
    let not_mixed = parse_shapes(b"<a>before<b/>\n  </a>", &limits);
    assert!(!not_mixed.contains("mixed content"));
    let deep = parse_shapes(b"<a><b><c/></b></a>", &limits);
    assert!(deep.contains("depth at the limit"));
    let deeper = parse_shapes(b"<a><b><c><d/></c></b></a>", &limits);
    assert!(deeper.contains("depth one over the limit"));
    let at = parse_shapes("<a x=\"éé\"/>".as_bytes(), &limits);
    assert!(at.contains("multi-byte attribute value at the byte limit"));
    assert!(at.contains("multi-byte text"));
    let over = parse_shapes("<a x=\"é&#233;a\"/>".as_bytes(), &limits);
    assert!(over.contains("multi-byte attribute value one byte over the limit"));
    let referenced = parse_shapes(b"<a>&#8364;</a>", &limits);
    assert!(referenced.contains("multi-byte text"));
}
