//! Who the provider's media server serves, and what it shows and keeps
//! (ME-026 to ME-028, ME-011): authorization, unguessable URLs, nothing in
//! clear, the upload bound.

use base64::Engine;

use super::drive::{contains, random_bytes, refused_one_over_limit, SENDING_OPS};
use super::server::{fetch, media_server, upload, Uploaded};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, MediaServerResult, MediaServerStore};
use crate::ensure;
use crate::peer::media::keys::{media_keys, Split, MEDIA_KEY_LEN};
use crate::peer::media::proxy::{self, Fetched, Method};
use crate::peer::media::MediaType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// The least entropy an attachment URL's varying part carries (W3C TAG,
/// Good Practices for Capability URLs §5.2: "120 bits or more";
/// Signal-Server's attachment keys are 15 random bytes).
pub const MIN_URL_BITS: f64 = 120.0;

/// A refusal: 401, 403 or 404 (401 with its challenge) and no blob.
fn judge_refused(got: &Fetched, blob: &[u8], what: &str) -> Result<u16, Finding> {
    ensure!(
        matches!(got.status, 401 | 403 | 404),
        "{what} was answered {}, expected a refusal (401, 403 or 404)",
        got.status
    );
    ensure!(
        got.status != 401 || got.header("www-authenticate").is_some(),
        "{what} was answered 401 without WWW-Authenticate (RFC 9110 §15.5.2: MUST send one)"
    );
    ensure!(
        !contains(&got.body, &blob[..blob.len().min(32)]),
        "{what} was refused ({}) but its body holds the blob",
        got.status
    );
    Ok(got.status)
}

fn served_blob(server: &MediaServerResult, u: &Uploaded) -> Result<Vec<u8>, Finding> {
    let got = fetch(server, &u.url, Method::Get, None)?;
    ensure!(got.status == 200, "GET {} answered {}", u.url, got.status);
    Ok(got.body)
}

/// A server that names no authorization must serve without one: that is
/// what it declared, and the proxy relies on it.
fn capability_only(u: &Uploaded, blob: &[u8]) -> Check {
    let got = proxy::fetch(&u.url, Method::Get, &[])
        .map_err(|e| Finding::fail(format!("GET {}: {e}", u.url)))?;
    ensure!(
        got.status == 200 && got.body == blob,
        "the server names no authorization, yet a GET without one was answered {}",
        got.status
    );
    Ok(
        "the server names no authorization and serves by capability URL (ME-027 judges the URLs)"
            .into(),
    )
}

/// ME-026: no credential.
pub fn no_authorization_refused(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let plaintext = random_bytes(ctx, 400);
    let u = upload(ctx, MediaType::Image, plaintext)?;
    let blob = served_blob(&server, &u)?;
    if server.authorization.is_empty() {
        return capability_only(&u, &blob);
    }
    let mut statuses = Vec::new();
    for method in [Method::Get, Method::Head] {
        let got = proxy::fetch(&u.url, method, &[])
            .map_err(|e| Finding::fail(format!("{method:?} {}: {e}", u.url)))?;
        statuses.push(judge_refused(
            &got,
            &blob,
            &format!("{method:?} without authorization"),
        )?);
    }
    Ok(format!(
        "GET and HEAD without authorization refused ({statuses:?})"
    ))
}

/// `value` with its character at `at` replaced by another of its kind.
fn changed_at(value: &str, at: usize) -> String {
    value
        .char_indices()
        .map(|(i, c)| {
            if i != at {
                return c;
            }
            match c {
                '0'..='8' | 'a'..='y' | 'A'..='Y' => char::from(c as u8 + 1),
                '9' => '0',
                'z' => 'a',
                'Z' => 'A',
                '-' => '_',
                _ => 'x',
            }
        })
        .collect()
}

