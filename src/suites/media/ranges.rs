//! `Range` on the provider's media server (ME-023, ME-024): a single
//! byte range is answered with 206 and exactly its bytes, or, as HTTP lets
//! a server ignore Range (RFC 9110 §14.2), with 200 and the whole blob
//! unless the profile requires ranges.

use super::drive::{contains, random_bytes};
use super::server::{fetch, get_blob, media_server, upload, Uploaded};
use crate::adapter::proto::MediaServerResult;
use crate::ensure;
use crate::peer::media::cipher::cbc_decrypt_blocks;
use crate::peer::media::keys::{media_keys, Split, BLOCK, MAC_LEN, MEDIA_KEY_LEN};
use crate::peer::media::proxy::Method;
use crate::peer::media::MediaType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// An uploaded blob and the server, as every range scenario starts.
struct Served {
    server: MediaServerResult,
    u: Uploaded,
    blob: Vec<u8>,
}

fn served(ctx: &mut ScenarioCtx, len: usize) -> Result<Served, Finding> {
    let server = media_server(ctx)?;
    let plaintext = random_bytes(ctx, len);
    let u = upload(ctx, MediaType::Video, plaintext)?;
    // The blob as uploaded (its SHA-256 is fileEncSha256), so every range
    // is judged against the real bytes and their real length.
    let blob = get_blob(&server, &u)?;
    Ok(Served { server, u, blob })
}

/// Judges the answer to `range`, which asks for `blob[first..=last]`.
fn judge_part(
    ctx: &ScenarioCtx,
    s: &Served,
    range: &str,
    first: usize,
    last: usize,
) -> Result<&'static str, Finding> {
    let got = fetch(&s.server, &s.u.url, Method::Get, Some(range))?;
    let len = s.blob.len();
    match got.status {
        206 => {
            // RFC 9110 §14.4: range-resp = incl-range "/" ( complete-length / "*" ).
            let expected = format!("bytes {first}-{last}/{len}");
            let unknown_length = format!("bytes {first}-{last}/*");
            let content_range = got.header("content-range").unwrap_or("").trim();
            ensure!(
                content_range.eq_ignore_ascii_case(&expected)
                    || content_range.eq_ignore_ascii_case(&unknown_length),
                "Range: {range} was answered 206 with Content-Range {content_range:?}, expected {expected:?} (RFC 9110 §15.3.7.1, §14.4)"
            );
            ensure!(
                got.body == s.blob[first..=last],
                "Range: {range} was answered 206 with {} bytes that are not bytes {first} to {last} of the blob, the last included (RFC 9110 §14.1.2)",
                got.body.len()
            );
            Ok("206")
        }
        200 if !ctx.profile.media.range_required => {
            ensure!(
                got.body == s.blob,
                "Range: {range} was answered 200 with {} bytes that are not the whole blob",
                got.body.len()
            );
            Ok("200 (Range ignored)")
        }
        status => Err(Finding::fail(format!(
            "Range: {range} was answered {status}, expected 206 with bytes {first}-{last}{}",
            if ctx.profile.media.range_required {
                " (the profile sets range_required)"
            } else {
                " or 200 with the whole blob"
            }
        ))),
    }
}

fn each_range(
    ctx: &mut ScenarioCtx,
    len: usize,
    ranges: impl Fn(usize) -> Vec<(String, usize, usize)>,
) -> Check {
    let s = served(ctx, len)?;
    let mut answers = Vec::new();
    for (range, first, last) in ranges(s.blob.len()) {
        answers.push(format!(
            "{range}: {}",
            judge_part(ctx, &s, &range, first, last)?
        ));
    }
    Ok(answers.join("; "))
}

/// ME-023.
pub fn block_aligned(ctx: &mut ScenarioCtx) -> Check {
    each_range(ctx, 1000, |_| vec![("bytes=16-47".into(), 16, 47)])
}

/// ME-023.
pub fn unaligned(ctx: &mut ScenarioCtx) -> Check {
    each_range(ctx, 1000, |n| {
        vec![
            ("bytes=3-20".into(), 3, 20),
            ("bytes=0-0".into(), 0, 0),
            (format!("bytes={}-{}", n - 11, n - 1), n - 11, n - 1),
        ]
    })
}

/// ME-023.
pub fn open_ended(ctx: &mut ScenarioCtx) -> Check {
    each_range(ctx, 3000, |n| {
        vec![
            ("bytes=100-".into(), 100, n - 1),
            (format!("bytes={}-", n - 1), n - 1, n - 1),
        ]
    })
}

