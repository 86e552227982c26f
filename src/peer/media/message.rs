//! Media messages (`stanza_payload.proto`): the content that carries an
//! attachment of each type, and the attachment a decoded message carries.

use super::MediaType;
use crate::peer::stanza::payload::proto::{
    message::Content, AudioMessage, DocumentMessage, ImageMessage, MediaInfo, Message,
    StickerMessage, VideoMessage,
};

/// The message content for an attachment of type `t`, and the `enc`
/// element's `mediatype` (whatsmeow send.go names a voice note `ptt`).
pub fn content(t: MediaType, media: MediaInfo) -> (Content, &'static str) {
    let media = Some(media);
    match t {
        MediaType::Image => (
            Content::Image(ImageMessage {
                media,
                ..Default::default()
            }),
            "image",
        ),
        MediaType::Video => (
            Content::Video(VideoMessage {
                media,
                ..Default::default()
            }),
            "video",
        ),
        MediaType::Audio => (
            Content::Audio(AudioMessage {
                media,
                ..Default::default()
            }),
            "audio",
        ),
        MediaType::VoiceNote => (
            Content::Audio(AudioMessage {
                media,
                ptt: true,
                ..Default::default()
            }),
            "ptt",
        ),
        MediaType::Document => (
            Content::Document(DocumentMessage {
                media,
                ..Default::default()
            }),
            "document",
        ),
        MediaType::Sticker => (
            Content::Sticker(StickerMessage {
                media,
                ..Default::default()
            }),
            "sticker",
        ),
    }
}

/// The attachment a decoded message carries, and its type (an audio
/// message with `ptt` is a voice note).
pub fn attachment(message: &Message) -> Option<(MediaType, &MediaInfo)> {
    let (t, media) = match message.content.as_ref()? {
        Content::Image(m) => (MediaType::Image, m.media.as_ref()),
        Content::Video(m) => (MediaType::Video, m.media.as_ref()),
        Content::Audio(m) if m.ptt => (MediaType::VoiceNote, m.media.as_ref()),
        Content::Audio(m) => (MediaType::Audio, m.media.as_ref()),
        Content::Document(m) => (MediaType::Document, m.media.as_ref()),
        Content::Sticker(m) => (MediaType::Sticker, m.media.as_ref()),
        _ => return None,
    };
    Some((t, media?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_content() {
        for t in MediaType::ALL {
            let info = MediaInfo {
                url: t.name().into(),
                ..Default::default()
            };
            let (content, _) = content(t, info.clone());
            let message = Message {
                content: Some(content),
                context_info: None,
            };
            assert_eq!(attachment(&message), Some((t, &info)));
        }
    }
}
