//! What every media scenario does: ask the target's client to encrypt or
//! decrypt, build attachments on the gatekeeper's side (src/peer/media),
//! and judge the target's attachments as the gatekeeper's clients would.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, ErrorCategory, MediaDecrypt, MediaEncrypt, MediaFields,
};
use crate::ensure;
use crate::peer::media::keys::{BLOCK, MAC_LEN, MEDIA_KEY_LEN};
use crate::peer::media::sidecar::{Convention, Stream};
use crate::peer::media::{decrypt, encrypt, Encrypted, Knobs, MediaType, Refusal};
use crate::scenario::outcome::Finding;
use crate::scenario::{unexpected, ScenarioCtx};

/// The sizes that catch padding and chunking slips: empty, one byte, a
/// block either side, two blocks, and either side of 64 KiB.
pub const EDGE_SIZES: [usize; 11] = [0, 1, 15, 16, 17, 31, 32, 33, 65_535, 65_536, 65_537];

/// A mimetype that fits `t`.
pub fn mimetype(t: MediaType) -> &'static str {
    match t {
        MediaType::Image => "image/jpeg",
        MediaType::Video => "video/mp4",
        MediaType::Audio => "audio/mpeg",
        MediaType::VoiceNote => "audio/ogg; codecs=opus",
        MediaType::Document => "application/pdf",
        MediaType::Sticker => "image/webp",
    }
}

/// The most of a plaintext registered for redaction, at each end: reports
/// show long values elided in the middle, and registering whole
/// attachments would make every redaction pass scan megabytes of patterns.
const REDACTED_END: usize = 1024;

/// Registers an attachment's plaintext: the report shows only an excerpt.
pub fn note_plaintext(ctx: &mut ScenarioCtx, plaintext: &[u8]) {
    if plaintext.len() <= 2 * REDACTED_END {
        ctx.plaintext(plaintext);
    } else {
        ctx.plaintext(&plaintext[..REDACTED_END]);
        ctx.plaintext(&plaintext[plaintext.len() - REDACTED_END..]);
    }
}

pub fn random_bytes(ctx: &mut ScenarioCtx, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    ctx.rng.fill_bytes(&mut bytes);
    bytes
}

pub fn random_key(ctx: &mut ScenarioCtx) -> [u8; MEDIA_KEY_LEN] {
    let mut key = [0u8; MEDIA_KEY_LEN];
    ctx.rng.fill_bytes(&mut key);
    key
}

/// The fields a message carries for `e`, encrypted under `key`.
pub fn fields_of(e: &Encrypted, key: &[u8; MEDIA_KEY_LEN], t: MediaType) -> MediaFields {
    MediaFields {
        media_key: key.to_vec(),
        file_sha256: e.file_sha256.to_vec(),
        file_enc_sha256: e.file_enc_sha256.to_vec(),
        file_length: e.file_length,
        mimetype: mimetype(t).into(),
        streaming_sidecar: Vec::new(),
    }
}

/// An attachment the gatekeeper's side makes, with `knobs`.
pub struct Made {
    pub t: MediaType,
    pub plaintext: Vec<u8>,
    pub key: [u8; MEDIA_KEY_LEN],
    pub e: Encrypted,
    pub fields: MediaFields,
}

pub fn make(ctx: &mut ScenarioCtx, t: MediaType, len: usize, knobs: Knobs) -> Made {
    let plaintext = random_bytes(ctx, len);
    let key = random_key(ctx);
    ctx.secret(&key);
    let e = encrypt(t, &key, &plaintext, knobs);
    let fields = fields_of(&e, &key, t);
    Made {
        t,
        plaintext,
        key,
        e,
        fields,
    }
}

/// Its blob with `fileEncSha256` recomputed, so that only the MAC or a
/// later check can refuse it.
pub fn rehashed(fields: &MediaFields, blob: &[u8]) -> MediaFields {
    MediaFields {
        file_enc_sha256: Sha256::digest(blob).to_vec(),
        ..fields.clone()
    }
}

fn decrypt_op(t: MediaType, blob: &[u8], fields: &MediaFields) -> Op {
    Op::MediaDecrypt(MediaDecrypt {
        media_type: t.name().into(),
        blob: blob.to_vec(),
        fields: Some(fields.clone()),
    })
}

/// The fields a target returned with an attachment; its media key is
/// registered so that no report shows it.
pub fn returned_fields(
    ctx: &mut ScenarioCtx,
    fields: Option<MediaFields>,
    what: &str,
) -> Result<MediaFields, Finding> {
    let fields = fields.ok_or_else(|| Finding::fail(format!("{what} returned no MediaFields")))?;
    if fields.media_key.len() <= 64 {
        // A longer key fails the format; it is not worth a redaction pattern.
        ctx.secret(&fields.media_key);
    }
    Ok(fields)
}

/// How a media operation is built from a type name, plaintext and mimetype.
pub type MediaOpFn = fn(String, Vec<u8>, String) -> Op;

