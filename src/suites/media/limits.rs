//! A type's size limit (the profile's `media.type_max_bytes`, else
//! `max_attachment_bytes`) when sending (ME-011) and downloading (ME-034).

use super::access::stored;
use super::downloads::{expect_downloaded, expect_refused, host};
use super::drive::{
    encrypts_and_opens, make, max_attachment, note_plaintext, refused_one_over, widest_type,
    SENDING_OPS,
};
use super::server::media_server;
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::media::server::Answer;
use crate::peer::media::{Knobs, MediaType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// How far past its limit the oversized download of a type goes: far
/// enough that the blob's padding cannot hide it (the profile keeps own
/// limits at least this far below max_attachment_bytes).
const OVER_BY: usize = 64 * 1024;

/// The adapter protocol minor that tells targets their types' limits.
const TYPE_LIMITS_MINOR: u32 = 6;

/// The allowed types with a limit of their own below max_attachment_bytes,
/// with it, or why there are none to judge: the profile names none, or
/// the target's protocol predates the setting (it was never told them).
fn own_limits(ctx: &ScenarioCtx) -> Result<Vec<(MediaType, usize)>, Finding> {
    if ctx.hello.protocol_minor < TYPE_LIMITS_MINOR {
        return Err(Finding::not_applicable(format!(
            "adapter protocol 1.{} predates Configure.media.type_limits (1.{TYPE_LIMITS_MINOR}): the target was not told its types' own limits",
            ctx.hello.protocol_minor
        )));
    }
    let media = &ctx.profile.media;
    let limits: Vec<(MediaType, usize)> = MediaType::ALL
        .into_iter()
        .filter(|t| media.allows(t.name()))
        .filter_map(|t| {
            let own = *media.type_max_bytes.get(t.name())?;
            let own = usize::try_from(own).ok()?;
            (own < max_attachment(ctx).ok()?).then_some((t, own))
        })
        .collect();
    if limits.is_empty() {
        return Err(Finding::not_applicable(
            "no type has a limit of its own below max_attachment_bytes (media.type_max_bytes)",
        ));
    }
    Ok(limits)
}

fn names(limits: &[(MediaType, usize)]) -> String {
    limits
        .iter()
        .map(|(t, limit)| format!("{} ({limit} bytes)", t.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ME-011: a type's own limit holds when its attachments are sent.
pub fn type_limits_on_send(ctx: &mut ScenarioCtx) -> Check {
    let limits = own_limits(ctx)?;
    media_server(ctx)?;
    let with_store = ctx.hello.declares("MEDIA_SERVER_STORE");
    let before = if with_store { stored(ctx)? } else { Vec::new() };
    for &(t, limit) in &limits {
        let what = format!("a {} of its type's limit, {limit} bytes", t.name());
        encrypts_and_opens(ctx, t, limit, &what)?;
        let setting = format!("media.type_max_bytes.{}", t.name());
        for (name, op) in SENDING_OPS {
            refused_one_over(ctx, name, op, t, (limit, &setting))?;
        }
    }
    if with_store {
        let after = stored(ctx)?;
        ensure!(
            after.iter().all(|o| before.contains(o)),
            "the refused uploads left something stored (an object not there before them)"
        );
    }
    Ok(format!(
        "{}: exactly the limit encrypted, one byte more refused by MediaEncrypt and MediaUpload",
        names(&limits)
    ))
}

/// ME-034: a download of a type larger than its limit is refused, one of
/// exactly the limit is not: each type with a limit of its own (where the
/// target was told them), and a type that takes max_attachment_bytes.
pub fn type_limits_on_download(ctx: &mut ScenarioCtx) -> Check {
    let max = max_attachment(ctx)?;
    let mut limits = own_limits(ctx).unwrap_or_default();
    limits.push((widest_type(ctx)?, max));
    let mut host = host()?;
    for &(t, limit) in &limits {
        let at = make(ctx, t, limit, Knobs::default());
        let (url, _) = host.add(Answer::Blob(at.e.blob.clone()));
        let what = format!(
            "MediaDownload of a {} of its limit, {limit} bytes",
            t.name()
        );
        expect_downloaded(ctx, &at, &url, &what)?;
        // The profile keeps own limits OVER_BY below the largest; the
        // largest is passed by OVER_BY too.
        let size = limit + OVER_BY;
        let over = make(ctx, t, size, Knobs::default());
        note_plaintext(ctx, &over.plaintext);
        let (url, _) = host.add(Answer::Blob(over.e.blob.clone()));
        let what = format!(
            "MediaDownload of a {} of {size} bytes, over its limit of {limit}",
            t.name()
        );
        expect_refused(
            ctx,
            t,
            &url,
            &over.fields,
            &[ErrorCategory::LimitExceeded],
            &what,
        )?;
    }
    Ok(format!(
        "{}: exactly the limit downloaded, {OVER_BY} bytes more refused",
        names(&limits)
    ))
}
