//! The peer's own strict XML reader for the stanza profile: one UTF-8
//! document, one root element, namespaces resolved, no DTD, no entities
//! beyond the five predefined ones, no processing instructions. It reads the
//! whole input in memory, never recurses on input structure, never expands
//! or fetches anything, and checks every limit while it reads.

use super::chars::{is_name, is_ncname, is_xml_char, is_xml_space};
use super::error::{forbidden, limit, malformed, StanzaError};
use super::view::{Attr, Node, XMLNS_NS, XML_NS};
use crate::catalog::profile::StanzaParams;

/// The UTF-8 byte order mark (XML 1.0 §4.3.3 and Appendix F).
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses `bytes` into the normalized element tree.
pub fn parse_tree(bytes: &[u8], limits: &StanzaParams) -> Result<Node, StanzaError> {
    read(bytes, limits, false)
}

/// As [`parse_tree`], also refusing a namespace name that is not a URI
/// reference (Namespaces in XML 1.0 §3; see [`super::uri`]).
pub fn parse_tree_uri_namespaces(bytes: &[u8], limits: &StanzaParams) -> Result<Node, StanzaError> {
    read(bytes, limits, true)
}

fn read(bytes: &[u8], limits: &StanzaParams, uri_namespaces: bool) -> Result<Node, StanzaError> {
    if bytes.len() as u64 > limits.max_stanza_bytes {
        return Err(limit(
            0,
            format!(
                "{} bytes exceed the stanza limit of {}",
                bytes.len(),
                limits.max_stanza_bytes
            ),
        ));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        malformed(
            e.valid_up_to(),
            "invalid UTF-8 (the profile's only encoding)",
        )
    })?;
    if let Some((at, c)) = text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        return Err(malformed(
            at,
            format!("U+{:04X} is not an XML character (XML 1.0 §2.2)", c as u32),
        ));
    }
    // XML 1.0 §2.11: CR LF and lone CR become LF before anything else.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Reader {
        s: &text,
        pos: 0,
        limits,
        scopes: Vec::new(),
        uri_namespaces,
    }
    .document()
}

/// An element whose end tag has not been read yet.
struct Open {
    qname: String,
    node: Node,
    /// How many namespace bindings this element pushed.
    bindings: usize,
}

