//! The stanza schema (docs/stanza.md §Stanzas): which root elements are
//! stanzas, their required attributes, the syntax of their values, and the
//! typed fields extracted from them. Unknown attributes and children are
//! ignored (they stay in the generic view), so the profile can grow.

use super::chars::is_xml_space;
use super::error::{malformed, schema, StanzaError};
use super::view::{Enc, EncType, Kind, Node, Typed, CLIENT_NS};
use super::{address, base64};

/// The values `iq`'s `type` may take (RFC 6120 §8.2.3).
pub const IQ_TYPES: [&str; 4] = ["get", "set", "result", "error"];

/// The attributes each stanza must carry, non-empty.
pub fn required_attributes(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Message => &["id", "to", "type"],
        Kind::Receipt => &["id"],
        Kind::Ack => &["id", "class"],
        Kind::Iq => &["id", "type"],
        Kind::Presence => &[],
        Kind::Notification => &["id", "type"],
    }
}

/// Attributes every `enc` must carry, non-empty.
pub const ENC_REQUIRED: [&str; 2] = ["v", "type"];

pub fn typed(root: &Node) -> Result<Typed, StanzaError> {
    let kind = Kind::from_element(&root.name)
        .filter(|_| root.ns == CLIENT_NS)
        .ok_or_else(|| {
            schema(format!(
                "<{}> in namespace {:?} is not a stanza of the profile",
                root.name, root.ns
            ))
        })?;
    for name in required_attributes(kind) {
        if root.attr(name).is_none_or(str::is_empty) {
            return Err(schema(format!(
                "<{}> lacks its required attribute {name}",
                root.name
            )));
        }
    }
    let addr = |name: &str| {
        root.attr(name)
            .map(|text| {
                address::parse(text).map_err(|why| malformed(0, format!("{name} address: {why}")))
            })
            .transpose()
    };
    let from = addr("from")?;
    let to = addr("to")?;
    let t = root
        .attr("t")
        .map(|text| {
            canonical_decimal(text, u64::MAX)
                .ok_or_else(|| malformed(0, format!("t={text:?} is not a canonical u64")))
        })
        .transpose()?;
    let stanza_type = root.attr("type").map(str::to_string);
    if kind == Kind::Iq && !IQ_TYPES.contains(&stanza_type.as_deref().unwrap_or("")) {
        return Err(schema(format!(
            "iq type {stanza_type:?} is not get, set, result or error"
        )));
    }
    let enc = if kind == Kind::Message {
        root.children
            .iter()
            .filter(|c| c.is(CLIENT_NS, "enc"))
            .map(enc)
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    Ok(Typed {
        kind,
        id: root.attr("id").unwrap_or("").to_string(),
        stanza_type,
        from,
        to,
        t,
        enc,
    })
}

fn enc(node: &Node) -> Result<Enc, StanzaError> {
    for name in ENC_REQUIRED {
        if node.attr(name).is_none_or(str::is_empty) {
            return Err(schema(format!("<enc> lacks its required attribute {name}")));
        }
    }
    let v_text = node.attr("v").unwrap_or("");
    let v = canonical_decimal(v_text, u64::from(u32::MAX))
        .ok_or_else(|| malformed(0, format!("enc v={v_text:?} is not a canonical u32")))?;
    let type_text = node.attr("type").unwrap_or("");
    let enc_type = EncType::parse(type_text)
        .ok_or_else(|| schema(format!("enc type {type_text:?} is not pkmsg, msg or skmsg")))?;
    let content = node.text.trim_matches(is_xml_space);
    if content.is_empty() {
        return Err(schema("<enc> carries no payload"));
    }
    let payload = base64::decode(content)
        .map_err(|why| malformed(0, format!("enc payload is not canonical base64: {why}")))?;
    Ok(Enc {
        v: v as u32,
        enc_type,
        mediatype: node.attr("mediatype").map(str::to_string),
        payload,
    })
}

/// Decimal digits without sign or leading zero, at most `max`.
pub fn canonical_decimal(text: &str, max: u64) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    text.parse::<u64>().ok().filter(|v| canonical && *v <= max)
}
