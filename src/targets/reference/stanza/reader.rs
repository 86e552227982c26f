//! Reads one stanza with quick-xml's namespace-aware reader into the
//! normalized tree, enforcing the profile's XML restrictions and limits.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::doctype::{self, Entities};
use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::view::{Attr, Node, XMLNS_NS, XML_NS};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;
use crate::targets::variants::Variant;

fn malformed(detail: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCategory::MalformedInput, detail)
}

fn limit(detail: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCategory::LimitExceeded, detail)
}

/// XML 1.0 §2.2 `Char`.
fn is_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The refusal of a document that ends inside an element.
pub const UNCLOSED: &str = "unclosed element";

pub fn read(bytes: &[u8], limits: &StanzaParams, build: Build) -> Result<Node, Refusal> {
    let chars_counted = build.has(Mutant::StanzaSizeLimitCountsChars);
    if !chars_counted && bytes.len() as u64 > limits.max_stanza_bytes {
        return Err(limit("stanza larger than the profile allows"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
    // The defect: the limit is checked on characters after decoding.
    if chars_counted && text.chars().count() as u64 > limits.max_stanza_bytes {
        return Err(limit("stanza larger than the profile allows"));
    }
    // The defect: raw characters are left unchecked, as quick-xml leaves them.
    if !build.has(Mutant::StanzaAcceptsControlCharacters) && text.chars().any(|c| !is_char(c)) {
        return Err(malformed("a character XML does not allow"));
    }
    // quick-xml would skip a second BOM too; it is a character before the
    // root, which XML 1.0 §2.1 [1] does not allow.
    if text.starts_with('\u{feff}') {
        return Err(malformed("text before the root element"));
    }
    // XML 1.0 §2.11 end-of-line handling, before parsing.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Tree::new(limits, build).read(&text)
}

struct Tree<'l> {
    limits: &'l StanzaParams,
    build: Build,
    stack: Vec<Node>,
    root: Option<Node>,
    entities: Entities,
    /// In-scope namespace bindings (prefix, namespace), innermost last, and
    /// how many each open element pushed. quick-xml's own resolver binds
    /// the raw attribute value, before normalization and references.
    scopes: Vec<(String, String)>,
    pushed: Vec<usize>,
}

impl<'l> Tree<'l> {
    fn new(limits: &'l StanzaParams, build: Build) -> Tree<'l> {
        Tree {
            limits,
            build,
            stack: Vec::new(),
            root: None,
            entities: Entities::new(),
            scopes: Vec::new(),
            pushed: Vec::new(),
        }
    }

    fn read(mut self, text: &str) -> Result<Node, Refusal> {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_unmatched_ends = false;
        config.allow_dangling_amp = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut first = true;
        loop {
            let event_start = reader.buffer_position() as usize;
            let at_start = event_start == 0;
            let event = reader
                .read_event()
                .map_err(|e| malformed(format!("not well-formed: {e}")))?;
            let was_first = std::mem::replace(&mut first, false);
            match event {
                Event::Eof => break,
                Event::Decl(decl) => {
                    if !(was_first && at_start) {
                        return Err(malformed("XML declaration not at the start"));
                    }
                    check_decl(&decl)?;
                }
                Event::PI(pi) => {
                    let target = String::from_utf8_lossy(pi.target()).to_string();
                    let is_decl = target.eq_ignore_ascii_case("xml");
                    // The defect: a processing instruction goes to a handler
                    // nobody set.
                    if !is_decl && self.build.has(Mutant::StanzaIgnoresProcessingInstructions) {
                        continue;
                    }
                    return Err(if is_decl {
                        malformed("misplaced XML declaration")
                    } else {
                        Refusal::new(
                            ErrorCategory::ForbiddenConstruct,
                            "processing instructions are not allowed",
                        )
                    });
                }
                // quick-xml reads the keyword in any case; XML 1.0 §2.8 [28]
                // spells it DOCTYPE, and anything else is not well-formed.
                Event::DocType(_)
                    if !text
                        .get(event_start..)
                        .is_some_and(|t| t.starts_with("<!DOCTYPE")) =>
                {
                    return Err(malformed("a misspelt DOCTYPE keyword"));
                }
                Event::DocType(content) => {
                    let content = String::from_utf8_lossy(&content).to_string();
                    self.entities = doctype::handle(&content, self.build)?;
                }
                Event::Comment(_) => {}
                Event::Start(start) => {
                    let node = self.open(&start)?;
                    self.stack.push(node);
                }
                Event::Empty(start) => {
                    let node = self.open(&start)?;
                    self.close(node)?;
                }
                Event::End(_) => {
                    let node = self.stack.pop().ok_or_else(|| malformed("stray end tag"))?;
                    self.close(node)?;
                }
                Event::Text(raw) => {
                    let raw = std::str::from_utf8(&raw).map_err(|_| malformed("not UTF-8"))?;
                    if raw.contains("]]>") {
                        return Err(malformed("']]>' in text"));
                    }
                    self.text(raw)?;
                }
                Event::CData(data) => {
                    let data = String::from_utf8_lossy(&data.into_inner()).to_string();
                    if self.stack.is_empty() {
                        return Err(malformed("CDATA outside the root"));
                    }
                    self.text(&data)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = match reference
                        .resolve_char_ref()
                        .map_err(|e| malformed(format!("bad character reference: {e}")))?
                    {
                        Some(c) if is_char(c) => c.to_string(),
                        Some(_) => return Err(malformed("reference to a forbidden character")),
                        None => {
                            let name = String::from_utf8_lossy(&reference).to_string();
                            predefined(&name).map(String::from).map_or_else(
                                || {
                                    if self.entities.contains_key(&name) {
                                        doctype::expand(&name, &self.entities)
                                    } else {
                                        Err(malformed(format!("undeclared entity {name}")))
                                    }
                                },
                                Ok,
                            )?
                        }
                    };
                    if self.stack.is_empty() {
                        return Err(malformed("a reference outside the root"));
                    }
                    self.text(&resolved)?;
                }
            }
        }
        if !self.stack.is_empty() {
            return Err(malformed(UNCLOSED));
        }
        self.root.ok_or_else(|| malformed("no root element"))
    }

    /// Character data: only inside the root, or white space outside it.
    fn text(&mut self, text: &str) -> Result<(), Refusal> {
        let drops_tail = self.build.has(Mutant::StanzaDropsTextAfterChild);
        match self.stack.last_mut() {
            // The defect: text after a child (ElementTree's tail) is lost.
            Some(node) if drops_tail && !node.children.is_empty() => Ok(()),
            Some(node) => {
                node.text.push_str(text);
                Ok(())
            }
            None if text.chars().all(is_space) => Ok(()),
            None => Err(malformed("text outside the root element")),
        }
    }

    fn lookup(&self, prefix: &str) -> Result<String, Refusal> {
        if prefix == "xml" {
            return Ok(XML_NS.to_string());
        }
        match self.scopes.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, ns)) => Ok(ns.clone()),
            None if prefix.is_empty() => Ok(String::new()),
            None => Err(malformed(format!("unbound prefix {prefix}"))),
        }
    }

    fn open(&mut self, start: &BytesStart) -> Result<Node, Refusal> {
        if self.root.is_some() {
            return Err(malformed("a second root element"));
        }
        let no_depth_limit = self.build.has(Mutant::StanzaNoDepthLimit);
        if !no_depth_limit && self.stack.len() as u64 >= u64::from(self.limits.max_depth) {
            return Err(limit("elements nested too deeply"));
        }
        let raw_tag = utf8(start)?;
        if !attributes_separated(&raw_tag) {
            return Err(malformed("attributes must be separated by white space"));
        }
        let qname = utf8(start.name().as_ref())?;
        if !is_qname(&qname) {
            return Err(malformed(format!("{qname:?} is not a qualified name")));
        }
        let checks = !self.build.has(Mutant::StanzaAcceptsDuplicateAttributes);
        let mut raw_attributes: Vec<(String, String)> = Vec::new();
        for attr in start.attributes().with_checks(checks) {
            let attr = attr.map_err(|e| malformed(format!("bad attribute: {e}")))?;
            if raw_attributes.len() as u64 >= u64::from(self.limits.max_attributes) {
                return Err(limit("too many attributes"));
            }
            let key = utf8(attr.key.as_ref())?;
            if !is_qname(&key) {
                return Err(malformed(format!("{key:?} is not a qualified name")));
            }
            let raw = utf8(&attr.value)?;
            if raw.contains('<') {
                return Err(malformed("'<' in an attribute value"));
            }
            // XML 1.0 §3.3.3: literal white space becomes a space, then
            // references are resolved.
            let spaced: String = if self.build.has(Mutant::StanzaNoAttributeNormalization) {
                // The defect: quick-xml's unescape alone, no §3.3.3 normalization.
                raw.to_string()
            } else {
                raw.chars()
                    .map(|c| if is_space(c) { ' ' } else { c })
                    .collect()
            };
            let value = quick_xml::escape::unescape(&spaced)
                .map_err(|e| malformed(format!("bad reference in an attribute: {e}")))?
                .into_owned();
            if value.chars().any(|c| !is_char(c)) {
                return Err(malformed("reference to a forbidden character"));
            }
            let measured = if self.build.has(Mutant::StanzaAttributeLimitCountsChars) {
                // The defect: characters counted, not UTF-8 bytes.
                value.chars().count()
            } else {
                value.len()
            };
            if measured as u64 > u64::from(self.limits.max_attribute_bytes) {
                return Err(limit("attribute value too long"));
            }
            raw_attributes.push((key, value));
        }
        // Namespace declarations first: they apply to this element's own name
        // and attributes (Namespaces in XML 1.0 §6.1).
        let mut pushed = 0;
        for (key, value) in &raw_attributes {
            let prefix = if key == "xmlns" {
                ""
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                prefix
            } else {
                continue;
            };
            check_binding(prefix, value)?;
            if self.build.is(Variant::StanzaRefusesNonUriNamespaceNames)
                && !uri_characters_only(value)
            {
                return Err(malformed(format!(
                    "namespace name {value:?} is not a URI reference"
                )));
            }
            self.scopes.push((prefix.to_string(), value.clone()));
            pushed += 1;
        }
        self.pushed.push(pushed);
        let (prefix, local) = qname.split_once(':').unwrap_or(("", &qname));
        let mut ns = self.lookup(prefix)?;
        if self.build.has(Mutant::StanzaConfusesNamespaces) && !qname.contains(':') {
            // The defect: an unprefixed element is put in its parent's
            // namespace, as if a prefix were inherited like the default one.
            if let Some(parent) = self.stack.last() {
                ns = parent.ns.clone();
            }
        }
        let mut node = Node::new(&ns, local);
        for (key, value) in raw_attributes {
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            // Namespaces in XML 1.0 §6.2: unprefixed attributes are in no namespace.
            let (ns, name) = match key.split_once(':') {
                Some((prefix, local)) => (self.lookup(prefix)?, local.to_string()),
                None => (String::new(), key),
            };
            if let Some(existing) = node.attrs.iter_mut().find(|a| a.ns == ns && a.name == name) {
                if checks {
                    return Err(malformed("the same attribute twice"));
                }
                existing.value = value;
                continue;
            }
            node.attrs.push(Attr { ns, name, value });
        }
        node.attrs.sort();
        Ok(node)
    }

    fn close(&mut self, mut node: Node) -> Result<(), Refusal> {
        let pushed = self.pushed.pop().unwrap_or(0);
        self.scopes
            .truncate(self.scopes.len().saturating_sub(pushed));
        if !node.children.is_empty() && node.text.chars().all(is_space) {
            node.text.clear();
        }
        match self.stack.last_mut() {
            Some(parent) => {
                if parent.children.len() as u64 >= u64::from(self.limits.max_children) {
                    return Err(limit("too many children"));
                }
                parent.children.push(node);
            }
            None => self.root = Some(node),
        }
        Ok(())
    }
}