struct Reader<'a> {
    s: &'a str,
    pos: usize,
    limits: &'a StanzaParams,
    /// In-scope prefix bindings, innermost last ("" is the default).
    scopes: Vec<(String, String)>,
    /// Refuse namespace names that are not URI references.
    uri_namespaces: bool,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while let Some(c) = self.rest().chars().next().filter(|c| is_xml_space(*c)) {
            self.pos += c.len_utf8();
        }
        self.pos > start
    }

    fn err(&self, detail: impl Into<String>) -> StanzaError {
        malformed(self.pos, detail)
    }

    fn document(mut self) -> Result<Node, StanzaError> {
        if self.rest().starts_with("<?xml")
            && self.rest()[5..]
                .chars()
                .next()
                .is_some_and(|c| is_xml_space(c) || c == '?')
        {
            self.xml_decl()?;
        }
        self.misc()?;
        if !self.rest().starts_with('<') {
            return Err(self.err(if self.rest().is_empty() {
                "no root element"
            } else {
                "text before the root element"
            }));
        }
        let root = self.element()?;
        self.misc()?;
        if !self.rest().is_empty() {
            return Err(self.err("content after the root element (one root only)"));
        }
        Ok(root)
    }

    /// `XMLDecl` (XML 1.0 §2.8 [23]); only version 1.0 and UTF-8.
    fn xml_decl(&mut self) -> Result<(), StanzaError> {
        let start = self.pos;
        self.pos += 5;
        let mut seen = Vec::new();
        loop {
            let spaced = self.skip_space();
            if self.eat("?>") {
                break;
            }
            if !spaced {
                return Err(self.err("malformed XML declaration"));
            }
            let name_len = self
                .rest()
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(self.rest().len());
            let name = &self.rest()[..name_len];
            self.pos += name_len;
            self.skip_space();
            if !self.eat("=") {
                return Err(self.err("malformed XML declaration"));
            }
            self.skip_space();
            let value = self.quoted_literal()?;
            seen.push((name.to_string(), value));
        }
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        // §2.8 [23]: version, then optional encoding, then optional standalone.
        let order_ok = matches!(
            names.as_slice(),
            ["version"]
                | ["version", "encoding"]
                | ["version", "standalone"]
                | ["version", "encoding", "standalone"]
        );
        if !order_ok {
            return Err(malformed(start, "malformed XML declaration"));
        }
        for (name, value) in &seen {
            match name.as_str() {
                "version" if value != "1.0" => {
                    return Err(forbidden(start, format!("XML version {value:?}; only 1.0")))
                }
                "encoding" if !value.eq_ignore_ascii_case("UTF-8") => {
                    return Err(forbidden(
                        start,
                        format!("encoding {value:?}; the profile allows only UTF-8"),
                    ))
                }
                "standalone" if value != "yes" && value != "no" => {
                    return Err(malformed(start, "standalone must be yes or no"))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn quoted_literal(&mut self) -> Result<String, StanzaError> {
        let quote = match self.rest().chars().next() {
            Some(q @ ('"' | '\'')) => q,
            _ => return Err(self.err("expected a quoted value")),
        };
        self.pos += 1;
        let end = self
            .rest()
            .find(quote)
            .ok_or_else(|| self.err("unterminated quoted value"))?;
        let value = self.rest()[..end].to_string();
        self.pos += end + 1;
        Ok(value)
    }

    /// `Misc*` (XML 1.0 §2.8 [27]): space and comments; PIs and DOCTYPEs
    /// are refused where they stand.
    fn misc(&mut self) -> Result<(), StanzaError> {
        loop {
            self.skip_space();
            if self.rest().starts_with("<!--") {
                self.comment()?;
            } else if self.rest().starts_with("<?") {
                return Err(self.pi());
            } else if self.rest().starts_with("<!DOCTYPE") {
                return Err(forbidden(self.pos, "a DOCTYPE (RFC 6120 §11.1)"));
            } else {
                return Ok(());
            }
        }
    }

    /// Every PI is an error: a misplaced XML declaration is not well-formed
    /// (XML 1.0 §2.8), any other PI is forbidden (RFC 6120 §11.1).
    fn pi(&self) -> StanzaError {
        let target: String = self.rest()[2..]
            .chars()
            .take_while(|c| !is_xml_space(*c) && *c != '?')
            .collect();
        if target.eq_ignore_ascii_case("xml") {
            malformed(self.pos, "an XML declaration that is not at the start")
        } else {
            forbidden(
                self.pos,
                format!("a processing instruction {target:?} (RFC 6120 §11.1)"),
            )
        }
    }

    /// `Comment` (XML 1.0 §2.5 [15]): no `--` inside, no `-` before `-->`.
    fn comment(&mut self) -> Result<(), StanzaError> {
        self.pos += 4;
        let end = self
            .rest()
            .find("--")
            .ok_or_else(|| self.err("unterminated comment"))?;
        if !self.rest()[end..].starts_with("-->") {
            return Err(malformed(self.pos + end, "'--' inside a comment"));
        }
        self.pos += end + 3;
        Ok(())
    }

    fn name(&mut self) -> Result<String, StanzaError> {
        let len = self
            .rest()
            .find(|c: char| is_xml_space(c) || matches!(c, '>' | '/' | '=' | '<' | '"' | '\''))
            .unwrap_or(self.rest().len());
        let name = &self.rest()[..len];
        if !is_name(name) {
            return Err(self.err(format!("{name:?} is not an XML name")));
        }
        // Namespaces in XML 1.0 §4: QName = (NCName ':')? NCName.
        let qname_ok = match name.split_once(':') {
            None => true,
            Some((p, l)) => is_ncname(p) && is_ncname(l),
        };
        if !qname_ok {
            return Err(self.err(format!("{name:?} is not a qualified name")));
        }
        self.pos += len;
        Ok(name.to_string())
    }

    /// Reads the root element and everything inside it, iteratively.
    fn element(&mut self) -> Result<Node, StanzaError> {
        let mut stack: Vec<Open> = Vec::new();
        loop {
            // Here we are either at the root's start tag or inside `stack`.
            if self.rest().starts_with("</") {
                let Some(open) = stack.pop() else {
                    return Err(self.err("an end tag without a start tag"));
                };
                self.pos += 2;
                let name = self.name()?;
                self.skip_space();
                if !self.eat(">") {
                    return Err(self.err("malformed end tag"));
                }
                if name != open.qname {
                    return Err(
                        self.err(format!("end tag </{name}> does not match <{}>", open.qname))
                    );
                }
                let node = self.close(open);
                match stack.last_mut() {
                    Some(parent) => self.add_child(parent, node)?,
                    None => return Ok(node),
                }
            } else if self.rest().starts_with("<!--") {
                self.comment()?;
            } else if self.rest().starts_with("<![CDATA[") {
                let Some(top) = stack.last_mut() else {
                    return Err(self.err("CDATA outside the root element"));
                };
                let body = &self.s[self.pos + 9..];
                let end = body
                    .find("]]>")
                    .ok_or_else(|| malformed(self.pos, "unterminated CDATA section"))?;
                top.node.text.push_str(&body[..end]);
                self.pos += 9 + end + 3;
            } else if self.rest().starts_with("<!DOCTYPE") {
                return Err(forbidden(self.pos, "a DOCTYPE (RFC 6120 §11.1)"));
            } else if self.rest().starts_with("<?") {
                return Err(self.pi());
            } else if self.rest().starts_with("<!") {
                return Err(self.err("markup declarations are not allowed"));
            } else if self.rest().starts_with('<') {
                if stack.len() as u64 >= u64::from(self.limits.max_depth) {
                    return Err(limit(
                        self.pos,
                        format!("nesting deeper than {}", self.limits.max_depth),
                    ));
                }
                let (open, empty) = self.start_tag()?;
                if empty {
                    let node = self.close(open);
                    match stack.last_mut() {
                        Some(parent) => self.add_child(parent, node)?,
                        None => return Ok(node),
                    }
                } else {
                    stack.push(open);
                }
            } else {
                let Some(top) = stack.last_mut() else {
                    return Err(self.err("expected an element"));
                };
                if self.rest().is_empty() {
                    return Err(self.err(format!("unclosed element <{}>", top.qname)));
                }
                let end = self.rest().find('<').unwrap_or(self.rest().len());
                let raw = &self.rest()[..end];
                if let Some(at) = raw.find("]]>") {
                    return Err(malformed(self.pos + at, "']]>' in text (XML 1.0 §2.4)"));
                }
                let text = resolve_references(raw, self.pos)?;
                top.node.text.push_str(&text);
                self.pos += end;
            }
        }
    }

    fn add_child(&self, parent: &mut Open, node: Node) -> Result<(), StanzaError> {
        if parent.node.children.len() as u64 >= u64::from(self.limits.max_children) {
            return Err(limit(
                self.pos,
                format!(
                    "<{}> has more than {} children",
                    parent.qname, self.limits.max_children
                ),
            ));
        }
        parent.node.children.push(node);
        Ok(())
    }

    /// Ends an element: drops its bindings and its ignorable whitespace.
    fn close(&mut self, mut open: Open) -> Node {
        let keep = self.scopes.len() - open.bindings;
        self.scopes.truncate(keep);
        if !open.node.children.is_empty() && open.node.text.chars().all(is_xml_space) {
            open.node.text.clear();
        }
        open.node
    }

    fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        let bound = self
            .scopes
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str());
        // With no default namespace declared, unprefixed names are in none.
        match (bound, prefix) {
            (None, "") => Some(""),
            (bound, _) => bound,
        }
    }

    /// `STag` / `EmptyElemTag` (XML 1.0 §3.1), with namespace processing.
    fn start_tag(&mut self) -> Result<(Open, bool), StanzaError> {
        let tag_start = self.pos;
        self.pos += 1;
        let qname = self.name()?;
        let mut raw: Vec<(String, String)> = Vec::new();
        let empty = loop {
            let spaced = self.skip_space();
            if self.eat("/>") {
                break true;
            }
            if self.eat(">") {
                break false;
            }
            if self.rest().is_empty() {
                return Err(self.err("unterminated start tag"));
            }
            if !spaced {
                return Err(self.err("attributes must be separated by white space"));
            }
            let name = self.name()?;
            self.skip_space();
            if !self.eat("=") {
                return Err(self.err(format!("attribute {name} has no value")));
            }
            self.skip_space();
            let value = self.attribute_value()?;
            if raw.iter().any(|(n, _)| *n == name) {
                return Err(malformed(
                    tag_start,
                    format!("duplicate attribute {name} (XML 1.0 §3.1)"),
                ));
            }
            raw.push((name, value));
            if raw.len() as u64 > u64::from(self.limits.max_attributes) {
                return Err(limit(
                    tag_start,
                    format!("more than {} attributes", self.limits.max_attributes),
                ));
            }
        };
        let bindings = self.bind_namespaces(&raw, tag_start)?;
        let (prefix, local) = split_qname(&qname);
        let ns = self
            .lookup(prefix)
            .ok_or_else(|| malformed(tag_start, format!("unbound prefix {prefix:?}")))?
            .to_string();
        let mut attrs: Vec<Attr> = Vec::new();
        for (name, value) in raw {
            if name == "xmlns" || name.starts_with("xmlns:") {
                continue;
            }
            // Namespaces in XML 1.0 §6.2: unprefixed attributes are in no
            // namespace, whatever the default namespace is.
            let (ns, local) = match name.split_once(':') {
                None => (String::new(), name),
                Some((p, l)) => (
                    self.lookup(p)
                        .ok_or_else(|| malformed(tag_start, format!("unbound prefix {p:?}")))?
                        .to_string(),
                    l.to_string(),
                ),
            };
            if attrs.iter().any(|a| a.ns == ns && a.name == local) {
                return Err(malformed(
                    tag_start,
                    format!("attribute {{{ns}}}{local} given twice (Namespaces in XML §6.3)"),
                ));
            }
            attrs.push(Attr {
                ns,
                name: local,
                value,
            });
        }
        attrs.sort();
        Ok((
            Open {
                node: Node {
                    name: local.to_string(),
                    ns,
                    attrs,
                    ..Node::default()
                },
                qname,
                bindings,
            },
            empty,
        ))
    }

    /// Pushes this element's namespace declarations; returns how many.
    fn bind_namespaces(
        &mut self,
        raw: &[(String, String)],
        at: usize,
    ) -> Result<usize, StanzaError> {
        let mut count = 0;
        for (name, uri) in raw {
            let prefix = if name == "xmlns" {
                ""
            } else if let Some(p) = name.strip_prefix("xmlns:") {
                p
            } else {
                continue;
            };
            // Namespaces in XML 1.0 §3: reserved prefixes and names, and no
            // undeclaring a prefix in 1.0.
            let bad = match prefix {
                "xml" => uri != XML_NS,
                "xmlns" => true,
                "" => uri == XML_NS || uri == XMLNS_NS,
                _ => uri.is_empty() || uri == XML_NS || uri == XMLNS_NS,
            };
            if bad {
                return Err(malformed(
                    at,
                    format!("illegal namespace declaration {name}={uri:?}"),
                ));
            }
            if self.uri_namespaces && !super::uri::is_uri_reference(uri) {
                return Err(malformed(
                    at,
                    format!("namespace name {uri:?} is not a URI reference (RFC 3986 §4.1)"),
                ));
            }
            self.scopes.push((prefix.to_string(), uri.clone()));
            count += 1;
        }
        Ok(count)
    }

    /// `AttValue` (XML 1.0 §3.1 [10]) normalized per §3.3.3 for CDATA.
    fn attribute_value(&mut self) -> Result<String, StanzaError> {
        let start = self.pos;
        let quote = match self.rest().chars().next() {
            Some(q @ ('"' | '\'')) => q,
            _ => return Err(self.err("attribute values must be quoted")),
        };
        self.pos += 1;
        let end = self
            .rest()
            .find(quote)
            .ok_or_else(|| self.err("unterminated attribute value"))?;
        let raw = &self.rest()[..end];
        if let Some(at) = raw.find('<') {
            return Err(malformed(self.pos + at, "'<' in an attribute value"));
        }
        // Literal white space becomes a space; references are resolved after,
        // so `&#10;` stays a line feed.
        let spaced: String = raw
            .chars()
            .map(|c| if is_xml_space(c) { ' ' } else { c })
            .collect();
        let value = resolve_references(&spaced, self.pos)?;
        if value.len() as u64 > u64::from(self.limits.max_attribute_bytes) {
            return Err(limit(
                start,
                format!(
                    "an attribute value of {} bytes (limit {})",
                    value.len(),
                    self.limits.max_attribute_bytes
                ),
            ));
        }
        self.pos += end + 1;
        Ok(value)
    }
}

fn split_qname(qname: &str) -> (&str, &str) {
    qname.split_once(':').unwrap_or(("", qname))
}

/// Resolves character references and the five predefined entities (XML 1.0
/// §4.1, §4.6); any other reference is not well-formed without a DTD.
pub fn resolve_references(raw: &str, offset: usize) -> Result<String, StanzaError> {
    if !raw.contains('&') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .ok_or_else(|| malformed(offset, "'&' that does not start a reference"))?;
        let name = &after[..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "apos" => '\'',
            "quot" => '"',
            _ => match name.strip_prefix('#') {
                Some(num) => char_reference(num).ok_or_else(|| {
                    malformed(offset, format!("bad character reference &{name};"))
                })?,
                None => {
                    return Err(malformed(
                        offset,
                        format!("reference to an undeclared entity &{name};"),
                    ))
                }
            },
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `CharRef` (XML 1.0 §4.1 [66]) to a legal `Char` only.
fn char_reference(num: &str) -> Option<char> {
    let (digits, radix) = match num.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (num, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let value = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(value).filter(|c| is_xml_char(*c))
}