/// The target must refuse, with LIMIT_EXCEEDED, the operation `op` makes
/// of a `t` one byte over `limit` (the profile's setting `limit_name`);
/// `name` names the operation. The size sent.
pub fn refused_one_over(
    ctx: &mut ScenarioCtx,
    name: &str,
    op: MediaOpFn,
    t: MediaType,
    (limit, limit_name): (usize, &str),
) -> Result<usize, Finding> {
    let size = limit + 1;
    let plaintext = random_bytes(ctx, size);
    let reply = ctx.call(op(t.name().into(), plaintext, mimetype(t).into()))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::LimitExceeded],
        &format!(
            "{name} of a {} of {size} bytes, one over {limit_name}",
            t.name()
        ),
    )?;
    Ok(size)
}

/// [`refused_one_over`] for a type that takes the profile's
/// max_attachment_bytes.
pub fn refused_one_over_limit(
    ctx: &mut ScenarioCtx,
    name: &str,
    op: MediaOpFn,
) -> Result<usize, Finding> {
    let max = max_attachment(ctx)?;
    let t = widest_type(ctx)?;
    refused_one_over(ctx, name, op, t, (max, "max_attachment_bytes"))
}

/// A type whose limit is max_attachment_bytes itself, video where it can
/// be (the profile's validation makes sure there is one).
pub fn widest_type(ctx: &ScenarioCtx) -> Result<MediaType, Finding> {
    let media = &ctx.profile.media;
    [MediaType::Video]
        .into_iter()
        .chain(MediaType::ALL)
        .find(|t| {
            media.allows(t.name()) && media.type_limit(t.name()) == media.max_attachment_bytes
        })
        .ok_or_else(|| {
            Finding::error("the profile gives every type a limit below max_attachment_bytes")
        })
}

/// The target's client encrypts `plaintext`: its blob and fields.
pub fn target_encrypt(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    plaintext: &[u8],
) -> Result<(Vec<u8>, MediaFields), Finding> {
    note_plaintext(ctx, plaintext);
    let what = format!(
        "MediaEncrypt of a {} of {} bytes",
        t.name(),
        plaintext.len()
    );
    match ctx.expect_result(
        Op::MediaEncrypt(MediaEncrypt {
            media_type: t.name().into(),
            plaintext: plaintext.to_vec(),
            mimetype: mimetype(t).into(),
        }),
        &what,
    )? {
        response::Reply::MediaEncrypt(r) => {
            let r = *r;
            let fields = returned_fields(ctx, r.fields, &what)?;
            Ok((r.blob, fields))
        }
        other => Err(unexpected(Reply::Result(other), &what)),
    }
}

/// The target's client encrypts `len` random bytes as a `t`, and the
/// gatekeeper's side opens the attachment (`what` names it).
pub fn encrypts_and_opens(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    len: usize,
    what: &str,
) -> Result<(), Finding> {
    let plaintext = random_bytes(ctx, len);
    let (blob, fields) = target_encrypt(ctx, t, &plaintext)?;
    gatekeeper_opens(t, &plaintext, &blob, &fields, what)
}

/// Judges a target's attachment as the gatekeeper's client would: every
/// field is the blob's and plaintext's own, the blob has the format's
/// length, and the gatekeeper's decryption recovers `plaintext`.
pub fn gatekeeper_opens(
    t: MediaType,
    plaintext: &[u8],
    blob: &[u8],
    fields: &MediaFields,
    what: &str,
) -> Result<(), Finding> {
    let key = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice()).map_err(|_| {
        Finding::fail(format!(
            "{what}: a media key of {} bytes; the format's is 32",
            fields.media_key.len()
        ))
    })?;
    ensure!(
        fields.file_sha256 == Sha256::digest(plaintext).as_slice(),
        "{what}: fileSha256 is not the SHA-256 of the plaintext"
    );
    ensure!(
        fields.file_length == plaintext.len() as u64,
        "{what}: fileLength is {}, the plaintext has {} bytes",
        fields.file_length,
        plaintext.len()
    );
    ensure!(
        fields.mimetype == mimetype(t),
        "{what}: mimetype {:?}, {:?} was given",
        fields.mimetype,
        mimetype(t)
    );
    let expected_len = (plaintext.len() / BLOCK + 1) * BLOCK + MAC_LEN;
    ensure!(
        blob.len() == expected_len,
        "{what}: a blob of {} bytes; the format gives {expected_len} (PKCS#7 to whole blocks, a whole block on aligned input, then the 10-byte MAC)",
        blob.len()
    );
    ensure!(
        fields.file_enc_sha256 == Sha256::digest(blob).as_slice(),
        "{what}: fileEncSha256 is not the SHA-256 of the blob (ciphertext and MAC)"
    );
    match decrypt(
        t,
        &key,
        blob,
        &fields.file_enc_sha256,
        &fields.file_sha256,
    ) {
        Ok(p) if p == plaintext => Ok(()),
        Ok(_) => Err(Finding::fail(format!(
            "{what}: the gatekeeper's decryption gives other bytes"
        ))),
        Err(refusal) => Err(Finding::fail(format!(
            "{what}: the gatekeeper's client refuses it at the {} check (keys from {:?}, AES-256-CBC, 10-byte HMAC-SHA256 over iv ‖ ciphertext)",
            refusal.name(),
            t.hkdf_info()
        ))),
    }
}