/// ME-026: another credential.
pub fn wrong_authorization_refused(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let plaintext = random_bytes(ctx, 400);
    let u = upload(ctx, MediaType::Document, plaintext)?;
    let blob = served_blob(&server, &u)?;
    if server.authorization.is_empty() {
        return capability_only(&u, &blob);
    }
    let a = &server.authorization;
    let token = a.split_once(' ').map_or(a.as_str(), |(_, t)| t);
    let wrong = [
        changed_at(a, a.len() - 1),
        changed_at(a, a.len() / 2),
        format!("Basic {token}"),
        format!("{a}0"),
        a[..a.len() - 1].to_string(),
        String::new(),
    ];
    let mut statuses = Vec::new();
    for value in &wrong {
        let got = proxy::fetch(&u.url, Method::Get, &[("Authorization", value)])
            .map_err(|e| Finding::fail(format!("GET {}: {e}", u.url)))?;
        statuses.push(judge_refused(
            &got,
            &blob,
            "a GET with the authorization changed",
        )?);
    }
    Ok(format!(
        "{} changed authorizations refused ({statuses:?})",
        wrong.len()
    ))
}

/// The length of the common prefix of `urls`, and their parts between it
/// and their common suffix (URLs are ASCII: `upload` checks it).
fn varying_parts(urls: &[String]) -> (usize, Vec<String>) {
    let first = urls.first().map(String::as_bytes).unwrap_or_default();
    let prefix = (0..first.len())
        .take_while(|&i| urls.iter().all(|u| u.as_bytes().get(i) == first.get(i)))
        .count();
    let shortest = urls.iter().map(String::len).min().unwrap_or(0);
    let suffix = (0..shortest.saturating_sub(prefix))
        .take_while(|&i| {
            let at = |u: &String| u.as_bytes()[u.len() - 1 - i];
            urls.iter().all(|u| at(u) == at(&urls[0]))
        })
        .count();
    let parts = urls
        .iter()
        .map(|u| String::from_utf8_lossy(&u.as_bytes()[prefix..u.len() - suffix]).into_owned())
        .collect();
    (prefix, parts)
}

/// An upper bound on the bits of `parts`: length times the bits of the
/// smallest alphabet (decimal, hex, base64url) that holds all of them.
fn estimated_bits(parts: &[String]) -> f64 {
    let all = || parts.iter().flat_map(|p| p.chars());
    let per_char: f64 = if all().all(|c| c.is_ascii_digit()) {
        10f64.log2()
    } else if all().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        || all().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    {
        4.0
    } else {
        6.0
    };
    let shortest = parts.iter().map(|p| p.chars().count()).min().unwrap_or(0);
    shortest as f64 * per_char
}

/// ME-027: many uploads, URLs that differ in at least 120 bits.
pub fn urls_unguessable(ctx: &mut ScenarioCtx) -> Check {
    media_server(ctx)?;
    let plaintext = random_bytes(ctx, 64);
    let mut urls = Vec::new();
    for _ in 0..16 {
        urls.push(upload(ctx, MediaType::Image, plaintext.clone())?.url);
    }
    let mut distinct = urls.clone();
    distinct.sort();
    distinct.dedup();
    ensure!(
        distinct.len() == urls.len(),
        "two of 16 uploads got the same URL"
    );
    let (_, parts) = varying_parts(&urls);
    let bits = estimated_bits(&parts);
    let enough = bits >= MIN_URL_BITS;
    ensure!(
        enough,
        "the part of the URL that varies between uploads ({:?}, ...) carries at most {bits:.0} bits; an unguessable URL carries {MIN_URL_BITS} or more (W3C TAG, Good Practices for Capability URLs §5.2)",
        parts.iter().take(3).collect::<Vec<_>>()
    );
    Ok(format!(
        "16 URLs whose varying part carries up to {bits:.0} bits"
    ))
}

