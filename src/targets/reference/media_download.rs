//! The reference client's download of an attachment from a URL
//! (`MediaDownload`, docs/media.md §Downloads): loopback only, no
//! redirects, a bounded body and a bounded time, then the same checks as
//! `MediaDecrypt` before any plaintext exists.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::build::Build;
use super::rejected;
use crate::adapter::proto::{response::Reply, ErrorCategory, MediaDownloadResult};
use crate::peer::media::keys::{BLOCK, MAC_LEN};
use crate::peer::media::proxy::check_loopback;
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// What a download needs to know of the profile.
pub struct Bounds {
    /// The largest plaintext; the largest blob is one block and a MAC more.
    pub max_attachment: u64,
    pub timeout: Duration,
}

impl Bounds {
    pub fn max_blob(&self) -> u64 {
        self.max_attachment + (BLOCK + MAC_LEN) as u64
    }
}

fn agent(build: Build, bounds: &Bounds) -> ureq::Agent {
    let timeout = (!build.has(Mutant::MediaDownloadNoTimeout)).then_some(bounds.timeout);
    let redirects = if build.is(Variant::MediaDownloadFollowsRedirects) {
        3
    } else {
        0
    };
    ureq::Agent::config_builder()
        .timeout_global(timeout)
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(redirects)
        .build()
        .into()
}

/// Fetches the blob at `url`, or the refusal.
pub fn fetch_blob(build: Build, bounds: &Bounds, url: &str) -> Result<Vec<u8>, Reply> {
    check_loopback(url).map_err(|e| rejected(ErrorCategory::SchemaViolation, e))?;
    let mut response = agent(build, bounds).get(url).call().map_err(|e| match e {
        ureq::Error::Timeout(_) => rejected(
            ErrorCategory::LimitExceeded,
            format!("the download took longer than {:?}", bounds.timeout),
        ),
        other => rejected(
            ErrorCategory::MalformedInput,
            format!("download failed: {other}"),
        ),
    })?;
    let status = response.status().as_u16();
    if status != 200 && !build.has(Mutant::MediaDownloadIgnoresStatus) {
        return Err(rejected(
            ErrorCategory::NotFound,
            format!("the media server answered {status}"),
        ));
    }
    let unbounded = build.has(Mutant::MediaDownloadUnboundedBody);
    let limit = if unbounded {
        u64::MAX
    } else {
        bounds.max_blob()
    };
    let announced = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_none() && build.has(Mutant::MediaDownloadRequiresContentLength) {
        return Err(rejected(
            ErrorCategory::MalformedInput,
            "an answer without Content-Length",
        ));
    }
    if announced.is_some_and(|n| n > limit) {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!(
                "an answer of {} bytes; no attachment blob exceeds {limit}",
                announced.unwrap_or(0)
            ),
        ));
    }
    // ureq's limit refuses a body of exactly `limit` bytes (it fails the
    // read after the last byte), so one more is allowed and checked here.
    let body = response
        .body_mut()
        .with_config()
        .limit(limit.saturating_add(1))
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => rejected(
                ErrorCategory::LimitExceeded,
                format!("the download took longer than {:?}", bounds.timeout),
            ),
            ureq::Error::BodyExceedsLimit(_) => rejected(
                ErrorCategory::LimitExceeded,
                format!("an answer longer than {limit} bytes"),
            ),
            other => rejected(
                ErrorCategory::MalformedInput,
                format!("reading the download failed: {other}"),
            ),
        })?;
    if body.len() as u64 > limit {
        return Err(rejected(
            ErrorCategory::LimitExceeded,
            format!("an answer longer than {limit} bytes"),
        ));
    }
    Ok(body)
}

/// The result of a verified download, opened as `opened_as`.
pub fn downloaded(plaintext: &[u8], opened_as: String) -> Reply {
    Reply::MediaDownload(MediaDownloadResult {
        plaintext_sha256: Sha256::digest(plaintext).to_vec(),
        length: plaintext.len() as u64,
        opened_as,
    })
}
