//! Media end to end (ME-040, ME-041): a media message inside a
//! Signal-encrypted message stanza, in both directions. The gatekeeper's
//! side is the harness's own engines: the Signal peer of the e2ee suite,
//! its stanza parser, the attachment cipher, its media server (serving)
//! and proxy (fetching).

use base64::Engine;
use sha2::{Digest, Sha256};

use super::access::{forms, plaintext_forms};
use super::drive::{contains, make, mimetype, note_plaintext, random_bytes, rehashed};
use super::server::{fetch, media_server, under_server};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, ErrorCategory, MediaReceive, MediaSend};
use crate::ensure;
use crate::peer::media::message::{attachment, content};
use crate::peer::media::proxy::Method;
use crate::peer::media::server::{Answer, MediaHost};
use crate::peer::media::{decrypt, Knobs, MediaType};
use crate::peer::signal::{Address, MessageType};
use crate::peer::stanza::payload::proto::{MediaInfo, Message};
use crate::peer::stanza::view::EncType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};
use crate::suites::e2ee::harness::{proto_address, Conversation, Initiator};

/// A stanza address for a Signal address (docs/stanza.md §5).
fn stanza_address(a: &Address) -> String {
    let user: String = a
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
        .collect();
    format!("{user}:{}@s.example.org", a.device_id)
}

/// The peer's message stanza carrying `message`, encrypted for the target.
fn peer_stanza(
    c: &mut Conversation,
    message: &Message,
    mediatype: &str,
) -> Result<Vec<u8>, Finding> {
    let wire = c.peer_encrypt(&crate::peer::stanza::payload::encode(message))?;
    let enc_type = match wire.kind {
        MessageType::PreKey => EncType::Pkmsg,
        MessageType::Whisper => EncType::Msg,
    };
    Ok(format!(
        "<message xmlns=\"jabber:client\" id=\"3EB0{:08X}\" from=\"{}\" to=\"{}\" type=\"chat\"><enc v=\"2\" type=\"{}\" mediatype=\"{mediatype}\">{}</enc></message>",
        wire.bytes.len(),
        stanza_address(&c.peer_addr),
        stanza_address(&c.target_addr),
        enc_type.as_str(),
        base64::engine::general_purpose::STANDARD.encode(&wire.bytes)
    )
    .into_bytes())
}

fn receive_op(c: &Conversation, stanza: Vec<u8>) -> Op {
    Op::MediaReceive(MediaReceive {
        local: Some(proto_address(&c.target_addr)),
        remote: Some(proto_address(&c.peer_addr)),
        stanza,
    })
}

/// ME-040: the gatekeeper's side sends, the provider's client receives.
pub fn gatekeeper_to_provider(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let mut host = MediaHost::start().map_err(|e| Finding::error(format!("harness: {e}")))?;
    let mut kinds = Vec::new();
    for (t, len) in [
        (MediaType::Image, 2000usize),
        (MediaType::VoiceNote, 70_000),
        (MediaType::Document, 33),
    ] {
        let m = make(ctx, t, len, Knobs::default());
        note_plaintext(ctx, &m.plaintext);
        let (url, _) = host.add(Answer::Blob(m.e.blob.clone()));
        let direct_path = url
            .split_once("/v/")
            .map(|(_, p)| format!("/v/{p}"))
            .unwrap_or_default();
        let info = MediaInfo {
            url,
            mimetype: mimetype(t).into(),
            file_sha256: m.fields.file_sha256.clone(),
            file_enc_sha256: m.fields.file_enc_sha256.clone(),
            media_key: m.fields.media_key.clone(),
            file_length: m.fields.file_length,
            direct_path,
            media_key_timestamp: 1_764_000_000,
            streaming_sidecar: Vec::new(),
        };
        let (content, mediatype) = content(t, info);
        let message = Message {
            content: Some(content),
            context_info: None,
        };
        let stanza = peer_stanza(&mut c, &message, mediatype)?;
        let what = format!(
            "MediaReceive of a {} of {len} bytes in a message stanza",
            t.name()
        );
        match ctx.expect_result(receive_op(&c, stanza), &what)? {
            response::Reply::MediaReceive(r) => {
                ensure!(
                    r.media_type == t.name(),
                    "{what}: reported a {:?}, the message carried a {}",
                    r.media_type,
                    t.name()
                );
                ensure!(
                    r.plaintext_sha256 == Sha256::digest(&m.plaintext).as_slice()
                        && r.length == len as u64,
                    "{what}: reported a plaintext of {} bytes whose SHA-256 is not the attachment's",
                    r.length
                );
            }
            other => return Err(unexpected(Reply::Result(other), &what)),
        }
        kinds.push(t.name());
        if kinds.len() == 1 {
            // A reply, so the peer's next messages are SignalMessages (msg).
            c.target_to_peer(ctx, b"received")?;
        }
    }
    Ok(format!(
        "{} received in Signal-encrypted stanzas (a pkmsg, then msg), downloaded from the gatekeeper's side and verified",
        kinds.join(", ")
    ))
}

