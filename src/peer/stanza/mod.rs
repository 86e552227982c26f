//! The gatekeeper side of the stanza suite: the peer's own strict stanza
//! codec (written here, not on an XML library, so it can be cross-checked
//! against targets that use one), payload codec, and the knobs that build
//! hostile input. docs/stanza.md is the contract it implements.
//!
//! Module map (one job each):
//! - [`error`] — refusal categories
//! - [`chars`] — XML character classes
//! - [`xml`] — the strict XML reader producing the normalized tree
//! - [`schema`] — known stanzas, required attributes, typed fields
//! - [`address`], [`base64`], [`uri`] — value syntaxes
//! - [`view`] — the normalized view, its JSON form and its proto form
//! - [`serialize`] — the writer, with [`serialize::Spelling`] knobs
//! - [`hostile`] — knobs for hostile stanzas
//! - [`payload`] — `Message` payloads and wire forgeries
//! - [`generate`] — proptest strategies for valid stanzas and spellings

pub mod address;
pub mod base64;
pub mod chars;
pub mod corpus;
pub mod error;
pub mod generate;
pub mod hostile;
pub mod payload;
pub mod schema;
pub mod serialize;
pub mod uri;
pub mod view;
pub mod xml;

pub use error::{Category, StanzaError};
pub use view::{Node, View};

use crate::catalog::profile::StanzaParams;

/// Parses one stanza into its normalized view, or says why it is refused.
pub fn parse(bytes: &[u8], limits: &StanzaParams) -> Result<View, StanzaError> {
    let root = xml::parse_tree(bytes, limits)?;
    let typed = schema::typed(&root)?;
    Ok(View { root, typed })
}

/// As [`parse`], also refusing (`MALFORMED_INPUT`) a stanza that declares a
/// namespace name which is not a URI reference ([`uri`]): the other answer
/// the docs allow for it (docs/stanza.md §2).
pub fn parse_uri_namespaces(bytes: &[u8], limits: &StanzaParams) -> Result<View, StanzaError> {
    let root = xml::parse_tree_uri_namespaces(bytes, limits)?;
    let typed = schema::typed(&root)?;
    Ok(View { root, typed })
}

#[cfg(test)]
mod tests {
    use super::hostile::{base_message, build, Hostile};
    use super::serialize::{serialize, Spelling};
    use super::*;

    fn limits() -> StanzaParams {
        StanzaParams::default()
    }

    fn category(bytes: &[u8]) -> Category {
        match parse(bytes, &limits()) {
            Ok(view) => panic!("accepted {:?} as {view:?}", String::from_utf8_lossy(bytes)),
            Err(e) => e.category,
        }
    }

    #[test]
    fn base_message_parses_to_its_view() {
        let base = base_message();
        let view = parse(&serialize(&base, &Spelling::default()), &limits()).expect("parse");
        assert_eq!(view.root, base);
        assert_eq!(view.typed.enc[0].payload, vec![0x33, 0x0a, 0x21, 0x05]);
        assert_eq!(view.typed.from.as_ref().and_then(|a| a.device), Some(2));
    }

    #[test]
    fn a_namespace_name_that_is_no_uri_reference_is_read_or_refused() {
        let plain =
            String::from_utf8(serialize(&base_message(), &Spelling::default())).expect("utf-8");
        for (ns, uri) in [
            ("urn:}x", false),
            (" urn:x", false),
            ("urn:x-interspec:ext", true),
        ] {
            let xml = plain.replacen("<message ", &format!("<message xmlns:p=\"{ns}\" "), 1);
            assert!(parse(xml.as_bytes(), &limits()).is_ok(), "{ns:?}");
            let strict = parse_uri_namespaces(xml.as_bytes(), &limits());
            match uri {
                true => assert!(strict.is_ok(), "{ns:?}"),
                false => assert_eq!(
                    strict.map(|_| ()).map_err(|e| e.category),
                    Err(Category::Malformed),
                    "{ns:?}"
                ),
            }
        }
    }

