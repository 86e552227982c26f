//! `interspec.stanza.v1.Message` payloads (proto/stanza_payload.proto): the
//! peer's checked decoder, and forgers for wire data that is wrong in one
//! way (docs/stanza.md §Payload).

use prost::Message as _;

use super::error::{limit, malformed, StanzaError};
use crate::catalog::profile::StanzaParams;

/// Messages generated from `proto/stanza_payload.proto`. build.rs maps the
/// package here so the adapter protocol can embed `Message`.
#[allow(clippy::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/interspec.stanza.v1.rs"));
}

pub use proto::Message;

/// Field numbers on the path along which payloads nest (the .proto file).
const MESSAGE_CONTEXT_INFO: u64 = 16;
const CONTEXT_QUOTED_MESSAGE: u64 = 3;

/// Protobuf wire types (protobuf encoding guide, "Message Structure").
const WIRE_VARINT: u64 = 0;
const WIRE_I64: u64 = 1;
const WIRE_LEN: u64 = 2;
const WIRE_I32: u64 = 5;

/// Decodes a payload within the profile's limits; unknown fields are
/// skipped, anything that is not valid wire data is refused.
pub fn decode(bytes: &[u8], limits: &StanzaParams) -> Result<Message, StanzaError> {
    if bytes.len() as u64 > limits.max_payload_bytes {
        return Err(limit(
            0,
            format!(
                "a payload of {} bytes (limit {})",
                bytes.len(),
                limits.max_payload_bytes
            ),
        ));
    }
    // Depth first, before any recursive decoder sees the bytes.
    let depth = nesting_depth(bytes, limits.max_payload_depth)?;
    debug_assert!(depth <= limits.max_payload_depth);
    Message::decode(bytes).map_err(|e| malformed(0, format!("not a Message: {e}")))
}

pub fn encode(message: &Message) -> Vec<u8> {
    message.encode_to_vec()
}

/// How deeply `Message`s nest through `context_info.quoted_message`,
/// walking the wire format iteratively; deeper than `max` is refused.
pub fn nesting_depth(bytes: &[u8], max: u32) -> Result<u32, StanzaError> {
    // Each entry is the unread rest of one open message and whether it is a
    // Message (true) or a ContextInfo (false).
    let mut stack: Vec<(&[u8], bool)> = vec![(bytes, true)];
    let mut deepest = 1u32;
    while let Some((mut rest, is_message)) = stack.pop() {
        if rest.is_empty() {
            continue;
        }
        let key = read_varint(&mut rest)?;
        let (field, wire) = (key >> 3, key & 7);
        if field == 0 {
            return Err(malformed(0, "field number 0"));
        }
        let body = match wire {
            WIRE_VARINT => {
                read_varint(&mut rest)?;
                None
            }
            WIRE_I64 => Some(take(&mut rest, 8)?),
            WIRE_I32 => Some(take(&mut rest, 4)?),
            WIRE_LEN => {
                let len = read_varint(&mut rest)?;
                let len = usize::try_from(len).map_err(|_| malformed(0, "length overflows"))?;
                Some(take(&mut rest, len)?)
            }
            _ => return Err(malformed(0, format!("wire type {wire} is not allowed"))),
        };
        let nested = match (is_message, field) {
            (true, MESSAGE_CONTEXT_INFO) => Some(false),
            (false, CONTEXT_QUOTED_MESSAGE) => Some(true),
            _ => None,
        };
        stack.push((rest, is_message));
        if let (Some(child_is_message), Some(body)) = (nested, body) {
            if wire == WIRE_LEN {
                if child_is_message {
                    let depth = stack.iter().filter(|(_, m)| *m).count() as u32 + 1;
                    if depth > max {
                        return Err(limit(0, format!("Messages nested deeper than {max}")));
                    }
                    deepest = deepest.max(depth);
                }
                stack.push((body, child_is_message));
            }
        }
    }
    Ok(deepest)
}

