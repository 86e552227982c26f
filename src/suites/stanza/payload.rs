//! `Message` payloads (docs/stanza.md §6): field-for-field decoding of
//! every content type, unknown fields tolerated, invalid wire data and
//! over-deep nesting refused, encoding that decodes back, and properties
//! over generated and corrupted payloads.

use proptest::collection::vec;
use proptest::prelude::*;

use super::target::limits;
use crate::adapter::client::Reply;
use crate::adapter::names::category_name;
use crate::adapter::proto::{
    request::Op, response, ErrorCategory, StanzaPayloadDecode, StanzaPayloadEncode,
};
use crate::peer::stanza::generate::payloads::message;
use crate::peer::stanza::payload::proto::{
    message::Content, AudioMessage, ContextInfo, DocumentMessage, ExtendedText, ImageMessage,
    MediaInfo, Message, MessageKey, ReactionMessage, VideoMessage,
};
use crate::peer::stanza::payload::{self as forge, decode as peer_decode, encode};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

/// A decode result, or the refusal category.
fn target_decode(
    ctx: &mut ScenarioCtx,
    payload: &[u8],
    what: &str,
) -> Result<Result<Message, i32>, Finding> {
    let op = Op::StanzaPayloadDecode(StanzaPayloadDecode {
        payload: payload.to_vec(),
    });
    match ctx.client.call(op) {
        Ok(Reply::Result(response::Reply::StanzaPayloadDecode(r))) => {
            Ok(Ok(r.message.unwrap_or_default()))
        }
        Ok(Reply::Rejected { category, .. }) => Ok(Err(category)),
        Ok(Reply::Internal(detail)) => Err(Finding::fail(format!(
            "the target failed internally on {what} (a result or a refusal is due): {detail}"
        ))),
        Ok(other) => Err(crate::scenario::unexpected(other, what)),
        Err(err) => Err(Finding::fail(format!("the target broke on {what}: {err}"))),
    }
}

fn expect_decoded(
    ctx: &mut ScenarioCtx,
    payload: &[u8],
    expected: &Message,
    what: &str,
) -> Result<(), Finding> {
    match target_decode(ctx, payload, what)? {
        Ok(got) if got == *expected => Ok(()),
        Ok(got) => Err(Finding::fail(format!(
            "{what} decoded as {got:?}, expected {expected:?}"
        ))),
        Err(category) => Err(Finding::fail(format!(
            "{what} was refused with {}; it is a valid payload",
            category_name(category)
        ))),
    }
}

fn expect_refused(
    ctx: &mut ScenarioCtx,
    payload: &[u8],
    expected: ErrorCategory,
    what: &str,
) -> Result<(), Finding> {
    match target_decode(ctx, payload, what)? {
        Err(category) => {
            ctx.note(crate::scenario::refusal::judge_category(
                category,
                &[expected],
                what,
            ));
            Ok(())
        }
        Ok(got) => Err(Finding::fail(format!(
            "{what} was decoded as {got:?}; expected a refusal ({})",
            expected.as_str_name()
        ))),
    }
}

fn media(seed: u8) -> MediaInfo {
    MediaInfo {
        url: format!("https://media.example.org/m/{seed}"),
        mimetype: "image/jpeg".into(),
        file_sha256: vec![seed; 32],
        file_enc_sha256: vec![seed ^ 0xff; 32],
        media_key: (0..32).map(|i| i ^ seed).collect(),
        file_length: 1_234_567_890_123 + u64::from(seed),
        direct_path: format!("/m/{seed}?auth=x"),
        media_key_timestamp: 1_700_000_000 + i64::from(seed),
        streaming_sidecar: vec![seed; 20],
    }
}

fn with(content: Content) -> Message {
    Message {
        content: Some(content),
        context_info: None,
    }
}

fn decode_all(ctx: &mut ScenarioCtx, messages: &[(Message, &str)]) -> Check {
    for (message, what) in messages {
        expect_decoded(ctx, &encode(message), message, what)?;
    }
    Ok(format!(
        "{} payloads decoded field for field",
        messages.len()
    ))
}