fn utf8(bytes: &[u8]) -> Result<String, Refusal> {
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|_| malformed("not UTF-8"))
}

/// XML names are not checked by quick-xml; `Name` and `QName` per XML 1.0
/// §2.3 and Namespaces in XML 1.0 §4.
fn is_qname(name: &str) -> bool {
    use crate::peer::stanza::chars::{is_name, is_ncname};
    is_name(name)
        && match name.split_once(':') {
            None => true,
            Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        }
}

/// quick-xml does not insist on white space after a quoted attribute value
/// (XML 1.0 §3.1 [40]); `tag` is the start tag's content without `<`, `>`.
fn attributes_separated(tag: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut chars = tag.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                if chars
                    .peek()
                    .is_some_and(|next| !is_space(*next) && *next != '/')
                {
                    return false;
                }
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    true
}

/// The `stanza-refuses-non-uri-namespace-names` variant's test, by
/// characters only: every one is `unreserved` or `reserved` (RFC 3986 §2.3,
/// §2.2), or a `%` with two hex digits after it (§2.1). So a space, `"`,
/// `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}` or a non-ASCII character is
/// refused; the grammar's structure is not checked.
fn uri_characters_only(value: &str) -> bool {
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) =>
            {
                i += 3
            }
            c if c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c) => i += 1,
            _ => return false,
        }
    }
    true
}