/// The target's client must decrypt `blob` to exactly `plaintext`.
pub fn expect_decrypts(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    blob: &[u8],
    fields: &MediaFields,
    plaintext: &[u8],
    what: &str,
) -> Result<(), Finding> {
    note_plaintext(ctx, plaintext);
    match ctx.expect_result(decrypt_op(t, blob, fields), what)? {
        response::Reply::MediaDecrypt(r) if r.plaintext == plaintext => Ok(()),
        response::Reply::MediaDecrypt(r) => Err(Finding::fail(format!(
            "{what}: decrypted to {} other bytes, expected the {} of the plaintext",
            r.plaintext.len(),
            plaintext.len()
        ))),
        other => Err(unexpected(Reply::Result(other), what)),
    }
}

/// The category docs/media.md §Adapter operations names for a check.
pub fn category_of(refusal: Refusal) -> ErrorCategory {
    match refusal {
        Refusal::EncHashLength => ErrorCategory::SchemaViolation,
        Refusal::TooShort | Refusal::NotWholeBlocks => ErrorCategory::MalformedInput,
        _ => ErrorCategory::BadMac,
    }
}

/// The target's client must refuse `blob` (no plaintext); `at` is the
/// check the gatekeeper's client refuses it at, which names the category.
pub fn expect_refused(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    blob: &[u8],
    fields: &MediaFields,
    at: Refusal,
    what: &str,
) -> Result<(), Finding> {
    let reply = ctx.call(decrypt_op(t, blob, fields))?;
    ctx.refused(&reply, &[category_of(at)], what)
}

/// The check the gatekeeper's own client refuses `blob` at: a scenario
/// only sends inputs it refuses (a check of the harness, not the target).
pub fn gatekeeper_refusal(
    t: MediaType,
    blob: &[u8],
    fields: &MediaFields,
    what: &str,
) -> Result<Refusal, Finding> {
    let key = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice()).unwrap_or([0; 32]);
    decrypt(t, &key, blob, &fields.file_enc_sha256, &fields.file_sha256)
        .err()
        .ok_or_else(|| {
            Finding::error(format!(
                "harness: {what} is accepted by the gatekeeper's own client"
            ))
        })
}

/// Sends `blob` to the target, which must refuse it at least as the
/// gatekeeper's own client does.
pub fn refuse(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    blob: &[u8],
    fields: &MediaFields,
    what: &str,
) -> Result<(), Finding> {
    let at = gatekeeper_refusal(t, blob, fields, what)?;
    expect_refused(ctx, t, blob, fields, at, what)
}

/// Whether `needle` (non-empty) occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The sidecar convention the profile names.
pub fn sidecar_convention(ctx: &ScenarioCtx) -> Result<Convention, Finding> {
    let media = &ctx.profile.media;
    Stream::from_name(&media.sidecar_stream)
        .map(|stream| Convention {
            stream,
            with_mac_trailer: media.sidecar_mac_trailer,
        })
        .ok_or_else(|| Finding::error("the profile names no sidecar convention"))
}

/// Whether the profile exchanges attachments of type `t`: a scenario of a
/// type it leaves out is not applicable.
pub fn allowed(ctx: &ScenarioCtx, t: MediaType) -> Result<(), Finding> {
    if ctx.profile.media.allows(t.name()) {
        Ok(())
    } else {
        Err(Finding::not_applicable(format!(
            "the profile's media.allowed_types leaves out {}",
            t.name()
        )))
    }
}

/// The types the profile exchanges, in `MediaType::ALL`'s order.
pub fn allowed_types(ctx: &ScenarioCtx) -> Vec<MediaType> {
    MediaType::ALL
        .into_iter()
        .filter(|t| ctx.profile.media.allows(t.name()))
        .collect()
}

/// The media operations that prepare an attachment for sending.
pub const SENDING_OPS: [(&str, MediaOpFn); 2] = [
    ("MediaEncrypt", |media_type, plaintext, mimetype| {
        Op::MediaEncrypt(MediaEncrypt {
            media_type,
            plaintext,
            mimetype,
        })
    }),
    ("MediaUpload", |media_type, plaintext, mimetype| {
        Op::MediaUpload(crate::adapter::proto::MediaUpload {
            media_type,
            plaintext,
            mimetype,
        })
    }),
];

/// The profile's largest attachment, as a length.
pub fn max_attachment(ctx: &ScenarioCtx) -> Result<usize, Finding> {
    usize::try_from(ctx.profile.media.max_attachment_bytes)
        .map_err(|_| Finding::error("max_attachment_bytes does not fit this machine"))
}
