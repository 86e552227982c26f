//! The reference's stanza operations (docs/stanza.md), as a third party
//! would build them: XML through quick-xml's namespace-aware reader, base64
//! through the `base64` crate, payloads through prost. Each stanza mutant is
//! consulted at the one place its defect lives.

mod doctype;
mod payload;
mod reader;
mod rules;
pub(super) mod writer;

use super::build::Build;
use super::rejected;
use crate::adapter::proto::{
    response::Reply, StanzaParseResult, StanzaPayloadDecode, StanzaPayloadDecodeResult,
    StanzaPayloadEncode, StanzaPayloadEncodeResult, StanzaSerialize, StanzaSerializeResult,
};
use crate::adapter::proto::{ErrorCategory, StanzaLimits};
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::view::{Node, View};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The limits a `Configure` carried (docs/stanza.md §7), every one honoured
/// as given; without one, the default profile's.
pub fn limits_from(configured: Option<&StanzaLimits>) -> StanzaParams {
    match configured {
        None => StanzaParams::default(),
        Some(l) => StanzaParams {
            max_stanza_bytes: l.max_stanza_bytes,
            max_depth: l.max_depth,
            max_attributes: l.max_attributes,
            max_attribute_bytes: l.max_attribute_bytes,
            max_children: l.max_children,
            max_payload_bytes: l.max_payload_bytes,
            max_payload_depth: l.max_payload_depth,
        },
    }
}

/// The first `message` element in document order, the root included.
fn first_message(node: &Node) -> Option<&Node> {
    if node.name == "message" {
        return Some(node);
    }
    node.children.iter().find_map(first_message)
}

/// A refusal: the adapter category and a note for people.
pub struct Refusal {
    pub category: ErrorCategory,
    pub detail: String,
}

impl Refusal {
    pub fn new(category: ErrorCategory, detail: impl Into<String>) -> Refusal {
        Refusal {
            category,
            detail: detail.into(),
        }
    }
}

/// The stanza suite's state: none survives a request, so `Reset` has
/// nothing to clear; the struct carries the build and the limits.
pub struct StanzaOps {
    /// The mutant or variant this reference runs as.
    build: Build,
    /// The limits from `Configure`; `None`: the default profile's.
    configured: Option<StanzaLimits>,
}

impl StanzaOps {
    pub fn new(build: Build) -> StanzaOps {
        StanzaOps {
            build,
            configured: None,
        }
    }

    /// Takes the `Configure`d limits.
    pub fn set_profile(&mut self, limits: Option<StanzaLimits>) {
        self.configured = limits;
    }

    /// The limits in force: the configured ones, else the default profile's.
    fn limits(&self) -> StanzaParams {
        limits_from(self.configured.as_ref())
    }

    /// Answers a refusal. The `stanza-one-refusal-category` variant names
    /// one category for every refused stanza and payload (docs/stanza.md
    /// §Refusal categories).
    fn refuse(&self, refusal: Refusal) -> Reply {
        let category = if self.build.is(Variant::StanzaOneRefusalCategory) {
            ErrorCategory::MalformedInput
        } else {
            refusal.category
        };
        rejected(category, refusal.detail)
    }