fn take<'a>(rest: &mut &'a [u8], len: usize) -> Result<&'a [u8], StanzaError> {
    if rest.len() < len {
        return Err(malformed(0, "a field runs past the end"));
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

/// A varint (protobuf encoding guide) is at most 10 bytes long.
const MAX_VARINT_BYTES: usize = 10;

/// A base-128 varint of at most 10 bytes whose value fits 64 bits: its
/// extent found here (so that a cut varint and an over-long one are told
/// apart), its value decoded by prost.
fn read_varint(rest: &mut &[u8]) -> Result<u64, StanzaError> {
    let window = &rest[..rest.len().min(MAX_VARINT_BYTES)];
    let Some(last) = window.iter().position(|byte| byte & 0x80 == 0) else {
        return Err(if window.len() < MAX_VARINT_BYTES {
            malformed(0, "a varint runs past the end")
        } else {
            malformed(0, "a varint longer than 64 bits")
        });
    };
    let mut varint = &window[..=last];
    let value = prost::encoding::decode_varint(&mut varint)
        .map_err(|_| malformed(0, "a varint longer than 64 bits"))?;
    *rest = &rest[last + 1..];
    Ok(value)
}

// ---- forgers: wire data wrong in exactly one way ----

/// `message` followed by fields no version of the schema defines.
pub fn with_unknown_fields(message: &Message) -> Vec<u8> {
    let mut bytes = message.encode_to_vec();
    // field 1000 varint 7, field 1001 bytes "xyz", field 1002 fixed32, 1003 fixed64
    prost::encoding::uint64::encode(1000, &7, &mut bytes);
    prost::encoding::bytes::encode(1001, &b"xyz".to_vec(), &mut bytes);
    prost::encoding::fixed32::encode(1002, &9, &mut bytes);
    prost::encoding::fixed64::encode(1003, &9, &mut bytes);
    bytes
}

/// Key for `conversation` (field 1, length-delimited) then a varint length
/// that never ends (every byte has its continuation bit set).
pub fn bad_varint() -> Vec<u8> {
    let mut bytes = vec![0x0a];
    bytes.extend_from_slice(&[0xff; 11]);
    bytes
}

/// `conversation` (a string) sent with the varint wire type.
pub fn wrong_wire_type() -> Vec<u8> {
    vec![(1 << 3) | WIRE_VARINT as u8, 0x05]
}

/// `conversation` claiming 100 bytes with only 3 present.
pub fn length_past_end() -> Vec<u8> {
    vec![(1 << 3) | WIRE_LEN as u8, 100, b'a', b'b', b'c']
}

/// `conversation` holding bytes that are not UTF-8.
pub fn invalid_utf8_string() -> Vec<u8> {
    vec![(1 << 3) | WIRE_LEN as u8, 2, 0xc3, 0x28]
}

/// Field number 0, which no message may use.
pub fn field_zero() -> Vec<u8> {
    vec![WIRE_VARINT as u8, 1]
}

/// `depth` Messages nested through quoted messages, innermost plain text.
pub fn nested(depth: u32) -> Message {
    let mut message = Message {
        content: Some(proto::message::Content::Conversation("innermost".into())),
        context_info: None,
    };
    for level in 1..depth {
        message = Message {
            content: Some(proto::message::Content::Conversation(format!(
                "level {level}"
            ))),
            context_info: Some(Box::new(proto::ContextInfo {
                stanza_id: format!("q{level}"),
                participant: "alice@example.org".into(),
                quoted_message: Some(Box::new(message)),
            })),
        };
    }
    message
}

/// Like [`nested`], but encoded without building the tree (so a very deep
/// nesting costs no recursion): each level wraps the previous bytes.
pub fn nested_bytes(depth: u32) -> Vec<u8> {
    let mut bytes = Message {
        content: Some(proto::message::Content::Conversation("innermost".into())),
        context_info: None,
    }
    .encode_to_vec();
    for _ in 1..depth {
        let mut context = Vec::new();
        prost::encoding::bytes::encode(CONTEXT_QUOTED_MESSAGE as u32, &bytes, &mut context);
        let mut outer = Vec::new();
        prost::encoding::bytes::encode(MESSAGE_CONTEXT_INFO as u32, &context, &mut outer);
        bytes = outer;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::stanza::error::Category;

    fn limits() -> StanzaParams {
        StanzaParams::default()
    }

    #[test]
    fn depth_is_counted_and_bounded() {
        let max = limits().max_payload_depth;
        let ok = nested(max).encode_to_vec();
        assert_eq!(nesting_depth(&ok, max).unwrap(), max);
        assert_eq!(nesting_depth(&nested_bytes(max), max).unwrap(), max);
        assert_eq!(decode(&ok, &limits()).unwrap(), nested(max));
        let deep = nested(max + 1).encode_to_vec();
        assert_eq!(
            decode(&deep, &limits()).unwrap_err().category,
            Category::Limit
        );
        let very_deep = nested_bytes(5000);
        assert_eq!(
            decode(&very_deep, &limits()).unwrap_err().category,
            Category::Limit
        );
    }

    #[test]
    fn forged_wire_data_is_malformed() {
        for bytes in [
            bad_varint(),
            wrong_wire_type(),
            length_past_end(),
            invalid_utf8_string(),
            field_zero(),
        ] {
            assert_eq!(
                decode(&bytes, &limits()).unwrap_err().category,
                Category::Malformed,
                "{bytes:02x?}"
            );
        }
    }

    #[test]
    fn varints_are_read_and_refused_as_before() {
        let read = |bytes: &[u8]| {
            let mut rest = bytes;
            read_varint(&mut rest).map(|v| (v, rest.len()))
        };
        let detail = |bytes: &[u8]| read(bytes).unwrap_err().detail;
        assert_eq!(read(&[0x96, 0x01, 0x07]), Ok((150, 1)));
        let mut max = vec![0xff; 9];
        max.push(0x01);
        assert_eq!(read(&max), Ok((u64::MAX, 0)));
        let mut zero_tenth = vec![0x80; 9];
        zero_tenth.push(0x00);
        assert_eq!(read(&zero_tenth), Ok((0, 0)));
        assert_eq!(detail(&[]), "a varint runs past the end");
        assert_eq!(detail(&[0x80; 9]), "a varint runs past the end");
        for tenth in [0x02, 0x7f, 0x80, 0x81, 0xff] {
            let mut bytes = vec![0x80; 9];
            bytes.push(tenth);
            bytes.push(0x00);
            assert_eq!(
                detail(&bytes),
                "a varint longer than 64 bits",
                "{tenth:#04x}"
            );
        }
        assert_eq!(detail(&bad_varint()[1..]), "a varint longer than 64 bits");
    }

    #[test]
    fn unknown_fields_are_skipped() {
        let message = nested(2);
        assert_eq!(
            decode(&with_unknown_fields(&message), &limits()).unwrap(),
            message
        );
    }
}
