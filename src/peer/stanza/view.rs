//! The normalized view of a stanza (docs/stanza.md §Normalized view): what
//! the peer's parser produces, what the golden corpus records as JSON, and
//! what a target returns in `StanzaParseResult` (converted here).

use serde::{Deserialize, Serialize};

use crate::adapter::proto;

/// The XML namespace (Namespaces in XML 1.0 §3): bound to `xml`.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations; never bound to a prefix.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// The content namespace of the profile's stanzas (RFC 6120 §4.8.3).
pub const CLIENT_NS: &str = "jabber:client";

/// One element after namespace resolution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ns: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attr>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attr {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ns: String,
    pub name: String,
    pub value: String,
}

impl Node {
    pub fn new(ns: &str, name: &str) -> Node {
        Node {
            name: name.into(),
            ns: ns.into(),
            ..Node::default()
        }
    }

    /// Adds an unprefixed attribute, keeping the attributes sorted.
    pub fn with_attr(mut self, name: &str, value: &str) -> Node {
        self.set_attr("", name, value);
        self
    }

    pub fn with_child(mut self, child: Node) -> Node {
        self.children.push(child);
        self
    }

    pub fn with_text(mut self, text: &str) -> Node {
        self.text = text.into();
        self
    }

    /// Sets (or replaces) an attribute, keeping the view's sort order.
    pub fn set_attr(&mut self, ns: &str, name: &str, value: &str) {
        self.attrs.retain(|a| !(a.ns == ns && a.name == name));
        self.attrs.push(Attr {
            ns: ns.into(),
            name: name.into(),
            value: value.into(),
        });
        self.attrs.sort();
    }

    pub fn remove_attr(&mut self, name: &str) {
        self.attrs.retain(|a| !(a.ns.is_empty() && a.name == name));
    }

    /// The value of an unprefixed attribute (attributes in no namespace).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_empty() && a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// Elements in this tree, the root included.
    pub fn element_count(&self) -> usize {
        1 + self.children.iter().map(Node::element_count).sum::<usize>()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Message,
    Receipt,
    Ack,
    Iq,
    Presence,
    Notification,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Message,
        Kind::Receipt,
        Kind::Ack,
        Kind::Iq,
        Kind::Presence,
        Kind::Notification,
    ];

