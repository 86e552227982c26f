//! Writes a normalized tree as a stanza with quick-xml's writer. Values are
//! escaped here rather than by quick-xml, which leaves tabs, line feeds and
//! carriage returns literal (a reader would then normalize them away).

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::Writer;

use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::peer::stanza::chars::{is_ncname, is_xml_char};
use crate::peer::stanza::view::{Node, XML_NS};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

fn malformed(detail: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCategory::MalformedInput, detail)
}

pub fn write(root: &Node, build: Build) -> Result<Vec<u8>, Refusal> {
    let literal_whitespace = build.has(Mutant::StanzaSerializerLiteralWhitespace);
    let root_namespace_only = build.has(Mutant::StanzaSerializerDropsChildNamespaces);
    let mut writer = Writer::new(Vec::new());
    // (node, parent namespace, whether its start tag is written)
    let mut work: Vec<(&Node, &str, bool)> = vec![(root, "", false)];
    while let Some((node, parent_ns, started)) = work.pop() {
        if started {
            emit(&mut writer, Event::End(BytesEnd::new(node.name.as_str())))?;
            continue;
        }
        check_node(node)?;
        let mut start = BytesStart::new(node.name.as_str());
        let mut declarations: Vec<(String, String)> = Vec::new();
        let is_root = std::ptr::eq(node, root);
        // The defect: only the root's namespace is declared.
        if node.ns != parent_ns && (is_root || !root_namespace_only) {
            declarations.push(("xmlns".into(), node.ns.clone()));
        }
        let mut attributes: Vec<(String, String)> = Vec::new();
        for (index, attr) in node.attrs.iter().enumerate() {
            let key = if attr.ns.is_empty() {
                attr.name.clone()
            } else if attr.ns == XML_NS {
                format!("xml:{}", attr.name)
            } else {
                let prefix = format!("a{index}");
                declarations.push((format!("xmlns:{prefix}"), attr.ns.clone()));
                format!("{prefix}:{}", attr.name)
            };
            attributes.push((key, attr.value.clone()));
        }
        for (key, value) in declarations.iter().chain(attributes.iter()) {
            start.push_attribute(Attribute {
                key: QName(key.as_bytes()),
                value: Cow::Owned(escape_attribute(value, literal_whitespace).into_bytes()),
            });
        }
        if node.children.is_empty() && node.text.is_empty() {
            emit(&mut writer, Event::Empty(start))?;
            continue;
        }
        emit(&mut writer, Event::Start(start))?;
        if !node.text.is_empty() {
            let text = escape_text(&node.text);
            emit(&mut writer, Event::Text(BytesText::from_escaped(text)))?;
        }
        work.push((node, parent_ns, true));
        for child in node.children.iter().rev() {
            work.push((child, node.ns.as_str(), false));
        }
    }
    Ok(writer.into_inner())
}

fn emit(writer: &mut Writer<Vec<u8>>, event: Event) -> Result<(), Refusal> {
    writer
        .write_event(event)
        .map_err(|e| Refusal::new(ErrorCategory::MalformedInput, format!("cannot write: {e}")))
}

/// Names must be NCNames and every value made of XML characters, or the
/// output would not be the tree it claims to be.
fn check_node(node: &Node) -> Result<(), Refusal> {
    if !is_ncname(&node.name) {
        return Err(malformed(format!("{:?} is not an element name", node.name)));
    }
    for attr in &node.attrs {
        if !is_ncname(&attr.name) || (attr.ns.is_empty() && attr.name == "xmlns") {
            return Err(malformed(format!(
                "{:?} is not an attribute name",
                attr.name
            )));
        }
        if !attr.value.chars().all(is_xml_char) {
            return Err(malformed("an attribute value with a forbidden character"));
        }
    }
    if !node.text.chars().all(is_xml_char) {
        return Err(malformed("text with a forbidden character"));
    }
    Ok(())
}

pub(in crate::targets::reference) fn escape_attribute(
    value: &str,
    literal_whitespace: bool,
) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            // The defect: white space written as is, as quick-xml's own escape does.
            '\t' | '\n' | '\r' if literal_whitespace => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}