/// ME-040, ME-031: a media message whose attachment does not verify.
pub fn gatekeeper_tampered_attachment_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    let mut host = MediaHost::start().map_err(|e| Finding::error(format!("harness: {e}")))?;
    let m = make(ctx, MediaType::Video, 5000, Knobs::default());
    let mut blob = m.e.blob.clone();
    blob[100] ^= 0x01;
    let fields = rehashed(&m.fields, &blob);
    let (url, seen) = host.add(Answer::Blob(blob));
    let direct_path = url
        .split_once("/v/")
        .map(|(_, p)| format!("/v/{p}"))
        .unwrap_or_default();
    let info = MediaInfo {
        url,
        mimetype: "video/mp4".into(),
        file_sha256: fields.file_sha256,
        file_enc_sha256: fields.file_enc_sha256,
        media_key: fields.media_key,
        file_length: fields.file_length,
        direct_path,
        media_key_timestamp: 1_764_000_000,
        streaming_sidecar: Vec::new(),
    };
    let (content, mediatype) = content(MediaType::Video, info);
    let stanza = peer_stanza(
        &mut c,
        &Message {
            content: Some(content),
            context_info: None,
        },
        mediatype,
    )?;
    let reply = ctx.call(receive_op(&c, stanza))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::BadMac],
        "MediaReceive of a video whose blob has a bit flipped (fileEncSha256 matching)",
    )?;
    // Refused for the blob, not before fetching it (a client that refused
    // every media message, or the Signal layer, would pass otherwise).
    ensure!(
        seen.requests.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "the media message was refused without its attachment ever being fetched"
    );
    Ok("a media message whose attachment fails its MAC was fetched and refused".into())
}