    #[test]
    fn every_hostile_knob_is_refused_in_the_right_category() {
        let l = limits();
        let url = "http://127.0.0.1:9/x".to_string();
        let cases = [
            (Hostile::Doctype, Category::Forbidden),
            (Hostile::InternalEntity, Category::Forbidden),
            (Hostile::BillionLaughs, Category::Forbidden),
            (
                Hostile::ExternalEntity { url: url.clone() },
                Category::Forbidden,
            ),
            (
                Hostile::ExternalParameterEntity { url: url.clone() },
                Category::Forbidden,
            ),
            (Hostile::ExternalDtd { url }, Category::Forbidden),
            (Hostile::ProcessingInstruction, Category::Forbidden),
            (Hostile::Encoding("ISO-8859-1"), Category::Forbidden),
            (Hostile::DuplicateAttribute, Category::Malformed),
            (Hostile::UndeclaredEntity, Category::Malformed),
            (Hostile::RawChar('\0'), Category::Malformed),
            (Hostile::RawChar('\u{FFFE}'), Category::Malformed),
            (Hostile::CharRef(0), Category::Malformed),
            (Hostile::CharRef(0xFFFF), Category::Malformed),
            (Hostile::InvalidUtf8, Category::Malformed),
            (Hostile::Depth(l.max_depth + 1), Category::Limit),
            (Hostile::Attributes(l.max_attributes + 1), Category::Limit),
            (
                Hostile::AttributeBytes(l.max_attribute_bytes + 1),
                Category::Limit,
            ),
            (Hostile::Children(l.max_children + 1), Category::Limit),
            (Hostile::Size(l.max_stanza_bytes + 1), Category::Limit),
            (Hostile::MismatchedEndTag, Category::Malformed),
            (Hostile::Unclosed, Category::Malformed),
            (Hostile::SecondRoot, Category::Malformed),
        ];
        for (hostile, expected) in cases {
            let bytes = build(&base_message(), &hostile);
            assert_eq!(category(&bytes), expected, "{hostile:?}");
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let l = limits();
        for hostile in [
            Hostile::Depth(l.max_depth),
            Hostile::Attributes(l.max_attributes),
            Hostile::AttributeBytes(l.max_attribute_bytes),
            Hostile::Children(l.max_children),
            Hostile::Size(l.max_stanza_bytes),
        ] {
            let bytes = build(&base_message(), &hostile);
            if let Hostile::Size(size) = hostile {
                assert_eq!(bytes.len() as u64, size);
            }
            parse(&bytes, &l).unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
        }
    }

    #[test]
    fn namespaces_resolve_per_the_recommendation() {
        let doc = br#"<c:message xmlns:c="jabber:client" xmlns:x="urn:x" id="1" to="b@e.org" type="text" x:id="2"><c:enc v="2" type="msg">AA==</c:enc><x:enc v="2" type="skmsg">AQ==</x:enc><enc v="2" type="msg">Ag==</enc></c:message>"#;
        let view = parse(doc, &limits()).expect("parse");
        // Only the first enc is in jabber:client; the unprefixed one is in
        // no namespace (no default was declared).
        assert_eq!(view.typed.enc.len(), 1);
        assert_eq!(view.typed.id, "1");
        assert_eq!(view.root.attrs.len(), 4);
    }

    #[test]
    fn normalization_rules() {
        let doc = "<message xmlns='jabber:client' id='a\tb&#10;c' to='b@e.org' type='t\r\nx'>\r\n <x>1\r2<!-- c -->3<![CDATA[<&]]></x>\n</message>";
        let view = parse(doc.as_bytes(), &limits()).expect("parse");
        assert_eq!(view.root.attr("id"), Some("a b\nc"));
        assert_eq!(view.root.attr("type"), Some("t x"));
        assert_eq!(view.root.text, "");
        assert_eq!(view.root.children[0].text, "1\n23<&");
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    quickcheck::quickcheck! {
        /// Arbitrary bytes: a view or a refusal, never a panic.
        fn arbitrary_bytes_never_panic(bytes: Vec<u8>) -> bool {
            let _ = parse(&bytes, &StanzaParams::default());
            true
        }

        /// Arbitrary text spliced into a valid stanza: the same.
        fn spliced_text_never_panics(at: usize, text: String) -> bool {
            let mut bytes = serialize::serialize(&hostile::base_message(), &Default::default());
            let at = at % bytes.len();
            bytes.splice(at..at, text.into_bytes());
            let _ = parse(&bytes, &StanzaParams::default());
            true
        }

        /// Arbitrary payload bytes: a message or a refusal, never a panic.
        fn arbitrary_payloads_never_panic(bytes: Vec<u8>) -> bool {
            let _ = payload::decode(&bytes, &StanzaParams::default());
            true
        }
    }
}
