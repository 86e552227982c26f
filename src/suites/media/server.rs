//! The provider's media server, fetched over HTTP on loopback by the
//! harness in the gatekeeper's proxy role (ME-020 to ME-028, ME-011).

use sha2::{Digest, Sha256};

use super::drive::{gatekeeper_opens, mimetype, random_bytes};
use crate::adapter::client::Reply;
use crate::adapter::proto::{
    request::Op, response, MediaFields, MediaServer, MediaServerResult, MediaUpload,
};
use crate::ensure;
use crate::peer::media::proxy::{self, Fetched, Method};
use crate::peer::media::MediaType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// The longest attachment URL read from a target.
const MAX_URL: usize = 2048;

/// The target's media server: base URL and the proxy's authorization.
pub fn media_server(ctx: &mut ScenarioCtx) -> Result<MediaServerResult, Finding> {
    match ctx.expect_result(Op::MediaServer(MediaServer {}), "MediaServer")? {
        response::Reply::MediaServer(r) => {
            // A header value and a URL: visible ASCII (RFC 9110 §5.5, RFC
            // 3986 §2), bounded like anything read from a target.
            ensure!(
                r.authorization.len() <= MAX_URL
                    && r.authorization.bytes().all(|b| (0x20..0x7f).contains(&b))
                    && r.base_url.len() <= MAX_URL
                    && r.base_url.is_ascii(),
                "MediaServer named a base URL or authorization that is not visible ASCII or longer than {MAX_URL} bytes"
            );
            ctx.secret(r.authorization.as_bytes());
            proxy::check_loopback(&format!("{}/", r.base_url)).map_err(|e| {
                Finding::fail(format!("MediaServer named a base URL off loopback: {e}"))
            })?;
            Ok(r)
        }
        other => Err(unexpected(Reply::Result(other), "MediaServer")),
    }
}

/// One upload, as the harness knows it.
pub struct Uploaded {
    pub t: MediaType,
    pub plaintext: Vec<u8>,
    pub fields: MediaFields,
    pub url: String,
    pub direct_path: String,
}

pub fn upload(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    plaintext: Vec<u8>,
) -> Result<Uploaded, Finding> {
    super::drive::note_plaintext(ctx, &plaintext);
    let what = format!("MediaUpload of a {} of {} bytes", t.name(), plaintext.len());
    match ctx.expect_result(
        Op::MediaUpload(MediaUpload {
            media_type: t.name().into(),
            plaintext: plaintext.clone(),
            mimetype: mimetype(t).into(),
        }),
        &what,
    )? {
        response::Reply::MediaUpload(r) => {
            let r = *r;
            let fields = super::drive::returned_fields(ctx, r.fields, &what)?;
            // URIs are ASCII (RFC 3986 §2); the bound keeps a hostile answer
            // from costing more than a URL should.
            ensure!(
                r.url.is_ascii() && r.url.len() <= MAX_URL && r.direct_path.is_ascii(),
                "{what}: a URL that is not ASCII or longer than {MAX_URL} bytes (RFC 3986 §2)"
            );
            Ok(Uploaded {
                t,
                plaintext,
                fields,
                url: r.url,
                direct_path: r.direct_path,
            })
        }
        other => Err(unexpected(Reply::Result(other), &what)),
    }
}

/// Fetches as the proxy: with the server's authorization, if it names one.
pub fn fetch(
    server: &MediaServerResult,
    url: &str,
    method: Method,
    range: Option<&str>,
) -> Result<Fetched, Finding> {
    let mut headers = Vec::new();
    if !server.authorization.is_empty() {
        headers.push(("Authorization", server.authorization.as_str()));
    }
    if let Some(range) = range {
        headers.push(("Range", range));
    }
    proxy::fetch(url, method, &headers).map_err(|e| Finding::fail(format!("{method:?} {url}: {e}")))
}

/// ME-020.
pub fn on_loopback(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    // The port changes from run to run; the report says only where.
    let host = if server.base_url.starts_with("http://[::1]") {
        "[::1]"
    } else {
        "127.0.0.1"
    };
    Ok(format!("the media server listens on {host}"))
}

