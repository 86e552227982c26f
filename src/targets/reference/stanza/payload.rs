//! Payload decoding on prost, with the profile's size and nesting limits
//! checked on the wire before prost's recursive decoder runs.

use prost::encoding::{decode_key, decode_varint, WireType};
use prost::Message as _;

use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::payload::proto::message::Content;
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
    check_nesting(
        bytes,
        max_depth,
        build.has(Mutant::StanzaPayloadAcceptsGroups),
    )?;
    let mut message = Message::decode(bytes)
        .map_err(|e| Refusal::new(ErrorCategory::MalformedInput, format!("not a Message: {e}")))?;
    // The defect: the int64 timestamp goes through a 32-bit integer.
    if build.has(Mutant::StanzaPayloadTimestamp32Bit) {
        if let Some(Content::Reaction(reaction)) = message.content.as_mut() {
            reaction.sender_timestamp_ms = i64::from(reaction.sender_timestamp_ms as i32);
        }
    }
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

pub fn encode(message: &Message, build: Build) -> Vec<u8> {
    if build.has(Mutant::StanzaPayloadEncodeFileLength32Bit) {
        // The defect: each file length goes through a 32-bit integer.
        let mut message = message.clone();
        let media = match message.content.as_mut() {
            Some(Content::Image(m)) => m.media.as_mut(),
            Some(Content::Video(m)) => m.media.as_mut(),
            Some(Content::Audio(m)) => m.media.as_mut(),
            Some(Content::Document(m)) => m.media.as_mut(),
            Some(Content::Sticker(m)) => m.media.as_mut(),
            _ => None,
        };
        if let Some(info) = media {
            info.file_length = u64::from(info.file_length as u32);
        }
        return message.encode_to_vec();
    }
    message.encode_to_vec()
}

fn malformed(e: impl std::fmt::Display) -> Refusal {
    Refusal::new(ErrorCategory::MalformedInput, e.to_string())
}

/// Walks the wire format along the nesting path with a work list (no
/// recursion), refusing groups and nesting deeper than `max`.
fn check_nesting(bytes: &[u8], max: u32, accepts_groups: bool) -> Result<(), Refusal> {
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
                // The defect: the check stops here and prost, which skips
                // groups of unknown fields, decides.
                WireType::StartGroup | WireType::EndGroup if accepts_groups => break,
                WireType::StartGroup | WireType::EndGroup => {
                    return Err(malformed("groups are not part of the payload format"))
                }
            }
        }
    }
    Ok(())
}
