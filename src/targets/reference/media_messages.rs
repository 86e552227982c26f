//! Media end to end in the reference (`MediaSend`, `MediaReceive`,
//! docs/media.md §End to end): the client's own pipeline from an
//! attachment to a message stanza and back, through the reference's
//! stanza, e2ee and media code, each used as its operation would be.

use base64::Engine;
use prost::Message as _;

use super::e2ee::E2ee;
use super::media::MediaOps;
use super::rejected;
use super::stanza::writer::escape_attribute;
use super::stanza::StanzaOps;
use crate::adapter::proto::{
    request::Op, response::Reply, E2eeDecrypt, E2eeEncrypt, ErrorCategory, MediaDownload,
    MediaFields, MediaReceive, MediaReceiveResult, MediaSend, MediaSendResult, MediaUpload,
    StanzaEncType, StanzaPayloadDecode,
};
use crate::peer::media::message::{attachment, content};
use crate::peer::media::MediaType;
use crate::peer::stanza::payload::proto::{MediaInfo, Message};
use crate::targets::mutants::Mutant;

/// `E2eeEncryptResult.message_type` of a PreKeySignalMessage.
const PREKEY_MESSAGE: u32 = 3;
/// ... and of a SignalMessage (libsignal CiphertextMessage).
const SIGNAL_MESSAGE: u32 = 2;

fn media_info(fields: MediaFields, url: String, direct_path: String, timestamp: i64) -> MediaInfo {
    MediaInfo {
        url,
        mimetype: fields.mimetype,
        file_sha256: fields.file_sha256,
        file_enc_sha256: fields.file_enc_sha256,
        media_key: fields.media_key,
        file_length: fields.file_length,
        direct_path,
        media_key_timestamp: timestamp,
        streaming_sidecar: fields.streaming_sidecar,
    }
}

/// Uploads the attachment, encrypts a media message for `remote` and wraps
/// it in a message stanza.
pub fn send(
    media: &mut MediaOps,
    e2ee: &mut E2ee,
    op: MediaSend,
    build: super::build::Build,
) -> Reply {
    let Some(t) = MediaType::from_name(&op.media_type) else {
        return rejected(ErrorCategory::SchemaViolation, "unknown media type");
    };
    let uploaded = match media.upload_op(MediaUpload {
        media_type: op.media_type.clone(),
        plaintext: op.plaintext,
        mimetype: op.mimetype,
    }) {
        Reply::MediaUpload(r) => *r,
        other => return other,
    };
    let Some(fields) = uploaded.fields else {
        return rejected(ErrorCategory::InvalidState, "the upload returned no fields");
    };
    let key = fields.media_key.clone();
    let info = media_info(
        fields,
        uploaded.url,
        uploaded.direct_path,
        uploaded.media_key_timestamp,
    );
    let (content, mediatype) = content(t, info);
    let payload = Message {
        content: Some(content),
        context_info: None,
    }
    .encode_to_vec();
    let encrypted = e2ee.handle(Op::E2eeEncrypt(E2eeEncrypt {
        local: op.local,
        remote: op.remote,
        plaintext: payload,
    }));
    let ciphertext = match encrypted {
        Some(Reply::E2eeEncrypt(r)) => r,
        Some(other) => return other,
        None => return rejected(ErrorCategory::InvalidState, "no e2ee"),
    };
    let enc_type = if ciphertext.message_type == PREKEY_MESSAGE {
        "pkmsg"
    } else {
        "msg"
    };
    // The defect: the media key in clear beside the encrypted payload.
    let debug = if build.has(Mutant::MediaSendKeyInClear) {
        format!(" media-key=\"{}\"", hex::encode(&key))
    } else {
        String::new()
    };
    let stanza = format!(
        "<message xmlns=\"jabber:client\" id=\"{}\" to=\"{}\" type=\"chat\"><enc v=\"2\" type=\"{enc_type}\" mediatype=\"{mediatype}\"{debug}>{}</enc></message>",
        escape_attribute(&op.stanza_id, false),
        escape_attribute(&op.to, false),
        base64::engine::general_purpose::STANDARD.encode(&ciphertext.ciphertext)
    );
    Reply::MediaSend(MediaSendResult {
        stanza: stanza.into_bytes(),
    })
}

/// Parses the stanza, decrypts its first `enc`, decodes the media message
/// and downloads the attachment.
pub fn receive(
    media: &mut MediaOps,
    e2ee: &mut E2ee,
    stanza: &StanzaOps,
    op: MediaReceive,
    build: super::build::Build,
) -> Reply {
    let view = match stanza.parse(&op.stanza) {
        Reply::StanzaParse(r) => r.view,
        other => return other,
    };
    let Some(enc) = view
        .and_then(|v| v.typed)
        .and_then(|t| t.enc.into_iter().next())
    else {
        return rejected(
            ErrorCategory::SchemaViolation,
            "a message stanza without enc",
        );
    };
    let message_type = match StanzaEncType::try_from(enc.r#type) {
        Ok(StanzaEncType::Pkmsg) => PREKEY_MESSAGE,
        Ok(StanzaEncType::Msg) => SIGNAL_MESSAGE,
        _ => {
            return rejected(
                ErrorCategory::SchemaViolation,
                "not a 1:1 enc (pkmsg or msg)",
            )
        }
    };
    let payload = match e2ee.handle(Op::E2eeDecrypt(E2eeDecrypt {
        local: op.local,
        remote: op.remote,
        message_type,
        ciphertext: enc.payload,
    })) {
        Some(Reply::E2eeDecrypt(r)) => r.plaintext,
        Some(other) => return other,
        None => return rejected(ErrorCategory::InvalidState, "no e2ee"),
    };
    let message = match stanza.payload_decode(StanzaPayloadDecode { payload }) {
        Reply::StanzaPayloadDecode(r) => r.message.unwrap_or_default(),
        other => return other,
    };
    let Some((mut t, info)) = attachment(&message) else {
        return rejected(
            ErrorCategory::SchemaViolation,
            "the message carries no attachment",
        );
    };
    // The defect: the ptt flag dropped, a voice note taken for audio.
    if t == MediaType::VoiceNote && build.has(Mutant::MediaReceiveDropsPtt) {
        t = MediaType::Audio;
    }
    let fields = MediaFields {
        media_key: info.media_key.clone(),
        file_sha256: info.file_sha256.clone(),
        file_enc_sha256: info.file_enc_sha256.clone(),
        file_length: info.file_length,
        mimetype: info.mimetype.clone(),
        streaming_sidecar: info.streaming_sidecar.clone(),
    };
    match media.download_op(MediaDownload {
        media_type: t.name().into(),
        url: info.url.clone(),
        fields: Some(fields),
    }) {
        Reply::MediaDownload(r) => Reply::MediaReceive(MediaReceiveResult {
            media_type: t.name().into(),
            plaintext_sha256: r.plaintext_sha256,
            length: r.length,
            mimetype: info.mimetype.clone(),
        }),
        other => other,
    }
}