/// ME-020, ME-002.
pub fn upload_url_under_server(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let plaintext = random_bytes(ctx, 300);
    let u = upload(ctx, MediaType::Image, plaintext)?;
    ensure!(
        under_server(&server, &u.url, &u.direct_path),
        "the upload's URL {} is not the server's base URL {} followed by its direct path {:?}",
        u.url,
        server.base_url,
        u.direct_path
    );
    ensure!(
        u.fields.file_sha256 == Sha256::digest(&u.plaintext).as_slice()
            && u.fields.file_length == u.plaintext.len() as u64
            && u.fields.media_key.len() == 32
            && u.fields.mimetype == mimetype(u.t),
        "the upload's fields are not the plaintext's (fileSha256, fileLength, a 32-byte media key, the mimetype given)"
    );
    let blob = get_blob(&server, &u)?;
    gatekeeper_opens(u.t, &u.plaintext, &blob, &u.fields, "the uploaded image")?;
    Ok("the upload's URL is the server's base URL and its direct path; its fields are the served blob's and the plaintext's".into())
}

/// Whether `url` is the server's base URL followed by `direct_path`, a
/// path (and query) of its own.
pub fn under_server(server: &MediaServerResult, url: &str, direct_path: &str) -> bool {
    let base = server.base_url.trim_end_matches('/');
    direct_path.starts_with('/')
        && direct_path.len() > 1
        && url.strip_prefix(base) == Some(direct_path)
}

/// The whole blob by GET, judged: 200, exactly fileEncSha256.
pub fn get_blob(server: &MediaServerResult, u: &Uploaded) -> Result<Vec<u8>, Finding> {
    let got = fetch(server, &u.url, Method::Get, None)?;
    ensure!(
        got.status == 200,
        "GET {} answered {}, expected 200 with the blob",
        u.url,
        got.status
    );
    ensure!(
        Sha256::digest(&got.body).as_slice() == u.fields.file_enc_sha256,
        "GET {} served {} bytes whose SHA-256 is not fileEncSha256",
        u.url,
        got.body.len()
    );
    if let Some(length) = got.content_length() {
        ensure!(
            length == got.body.len() as u64,
            "GET {}: Content-Length {length} for a blob of {} bytes",
            u.url,
            got.body.len()
        );
    }
    Ok(got.body)
}

/// ME-021, ME-001.
pub fn get_serves_the_blob(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    for (t, len) in [
        (MediaType::Image, 0usize),
        (MediaType::Document, 17),
        (MediaType::Video, 65_537),
    ] {
        let plaintext = random_bytes(ctx, len);
        let u = upload(ctx, t, plaintext)?;
        let blob = get_blob(&server, &u)?;
        gatekeeper_opens(
            t,
            &u.plaintext,
            &blob,
            &u.fields,
            &format!("the served {} of {len} bytes", t.name()),
        )?;
    }
    Ok("uploads of 0 B, 17 B and 64 KiB + 1 served exactly and decrypted".into())
}

/// ME-022.
pub fn head_like_get(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let plaintext = random_bytes(ctx, 5000);
    let u = upload(ctx, MediaType::Audio, plaintext)?;
    let blob = get_blob(&server, &u)?;
    let head = fetch(&server, &u.url, Method::Head, None)?;
    let mut headers = Vec::new();
    if !server.authorization.is_empty() {
        headers.push(("Authorization", server.authorization.as_str()));
    }
    let raw = proxy::head_raw(&u.url, &headers)
        .map_err(|e| Finding::fail(format!("HEAD {}: {e}", u.url)))?;
    ensure!(
        head.status == 200,
        "HEAD {} answered {}; GET answered 200",
        u.url,
        head.status
    );
    ensure!(
        raw.status == 200 && raw.after_head.is_empty(),
        "HEAD {} (read off the socket) was answered {} with {} bytes after the header block (RFC 9110 §9.3.2: the server MUST NOT send content)",
        u.url,
        raw.status,
        raw.after_head.len()
    );
    if let Some(length) = head.content_length() {
        ensure!(
            length == blob.len() as u64,
            "HEAD {}: Content-Length {length}; the blob has {} bytes",
            u.url,
            blob.len()
        );
    }
    Ok(format!(
        "HEAD answered 200 without content{}",
        if head.content_length().is_some() {
            ", with the blob's Content-Length"
        } else {
            " (no Content-Length)"
        }
    ))
}