pub fn decode_text(ctx: &mut ScenarioCtx) -> Check {
    decode_all(
        ctx,
        &[
            (
                with(Content::Conversation("hello, wörld 😀".into())),
                "a plain-text payload",
            ),
            (
                with(Content::ExtendedText(ExtendedText {
                    text: "see https://example.org/a?b=c".into(),
                    matched_text: "https://example.org/a?b=c".into(),
                    title: "Example".into(),
                    description: "An example page".into(),
                    jpeg_thumbnail: vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10],
                })),
                "an extended-text payload with a link preview",
            ),
            (Message::default(), "an empty payload"),
        ],
    )
}

pub fn decode_media(ctx: &mut ScenarioCtx) -> Check {
    decode_all(
        ctx,
        &[
            (
                with(Content::Image(ImageMessage {
                    media: Some(media(1)),
                    caption: "cat".into(),
                    width: 4032,
                    height: 3024,
                })),
                "an image payload",
            ),
            (
                with(Content::Video(VideoMessage {
                    media: Some(media(2)),
                    caption: "clip".into(),
                    seconds: 61,
                })),
                "a video payload",
            ),
            (
                with(Content::Audio(AudioMessage {
                    media: Some(media(3)),
                    seconds: 7,
                    ptt: true,
                })),
                "a voice-note payload",
            ),
            (
                with(Content::Document(DocumentMessage {
                    media: Some(media(4)),
                    file_name: "report.pdf".into(),
                    title: "Report".into(),
                    page_count: 12,
                })),
                "a document payload",
            ),
        ],
    )
}

pub fn decode_reaction(ctx: &mut ScenarioCtx) -> Check {
    let reaction = with(Content::Reaction(ReactionMessage {
        key: Some(MessageKey {
            remote_jid: "bob@example.org".into(),
            from_me: true,
            id: "3EB0A1".into(),
        }),
        text: "👍".into(),
        sender_timestamp_ms: -1,
    }));
    // A millisecond timestamp of today needs more than 32 bits (2^31 ms is
    // under 25 days): a decoder that narrows the int64 shows here.
    let dated = with(Content::Reaction(ReactionMessage {
        key: Some(MessageKey {
            remote_jid: "bob@example.org".into(),
            from_me: false,
            id: "3EB0A2".into(),
        }),
        text: "❤".into(),
        sender_timestamp_ms: 1_764_720_000_000,
    }));
    let mut reply = with(Content::Conversation("agreed".into()));
    reply.context_info = Some(Box::new(ContextInfo {
        stanza_id: "3EB0A1".into(),
        participant: "bob@example.org".into(),
        quoted_message: Some(Box::new(with(Content::Conversation("lunch?".into())))),
    }));
    decode_all(
        ctx,
        &[
            (reaction, "a reaction payload"),
            (
                dated,
                "a reaction with a millisecond timestamp over 32 bits",
            ),
            (reply, "a reply quoting a message"),
        ],
    )
}

pub fn unknown_fields(ctx: &mut ScenarioCtx) -> Check {
    let message = with(Content::Image(ImageMessage {
        media: Some(media(9)),
        caption: "x".into(),
        width: 1,
        height: 2,
    }));
    expect_decoded(
        ctx,
        &forge::with_unknown_fields(&message),
        &message,
        "a payload with unknown fields of every wire type",
    )?;
    Ok("unknown varint, length-delimited, fixed32 and fixed64 fields skipped".into())
}

/// A payload the target must refuse: how it is built, the category due,
/// what it is in messages, and what a pass reports.
pub struct Refusal {
    payload: fn() -> Vec<u8>,
    category: ErrorCategory,
    what: &'static str,
    passed: &'static str,
}

