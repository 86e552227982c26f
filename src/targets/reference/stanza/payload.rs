//! Payload decoding on prost, with the profile's size and nesting limits
//! checked on the wire before prost's recursive decoder runs.

use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message as _;

use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::payload::Message;
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

/// `Message.context_info` and `ContextInfo.quoted_message`
/// (proto/stanza_payload.proto): the path along which payloads nest.
const CONTEXT_INFO: u32 = 16;
const QUOTED_MESSAGE: u32 = 3;

pub fn decode(bytes: &[u8], limits: &StanzaParams, build: Build) -> Result<Message, Refusal> {
    if bytes.len() as u64 > limits.max_payload_bytes {
        return Err(Refusal::new(
            ErrorCategory::LimitExceeded,
            "payload larger than the profile allows",
        ));
    }
    // The defect: the depth limit is left to prost's own (100 levels).
    let max_depth = if build.has(Mutant::StanzaPayloadNoDepthLimit) {
        u32::MAX
    } else {
        limits.max_payload_depth
    };
    check_nesting(bytes, max_depth)?;
    let message = Message::decode(bytes)
        .map_err(|e| Refusal::new(ErrorCategory::MalformedInput, format!("not a Message: {e}")))?;
    // The defect: a "strictness" check that re-encodes and compares sizes,
    // which refuses every payload carrying a field it does not know.
    if build.has(Mutant::StanzaPayloadRejectsUnknownFields) && message.encoded_len() != bytes.len()
    {
        return Err(malformed(
            "the payload has fields this decoder does not know",
        ));
    }
    Ok(message)
}

pub fn encode(message: &Message) -> Vec<u8> {
    message.encode_to_vec()
}

fn malformed(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(ErrorCategory::MalformedInput, e.to_string())
}

/// Walks the wire format along the nesting path with a work list (no
/// recursion), refusing groups and nesting deeper than `max`.
fn check_nesting(bytes: &[u8], max: u32) -> Result<(), Refusal> {
    // (bytes of one message, is it a Message rather than a ContextInfo, Message depth)
    let mut work: Vec<(&[u8], bool, u32)> = vec![(bytes, true, 1)];
    while let Some((mut buf, is_message, depth)) = work.pop() {
        while !buf.is_empty() {
            let (tag, wire_type) = decode_key(&mut buf).map_err(malformed)?;
            match wire_type {
                WireType::Varint => {
                    decode_varint(&mut buf).map_err(malformed)?;
                }
                WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
                    let width = if wire_type == WireType::SixtyFourBit {
                        8
                    } else {
                        4
                    };
                    if buf.len() < width {
                        return Err(malformed("a fixed-width field runs past the end"));
                    }
                    buf = &buf[width..];
                }
                WireType::LengthDelimited => {
                    let len = decode_varint(&mut buf).map_err(malformed)?;
                    let len = usize::try_from(len)
                        .ok()
                        .filter(|&l| l <= buf.len())
                        .ok_or_else(|| malformed("a field runs past the end"))?;
                    let (body, rest) = buf.split_at(len);
                    buf = rest;
                    if is_message && tag == CONTEXT_INFO {
                        work.push((body, false, depth));
                    } else if !is_message && tag == QUOTED_MESSAGE {
                        if depth + 1 > max {
                            return Err(Refusal::new(
                                ErrorCategory::LimitExceeded,
                                format!("Messages nested deeper than {max}"),
                            ));
                        }
                        work.push((body, true, depth + 1));
                    }
                }
                WireType::StartGroup | WireType::EndGroup => {
                    return Err(malformed("groups are not part of the payload format"))
                }
            }
        }
    }
    Ok(())
}