/// ME-041: the provider's client sends; the harness, as the gatekeeper's
/// client and proxy, decrypts the stanza and fetches the attachment.
pub fn provider_to_gatekeeper(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let mut c = Conversation::start(ctx, Initiator::Peer, true)?;
    c.peer_to_target(ctx, b"hello")?;
    let mut kinds = Vec::new();
    // A sticker where the profile exchanges them, else an image.
    let small = if ctx.profile.media.allows(MediaType::Sticker.name()) {
        MediaType::Sticker
    } else {
        MediaType::Image
    };
    for (t, len) in [
        (MediaType::Video, 70_000usize),
        (small, 300),
        (MediaType::Audio, 17),
    ] {
        let plaintext = random_bytes(ctx, len);
        note_plaintext(ctx, &plaintext);
        let what = format!("MediaSend of a {} of {len} bytes", t.name());
        let stanza = match ctx.expect_result(
            Op::MediaSend(MediaSend {
                local: Some(proto_address(&c.target_addr)),
                remote: Some(proto_address(&c.peer_addr)),
                media_type: t.name().into(),
                plaintext: plaintext.clone(),
                mimetype: mimetype(t).into(),
                stanza_id: format!("m{len}"),
                to: stanza_address(&c.peer_addr),
            }),
            &what,
        )? {
            response::Reply::MediaSend(r) => r.stanza,
            other => return Err(unexpected(Reply::Result(other), &what)),
        };
        let view = crate::peer::stanza::parse(&stanza, &ctx.profile.stanza)
            .map_err(|e| Finding::fail(format!("{what}: the stanza does not parse: {e}")))?;
        let enc = view.typed.enc.first().ok_or_else(|| {
            Finding::fail(format!("{what}: the message stanza has no enc element"))
        })?;
        let kind = match enc.enc_type {
            EncType::Pkmsg => MessageType::PreKey,
            EncType::Msg => MessageType::Whisper,
            EncType::Skmsg => return Err(Finding::fail(format!("{what}: a 1:1 message as skmsg"))),
        };
        let payload = c
            .peer
            .decrypt(&c.target_addr, kind, &enc.payload)
            .map_err(|e| {
                Finding::fail(format!(
                    "{what}: the gatekeeper's client cannot decrypt the enc: {e}"
                ))
            })?;
        let message = crate::peer::stanza::payload::decode(&payload, &ctx.profile.stanza)
            .map_err(|e| Finding::fail(format!("{what}: the payload is not a Message: {e}")))?;
        let (got_type, info) = attachment(&message)
            .map(|(t, info)| (t, info.clone()))
            .ok_or_else(|| Finding::fail(format!("{what}: the payload carries no attachment")))?;
        ensure!(
            got_type == t,
            "{what}: the message carries a {}",
            got_type.name()
        );
        ensure!(
            !info.direct_path.is_empty() && info.url.ends_with(&info.direct_path),
            "{what}: the media message's direct path {:?} is not its URL's path ({})",
            info.direct_path,
            info.url
        );
        ensure!(
            info.media_key_timestamp > 0,
            "{what}: the media message carries no mediaKeyTimestamp"
        );
        let outside = stanza_without_payload(&stanza, &enc.payload);
        let leaked_key = info.media_key.len() >= 16
            && forms(&info.media_key).iter().any(|f| contains(&outside, f));
        let leaked_plaintext = plaintext_forms(&plaintext)
            .iter()
            .any(|(_, f)| contains(&outside, f));
        ensure!(
            !leaked_key && !leaked_plaintext,
            "{what}: the stanza carries the media key or plaintext outside the encrypted payload"
        );
        ensure!(
            info.url.is_ascii() && info.url.len() <= 2048 && under_server(&server, &info.url, &info.direct_path),
            "{what}: the media message's URL is not the provider's server's base URL followed by its direct path"
        );
        let got = fetch(&server, &info.url, Method::Get, None)?;
        ensure!(
            got.status == 200,
            "{what}: fetching {} answered {}",
            info.url,
            got.status
        );
        let key: [u8; 32] = info.media_key.as_slice().try_into().map_err(|_| {
            Finding::fail(format!(
                "{what}: a media key of {} bytes",
                info.media_key.len()
            ))
        })?;
        let opened = decrypt(t, &key, &got.body, &info.file_enc_sha256, &info.file_sha256)
            .map_err(|r| {
                Finding::fail(format!(
                    "{what}: the fetched attachment is refused at {}",
                    r.name()
                ))
            })?;
        ensure!(
            opened == plaintext,
            "{what}: the attachment decrypts to other bytes"
        );
        ensure!(
            info.file_length == len as u64 && info.mimetype == mimetype(t),
            "{what}: fileLength or mimetype in the message are not the attachment's"
        );
        kinds.push(t.name());
    }
    Ok(format!(
        "{} sent in Signal-encrypted stanzas, fetched from the provider's server through the proxy and decrypted",
        kinds.join(", ")
    ))
}

/// The stanza with its `enc` content (the encrypted payload) cut out: what
/// servers and proxies see in clear.
fn stanza_without_payload(stanza: &[u8], payload: &[u8]) -> Vec<u8> {
    // The enc's content is the payload in canonical base64 (docs/stanza.md
    // §3), so it is cut out exactly; everything else stays.
    let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
    let text = String::from_utf8_lossy(stanza);
    text.replacen(&encoded, "", 1).into_bytes()
}
