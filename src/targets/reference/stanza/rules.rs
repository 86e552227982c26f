//! The profile's stanza rules (docs/stanza.md §Stanzas) over the tree the
//! reader built: known roots, required attributes, value syntax, typed
//! fields. Five mutants live here.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::peer::stanza::address;
use crate::peer::stanza::view::{Enc, EncType, Kind, Node, Typed, CLIENT_NS};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

fn schema(detail: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCategory::SchemaViolation, detail)
}

fn malformed(detail: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCategory::MalformedInput, detail)
}

/// What a lenient decoder accepts: missing padding, stray pad bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn required(kind: Kind, build: Build) -> &'static [&'static str] {
    match kind {
        // The defect: `to` is not checked, the message is taken as it is.
        Kind::Message if build.has(Mutant::StanzaIgnoresMissingRequired) => &["id", "type"],
        Kind::Message => &["id", "to", "type"],
        Kind::Receipt => &["id"],
        Kind::Ack => &["id", "class"],
        Kind::Iq => &["id", "type"],
        Kind::Presence => &[],
        Kind::Notification => &["id", "type"],
    }
}

pub fn typed(root: &Node, build: Build) -> Result<Typed, Refusal> {
    if root.ns != CLIENT_NS {
        return Err(schema("the root is not in the jabber:client namespace"));
    }
    // The defect: names compared without case, as an HTML parser does.
    let root_name = if build.has(Mutant::StanzaCaseInsensitiveNames) {
        root.name.to_ascii_lowercase()
    } else {
        root.name.clone()
    };
    let kind = Kind::from_element(&root_name)
        .ok_or_else(|| schema(format!("<{}> is not a stanza", root.name)))?;
    for name in required(kind, build) {
        if root.attr(name).is_none_or(str::is_empty) {
            return Err(schema(format!("missing attribute {name}")));
        }
    }
    let address = |name: &str| -> Result<_, Refusal> {
        match root.attr(name) {
            None => Ok(None),
            Some(text) => address::parse(text)
                .map(Some)
                .map_err(|why| malformed(format!("{name}: {why}"))),
        }
    };
    let from = address("from")?;
    let to = address("to")?;
    let t = match root.attr("t") {
        None => None,
        Some(text) => Some(decimal(text, u64::MAX).ok_or_else(|| malformed("t is not a number"))?),
    };
    let stanza_type = root.attr("type").map(String::from);
    // The defect: enumerated values matched without case.
    let iq_type = if build.has(Mutant::StanzaCaseInsensitiveEnums) {
        stanza_type.as_deref().map(str::to_ascii_lowercase)
    } else {
        stanza_type.clone()
    };
    if kind == Kind::Iq && !matches!(iq_type.as_deref(), Some("get" | "set" | "result" | "error")) {
        return Err(schema("iq type must be get, set, result or error"));
    }
    let mut enc = Vec::new();
    if kind == Kind::Message {
        let mut encs = Vec::new();
        if build.has(Mutant::StanzaEncAnyDepth) {
            // The defect: a descendant search, not the child axis.
            descendants(root, &mut encs);
        } else {
            encs.extend(root.children.iter());
        }
        let case_blind = build.has(Mutant::StanzaCaseInsensitiveNames);
        for child in encs.into_iter().filter(|c| {
            c.ns == CLIENT_NS
                && (c.name == "enc" || case_blind && c.name.eq_ignore_ascii_case("enc"))
        }) {
            enc.push(enc_fields(child, build)?);
        }
    }
    Ok(Typed {
        kind,
        id: root.attr("id").unwrap_or_default().to_string(),
        stanza_type,
        from,
        to,
        t,
        enc,
    })
}

/// Every element under `node`, in document order.
fn descendants<'n>(node: &'n Node, out: &mut Vec<&'n Node>) {
    for child in &node.children {
        out.push(child);
        descendants(child, out);
    }
}

fn enc_fields(node: &Node, build: Build) -> Result<Enc, Refusal> {
    let v = node.attr("v").filter(|v| !v.is_empty());
    let enc_type = node.attr("type").filter(|v| !v.is_empty());
    let (Some(v), Some(enc_type)) = (v, enc_type) else {
        return Err(schema("enc needs v and type"));
    };
    let v = decimal(v, u64::from(u32::MAX)).ok_or_else(|| malformed("enc v is not a number"))?;
    let enc_type = if build.has(Mutant::StanzaCaseInsensitiveEnums) {
        EncType::parse(&enc_type.to_ascii_lowercase())
    } else {
        EncType::parse(enc_type)
    };
    let enc_type = enc_type.ok_or_else(|| schema("unknown enc type"))?;
    let content = node.text.trim_matches([' ', '\t', '\n', '\r']);
    if content.is_empty() {
        return Err(schema("enc without payload"));
    }
    let payload = if build.has(Mutant::StanzaLenientBase64) {
        let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
        LENIENT.decode(compact)
    } else {
        STANDARD.decode(content)
    }
    .map_err(|e| malformed(format!("enc payload: {e}")))?;
    Ok(Enc {
        v: v as u32,
        enc_type,
        mediatype: node.attr("mediatype").map(String::from),
        payload,
    })
}

fn decimal(text: &str, max: u64) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    text.parse::<u64>().ok().filter(|v| *v <= max)
}