    pub fn element(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::Receipt => "receipt",
            Kind::Ack => "ack",
            Kind::Iq => "iq",
            Kind::Presence => "presence",
            Kind::Notification => "notification",
        }
    }

    pub fn from_element(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.element() == name)
    }

    fn to_proto(self) -> proto::StanzaKind {
        match self {
            Kind::Message => proto::StanzaKind::Message,
            Kind::Receipt => proto::StanzaKind::Receipt,
            Kind::Ack => proto::StanzaKind::Ack,
            Kind::Iq => proto::StanzaKind::Iq,
            Kind::Presence => proto::StanzaKind::Presence,
            Kind::Notification => proto::StanzaKind::Notification,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncType {
    Pkmsg,
    Msg,
    Skmsg,
}

impl EncType {
    pub const ALL: [EncType; 3] = [EncType::Pkmsg, EncType::Msg, EncType::Skmsg];

    pub fn as_str(self) -> &'static str {
        match self {
            EncType::Pkmsg => "pkmsg",
            EncType::Msg => "msg",
            EncType::Skmsg => "skmsg",
        }
    }

    pub fn parse(text: &str) -> Option<EncType> {
        EncType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    fn to_proto(self) -> proto::StanzaEncType {
        match self {
            EncType::Pkmsg => proto::StanzaEncType::Pkmsg,
            EncType::Msg => proto::StanzaEncType::Msg,
            EncType::Skmsg => proto::StanzaEncType::Skmsg,
        }
    }
}

/// `[user[:device]@]domain[/resource]` (docs/stanza.md §Addresses).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<u32>,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enc {
    pub v: u32,
    #[serde(rename = "type")]
    pub enc_type: EncType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediatype: Option<String>,
    /// The decoded payload, as hex in JSON.
    #[serde(with = "hex_bytes")]
    pub payload: Vec<u8>,
}

/// The typed fields of a known stanza.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typed {
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub stanza_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enc: Vec<Enc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub root: Node,
    pub typed: Typed,
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

// ---- conversion to and from the adapter protocol ----

impl Node {
    pub fn to_proto(&self) -> proto::StanzaNode {
        proto::StanzaNode {
            name: self.name.clone(),
            namespace: self.ns.clone(),
            attributes: self
                .attrs
                .iter()
                .map(|a| proto::StanzaAttribute {
                    namespace: a.ns.clone(),
                    name: a.name.clone(),
                    value: a.value.clone(),
                })
                .collect(),
            children: self.children.iter().map(Node::to_proto).collect(),
            text: self.text.clone(),
        }
    }

    /// Converts a target's node. The tree is walked with an explicit stack
    /// (a hostile target may send a deep one); `max_elements` bounds it.
    pub fn from_proto(node: &proto::StanzaNode, max_elements: usize) -> Result<Node, String> {
        let mut count = 0usize;
        convert_node(node, &mut count, max_elements, 0)
    }
}

/// Deeper than any profile allows; prost's own decoder stops at 100.
const MAX_CONVERT_DEPTH: usize = 128;

fn convert_node(
    node: &proto::StanzaNode,
    count: &mut usize,
    max: usize,
    depth: usize,
) -> Result<Node, String> {
    *count += 1;
    if *count > max || depth > MAX_CONVERT_DEPTH {
        return Err(format!(
            "the returned tree has more than {max} elements or is deeper than {MAX_CONVERT_DEPTH}"
        ));
    }
    let children = node
        .children
        .iter()
        .map(|c| convert_node(c, count, max, depth + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Node {
        name: node.name.clone(),
        ns: node.namespace.clone(),
        attrs: node
            .attributes
            .iter()
            .map(|a| Attr {
                ns: a.namespace.clone(),
                name: a.name.clone(),
                value: a.value.clone(),
            })
            .collect(),
        text: node.text.clone(),
        children,
    })
}

impl Address {
    fn to_proto(&self) -> proto::StanzaAddress {
        proto::StanzaAddress {
            user: self.user.clone(),
            device: self.device,
            domain: self.domain.clone(),
            resource: self.resource.clone(),
        }
    }

    fn from_proto(a: &proto::StanzaAddress) -> Address {
        Address {
            user: a.user.clone(),
            device: a.device,
            domain: a.domain.clone(),
            resource: a.resource.clone(),
        }
    }
}

impl Typed {
    pub fn to_proto(&self) -> proto::StanzaTyped {
        proto::StanzaTyped {
            kind: self.kind.to_proto() as i32,
            id: self.id.clone(),
            r#type: self.stanza_type.clone(),
            from: self.from.as_ref().map(Address::to_proto),
            to: self.to.as_ref().map(Address::to_proto),
            t: self.t,
            enc: self
                .enc
                .iter()
                .map(|e| proto::StanzaEnc {
                    v: e.v,
                    r#type: e.enc_type.to_proto() as i32,
                    mediatype: e.mediatype.clone(),
                    payload: e.payload.clone(),
                })
                .collect(),
        }
    }

    pub fn from_proto(t: &proto::StanzaTyped) -> Result<Typed, String> {
        let kind = Kind::ALL
            .into_iter()
            .find(|k| k.to_proto() as i32 == t.kind)
            .ok_or_else(|| format!("typed.kind {} is not a stanza kind", t.kind))?;
        let enc = t
            .enc
            .iter()
            .map(|e| {
                let enc_type = EncType::ALL
                    .into_iter()
                    .find(|k| k.to_proto() as i32 == e.r#type)
                    .ok_or_else(|| format!("enc type {} is not pkmsg, msg or skmsg", e.r#type))?;
                Ok(Enc {
                    v: e.v,
                    enc_type,
                    mediatype: e.mediatype.clone(),
                    payload: e.payload.clone(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Typed {
            kind,
            id: t.id.clone(),
            stanza_type: t.r#type.clone(),
            from: t.from.as_ref().map(Address::from_proto),
            to: t.to.as_ref().map(Address::from_proto),
            t: t.t,
            enc,
        })
    }
}

impl View {
    pub fn to_proto(&self) -> proto::StanzaView {
        proto::StanzaView {
            root: Some(self.root.to_proto()),
            typed: Some(self.typed.to_proto()),
        }
    }

    /// Converts a target's view; a missing part is an error.
    pub fn from_proto(v: &proto::StanzaView, max_elements: usize) -> Result<View, String> {
        let root = v.root.as_ref().ok_or("the view has no root")?;
        let typed = v.typed.as_ref().ok_or("the view has no typed fields")?;
        Ok(View {
            root: Node::from_proto(root, max_elements)?,
            typed: Typed::from_proto(typed)?,
        })
    }
}
