//! proptest strategies for valid stanzas (normalized views) and for the
//! spellings the peer writes them in. Used by property scenarios and by the
//! peer's own codec laws.

use proptest::collection::vec;
use proptest::prelude::*;

use super::base64;
use super::schema::IQ_TYPES;
use super::serialize::{serialize, Decl, Spelling, TextStyle};
use super::view::{EncType, Kind, Node, CLIENT_NS};
use crate::catalog::profile::StanzaParams;

/// Foreign namespaces unknown children and attributes may live in.
const EXTENSION_NS: [&str; 2] = ["urn:x-interspec:ext", "urn:x-other:1"];

/// Characters that exercise escaping: markup, quotes, white space, and
/// multi-byte UTF-8.
fn text_strategy(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[a-zA-Z0-9 <>&'\"\\]\t\n\r=/:;é€😀\u{7F}\u{85}]{{0,{max}}}"
    ))
    .expect("regex")
}

fn token() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z][a-z0-9]{0,8}").expect("regex")
}

fn address() -> impl Strategy<Value = String> {
    (
        proptest::option::of((
            "[a-z0-9][a-z0-9._+-]{0,10}",
            proptest::option::of(0u32..70000),
        )),
        "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){0,2}",
        proptest::option::of("[!-~]{1,12}"),
    )
        .prop_map(|(user, domain, resource)| {
            let mut out = String::new();
            if let Some((user, device)) = user {
                out.push_str(&user);
                if let Some(device) = device.filter(|d| *d <= 65535) {
                    out.push_str(&format!(":{device}"));
                }
                out.push('@');
            }
            out.push_str(&domain);
            if let Some(resource) = resource {
                out.push('/');
                out.push_str(&resource);
            }
            out
        })
}

/// An element the profile does not know, in some namespace, maybe nested.
fn unknown_child() -> impl Strategy<Value = Node> {
    let leaf = (
        prop_oneof![
            Just(CLIENT_NS),
            Just(EXTENSION_NS[0]),
            Just(EXTENSION_NS[1]),
            Just("")
        ],
        prop_oneof![
            Just("body"),
            Just("meta"),
            Just("enc-x"),
            Just("é-x"),
            Just("device-list")
        ],
        text_strategy(16),
        vec((token(), text_strategy(12)), 0..3),
    )
        .prop_map(|(ns, name, text, attrs)| {
            let mut node = Node::new(ns, name).with_text(&text);
            for (n, v) in attrs {
                node.set_attr("", &n, &v);
            }
            node
        });
    leaf.prop_recursive(2, 6, 3, |inner| {
        (inner.clone(), vec(inner, 1..3), text_strategy(8)).prop_map(|(mut node, kids, text)| {
            node.children = kids;
            // Whitespace-only text beside children is not part of a view.
            node.text = if text.chars().all(super::chars::is_xml_space) {
                String::new()
            } else {
                text
            };
            node
        })
    })
}

fn enc_child() -> impl Strategy<Value = Node> {
    (
        prop_oneof![
            Just(EncType::Pkmsg),
            Just(EncType::Msg),
            Just(EncType::Skmsg)
        ],
        vec(any::<u8>(), 1..64),
        proptest::option::of(prop_oneof![Just("image"), Just("video"), Just("url")]),
        0u32..4,
    )
        .prop_map(|(enc_type, payload, mediatype, v)| {
            let mut node = Node::new(CLIENT_NS, "enc")
                .with_attr("v", &(v + 1).to_string())
                .with_attr("type", enc_type.as_str())
                .with_text(&base64::encode(&payload));
            if let Some(m) = mediatype {
                node.set_attr("", "mediatype", m);
            }
            node
        })
}