/// Namespaces in XML 1.0 §3: reserved prefixes and names, and no
/// undeclaring a prefix.
fn check_binding(prefix: &str, value: &str) -> Result<(), Refusal> {
    let bad = match prefix {
        "" => value == XML_NS || value == XMLNS_NS,
        "xml" => value != XML_NS,
        "xmlns" => true,
        _ => value.is_empty() || value == XML_NS || value == XMLNS_NS,
    };
    if bad {
        return Err(malformed("illegal namespace declaration"));
    }
    Ok(())
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

fn check_decl(decl: &quick_xml::events::BytesDecl) -> Result<(), Refusal> {
    // quick-xml's accessors search the declaration leniently; read its
    // pseudo-attributes strictly (XML 1.0 §2.8 [23]: white space between
    // them, version then encoding then standalone, nothing else).
    let raw = utf8(decl)?;
    if !attributes_separated(&raw) {
        return Err(malformed("malformed XML declaration"));
    }
    let mut names = Vec::new();
    for attr in BytesStart::from_content(raw.as_str(), 3)
        .attributes()
        .with_checks(true)
    {
        let attr = attr.map_err(|e| malformed(format!("bad XML declaration: {e}")))?;
        names.push(utf8(attr.key.as_ref())?);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    if !matches!(
        names.as_slice(),
        ["version"]
            | ["version", "encoding"]
            | ["version", "standalone"]
            | ["version", "encoding", "standalone"]
    ) {
        return Err(malformed("malformed XML declaration"));
    }
    let version = decl
        .version()
        .map_err(|e| malformed(format!("bad XML declaration: {e}")))?;
    if version.as_ref() != b"1.0" {
        return Err(Refusal::new(
            ErrorCategory::ForbiddenConstruct,
            "only XML 1.0",
        ));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|e| malformed(format!("bad XML declaration: {e}")))?;
        if !encoding.eq_ignore_ascii_case(b"utf-8") {
            return Err(Refusal::new(
                ErrorCategory::ForbiddenConstruct,
                "only UTF-8",
            ));
        }
    }
    if let Some(standalone) = decl.standalone() {
        let standalone = standalone.map_err(|e| malformed(format!("bad XML declaration: {e}")))?;
        if standalone.as_ref() != b"yes" && standalone.as_ref() != b"no" {
            return Err(malformed("standalone must be yes or no"));
        }
    }
    Ok(())
}
