//! The reference provider's media server on 127.0.0.1 (tiny_http): it
//! keeps the blobs its client uploads and serves them, encrypted, to the
//! gatekeeper's proxy (docs/media.md §The media server). One thread; it
//! stops when the server is dropped (on Reset or exit).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use base64::Engine;
use rand::RngCore;
use rand_core::OsRng;
use subtle::ConstantTimeEq;

use super::build::Build;
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// Where objects live: `/m/TOKEN`.
pub const OBJECT_PREFIX: &str = "/m/";
/// Random bytes in an object's token: 256 bits, far past guessing.
const TOKEN_BYTES: usize = 32;
/// How many token characters `MediaServerPrefixMatch` compares.
const MUTANT_PREFIX_CHARS: usize = 8;

/// What the server keeps of one upload.
pub struct Object {
    pub blob: Vec<u8>,
    /// When it was uploaded, on the server's clock (Unix seconds).
    pub created: u64,
    /// Only the `MediaServerKeepsPlaintext` mutant fills it.
    pub plaintext: Option<Vec<u8>>,
}

/// The server's state, shared with its thread.
#[derive(Default)]
pub struct Store {
    objects: HashMap<String, Object>,
    /// The Authorization value the proxy presents; `None`: capability URLs.
    authorization: Option<String>,
    uploads: u64,
    /// How long a URL is served after its upload, in seconds.
    lifetime: u64,
    /// Seconds added to the system clock (MediaAdvanceClock).
    clock_offset: u64,
}