    pub fn parse(&self, xml: &[u8]) -> Reply {
        match self.parse_view(xml) {
            Ok(view) => Reply::StanzaParse(Box::new(StanzaParseResult {
                view: Some(view.to_proto()),
            })),
            // The defect: an end of input inside an element is no refusal
            // the error mapping knows.
            Err(refusal)
                if refusal.detail == reader::UNCLOSED
                    && self.build.has(Mutant::StanzaTruncationInternalError) =>
            {
                Reply::InternalError(crate::adapter::proto::InternalError {
                    detail: "unexpected end of input".into(),
                })
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn parse_view(&self, xml: &[u8]) -> Result<View, Refusal> {
        let mut root = reader::read(xml, &self.limits(), self.build)?;
        if self.build.has(Mutant::StanzaUnwrapsNestedStanza) {
            // The defect: the first message anywhere is taken as the stanza.
            if let Some(found) = first_message(&root) {
                root = found.clone();
            }
        }
        let typed = rules::typed(&root, self.build)?;
        Ok(View { root, typed })
    }

    pub fn serialize(&self, request: StanzaSerialize) -> Reply {
        let Some(root) = request.root else {
            return self.refuse(Refusal::new(
                ErrorCategory::SchemaViolation,
                "no root element given",
            ));
        };
        let limits = self.limits();
        let root = match Node::from_proto(&root, limits.max_stanza_bytes as usize) {
            Ok(root) => root,
            Err(why) => return self.refuse(Refusal::new(ErrorCategory::LimitExceeded, why)),
        };
        let xml = match writer::write(&root, self.build) {
            Ok(xml) => xml,
            Err(refusal) => return self.refuse(refusal),
        };
        // The defect: the output is not checked.
        if self.build.has(Mutant::StanzaSerializerTrustsTree) {
            return Reply::StanzaSerialize(StanzaSerializeResult { xml });
        }
        // What we refuse to read we refuse to write: check our own output.
        match self.parse_view(&xml) {
            Ok(_) => Reply::StanzaSerialize(StanzaSerializeResult { xml }),
            Err(refusal) => self.refuse(refusal),
        }
    }

    pub fn payload_decode(&self, request: StanzaPayloadDecode) -> Reply {
        match payload::decode(&request.payload, &self.limits(), self.build) {
            Ok(message) => Reply::StanzaPayloadDecode(Box::new(StanzaPayloadDecodeResult {
                message: Some(message),
            })),
            Err(refusal) => self.refuse(refusal),
        }
    }

    pub fn payload_encode(&self, request: StanzaPayloadEncode) -> Reply {
        let message = request.message.unwrap_or_default();
        Reply::StanzaPayloadEncode(StanzaPayloadEncodeResult {
            payload: payload::encode(&message, self.build),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};

    use super::*;
    use crate::peer::stanza::generate::{spelling, stanza};
    use crate::peer::stanza::hostile::{base_message, build, Hostile};
    use crate::peer::stanza::serialize::serialize;

    fn limits() -> StanzaParams {
        StanzaParams::default()
    }

    fn reference_view(xml: &[u8]) -> Result<View, String> {
        StanzaOps::new(Build::default())
            .parse_view(xml)
            .map_err(|r| r.category.as_str_name().to_string())
    }

    #[test]
    fn reference_agrees_with_the_peer_on_generated_stanzas() {
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&(stanza(), spelling()), |(node, spelling)| {
                let bytes = serialize(&node, &spelling);
                let peer = crate::peer::stanza::parse(&bytes, &limits())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let reference = reference_view(&bytes).map_err(|e| {
                    TestCaseError::fail(format!("{e} for {:?}", String::from_utf8_lossy(&bytes)))
                })?;
                proptest::prop_assert_eq!(reference, peer);
                // And the reference's own serialization reads back the same.
                let ops = StanzaOps::new(Build::default());
                let Reply::StanzaSerialize(out) = ops.serialize(StanzaSerialize {
                    root: Some(node.to_proto()),
                }) else {
                    return Err(TestCaseError::fail("serialize refused"));
                };
                let again = crate::peer::stanza::parse(&out.xml, &limits())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                proptest::prop_assert_eq!(again.root, node);
                Ok(())
            })
            .expect("agreement");
    }

    #[test]
    fn reference_refuses_hostile_knobs_like_the_peer() {
        let l = limits();
        let url = "http://127.0.0.1:9/x".to_string();
        for hostile in [
            Hostile::Doctype,
            Hostile::InternalEntity,
            Hostile::BillionLaughs,
            Hostile::ExternalEntity { url: url.clone() },
            Hostile::ExternalParameterEntity { url: url.clone() },
            Hostile::ExternalDtd { url },
            Hostile::ProcessingInstruction,
            Hostile::Encoding("ISO-8859-1"),
            Hostile::DuplicateAttribute,
            Hostile::UndeclaredEntity,
            Hostile::RawChar('\0'),
            Hostile::RawChar('\u{FFFE}'),
            Hostile::CharRef(0),
            Hostile::CharRef(0xFFFF),
            Hostile::InvalidUtf8,
            Hostile::Depth(l.max_depth + 1),
            Hostile::Attributes(l.max_attributes + 1),
            Hostile::AttributeBytes(l.max_attribute_bytes + 1),
            Hostile::Children(l.max_children + 1),
            Hostile::Size(l.max_stanza_bytes + 1),
            Hostile::MismatchedEndTag,
            Hostile::Unclosed,
            Hostile::SecondRoot,
        ] {
            let bytes = build(&base_message(), &hostile);
            let peer = crate::peer::stanza::parse(&bytes, &l)
                .map(|_| ())
                .map_err(|e| e.category.name().to_string());
            let reference = reference_view(&bytes).map(|_| ());
            assert_eq!(reference, peer, "{hostile:?}");
            assert!(peer.is_err());
        }
    }
}

#[cfg(test)]
mod edge_tests {
    use super::*;

    fn limits() -> StanzaParams {
        StanzaParams::default()
    }

    /// Inputs where XML libraries commonly differ from the Recommendation;
    /// the reference must answer each exactly as the peer does.
    #[test]
    fn reference_and_peer_agree_on_edge_inputs() {
        let open = r#"<message xmlns="jabber:client" id="1" to="b@e.org" type="t""#;
        let inputs: Vec<String> = vec![
            format!("<!doctype message>{open}/>"),
            format!("<!DOCTYPE message >{open}/>"),
            format!("{open}/><!DOCTYPE x>"),
            format!("<?XML version=\"1.0\"?>{open}/>"),
            format!("<?xml version=\"1.0\" ?>{open}/>"),
            format!("<?xml version=\"1.0\" encoding=\"utf8\"?>{open}/>"),
            format!("<?xml version=\"1.0\" standalone=\"maybe\"?>{open}/>"),
            format!("<?xml version=\"1.0\" foo=\"bar\"?>{open}/>"),
            format!("<?xml encoding=\"UTF-8\" version=\"1.0\"?>{open}/>"),
            format!("<?xml version='1.0\"?>{open}/>"),
            format!("{open}></ message>"),
            format!("{open}></message >"),
            format!("{open}><a></a ></message>"),
            format!("{open} / >"),
            format!("{open}/ >"),
            format!("{open} x=\"1\" x=\"1\"/>"),
            format!("{open} x:y=\"1\" xmlns:x=\"u\"/>"),
            format!("{open} xmlns:x=\"u\" x:=\"1\"/>"),
            format!("{open} :x=\"1\"/>"),
            format!("{open} xmlns=\"\"/>"),
            format!("{open} xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>"),
            format!("{open} xmlns:xmlns=\"u\"/>"),
            format!("{open} x=\"&#x;\"/>"),
            format!("{open} x=\"&#;\"/>"),
            format!("{open} x=\"&#-1;\"/>"),
            format!("{open} x=\"&#+65;\"/>"),
            format!("{open} x=\"&#x110000;\"/>"),
            format!("{open} x=\"&#00000000065;\"/>"),
            format!("{open} x=\"&lt\"/>"),
            format!("{open}><![CDATA[a]]]></message>"),
            format!("{open}><![cdata[a]]></message>"),
            format!("{open}><!-- a --->b</message>"),
            format!("{open}><!-->--></message>"),
            format!("{open}><!---></message>"),
            format!("{open}>]]></message>"),
            format!("{open}>]]</message>"),
            format!("{open}>&amp</message>"),
            format!("{open}><a/ ></message>"),
            format!("{open}><a b/></message>"),
            format!("{open}><a b=c/></message>"),
            format!("{open}><a\tb='1'\n/></message>"),
            format!("{open}><é/></message>"),
            format!("{open}><a-1.b/></message>"),
            format!("{open}><.a/></message>"),
            format!("{open}><a:b:c xmlns:a=\"u\"/></message>"),
            format!("{open}></message>\n\n<!-- x -->\n"),
            format!("{open}></message><?pi?>"),
            format!("{open}></message>&amp;"),
            format!("  {open}/>"),
            format!("<!-- c -->{open}/>"),
            format!("\u{feff}\u{feff}{open}/>"),
            format!("{open} x='a\u{85}b'/>"),
            format!("{open}>\r\n</message>"),
            format!("<message xmlns='jabber:client' id='1' to='b@e.org' type='t'></message>"),
            format!("<message xmlns='jabber:client' id='1' to='b@e.org' type='t' xmlns:p='jabber:client' p:id='2'/>"),
            format!("<p:message xmlns:p='jabber:client' id='1' to='b@e.org' type='t'></message>"),
            format!("<p:message xmlns:p='jabber:client' id='1' to='b@e.org' type='t'></q:message>"),
        ];
        let limits = limits();
        let mut disagreements = Vec::new();
        for input in &inputs {
            let peer = crate::peer::stanza::parse(input.as_bytes(), &limits)
                .map(|v| format!("{v:?}"))
                .map_err(|e| e.category.name().to_string());
            let reference = StanzaOps::new(Build::default())
                .parse_view(input.as_bytes())
                .map(|v| format!("{v:?}"))
                .map_err(|r| r.category.as_str_name().to_string());
            if peer != reference {
                disagreements.push(format!("{input:?}: peer {peer:?}, reference {reference:?}"));
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    }
}

#[cfg(test)]
mod profile_tests {
    use super::*;
    use crate::peer::stanza::hostile::{base_message, build, Hostile};
    use crate::peer::stanza::payload::{encode, nested};

    fn custom() -> StanzaParams {
        StanzaParams {
            max_stanza_bytes: 32768,
            max_depth: 12,
            max_attributes: 20,
            max_attribute_bytes: 512,
            max_children: 64,
            max_payload_bytes: 16384,
            max_payload_depth: 5,
        }
    }

    fn configured(l: &StanzaParams, variant: Option<Variant>) -> StanzaOps {
        let mut ops = StanzaOps::new(Build::new(None, variant));
        ops.set_profile(Some(StanzaLimits {
            max_stanza_bytes: l.max_stanza_bytes,
            max_depth: l.max_depth,
            max_attributes: l.max_attributes,
            max_attribute_bytes: l.max_attribute_bytes,
            max_children: l.max_children,
            max_payload_bytes: l.max_payload_bytes,
            max_payload_depth: l.max_payload_depth,
        }));
        ops
    }

    fn category(reply: &Reply) -> Option<i32> {
        match reply {
            Reply::Rejected(r) => Some(r.category),
            _ => None,
        }
    }

    /// Every configured limit moves the reference's boundary: at it is
    /// accepted, one past it refused, for the default and a custom profile.
    #[test]
    fn every_configured_stanza_limit_is_honoured() {
        for l in [StanzaParams::default(), custom()] {
            let ops = configured(&l, None);
            let pairs = [
                (Hostile::Depth(l.max_depth), Hostile::Depth(l.max_depth + 1)),
                (
                    Hostile::Attributes(l.max_attributes),
                    Hostile::Attributes(l.max_attributes + 1),
                ),
                (
                    Hostile::AttributeBytes(l.max_attribute_bytes),
                    Hostile::AttributeBytes(l.max_attribute_bytes + 1),
                ),
                (
                    Hostile::Children(l.max_children),
                    Hostile::Children(l.max_children + 1),
                ),
                (
                    Hostile::Size(l.max_stanza_bytes),
                    Hostile::Size(l.max_stanza_bytes + 1),
                ),
            ];
            for (at, over) in pairs {
                let at_bytes = build(&base_message(), &at);
                assert!(ops.parse_view(&at_bytes).is_ok(), "{at:?} under {l:?}");
                let over = ops.parse(&build(&base_message(), &over));
                assert_eq!(
                    category(&over),
                    Some(ErrorCategory::LimitExceeded as i32),
                    "{l:?}"
                );
            }
            let decode = |payload: Vec<u8>| ops.payload_decode(StanzaPayloadDecode { payload });
            assert!(category(&decode(encode(&nested(l.max_payload_depth)))).is_none());
            assert_eq!(
                category(&decode(encode(&nested(l.max_payload_depth + 1)))),
                Some(ErrorCategory::LimitExceeded as i32)
            );
            let big = vec![0u8; l.max_payload_bytes as usize + 1];
            assert_eq!(
                category(&decode(big)),
                Some(ErrorCategory::LimitExceeded as i32)
            );
        }
    }

    #[test]
    fn the_one_category_variant_refuses_everything_as_malformed_input() {
        let ops = configured(
            &StanzaParams::default(),
            Some(Variant::StanzaOneRefusalCategory),
        );
        for hostile in [
            Hostile::Doctype,
            Hostile::Depth(17),
            Hostile::MismatchedEndTag,
        ] {
            let reply = ops.parse(&build(&base_message(), &hostile));
            assert_eq!(
                category(&reply),
                Some(ErrorCategory::MalformedInput as i32),
                "{hostile:?}"
            );
        }
        let deep = ops.payload_decode(StanzaPayloadDecode {
            payload: encode(&nested(9)),
        });
        assert_eq!(category(&deep), Some(ErrorCategory::MalformedInput as i32));
        let chat = Node::new(crate::peer::stanza::view::CLIENT_NS, "chat").with_attr("id", "1");
        let reply = ops.serialize(StanzaSerialize {
            root: Some(chat.to_proto()),
        });
        assert_eq!(category(&reply), Some(ErrorCategory::MalformedInput as i32));
        // Valid input is still answered.
        assert!(ops
            .parse_view(&build(&base_message(), &Hostile::Depth(16)))
            .is_ok());
    }

    /// The variant refuses a namespace name with a character outside RFC
    /// 3986's; the reference takes any value as the name (docs/stanza.md §2).
    #[test]
    fn the_non_uri_namespace_variant_refuses_what_the_reference_reads() {
        use crate::peer::stanza::serialize::{serialize, Spelling};
        let l = StanzaParams::default();
        let reference = configured(&l, None);
        let variant = configured(&l, Some(Variant::StanzaRefusesNonUriNamespaceNames));
        let plain =
            String::from_utf8(serialize(&base_message(), &Spelling::default())).expect("utf-8");
        assert!(plain.contains("<message "));
        let declaring =
            |ns: &str| plain.replacen("<message ", &format!("<message xmlns:p=\"{ns}\" "), 1);
        for bad in [
            " urn:x",
            "urn:}x",
            "urn:a b",
            "urn:{x}",
            "urn:\u{e9}",
            "urn:%zz",
        ] {
            let xml = declaring(bad);
            assert!(reference.parse_view(xml.as_bytes()).is_ok(), "{bad:?}");
            assert_eq!(
                category(&variant.parse(xml.as_bytes())),
                Some(ErrorCategory::MalformedInput as i32),
                "{bad:?}"
            );
        }
        for good in [
            "urn:x-interspec:ext",
            "urn:a%20b",
            "http://h/p?q#f",
            "a#b#c",
        ] {
            assert!(
                variant.parse_view(declaring(good).as_bytes()).is_ok(),
                "{good:?}"
            );
        }
    }
}