/// A valid stanza of any kind, with optional and unknown parts.
pub fn stanza() -> impl Strategy<Value = Node> {
    (
        prop_oneof![
            Just(Kind::Message),
            Just(Kind::Receipt),
            Just(Kind::Ack),
            Just(Kind::Iq),
            Just(Kind::Presence),
            Just(Kind::Notification),
        ],
        "[A-Za-z0-9]{1,20}",
        address(),
        proptest::option::of(address()),
        proptest::option::of(any::<u64>()),
        0usize..4,
        vec(enc_child(), 1..4),
        vec(unknown_child(), 0..3),
        vec((token(), text_strategy(20)), 0..3),
        proptest::option::of((token(), text_strategy(8))),
    )
        .prop_map(
            |(kind, id, to, from, t, iq_type, encs, unknown, extra, ns_attr)| {
                let mut node = Node::new(CLIENT_NS, kind.element());
                for (name, value) in extra {
                    node.set_attr("", &format!("x-{name}"), &value);
                }
                if let Some((name, value)) = ns_attr {
                    node.set_attr(EXTENSION_NS[0], &name, &value);
                }
                if kind != Kind::Presence {
                    node.set_attr("", "id", &id);
                }
                node.set_attr("", "to", &to);
                if let Some(from) = from {
                    node.set_attr("", "from", &from);
                }
                if let Some(t) = t {
                    node.set_attr("", "t", &t.to_string());
                }
                match kind {
                    Kind::Message => node.set_attr("", "type", "text"),
                    Kind::Iq => node.set_attr("", "type", IQ_TYPES[iq_type]),
                    Kind::Notification => node.set_attr("", "type", "devices"),
                    Kind::Ack => node.set_attr("", "class", "message"),
                    _ => {}
                }
                if kind == Kind::Message {
                    node.children.extend(encs);
                }
                node.children.extend(unknown);
                node
            },
        )
}

/// A limit a stanza can be brought to on purpose (at most one per case,
/// so one limit's refusal never hides another's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    /// No limit approached.
    None,
    /// Nested extension elements reaching exactly `max_depth`.
    DepthAt,
    /// One level deeper than `max_depth`.
    DepthOver,
    /// An attribute value of exactly `max_attribute_bytes` bytes of
    /// multi-byte text.
    AttributeAt,
    /// One byte more.
    AttributeOver,
}

/// The rare shapes of one case, weighted so that each appears within the
/// default 32 cases (tests/property_shapes.rs counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    limit: Limit,
    /// An extension element with text and children (mixed content when
    /// the spelling splits its text).
    mixed: bool,
    /// Multi-byte text in an element.
    multi_byte: bool,
}

/// Characters of 1 to 4 UTF-8 bytes.
const WIDE: [char; 4] = ['a', 'é', '€', '😀'];

/// Text of exactly `bytes` UTF-8 bytes, mostly multi-byte characters.
fn text_of_bytes(bytes: usize, picks: &[u8]) -> String {
    let mut out = String::new();
    let mut picks = picks.iter().cycle();
    while out.len() < bytes {
        let left = bytes - out.len();
        let wanted = WIDE[usize::from(*picks.next().unwrap_or(&0)) % WIDE.len()];
        let c = if wanted.len_utf8() <= left {
            wanted
        } else {
            'a'
        };
        out.push(c);
    }
    out
}

/// A chain of `levels` nested extension elements, text in the innermost.
fn chain(levels: usize, text: &str) -> Option<Node> {
    let mut node: Option<Node> = None;
    for level in 0..levels {
        let mut next = Node::new(EXTENSION_NS[0], "nest");
        match node.take() {
            Some(inner) => next.children.push(inner),
            None => next.text = format!("{text}{level}"),
        }
        node = Some(next);
    }
    node
}

/// Gives `root` its shape under `limits`.
fn shape(mut root: Node, shape: Shape, limits: &StanzaParams, picks: &[u8]) -> Node {
    let depth = limits.max_depth as usize;
    let attribute = limits.max_attribute_bytes as usize;
    if shape.mixed {
        let inner = Node::new(EXTENSION_NS[1], "part").with_text("inner");
        root.children.push(
            Node::new(EXTENSION_NS[0], "note")
                .with_text(&format!("before {} after", text_of_bytes(6, picks)))
                .with_child(inner),
        );
    }
    if shape.multi_byte {
        root.children
            .push(Node::new(EXTENSION_NS[0], "wide").with_text(&text_of_bytes(24, picks)));
    }
    match shape.limit {
        Limit::None => {}
        // The root is at depth 1: a chain of depth - 1 below it reaches
        // the limit.
        Limit::DepthAt | Limit::DepthOver => {
            let levels = if shape.limit == Limit::DepthAt {
                depth.saturating_sub(1)
            } else {
                depth
            };
            if let Some(nested) = chain(levels, "deep") {
                root.children.push(nested);
            }
        }
        Limit::AttributeAt => root.set_attr("", "x-limit", &text_of_bytes(attribute, picks)),
        Limit::AttributeOver => root.set_attr("", "x-limit", &text_of_bytes(attribute + 1, picks)),
    }
    root
}