/// ME-027: altered URLs serve nothing.
pub fn altered_urls_refused(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let mut uploads = Vec::new();
    for _ in 0..3 {
        let plaintext = random_bytes(ctx, 200);
        uploads.push(upload(ctx, MediaType::Video, plaintext)?);
    }
    let mut blobs = Vec::new();
    for u in &uploads {
        blobs.push(served_blob(&server, u)?);
    }
    let urls: Vec<String> = uploads.iter().map(|u| u.url.clone()).collect();
    let (at, mut parts) = varying_parts(&urls);
    let part = parts.remove(0);
    ensure!(
        !part.is_empty(),
        "three uploads got URLs that do not differ"
    );
    let n = part.len();
    let mut altered: Vec<String> = [0, n / 2, n - 1]
        .into_iter()
        .map(|i| changed_at(&urls[0], at + i))
        .collect();
    altered.push(format!("{}{}", &urls[0][..at + n - 1], &urls[0][at + n..]));
    altered.push(format!("{}x{}", &urls[0][..at + n], &urls[0][at + n..]));
    for url in &altered {
        let got = fetch(&server, url, Method::Get, None)?;
        ensure!(
            !blobs
                .iter()
                .any(|b| contains(&got.body, &b[..b.len().min(32)])),
            "the altered URL {url} was served a blob ({})",
            got.status
        );
        ensure!(
            !(200..300).contains(&got.status),
            "the altered URL {url} was answered {}",
            got.status
        );
    }
    Ok(format!(
        "{} URLs with the varying part changed, cut or extended serve nothing",
        altered.len()
    ))
}

/// Every form a secret may take in a URL, header or stored record.
pub fn forms(secret: &[u8]) -> Vec<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = vec![
        secret.to_vec(),
        hex::encode(secret).into_bytes(),
        hex::encode_upper(secret).into_bytes(),
        STANDARD.encode(secret).into_bytes(),
        URL_SAFE_NO_PAD.encode(secret).into_bytes(),
    ];
    // Inside a longer base64 text the secret's last characters depend on
    // what follows; its first 30 bytes (a multiple of 3) always encode the
    // same 40 characters when the text starts with them.
    if let Some(head) = secret.get(..BASE64_WHOLE) {
        out.push(STANDARD_NO_PAD.encode(head).into_bytes());
        out.push(URL_SAFE_NO_PAD.encode(head).into_bytes());
    }
    out
}

/// Bytes that base64 encodes to whole characters without padding.
const BASE64_WHOLE: usize = 30;

/// Pieces of a plaintext in every form: 30-byte windows at its start, its
/// middle and its end, each starting at a multiple of 3, so that a base64
/// text of the whole plaintext holds their encodings too.
pub fn plaintext_forms(plaintext: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let n = plaintext.len();
    if n < BASE64_WHOLE {
        return Vec::new();
    }
    let aligned = |at: usize| at / 3 * 3;
    let mut out = Vec::new();
    for at in [
        0,
        aligned(n / 2 - BASE64_WHOLE / 2),
        aligned(n - BASE64_WHOLE),
    ] {
        for form in forms(&plaintext[at..at + BASE64_WHOLE]) {
            out.push((at, form));
        }
    }
    out
}

/// What must never be in clear at the server, named: the media key and
/// its derived keys in every form, and 32-byte pieces of the plaintext.
fn clear_values(u: &Uploaded) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(key) = <[u8; MEDIA_KEY_LEN]>::try_from(u.fields.media_key.as_slice()) {
        let k = media_keys(&key, u.t.hkdf_info().as_bytes(), Split::Standard);
        for (name, secret) in [
            ("media key", key.to_vec()),
            ("cipher key", k.cipher_key.to_vec()),
            ("MAC key", k.mac_key.to_vec()),
        ] {
            out.extend(forms(&secret).into_iter().map(|f| (name.to_string(), f)));
        }
    }
    for (at, form) in plaintext_forms(&u.plaintext) {
        out.push((format!("plaintext bytes {at}.."), form));
    }
    out
}

fn find_clear(haystack: &[u8], uploads: &[Uploaded]) -> Option<String> {
    uploads
        .iter()
        .flat_map(clear_values)
        .find(|(_, v)| contains(haystack, v))
        .map(|(name, _)| name)
}