/// The refusal scenarios, registered as one family of [`refused`].
pub const REFUSALS: [(&str, Refusal); 8] = [
    (
        "stanza/payload-bad-varint-refused",
        Refusal {
            payload: forge::bad_varint,
            category: ErrorCategory::MalformedInput,
            what: "a payload whose length varint never ends",
            passed: "an unterminated varint refused",
        },
    ),
    (
        "stanza/payload-wrong-wire-type-refused",
        Refusal {
            payload: forge::wrong_wire_type,
            category: ErrorCategory::MalformedInput,
            what: "conversation sent as a varint",
            passed: "a string field with the varint wire type refused",
        },
    ),
    (
        "stanza/payload-length-past-end-refused",
        Refusal {
            payload: forge::length_past_end,
            category: ErrorCategory::MalformedInput,
            what: "a field claiming 100 bytes with 3 present",
            passed: "a length past the end refused",
        },
    ),
    (
        "stanza/payload-invalid-utf8-refused",
        Refusal {
            payload: forge::invalid_utf8_string,
            category: ErrorCategory::MalformedInput,
            what: "a string field holding invalid UTF-8",
            passed: "invalid UTF-8 in a string refused",
        },
    ),
    (
        "stanza/payload-groups-refused",
        Refusal {
            payload: with_group,
            category: ErrorCategory::MalformedInput,
            what: "a payload with a group",
            passed: "the deprecated group wire types refused",
        },
    ),
    (
        "stanza/payload-field-zero-refused",
        Refusal {
            payload: forge::field_zero,
            category: ErrorCategory::MalformedInput,
            what: "a payload using field number 0",
            passed: "field number 0 refused",
        },
    ),
    (
        "stanza/payload-overlong-varint-refused",
        Refusal {
            payload: overlong_varint,
            category: ErrorCategory::MalformedInput,
            what: "a conversation whose length varint takes 11 bytes",
            passed: "a varint longer than 10 bytes refused",
        },
    ),
    (
        "stanza/payload-very-deep-nesting-refused",
        Refusal {
            payload: || forge::nested_bytes(5000),
            category: ErrorCategory::LimitExceeded,
            what: "a payload nested 5000 deep",
            passed: "5000 levels of nesting refused",
        },
    ),
];

/// One payload the target must refuse with the category due.
pub fn refused(ctx: &mut ScenarioCtx, refusal: &Refusal) -> Check {
    expect_refused(ctx, &(refusal.payload)(), refusal.category, refusal.what)?;
    Ok(refusal.passed.into())
}

/// `conversation` whose length (2) is a terminated varint of 11 bytes:
/// protobuf encoding guide, "Base 128 Varints", at most 10 bytes for 64
/// bits (docs/stanza.md §6: "a varint longer than 10 bytes").
fn overlong_varint() -> Vec<u8> {
    let mut payload = vec![0x0a, 0x82];
    payload.extend_from_slice(&[0x80; 9]);
    payload.push(0x00);
    payload.extend_from_slice(b"hi");
    payload
}

/// A conversation followed by a group.
fn with_group() -> Vec<u8> {
    // field 1000, wire type 3 (start group) then 4 (end group): protobuf
    // encoding guide, "Message Structure".
    let mut payload = encode(&with(Content::Conversation("hi".into())));
    payload.extend_from_slice(&[0xc3, 0x3e, 0xc4, 0x3e]);
    payload
}

pub fn depth_limit(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_payload_depth;
    let at = forge::nested(max);
    expect_decoded(
        ctx,
        &encode(&at),
        &at,
        &format!("a payload nested {max} deep"),
    )?;
    expect_refused(
        ctx,
        &encode(&forge::nested(max + 1)),
        ErrorCategory::LimitExceeded,
        &format!("a payload nested {} deep", max + 1),
    )?;
    Ok(format!("nesting {max} decoded, {} refused", max + 1))
}

