//! How long the provider's media server serves an attachment's URL
//! (ME-029), shown with the server's clock moved forward
//! (`MediaAdvanceClock`, optional capability MEDIA_CLOCK).

use super::drive::{contains, random_bytes};
use super::server::{fetch, get_blob, media_server, upload};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, MediaAdvanceClock};
use crate::ensure;
use crate::peer::media::proxy::Method;
use crate::peer::media::MediaType;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// How long before the end of its lifetime a URL is fetched again.
const BEFORE_END: u32 = 60;

fn advance(ctx: &mut ScenarioCtx, seconds: u32) -> Result<(), Finding> {
    let what = format!("MediaAdvanceClock by {seconds} s");
    match ctx.expect_result(Op::MediaAdvanceClock(MediaAdvanceClock { seconds }), &what)? {
        response::Reply::MediaAdvanceClock(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), &what)),
    }
}

/// ME-029: served until `url_lifetime_seconds` after the upload, then
/// 404 or 410 and never the blob.
pub fn url_expires(ctx: &mut ScenarioCtx) -> Check {
    let server = media_server(ctx)?;
    let lifetime = ctx.profile.media.url_lifetime_seconds;
    let plaintext = random_bytes(ctx, 500);
    let u = upload(ctx, MediaType::Image, plaintext)?;
    let blob = get_blob(&server, &u)?;
    advance(ctx, lifetime - BEFORE_END)?;
    let late = fetch(&server, &u.url, Method::Get, None)?;
    ensure!(
        late.status == 200 && late.body == blob,
        "{BEFORE_END} s before the end of its lifetime ({lifetime} s), the URL was answered {} without the blob",
        late.status
    );
    advance(ctx, BEFORE_END + 1)?;
    let gone = fetch(&server, &u.url, Method::Get, None)?;
    ensure!(
        matches!(gone.status, 404 | 410),
        "1 s after its lifetime ({lifetime} s) the URL was answered {}, expected 404 or 410 (W3C TAG, Capability URLs §5.1)",
        gone.status
    );
    ensure!(
        !contains(&gone.body, &blob[..32]),
        "the expired URL's answer ({}) holds the blob",
        gone.status
    );
    Ok(format!(
        "served {BEFORE_END} s before its lifetime's end, answered {} after it",
        gone.status
    ))
}