fn shapes(over_limits: bool) -> impl Strategy<Value = Shape> {
    let limit = prop_oneof![
        Just(Limit::None),
        Just(Limit::DepthAt),
        Just(Limit::DepthOver),
        Just(Limit::AttributeAt),
        Just(Limit::AttributeOver),
    ]
    .prop_map(move |limit| match (over_limits, limit) {
        (false, Limit::DepthOver) => Limit::DepthAt,
        (false, Limit::AttributeOver) => Limit::AttributeAt,
        (_, limit) => limit,
    });
    (
        limit,
        proptest::bool::weighted(0.5),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(limit, mixed, multi_byte)| Shape {
            limit,
            mixed,
            multi_byte,
        })
}

/// A valid stanza as [`stanza`] draws it, and often one of the rare shapes
/// a uniform draw finds only by luck: mixed content, nesting at the depth
/// limit, an attribute value at the byte limit in multi-byte text, and,
/// with `over_limits`, one past each limit (refused as LIMIT_EXCEEDED).
pub fn shaped_stanza(limits: StanzaParams, over_limits: bool) -> impl Strategy<Value = Node> {
    // The shape first: shrinking tries it first, before the many small
    // steps through the tree.
    (shapes(over_limits), stanza(), vec(any::<u8>(), 1..8))
        .prop_map(move |(s, root, picks)| shape(root, s, &limits, &picks))
}

/// Where a stanza's total length lands, for [`spelled_stanza`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Total {
    Any,
    AtLimit,
    OverLimit,
}

/// A shaped stanza and a spelling; half of them padded (with an
/// extension element of ASCII text) to exactly `max_stanza_bytes`, or one
/// byte more, as the spelling writes it.
pub fn spelled_stanza(limits: StanzaParams) -> impl Strategy<Value = (Node, Spelling)> {
    let total = prop_oneof![
        2 => Just(Total::Any),
        1 => Just(Total::AtLimit),
        1 => Just(Total::OverLimit),
    ];
    // The total first: shrinking drops the padding before it walks the
    // tree, so a failing case is not shrunk 64 KiB at a time.
    (total, shaped_stanza(limits, true), spelling()).prop_map(move |(total, root, spelling)| {
        let wanted = match total {
            Total::Any => return (root, spelling),
            Total::AtLimit => limits.max_stanza_bytes as usize,
            Total::OverLimit => limits.max_stanza_bytes as usize + 1,
        };
        let mut padded = root.clone();
        padded
            .children
            .push(Node::new(EXTENSION_NS[0], "pad").with_text("p"));
        let len = serialize(&padded, &spelling).len();
        if len > wanted {
            return (root, spelling);
        }
        // Each further ASCII letter adds one byte in every text style.
        if let Some(pad) = padded.children.last_mut() {
            pad.text.push_str(&"p".repeat(wanted - len));
        }
        (padded, spelling)
    })
}

pub fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop_oneof![
            Just(Decl::None),
            Just(Decl::Version),
            Just(Decl::VersionEncoding),
            Just(Decl::Full)
        ],
        any::<[bool; 8]>(),
        // Three spellings in four write mixed content where a tree has it.
        prop_oneof![3 => Just(true), 1 => Just(false)],
        prop_oneof![
            Just(TextStyle::Escaped),
            Just(TextStyle::Cdata),
            Just(TextStyle::CharRefs)
        ],
    )
        .prop_map(|(decl, b, mixed_text, text)| Spelling {
            decl,
            bom: b[0],
            single_quotes: b[1],
            reverse_attributes: b[2],
            prefixed: b[3],
            text,
            comments: b[4],
            indent: b[5],
            expanded_empty: b[6],
            loose_tags: b[7],
            mixed_text,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::profile::StanzaParams;
    use crate::peer::stanza::{parse, serialize::serialize};
    use proptest::test_runner::{Config, TestRunner};

    #[test]
    fn every_spelling_of_every_generated_stanza_parses_back() {
        let mut runner = TestRunner::new(Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&(stanza(), spelling()), |(node, spelling)| {
                let bytes = serialize(&node, &spelling);
                let view = parse(&bytes, &StanzaParams::default()).map_err(|e| {
                    TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&bytes)))
                })?;
                prop_assert_eq!(view.root, node);
                Ok(())
            })
            .expect("codec law");
    }
}

