//! The provider's client downloading attachments from the gatekeeper's
//! side (ME-030 to ME-033): the harness serves them from its own loopback
//! server (src/peer/media/server.rs), which misbehaves on purpose, and the
//! client must return the plaintext's hash only for a blob that verifies.

use std::sync::atomic::Ordering;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::drive::{make, note_plaintext, rehashed, Made};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, ErrorCategory, MediaDownload, MediaFields};
use crate::ensure;
use crate::peer::media::keys::{BLOCK, MAC_LEN};
use crate::peer::media::server::{Answer, MediaHost};
use crate::peer::media::{Knobs, MediaType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

pub(super) fn host() -> Result<MediaHost, Finding> {
    MediaHost::start().map_err(|e| Finding::error(format!("harness: {e}")))
}

fn download_op(t: MediaType, url: &str, fields: &MediaFields) -> Op {
    Op::MediaDownload(MediaDownload {
        media_type: t.name().into(),
        url: url.into(),
        fields: Some(fields.clone()),
    })
}

/// The client must download and verify `m` from `url`.
pub(super) fn expect_downloaded(
    ctx: &mut ScenarioCtx,
    m: &Made,
    url: &str,
    what: &str,
) -> Result<(), Finding> {
    note_plaintext(ctx, &m.plaintext);
    match ctx.expect_result(download_op(m.t, url, &m.fields), what)? {
        response::Reply::MediaDownload(r) => {
            ensure!(
                r.plaintext_sha256 == Sha256::digest(&m.plaintext).as_slice()
                    && r.length == m.plaintext.len() as u64,
                "{what}: reported a plaintext of {} bytes whose SHA-256 is not the attachment's ({} bytes)",
                r.length,
                m.plaintext.len()
            );
            Ok(())
        }
        other => Err(unexpected(Reply::Result(other), what)),
    }
}

/// The client must refuse what `url` serves for `fields`.
pub(super) fn expect_refused(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    url: &str,
    fields: &MediaFields,
    expected: &[ErrorCategory],
    what: &str,
) -> Result<(), Finding> {
    let reply = ctx.call(download_op(t, url, fields))?;
    ctx.refused(&reply, expected, what)
}

/// ME-030: served plainly, chunked, or delimited by the connection's end.
pub fn served_blobs(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    for (t, len) in [
        (MediaType::Image, 0usize),
        (MediaType::VoiceNote, 4000),
        (MediaType::Video, 70_000),
    ] {
        let m = make(ctx, t, len, Knobs::default());
        let (url, _) = host.add(Answer::Blob(m.e.blob.clone()));
        expect_downloaded(
            ctx,
            &m,
            &url,
            &format!("MediaDownload of a {} of {len} bytes", t.name()),
        )?;
    }
    Ok("three attachments downloaded and verified".into())
}

/// ME-030: transfer codings HTTP/1.1 allows (RFC 9112 §6.1, §6.3).
pub fn other_framings_accepted(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    let m = make(ctx, MediaType::Document, 5000, Knobs::default());
    let (chunked, _) = host.add(Answer::Chunked(m.e.blob.clone()));
    expect_downloaded(ctx, &m, &chunked, "MediaDownload of a chunked answer")?;
    let (closing, _) = host.add(Answer::CloseDelimited(m.e.blob.clone()));
    expect_downloaded(
        ctx,
        &m,
        &closing,
        "MediaDownload of an answer ended by closing the connection",
    )?;
    Ok("chunked and close-delimited answers downloaded".into())
}

/// ME-031: bytes that do not verify, served as the attachment.
pub fn unverified_blobs_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    let m = make(ctx, MediaType::Video, 3000, Knobs::default());
    let other = make(ctx, MediaType::Video, 3000, Knobs::default());
    let mut flipped = m.e.blob.clone();
    flipped[m.e.blob.len() / 2] ^= 0x04;
    let extended = [m.e.blob.as_slice(), &[0u8; BLOCK]].concat();
    let cases: [(Vec<u8>, MediaFields, &str); 4] = [
        (
            other.e.blob.clone(),
            m.fields.clone(),
            "another attachment's blob",
        ),
        (
            flipped.clone(),
            rehashed(&m.fields, &flipped),
            "a blob with a ciphertext bit flipped and fileEncSha256 made to match",
        ),
        (
            flipped,
            m.fields.clone(),
            "a blob with a ciphertext bit flipped",
        ),
        (extended, m.fields.clone(), "the blob with a block appended"),
    ];
    for (served, fields, what) in cases {
        let (url, _) = host.add(Answer::Blob(served));
        expect_refused(
            ctx,
            m.t,
            &url,
            &fields,
            &[ErrorCategory::BadMac],
            &format!("MediaDownload of {what}"),
        )?;
    }
    let (target, _) = host.add(Answer::Blob(other.e.blob.clone()));
    let (url, _) = host.add(Answer::Redirect(target));
    let reply = ctx.call(download_op(m.t, &url, &m.fields))?;
    ctx.refused(
        &reply,
        &[ErrorCategory::NotFound, ErrorCategory::BadMac],
        "MediaDownload redirected to another attachment's blob",
    )?;
    Ok("another blob, a flipped bit (hash stale or matching), an extension and a redirect to another blob refused".into())
}