/// ME-023: RFC 9110 §14.1.2, a suffix-range is the last N bytes, the whole
/// representation when it is shorter.
pub fn suffix(ctx: &mut ScenarioCtx) -> Check {
    each_range(ctx, 500, |n| {
        vec![
            (format!("bytes=-{MAC_LEN}"), n - MAC_LEN, n - 1),
            (format!("bytes=-{}", n + 100), 0, n - 1),
        ]
    })
}

/// ME-023: RFC 9110 §14.1.2, a last-pos at or past the length means the
/// remainder.
pub fn past_end_clipped(ctx: &mut ScenarioCtx) -> Check {
    each_range(ctx, 700, |n| {
        vec![(format!("bytes=32-{}", n + 1000), 32, n - 1)]
    })
}

/// ME-024.
pub fn unsatisfiable(ctx: &mut ScenarioCtx) -> Check {
    let s = served(ctx, 200)?;
    let n = s.blob.len();
    let mut answers = Vec::new();
    for range in [
        format!("bytes={n}-"),
        format!("bytes={}-{}", n + 10, n + 20),
    ] {
        let got = fetch(&s.server, &s.u.url, Method::Get, Some(&range))?;
        match got.status {
            416 => {
                ensure!(
                    !contains(&got.body, &s.blob[..BLOCK]),
                    "Range: {range} was answered 416 with the blob's bytes"
                );
                let unsatisfied = format!("bytes */{n}");
                answers.push(match got.header("content-range") {
                    Some(v) if v.trim().eq_ignore_ascii_case(&unsatisfied) => format!("{range}: 416 with {unsatisfied}"),
                    Some(v) => return Err(Finding::fail(format!(
                        "Range: {range} was answered 416 with Content-Range {v:?}; an unsatisfied range is {unsatisfied:?} (RFC 9110 §14.4)"
                    ))),
                    None => format!("{range}: 416 without Content-Range (RFC 9110 §14.4: SHOULD send bytes */{n})"),
                });
            }
            200 if !ctx.profile.media.range_required => {
                ensure!(
                    got.body == s.blob,
                    "Range: {range} was answered 200 with bytes that are not the whole blob"
                );
                answers.push(format!("{range}: 200 (Range ignored)"));
            }
            status => {
                return Err(Finding::fail(format!(
                    "Range: {range} (the blob has {n} bytes) was answered {status}, expected 416{}",
                    if ctx.profile.media.range_required {
                        ""
                    } else {
                        " or 200 with the whole blob"
                    }
                )))
            }
        }
    }
    Ok(answers.join("; "))
}

/// ME-023: the second half of a video, fetched from one block early,
/// decrypts with that block as the IV (what Baileys' ranged download does).
pub fn mid_file_decrypt(ctx: &mut ScenarioCtx) -> Check {
    let s = served(ctx, 65_537)?;
    let ct_len = s.blob.len() - MAC_LEN;
    let from = (ct_len / BLOCK / 2) * BLOCK;
    let range = format!("bytes={}-{}", from - BLOCK, ct_len - 1);
    let got = fetch(&s.server, &s.u.url, Method::Get, Some(&range))?;
    let part = match got.status {
        206 => got.body,
        200 if !ctx.profile.media.range_required && got.body.len() >= ct_len => {
            got.body[from - BLOCK..ct_len].to_vec()
        }
        status => {
            return Err(Finding::fail(format!(
                "Range: {range} was answered {status} with {} bytes",
                got.body.len()
            )))
        }
    };
    ensure!(
        part.len() == ct_len - from + BLOCK,
        "Range: {range} gave {} bytes, expected {}",
        part.len(),
        ct_len - from + BLOCK
    );
    let key = <[u8; MEDIA_KEY_LEN]>::try_from(s.u.fields.media_key.as_slice())
        .map_err(|_| Finding::fail("the upload's media key is not 32 bytes"))?;
    let keys = media_keys(&key, s.u.t.hkdf_info().as_bytes(), Split::Standard);
    let mut iv = [0u8; BLOCK];
    iv.copy_from_slice(&part[..BLOCK]);
    let plain = cbc_decrypt_blocks(&keys.cipher_key, &iv, &part[BLOCK..])
        .map_err(|r| Finding::fail(format!("the fetched range does not decrypt: {}", r.name())))?;
    let tail = &s.u.plaintext[from..];
    ensure!(
        plain.len() > tail.len() && plain[..tail.len()] == *tail,
        "bytes {from} onward of the blob, decrypted with the block before them as the IV, are not the plaintext at offset {from}"
    );
    Ok(format!(
        "the blob from byte {from} (IV: the block before it) decrypts to the plaintext from offset {from}"
    ))
}