pub mod payloads {
    //! Strategies for `Message` payloads of every content type.

    use proptest::collection::vec;
    use proptest::prelude::*;

    use crate::peer::stanza::payload::proto::{
        message::Content, AudioMessage, ContextInfo, DocumentMessage, ExtendedText, ImageMessage,
        MediaInfo, Message, MessageKey, ReactionMessage, StickerMessage, VideoMessage,
    };

    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-zA-Z0-9 .,!?é😀\u{0}-\u{1f}]{0,24}").expect("regex")
    }

    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        vec(any::<u8>(), 0..max)
    }

    fn media() -> impl Strategy<Value = MediaInfo> {
        (
            (
                text(),
                text(),
                bytes(33),
                bytes(33),
                bytes(33),
                any::<u64>(),
            ),
            (text(), any::<i64>(), bytes(40)),
        )
            .prop_map(
                |(
                    (url, mimetype, file_sha256, file_enc_sha256, media_key, file_length),
                    (direct_path, media_key_timestamp, streaming_sidecar),
                )| MediaInfo {
                    url,
                    mimetype,
                    file_sha256,
                    file_enc_sha256,
                    media_key,
                    file_length,
                    direct_path,
                    media_key_timestamp,
                    streaming_sidecar,
                },
            )
    }

    fn content() -> impl Strategy<Value = Content> {
        prop_oneof![
            text().prop_map(Content::Conversation),
            (text(), text(), text(), text(), bytes(40)).prop_map(|(t, m, ti, d, j)| {
                Content::ExtendedText(ExtendedText {
                    text: t,
                    matched_text: m,
                    title: ti,
                    description: d,
                    jpeg_thumbnail: j,
                })
            }),
            (
                proptest::option::of(media()),
                text(),
                any::<u32>(),
                any::<u32>()
            )
                .prop_map(|(media, caption, width, height)| Content::Image(
                    ImageMessage {
                        media,
                        caption,
                        width,
                        height,
                    }
                )),
            (proptest::option::of(media()), text(), any::<u32>()).prop_map(
                |(media, caption, seconds)| Content::Video(VideoMessage {
                    media,
                    caption,
                    seconds,
                })
            ),
            (proptest::option::of(media()), any::<u32>(), any::<bool>()).prop_map(
                |(media, seconds, ptt)| Content::Audio(AudioMessage {
                    media,
                    seconds,
                    ptt,
                })
            ),
            (proptest::option::of(media()), text(), text(), any::<u32>()).prop_map(
                |(media, file_name, title, page_count)| Content::Document(DocumentMessage {
                    media,
                    file_name,
                    title,
                    page_count,
                })
            ),
            (proptest::option::of(media()), any::<u32>(), any::<u32>()).prop_map(
                |(media, width, height)| Content::Sticker(StickerMessage {
                    media,
                    width,
                    height,
                })
            ),
            (text(), any::<bool>(), text(), text(), any::<i64>()).prop_map(
                |(remote_jid, from_me, id, emoji, ts)| Content::Reaction(ReactionMessage {
                    key: Some(MessageKey {
                        remote_jid,
                        from_me,
                        id,
                    }),
                    text: emoji,
                    sender_timestamp_ms: ts,
                })
            ),
        ]
    }

    /// A message of any content type, sometimes quoting another.
    pub fn message() -> impl Strategy<Value = Message> {
        let plain = || {
            proptest::option::of(content()).prop_map(|content| Message {
                content,
                context_info: None,
            })
        };
        (plain(), proptest::option::of((text(), text(), plain()))).prop_map(|(mut outer, quote)| {
            outer.context_info = quote.map(|(stanza_id, participant, quoted)| {
                Box::new(ContextInfo {
                    stanza_id,
                    participant,
                    quoted_message: Some(Box::new(quoted)),
                })
            });
            outer
        })
    }
}