/// ME-032: the connection closed before the body's announced end.
pub fn truncated_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    let m = make(ctx, MediaType::Audio, 20_000, Knobs::default());
    for sent in [0, m.e.blob.len() / 2, m.e.blob.len() - 1] {
        let (url, _) = host.add(Answer::Truncated {
            body: m.e.blob.clone(),
            sent,
        });
        expect_refused(
            ctx,
            m.t,
            &url,
            &m.fields,
            &[ErrorCategory::MalformedInput, ErrorCategory::BadMac],
            &format!(
                "MediaDownload of a body cut after {sent} of {} bytes",
                m.e.blob.len()
            ),
        )?;
    }
    Ok("bodies cut at 0, half and one byte short refused".into())
}

/// ME-032: whatsmeow's download treats any status but 200 as an error.
pub fn error_statuses_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    let m = make(ctx, MediaType::Image, 100, Knobs::default());
    for status in [403u16, 404, 410, 500] {
        let (url, _) = host.add(Answer::Status(status));
        expect_refused(
            ctx,
            m.t,
            &url,
            &m.fields,
            &[ErrorCategory::NotFound],
            &format!("MediaDownload answered {status}"),
        )?;
    }
    // The status decides, not whether the body happens to verify: an
    // error answer's content describes the error (RFC 9110 §15.5, §15.6).
    for status in [404u16, 500] {
        let (url, _) = host.add(Answer::StatusWithBody(status, m.e.blob.clone()));
        expect_refused(
            ctx,
            m.t,
            &url,
            &m.fields,
            &[ErrorCategory::NotFound],
            &format!("MediaDownload answered {status} with the attachment's own blob"),
        )?;
    }
    Ok("403, 404, 410 and 500 refused, also with the attachment's blob as their body".into())
}

/// The answer the oversize scenario serves: larger than any blob the
/// profile allows, and large enough that a client that reads it all is
/// told from one that stops (loopback socket buffers hold a few MiB).
const OVERSIZED: usize = 48 * 1024 * 1024;

/// ME-033: an answer larger than any attachment is refused, not read.
pub fn oversized_answer_not_read(ctx: &mut ScenarioCtx) -> Check {
    let mut host = host()?;
    let m = make(ctx, MediaType::Video, 100, Knobs::default());
    let max_blob = ctx.profile.media.max_attachment_bytes as usize + BLOCK + MAC_LEN;
    let size = OVERSIZED.max(max_blob * 4);
    let (url, seen) = host.add(Answer::Blob(vec![0x33; size]));
    expect_refused(
        ctx,
        m.t,
        &url,
        &m.fields,
        &[ErrorCategory::LimitExceeded],
        &format!("MediaDownload of an answer of {size} bytes"),
    )?;
    let taken = seen.body_bytes_taken.load(Ordering::SeqCst);
    ensure!(
        (taken as usize) < size,
        "the client read all {size} bytes of an answer larger than any attachment (max_attachment_bytes {})",
        ctx.profile.media.max_attachment_bytes
    );
    Ok(format!(
        "an answer of {size} bytes refused before the client had read it all"
    ))
}

/// How much longer than the download bound the drip takes.
const DRIP_PAST_BOUND: Duration = Duration::from_secs(3);

/// ME-033: a download slower than the profile's bound is abandoned.
pub fn drip_abandoned(ctx: &mut ScenarioCtx) -> Check {
    let timeout = Duration::from_secs(u64::from(ctx.profile.media.download_timeout_seconds));
    let drip = timeout + DRIP_PAST_BOUND;
    let call_timeout = ctx.client.config().call_timeout;
    if call_timeout <= drip + Duration::from_secs(1) {
        // A client that keeps to the bound answers after `timeout`; one
        // that does not, after the drip: the call must outlast both.
        return Err(Finding::error(format!(
            "the call timeout ({} ms) does not outlast a drip of {} s (download_timeout_seconds {} + {} s): run with --call-timeout-ms {} or more to judge this",
            call_timeout.as_millis(),
            drip.as_secs(),
            timeout.as_secs(),
            DRIP_PAST_BOUND.as_secs(),
            (drip + Duration::from_secs(2)).as_millis()
        )));
    }
    let mut host = host()?;
    let m = make(ctx, MediaType::Document, 3000, Knobs::default());
    // Every piece arrives well within any read timeout, the whole well
    // after the download's bound.
    let pieces = 20usize;
    let pause = drip / pieces as u32;
    let step = m.e.blob.len().div_ceil(pieces);
    let (url, _) = host.add(Answer::Drip {
        body: m.e.blob.clone(),
        step,
        pause,
    });
    expect_refused(
        ctx,
        m.t,
        &url,
        &m.fields,
        &[ErrorCategory::LimitExceeded],
        &format!(
            "MediaDownload of a valid blob that takes {:?} to arrive (download_timeout_seconds {})",
            pause * pieces as u32,
            timeout.as_secs()
        ),
    )?;
    Ok("a blob dripping past the download bound was abandoned".into())
}