pub fn size_limit(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_payload_bytes as usize;
    // conversation = 1 byte key + varint length + text: fill to exactly `max`.
    let fits = |total: usize| {
        let mut text_len = total.saturating_sub(4);
        loop {
            let message = with(Content::Conversation("a".repeat(text_len)));
            let len = encode(&message).len();
            if len == total || text_len == 0 {
                return message;
            }
            text_len = if len > total {
                text_len - 1
            } else {
                text_len + 1
            };
        }
    };
    let at = fits(max);
    expect_decoded(ctx, &encode(&at), &at, &format!("a payload of {max} bytes"))?;
    let over = fits(max + 1);
    expect_refused(
        ctx,
        &encode(&over),
        ErrorCategory::LimitExceeded,
        &format!("a payload of {} bytes", max + 1),
    )?;
    Ok(format!("{max} bytes decoded, {} refused", max + 1))
}

pub fn generated_decode(ctx: &mut ScenarioCtx) -> Check {
    check_property(
        ctx,
        message(),
        |m| format!("{m:?}"),
        |ctx, message| {
            // Within the run's payload limits it must decode field for
            // field; over one of them it must be refused (docs/stanza.md §6).
            let payload = encode(message);
            match peer_decode(&payload, &limits(ctx)) {
                Ok(_) => expect_decoded(ctx, &payload, message, "a generated payload"),
                Err(e) if e.category == crate::peer::stanza::Category::Limit => expect_refused(
                    ctx,
                    &payload,
                    ErrorCategory::LimitExceeded,
                    &format!(
                        "a generated payload over a limit of profile {} ({e})",
                        ctx.profile.name
                    ),
                ),
                Err(e) => Err(Finding::error(format!(
                    "the peer refuses its own generated payload: {e}"
                ))),
            }
        },
    )
}

pub fn generated_encode(ctx: &mut ScenarioCtx) -> Check {
    check_property(
        ctx,
        message(),
        |m| format!("{m:?}"),
        |ctx, message| {
            let op = Op::StanzaPayloadEncode(StanzaPayloadEncode {
                message: Some(message.clone()),
            });
            let payload = match ctx.client.call(op) {
                Ok(Reply::Result(response::Reply::StanzaPayloadEncode(r))) => r.payload,
                Ok(other) => {
                    return Err(crate::scenario::unexpected(
                        other,
                        "encoding a generated payload",
                    ))
                }
                Err(err) => {
                    return Err(Finding::fail(format!(
                        "the target broke encoding a payload: {err}"
                    )))
                }
            };
            let decoded = peer_decode(&payload, &limits(ctx)).map_err(|e| {
                Finding::fail(format!(
                    "the peer cannot decode the target's encoding ({e}): {}",
                    hex::encode(&payload)
                ))
            })?;
            crate::ensure!(
                decoded == *message,
                "the target's encoding decodes as {decoded:?}, expected {message:?}"
            );
            Ok(())
        },
    )
}

pub fn corrupted(ctx: &mut ScenarioCtx) -> Check {
    let strategy = (message(), vec((any::<usize>(), any::<u8>(), 0u8..3), 1..4));
    let corrupt = |(message, edits): &(Message, Vec<(usize, u8, u8)>)| {
        let mut bytes = encode(message);
        for &(at, byte, kind) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let at = at % bytes.len();
            match kind {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => bytes.truncate(at),
            }
        }
        bytes
    };
    check_property(
        ctx,
        strategy,
        |case| hex::encode(corrupt(case)),
        |ctx, case| {
            let bytes = corrupt(case);
            let peer = peer_decode(&bytes, &limits(ctx));
            match (peer, target_decode(ctx, &bytes, "a corrupted payload")?) {
                (Ok(expected), Ok(got)) if got == expected => Ok(()),
                (Ok(expected), Ok(got)) => Err(Finding::fail(format!(
                    "a corrupted but valid payload decoded as {got:?}, expected {expected:?}"
                ))),
                (Ok(_), Err(category)) => Err(Finding::fail(format!(
                    "a corrupted but valid payload was refused with {}",
                    category_name(category)
                ))),
                (Err(e), Ok(got)) => Err(Finding::fail(format!(
                    "an invalid payload was decoded as {got:?}; it must be refused ({e})"
                ))),
                (Err(_), Err(_)) => Ok(()),
            }
        },
    )
}
