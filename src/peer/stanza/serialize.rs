//! The peer's stanza writer. [`Spelling`] chooses among the many valid ways
//! to write the same view (quotes, attribute order, prefixes, CDATA, char
//! references, comments, white space, XML declaration, BOM); every spelling
//! parses back to the view it was written from, if the view is normalized.

use super::view::{Node, XML_NS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decl {
    #[default]
    None,
    Version,
    VersionEncoding,
    Full,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextStyle {
    /// `&lt;`, `&amp;`, `&gt;` where needed.
    #[default]
    Escaped,
    /// CDATA sections (split around any `]]>`).
    Cdata,
    /// Every non-ASCII character and every `"'<>&` as a character reference.
    CharRefs,
}

/// How to spell a view. `Default` is the plainest spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spelling {
    pub decl: Decl,
    pub bom: bool,
    pub single_quotes: bool,
    /// Write attributes in reverse order (the view sorts them anyway).
    pub reverse_attributes: bool,
    /// Put elements in their namespace with a prefix instead of `xmlns=`.
    pub prefixed: bool,
    pub text: TextStyle,
    /// Comments before the root, between children and after the root.
    pub comments: bool,
    /// Indentation between elements (only where it is ignorable).
    pub indent: bool,
    /// `<a></a>` instead of `<a/>` for empty elements.
    pub expanded_empty: bool,
    /// Spaces around `=` and before `>`.
    pub loose_tags: bool,
    /// Mixed content: an element with children writes the second half of
    /// its text after its last child (the view joins text in document
    /// order, docs/stanza.md §2, so the tree read is the same).
    pub mixed_text: bool,
}

/// `text` cut at the character boundary nearest its middle.
fn split_half(text: &str) -> (&str, &str) {
    let mut at = text.len() / 2;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    text.split_at(at)
}

pub fn serialize(root: &Node, spelling: &Spelling) -> Vec<u8> {
    let mut out = String::new();
    match spelling.decl {
        Decl::None => {}
        Decl::Version => out.push_str("<?xml version=\"1.0\"?>"),
        Decl::VersionEncoding => out.push_str("<?xml version='1.0' encoding='utf-8'?>\n"),
        Decl::Full => {
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
        }
    }
    if spelling.comments {
        out.push_str("<!-- stanza - written by the interspec peer -->\n");
    }
    let mut writer = Writer {
        out,
        spelling,
        scopes: vec![(String::new(), String::new())],
        next_prefix: 0,
    };
    writer.element(root, 0);
    if spelling.comments {
        writer.out.push_str("\n<!---->");
    }
    let mut bytes = Vec::new();
    if spelling.bom {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    bytes.extend_from_slice(writer.out.as_bytes());
    bytes
}

struct Writer<'a> {
    out: String,
    spelling: &'a Spelling,
    /// In-scope (prefix, namespace) bindings, innermost last.
    scopes: Vec<(String, String)>,
    next_prefix: usize,
}

impl Writer<'_> {
    fn lookup_prefix(&self, ns: &str) -> Option<String> {
        // The innermost binding of a prefix hides outer ones.
        for (i, (prefix, uri)) in self.scopes.iter().enumerate().rev() {
            if uri == ns && !self.scopes[i + 1..].iter().any(|(p, _)| p == prefix) {
                return Some(prefix.clone());
            }
        }
        None
    }

    fn default_ns(&self) -> &str {
        self.scopes
            .iter()
            .rev()
            .find(|(p, _)| p.is_empty())
            .map(|(_, uri)| uri.as_str())
            .unwrap_or("")
    }

    fn fresh_prefix(&mut self, stem: &str) -> String {
        self.next_prefix += 1;
        format!("{stem}{}", self.next_prefix)
    }

    fn element(&mut self, node: &Node, depth: usize) {
        let mark = self.scopes.len();
        let mut decls: Vec<(String, String)> = Vec::new();
        let qname = if node.ns.is_empty() {
            if !self.default_ns().is_empty() {
                decls.push(("xmlns".into(), String::new()));
                self.scopes.push((String::new(), String::new()));
            }
            node.name.clone()
        } else if self.spelling.prefixed {
            let prefix = match self.lookup_prefix(&node.ns).filter(|p| !p.is_empty()) {
                Some(p) => p,
                None => {
                    let p = self.fresh_prefix("s");
                    decls.push((format!("xmlns:{p}"), node.ns.clone()));
                    self.scopes.push((p.clone(), node.ns.clone()));
                    p
                }
            };
            format!("{prefix}:{}", node.name)
        } else {
            if self.default_ns() != node.ns {
                decls.push(("xmlns".into(), node.ns.clone()));
                self.scopes.push((String::new(), node.ns.clone()));
            }
            node.name.clone()
        };
        let mut attrs: Vec<(String, String)> = Vec::new();
        for attr in &node.attrs {
            let name = if attr.ns.is_empty() {
                attr.name.clone()
            } else if attr.ns == XML_NS {
                format!("xml:{}", attr.name)
            } else {
                let prefix = match self.lookup_prefix(&attr.ns).filter(|p| !p.is_empty()) {
                    Some(p) => p,
                    None => {
                        let p = self.fresh_prefix("a");
                        decls.push((format!("xmlns:{p}"), attr.ns.clone()));
                        self.scopes.push((p.clone(), attr.ns.clone()));
                        p
                    }
                };
                format!("{prefix}:{}", attr.name)
            };
            attrs.push((name, attr.value.clone()));
        }
        if self.spelling.reverse_attributes {
            attrs.reverse();
        }
        self.out.push('<');
        self.out.push_str(&qname);
        for (name, value) in decls.iter().chain(attrs.iter()) {
            self.out.push(' ');
            self.out.push_str(name);
            self.out
                .push_str(if self.spelling.loose_tags { " = " } else { "=" });
            self.attribute_value(value);
        }
        if self.spelling.loose_tags {
            self.out.push(' ');
        }
        if node.children.is_empty() && node.text.is_empty() && !self.spelling.expanded_empty {
            self.out.push_str("/>");
        } else {
            self.out.push('>');
            let (before, after) = match (self.spelling.mixed_text, node.children.is_empty()) {
                (true, false) => split_half(&node.text),
                _ => (node.text.as_str(), ""),
            };
            self.text(before);
            let ignorable = node.text.is_empty();
            for child in &node.children {
                if ignorable && self.spelling.indent {
                    self.out.push('\n');
                    self.out.push_str(&"  ".repeat(depth + 1));
                }
                if ignorable && self.spelling.comments {
                    self.out.push_str("<!-- child -->");
                }
                self.element(child, depth + 1);
            }
            self.text(after);
            if ignorable && self.spelling.indent && !node.children.is_empty() {
                self.out.push('\n');
                self.out.push_str(&"  ".repeat(depth));
            }
            self.out.push_str("</");
            self.out.push_str(&qname);
            self.out.push('>');
        }
        self.scopes.truncate(mark);
    }

    fn attribute_value(&mut self, value: &str) {
        let quote = if self.spelling.single_quotes {
            '\''
        } else {
            '"'
        };
        self.out.push(quote);
        for c in value.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                // Literal white space would be normalized to a space.
                '\t' => self.out.push_str("&#9;"),
                '\n' => self.out.push_str("&#10;"),
                '\r' => self.out.push_str("&#13;"),
                c if c == quote => self
                    .out
                    .push_str(if c == '"' { "&quot;" } else { "&apos;" }),
                c if self.spelling.text == TextStyle::CharRefs && !c.is_ascii() => {
                    self.out.push_str(&format!("&#x{:X};", c as u32))
                }
                c => self.out.push(c),
            }
        }
        self.out.push(quote);
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.spelling.text {
            // A CR in CDATA would become LF when read back.
            TextStyle::Cdata if !text.contains('\r') => {
                self.out.push_str("<![CDATA[");
                self.out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
                self.out.push_str("]]>");
            }
            style => {
                for c in text.chars() {
                    match c {
                        '&' => self.out.push_str("&amp;"),
                        '<' => self.out.push_str("&lt;"),
                        '>' => self.out.push_str("&gt;"),
                        '\r' => self.out.push_str("&#13;"),
                        c if style == TextStyle::CharRefs
                            && (!c.is_ascii() || matches!(c, '"' | '\'')) =>
                        {
                            self.out.push_str(&format!("&#{};", c as u32))
                        }
                        c => self.out.push(c),
                    }
                }
            }
        }
    }
}
