//! What a download leaves behind (ME-035, capability MEDIA_WRITES): the
//! client lists every attachment plaintext its downloads delivered beyond
//! the download itself (a file, a cache, the user's view). A refused blob
//! must leave nothing, not even the part decrypted before a check failed;
//! an accepted one is listed, which shows the list is the client's own.

use sha2::{Digest, Sha256};

use super::downloads::{expect_downloaded, expect_refused, host};
use super::drive::{category_of, gatekeeper_refusal, make, rehashed};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, MediaFields, MediaWrite, MediaWritten};
use crate::ensure;
use crate::peer::media::keys::BLOCK;
use crate::peer::media::server::Answer;
use crate::peer::media::{Knobs, MediaType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// The most writes one MediaWritten may list: the scenario makes one
/// accepted download between calls.
const MAX_WRITES: usize = 64;

/// What the client's downloads delivered since the last call; `judged`
/// bounds how many there may be (not when only forgetting earlier ones).
fn written(ctx: &mut ScenarioCtx, judged: bool) -> Result<Vec<MediaWrite>, Finding> {
    match ctx.expect_result(Op::MediaWritten(MediaWritten {}), "MediaWritten")? {
        response::Reply::MediaWritten(r) => {
            ensure!(
                !judged || r.writes.len() <= MAX_WRITES,
                "MediaWritten listed {} writes; at most {MAX_WRITES} were expected",
                r.writes.len()
            );
            Ok(r.writes)
        }
        other => Err(unexpected(Reply::Result(other), "MediaWritten")),
    }
}

/// ME-035: an accepted download is delivered once; refused ones leave
/// nothing, whichever check refused them.
pub fn refused_downloads_leave_nothing(ctx: &mut ScenarioCtx) -> Check {
    // What earlier scenarios left is not this scenario's concern.
    written(ctx, false)?;
    let mut host = host()?;
    let m = make(ctx, MediaType::Document, 3000, Knobs::default());
    let (url, _) = host.add(Answer::Blob(m.e.blob.clone()));
    expect_downloaded(ctx, &m, &url, "MediaDownload of a document")?;
    let writes = written(ctx, true)?;
    let listed = writes.iter().any(|w| {
        w.sha256 == Sha256::digest(&m.plaintext).as_slice() && w.length == m.plaintext.len() as u64
    });
    ensure!(
        listed && writes.len() == 1,
        "MediaWritten after one accepted download lists {} writes, {}; the attachment's whole plaintext, once, was expected",
        writes.len(),
        if listed { "the attachment among them" } else { "none of them the attachment" }
    );

    let mut flipped = m.e.blob.clone();
    flipped[m.e.blob.len() / 2] ^= 0x04;
    let cut = m.e.blob[..m.e.blob.len() - BLOCK].to_vec();
    let other = make(ctx, MediaType::Document, 3000, Knobs::default());
    let cases: [(Vec<u8>, MediaFields, &str); 3] = [
        (
            flipped.clone(),
            rehashed(&m.fields, &flipped),
            "a ciphertext bit flipped, fileEncSha256 made to match (the MAC refuses it)",
        ),
        (
            m.e.blob.clone(),
            MediaFields {
                file_sha256: other.fields.file_sha256.clone(),
                ..m.fields.clone()
            },
            "a valid blob with another plaintext's fileSha256 (refused after decrypting)",
        ),
        (
            cut.clone(),
            rehashed(&m.fields, &cut),
            "the blob cut by one block, fileEncSha256 made to match",
        ),
    ];
    for (blob, fields, case) in cases {
        let what = format!("MediaDownload of {case}");
        let at = gatekeeper_refusal(m.t, &blob, &fields, &what)?;
        let (url, _) = host.add(Answer::Blob(blob));
        expect_refused(ctx, m.t, &url, &fields, &[category_of(at)], &what)?;
        let writes = written(ctx, true)?;
        ensure!(
            writes.is_empty(),
            "{what}: refused, but MediaWritten lists {} write(s) of {} bytes; a refused blob must leave nothing",
            writes.len(),
            writes.iter().fold(0u64, |sum, w| sum.saturating_add(w.length))
        );
    }
    Ok("an accepted download listed once; three refused downloads left nothing".into())
}