fn uploads_of_each_kind(ctx: &mut ScenarioCtx) -> Result<Vec<Uploaded>, Finding> {
    let mut uploads = Vec::new();
    for (t, len) in [
        (MediaType::Image, 300usize),
        (MediaType::VoiceNote, 5000),
        (MediaType::Document, 64),
    ] {
        let plaintext = random_bytes(ctx, len);
        uploads.push(upload(ctx, t, plaintext)?);
    }
    Ok(uploads)
}

pub(super) fn stored(ctx: &mut ScenarioCtx) -> Result<Vec<Vec<u8>>, Finding> {
    match ctx.expect_result(
        Op::MediaServerStore(MediaServerStore {}),
        "MediaServerStore",
    )? {
        response::Reply::MediaServerStore(r) => Ok(r.objects),
        other => Err(unexpected(Reply::Result(other), "MediaServerStore")),
    }
}

/// ME-028: what the server keeps.
pub fn stores_nothing_in_clear(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let uploads = uploads_of_each_kind(ctx)?;
    let objects = stored(ctx)?;
    for u in &uploads {
        let blob = served_blob(&server, u)?;
        ensure!(
            objects.iter().any(|o| contains(o, &blob)),
            "MediaServerStore lists {} objects, none holding the blob of {}: it must show what the server keeps",
            objects.len(),
            u.url
        );
    }
    for (i, object) in objects.iter().enumerate() {
        if let Some(name) = find_clear(object, &uploads) {
            return Err(Finding::fail(format!(
                "stored object {i} ({} bytes) holds an attachment's {name}",
                object.len()
            )));
        }
    }
    Ok(format!(
        "{} stored objects hold the blobs and no plaintext or key",
        objects.len()
    ))
}

/// ME-028: what the server shows: URLs, headers, bodies.
pub fn answers_show_nothing_in_clear(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let uploads = uploads_of_each_kind(ctx)?;
    let mut answers = 0;
    for u in &uploads {
        if let Some(name) = find_clear(u.url.as_bytes(), &uploads) {
            return Err(Finding::fail(format!(
                "the URL {} holds an attachment's {name}",
                u.url
            )));
        }
        let mut seen = vec![
            fetch(&server, &u.url, Method::Get, None)?,
            fetch(&server, &u.url, Method::Head, None)?,
            fetch(&server, &u.url, Method::Get, Some("bytes=0-99"))?,
        ];
        seen.push(
            proxy::fetch(&u.url, Method::Get, &[])
                .map_err(|e| Finding::fail(format!("GET {}: {e}", u.url)))?,
        );
        for got in &seen {
            let mut text = got.body.clone();
            for (name, value) in &got.headers {
                text.extend_from_slice(format!("\n{name}: {value}").as_bytes());
            }
            if let Some(name) = find_clear(&text, &uploads) {
                return Err(Finding::fail(format!(
                    "an answer ({}) for {} holds an attachment's {name}",
                    got.status, u.url
                )));
            }
            answers += 1;
        }
    }
    Ok(format!(
        "{} URLs and {answers} answers hold no plaintext or key",
        uploads.len()
    ))
}

/// ME-011: the upload bound, and nothing kept of a refused upload.
pub fn upload_over_limit_refused(ctx: &mut ScenarioCtx) -> Check {
    media_server(ctx)?;
    let with_store = ctx.hello.declares("MEDIA_SERVER_STORE");
    let before = if with_store { stored(ctx)? } else { Vec::new() };
    let (name, op) = SENDING_OPS[1];
    refused_one_over_limit(ctx, name, op)?;
    if with_store {
        let after = stored(ctx)?;
        ensure!(
            after.iter().all(|o| before.contains(o)),
            "the refused upload left something stored (an object not there before it)"
        );
        return Ok("an upload one byte over the limit refused; nothing stored".into());
    }
    Ok("an upload one byte over the limit refused".into())
}
