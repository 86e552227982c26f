//! Knobs for hostile stanzas: a valid base stanza made wrong in exactly one
//! way (a DOCTYPE added, an attribute doubled, nesting one level too deep…),
//! so a refusal can only be about that one thing.

use super::serialize::{serialize, Spelling};
use super::view::{Node, CLIENT_NS};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hostile {
    /// `<!DOCTYPE message>` before the root.
    Doctype,
    /// An internal entity declared and referenced in an unknown child.
    InternalEntity,
    /// The "billion laughs" shape: ten entities each referencing the
    /// previous one ten times.
    BillionLaughs,
    /// An external entity whose system identifier is `url`, referenced.
    ExternalEntity { url: String },
    /// An external parameter entity (`%e;`) whose system identifier is `url`.
    ExternalParameterEntity { url: String },
    /// A DOCTYPE whose external subset is `url`.
    ExternalDtd { url: String },
    /// A processing instruction inside the root.
    ProcessingInstruction,
    /// An XML declaration naming another encoding (ASCII-compatible body).
    Encoding(&'static str),
    /// The first attribute written twice with another value.
    DuplicateAttribute,
    /// A reference to an entity nobody declared.
    UndeclaredEntity,
    /// One raw character (a forbidden one) inside an unknown child's text.
    RawChar(char),
    /// A character reference to `code`.
    CharRef(u32),
    /// The bytes of an unknown child's text made invalid UTF-8.
    InvalidUtf8,
    /// Nesting of exactly this depth (the root is depth 1).
    Depth(u32),
    /// Exactly this many attributes on the root, declarations included.
    Attributes(u32),
    /// One extra attribute whose value has this many bytes.
    AttributeBytes(u32),
    /// Exactly this many element children of the root.
    Children(u32),
    /// Padding until the stanza has exactly this many bytes.
    Size(u64),
    /// The root's end tag misspelled.
    MismatchedEndTag,
    /// The root's end tag missing.
    Unclosed,
    /// A second root element after the first.
    SecondRoot,
    /// Markup written as given at the end of the root's content, after its
    /// children (text after a child element, a nested element…).
    Content(String),
    /// The content of the first `enc` replaced by markup written as given.
    EncContent(String),
    /// The stanza inside an element of this name in `jabber:client`.
    Wrapped(String),
    /// One extra attribute `pad` whose value is written exactly as given
    /// (references unresolved), e.g. multi-byte text or references.
    ExtraAttribute(String),
    /// Padding of `fill` characters (then ASCII `a` for what is left) until
    /// the stanza has exactly `size` bytes.
    SizeFilled { size: u64, fill: char },
    /// Text written as given before the root (an XML declaration, say).
    Prolog(String),
    /// Attributes written as given at the end of the root's start tag
    /// (namespace declarations, say), after a space.
    RawAttributes(String),
}

/// A minimal valid message to build on: one `enc`, two attributes more
/// than required.
pub fn base_message() -> Node {
    Node::new(CLIENT_NS, "message")
        .with_attr("id", "3EB0A1")
        .with_attr("to", "bob@example.org")
        .with_attr("from", "alice:2@example.org")
        .with_attr("type", "text")
        .with_child(
            Node::new(CLIENT_NS, "enc")
                .with_attr("v", "2")
                .with_attr("type", "msg")
                .with_text("MwohBQ=="),
        )
}

/// `base` (which must have element children and no `>` in attribute
/// values) spelled plainly, then made hostile.
pub fn build(base: &Node, hostile: &Hostile) -> Vec<u8> {
    let plain = String::from_utf8(serialize(base, &Spelling::default())).unwrap_or_default();
    // The root start tag ends at the first '>' (no '>' in attribute values).
    let tag_end = plain.find('>').unwrap_or(0);
    let close_at = plain.rfind("</").unwrap_or(plain.len());
    let (head, body, tail) = (
        &plain[..tag_end],
        &plain[tag_end + 1..close_at],
        &plain[close_at..],
    );
    let root_name = base.name.as_str();
    let with_content = |extra: &str| format!("{head}>{extra}{body}{tail}");
    let text = match hostile {
        Hostile::Doctype => format!("<!DOCTYPE {root_name}>{plain}"),
        Hostile::InternalEntity => format!(
            "<!DOCTYPE {root_name} [<!ENTITY x \"expanded\">]>{}",
            with_content("<note>&x;</note>")
        ),
        Hostile::BillionLaughs => {
            let mut decls = String::from("<!ENTITY lol0 \"lol\">");
            for i in 1..10 {
                decls.push_str(&format!(
                    "<!ENTITY lol{i} \"{}\">",
                    format!("&lol{};", i - 1).repeat(10)
                ));
            }
            format!(
                "<!DOCTYPE {root_name} [{decls}]>{}",
                with_content("<note>&lol9;</note>")
            )
        }
        Hostile::ExternalEntity { url } => format!(
            "<!DOCTYPE {root_name} [<!ENTITY ext SYSTEM \"{url}\">]>{}",
            with_content("<note>&ext;</note>")
        ),
        Hostile::ExternalParameterEntity { url } => {
            format!("<!DOCTYPE {root_name} [<!ENTITY % ext SYSTEM \"{url}\"> %ext;]>{plain}")
        }
        Hostile::ExternalDtd { url } => {
            format!("<!DOCTYPE {root_name} SYSTEM \"{url}\">{plain}")
        }
        Hostile::ProcessingInstruction => with_content("<?render fast?>"),
        Hostile::Encoding(name) => {
            format!("<?xml version=\"1.0\" encoding=\"{name}\"?>{plain}")
        }
        Hostile::DuplicateAttribute => {
            let first = base.attrs.first().map(|a| a.name.as_str()).unwrap_or("id");
            format!("{head} {first}=\"again\">{body}{tail}")
        }
        Hostile::UndeclaredEntity => with_content("<note>&nbsp;</note>"),
        Hostile::RawChar(c) => with_content(&format!("<note>a{c}b</note>")),
        Hostile::CharRef(code) => with_content(&format!("<note>a&#x{code:X};b</note>")),
        Hostile::InvalidUtf8 => {
            let mut bytes = with_content("<note>caf</note>").into_bytes();
            // A lone continuation byte where "é" would be.
            let at = bytes
                .windows(4)
                .position(|w| w == b"caf<")
                .map_or(0, |p| p + 3);
            bytes.splice(at..at, [0xe9]);
            return bytes;
        }
        Hostile::Depth(depth) => {
            let inner = depth.saturating_sub(1) as usize;
            with_content(&format!(
                "{}{}",
                "<pad>".repeat(inner),
                "</pad>".repeat(inner)
            ))
        }
        Hostile::Attributes(count) => {
            let present = head.matches("=\"").count() as u32;
            let extra: String = (present..*count)
                .map(|i| format!(" x{i}=\"{i}\""))
                .collect();
            format!("{head}{extra}>{body}{tail}")
        }
        Hostile::AttributeBytes(len) => {
            format!("{head} pad=\"{}\">{body}{tail}", "a".repeat(*len as usize))
        }
        Hostile::Children(count) => {
            let present = base.children.len() as u32;
            with_content(&"<pad/>".repeat(count.saturating_sub(present) as usize))
        }
        Hostile::Size(size) => {
            let frame = with_content("<pad></pad>");
            let fill = (*size as usize).saturating_sub(frame.len());
            with_content(&format!("<pad>{}</pad>", "a".repeat(fill)))
        }
        Hostile::MismatchedEndTag => format!("{head}>{body}</{root_name}x>"),
        Hostile::Unclosed => format!("{head}>{body}"),
        Hostile::SecondRoot => format!("{plain}{plain}"),
        Hostile::Content(markup) => format!("{head}>{body}{markup}{tail}"),
        Hostile::EncContent(markup) => {
            // The first enc's content ends at the first "</enc>" after it.
            let start = plain
                .find("<enc ")
                .and_then(|at| plain[at..].find('>').map(|end| at + end + 1));
            let end = start.and_then(|from| plain[from..].find("</enc>").map(|e| from + e));
            match (start, end) {
                (Some(start), Some(end)) => {
                    format!("{}{markup}{}", &plain[..start], &plain[end..])
                }
                _ => plain.clone(),
            }
        }
        Hostile::Wrapped(name) => {
            format!("<{name} xmlns=\"{CLIENT_NS}\">{plain}</{name}>")
        }
        Hostile::ExtraAttribute(value) => format!("{head} pad=\"{value}\">{body}{tail}"),
        Hostile::SizeFilled { size, fill } => {
            let frame = with_content("<pad></pad>");
            let room = (*size as usize).saturating_sub(frame.len());
            let wide = room / fill.len_utf8();
            let mut text: String = std::iter::repeat_n(*fill, wide).collect();
            text.push_str(&"a".repeat(room - wide * fill.len_utf8()));
            with_content(&format!("<pad>{text}</pad>"))
        }
        Hostile::Prolog(prolog) => format!("{prolog}{plain}"),
        Hostile::RawAttributes(raw) => format!("{head} {raw}>{body}{tail}"),
    };
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(hostile: &Hostile) -> String {
        String::from_utf8(build(&base_message(), hostile)).expect("UTF-8")
    }

    #[test]
    fn content_knobs_write_their_markup_where_they_say() {
        assert!(text(&Hostile::Content("<x/>tail".into())).ends_with("</enc><x/>tail</message>"));
        assert!(text(&Hostile::EncContent("<x/>AA==".into())).contains("v=\"2\"><x/>AA==</enc>"));
        let wrapped = text(&Hostile::Wrapped("stream".into()));
        assert!(wrapped.starts_with("<stream xmlns=\"jabber:client\"><message "));
        assert!(wrapped.ends_with("</message></stream>"));
        assert!(text(&Hostile::RawAttributes("a=\"1\"".into())).contains(" a=\"1\"><enc"));
        assert!(text(&Hostile::Prolog("<?xml version=\"1.0\"?>".into())).starts_with("<?xml"));
    }

    #[test]
    fn filled_sizes_are_exact_in_bytes() {
        for size in [600u64, 601, 602, 603] {
            let bytes = build(
                &base_message(),
                &Hostile::SizeFilled {
                    size,
                    fill: '\u{1F600}',
                },
            );
            assert_eq!(bytes.len() as u64, size);
            assert!(std::str::from_utf8(&bytes).is_ok());
        }
    }
}