impl Store {
    /// The server's clock: the system's, moved by MediaAdvanceClock.
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            .saturating_add(self.clock_offset)
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub struct MediaServer {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    store: Arc<Mutex<Store>>,
    build: Build,
    pub port: u16,
}

impl MediaServer {
    pub fn start(build: Build, lifetime: u64) -> Result<MediaServer, String> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the server has no IP address")?;
        let authorization = (!build.is(Variant::MediaServerCapabilityUrls)).then(|| {
            let mut secret = [0u8; 32];
            OsRng.fill_bytes(&mut secret);
            format!("Bearer {}", hex::encode(secret))
        });
        let store = Arc::new(Mutex::new(Store {
            authorization,
            lifetime,
            ..Store::default()
        }));
        let server = Arc::new(server);
        let thread = {
            let (server, store) = (Arc::clone(&server), Arc::clone(&store));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = answer(&request, &store, build);
                    let _ = request.respond(response);
                }
            })
        };
        Ok(MediaServer {
            server,
            thread: Some(thread),
            store,
            build,
            port,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn authorization(&self) -> String {
        lock(&self.store).authorization.clone().unwrap_or_default()
    }

    /// Stores a blob and returns its path (`/m/TOKEN`).
    pub fn put(&self, blob: Vec<u8>, plaintext: &[u8], media_key: &[u8]) -> String {
        let mut store = lock(&self.store);
        store.uploads += 1;
        let token = if self.build.has(Mutant::MediaServerSequentialUrls) {
            format!("{:08}", store.uploads)
        } else if self.build.has(Mutant::MediaServerKeyInUrl) {
            hex::encode(media_key)
        } else {
            let mut random = [0u8; TOKEN_BYTES];
            OsRng.fill_bytes(&mut random);
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
        };
        let plaintext = self
            .build
            .has(Mutant::MediaServerKeepsPlaintext)
            .then(|| plaintext.to_vec());
        let mut blob = blob;
        if self.build.has(Mutant::MediaServerStripsMacTrailer) {
            blob.truncate(blob.len().saturating_sub(crate::peer::media::keys::MAC_LEN));
        }
        let created = store.now();
        store.objects.insert(
            token.clone(),
            Object {
                blob,
                created,
                plaintext,
            },
        );
        format!("{OBJECT_PREFIX}{token}")
    }

    /// Moves the server's clock forward.
    pub fn advance_clock(&self, seconds: u64) {
        let mut store = lock(&self.store);
        store.clock_offset = store.clock_offset.saturating_add(seconds);
    }

    /// Every stored object's bytes: the blob, and whatever else is kept.
    pub fn stored(&self) -> Vec<Vec<u8>> {
        let store = lock(&self.store);
        let mut out = Vec::new();
        for (token, object) in &store.objects {
            out.push(token.as_bytes().to_vec());
            out.push(object.blob.clone());
            out.extend(object.plaintext.clone());
        }
        out
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Answer = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Option<tiny_http::Header> {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn plain(status: u16, text: &str) -> Answer {
    tiny_http::Response::from_string(text).with_status_code(status)
}

fn request_header<'r>(request: &'r tiny_http::Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

fn answer(request: &tiny_http::Request, store: &Mutex<Store>, build: Build) -> Answer {
    let head_refused =
        build.has(Mutant::MediaServerNoHead) && *request.method() == tiny_http::Method::Head;
    if head_refused
        || !matches!(
            request.method(),
            tiny_http::Method::Get | tiny_http::Method::Head
        )
    {
        return plain(405, "GET or HEAD").with_header(
            header("Allow", "GET, HEAD").unwrap_or_else(|| unreachable!("a valid header")),
        );
    }
    let store = lock(store);
    if let Some(expected) = &store.authorization {
        let presented = request_header(request, "Authorization").unwrap_or("");
        let matches = bool::from(presented.as_bytes().ct_eq(expected.as_bytes()));
        if !matches && !build.has(Mutant::MediaServerIgnoresAuthorization) {
            if build.is(Variant::MediaServerNotFoundForBadAuthorization) {
                return plain(404, "not found");
            }
            if build.is(Variant::MediaServerForbiddenForBadAuthorization) {
                return plain(403, "forbidden");
            }
            // RFC 9110 §15.5.2: a 401 carries WWW-Authenticate.
            let challenge = header("WWW-Authenticate", "Bearer realm=\"media\"");
            let mut response = plain(401, "unauthorized");
            response.add_header(challenge.unwrap_or_else(|| unreachable!("a valid header")));
            return response;
        }
    }
    let Some(token) = request.url().strip_prefix(OBJECT_PREFIX) else {
        return plain(404, "not found");
    };
    let found = if build.has(Mutant::MediaServerPrefixMatch) {
        let prefix: String = token.chars().take(MUTANT_PREFIX_CHARS).collect();
        store
            .objects
            .iter()
            .find(|(t, _)| prefix.len() == MUTANT_PREFIX_CHARS && t.starts_with(&prefix))
            .map(|(_, o)| o)
    } else {
        store.objects.get(token)
    };
    let Some(object) = found else {
        return plain(404, "not found");
    };
    // The unit slip: the lifetime read as milliseconds.
    let lifetime = if build.has(Mutant::MediaServerLifetimeInMilliseconds) {
        store.lifetime / 1000
    } else {
        store.lifetime
    };
    let expired = store.now() >= object.created.saturating_add(lifetime);
    if expired && !build.has(Mutant::MediaServerNeverExpires) {
        // W3C TAG, Capability URLs §5.1: an expired URL answers 410 or 404.
        return if build.is(Variant::MediaServerExpiredNotFound) {
            plain(404, "not found")
        } else {
            plain(410, "gone")
        };
    }
    let blob = &object.blob;
    let range =
        request_header(request, "Range").filter(|_| !build.is(Variant::MediaServerIgnoresRange));
    let mut answer = range.map(|r| parse_range(r, blob.len()));
    if build.has(Mutant::MediaServerClampsRangeStart)
        && answer == Some(RangeAnswer::Unsatisfiable)
        && !blob.is_empty()
    {
        answer = Some(RangeAnswer::Part {
            first: blob.len() - 1,
            last: blob.len() - 1,
        });
    }
    let (status, body, content_range) = match answer {
        None | Some(RangeAnswer::Whole) => (200, blob.clone(), None),
        Some(RangeAnswer::Unsatisfiable) => (
            416,
            Vec::new(),
            (!build.is(Variant::MediaServerUnsatisfiableWithoutContentRange))
                .then(|| format!("bytes */{}", blob.len())),
        ),
        Some(RangeAnswer::Part { first, last }) => {
            let end = if build.has(Mutant::MediaServerRangeEndExclusive) {
                last
            } else {
                last + 1
            };
            (
                206,
                blob[first..end].to_vec(),
                Some(if build.is(Variant::MediaServerRangeLengthUnknown) {
                    format!("bytes {first}-{last}/*")
                } else {
                    format!("bytes {first}-{last}/{}", blob.len())
                }),
            )
        }
    };
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    response = if build.is(Variant::MediaServerChunked) {
        response.with_chunked_threshold(0)
    } else {
        response.with_chunked_threshold(usize::MAX)
    };
    for (name, value) in [
        ("Content-Type", Some("application/octet-stream".to_string())),
        (
            "Accept-Ranges",
            (!build.is(Variant::MediaServerIgnoresRange)).then(|| "bytes".into()),
        ),
        ("Content-Range", content_range),
        ("Cache-Control", Some("private, no-store".into())),
    ] {
        if let Some(h) = value.and_then(|v| header(name, &v)) {
            response.add_header(h);
        }
    }
    response
}

/// How a `Range` header is answered (RFC 9110 §14.2).
#[derive(Debug, PartialEq, Eq)]
enum RangeAnswer {
    /// Not one byte range this server reads: the whole blob, 200 (the
    /// server MAY ignore Range; multiple ranges are not served).
    Whole,
    Unsatisfiable,
    /// Inclusive byte positions (RFC 9110 §14.1.2).
    Part {
        first: usize,
        last: usize,
    },
}

/// One `bytes=` range of RFC 9110 §14.1.2: `a-b`, `a-`, or `-n`.
fn parse_range(value: &str, len: usize) -> RangeAnswer {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Whole;
    };
    let number = |s: &str| -> Option<usize> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<usize>().unwrap_or(usize::MAX))
    };
    match (
        number(first),
        number(last),
        first.is_empty(),
        last.is_empty(),
    ) {
        // A suffix: the last n bytes (n = 0 is unsatisfiable).
        (None, Some(n), true, false) => {
            if n == 0 || len == 0 {
                RangeAnswer::Unsatisfiable
            } else {
                RangeAnswer::Part {
                    first: len - n.min(len),
                    last: len - 1,
                }
            }
        }
        (Some(a), None, false, true) if a < len => RangeAnswer::Part {
            first: a,
            last: len - 1,
        },
        (Some(a), Some(b), false, false) if a <= b && a < len => RangeAnswer::Part {
            first: a,
            last: b.min(len - 1),
        },
        (Some(a), Some(b), false, false) if a <= b => RangeAnswer::Unsatisfiable,
        (Some(_), None, false, true) => RangeAnswer::Unsatisfiable,
        // last-pos below first-pos is invalid: the field is ignored.
        _ => RangeAnswer::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        use RangeAnswer::*;
        let part = |first, last| Part { first, last };
        assert_eq!(parse_range("bytes=0-9", 100), part(0, 9));
        assert_eq!(parse_range("bytes=90-200", 100), part(90, 99));
        assert_eq!(parse_range("bytes=95-", 100), part(95, 99));
        assert_eq!(parse_range("bytes=-10", 100), part(90, 99));
        assert_eq!(parse_range("bytes=-500", 100), part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=100-120", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=9-0", 100), Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(parse_range("items=0-1", 100), Whole);
        assert_eq!(
            parse_range("bytes=99999999999999999999999-", 100),
            Unsatisfiable
        );
    }
}
