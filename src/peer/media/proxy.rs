//! The gatekeeper's media proxy as an HTTP client (ureq, no TLS, no proxy,
//! no redirects): it fetches blobs from the provider's media server. Only
//! loopback URLs are fetched; bodies and time are bounded.

use std::time::Duration;

/// How long one request may take, connection to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The largest body read: the largest attachment the profiles allow, its
/// padding and MAC, and room for an oversized answer to show as one.
pub const MAX_BODY: u64 = 9 * 1024 * 1024;

/// One answer: status, header fields (names lower-cased) and body.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Content-Length`, when sent and a number.
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }
}

/// GET or HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
}

/// Refuses anything but `http://127.0.0.1:PORT/...` or `http://[::1]:PORT/...`.
pub fn check_loopback(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .or_else(|| url.strip_prefix("http://[::1]:"))
        .ok_or_else(|| {
            format!(
                "{:?} is not an http://127.0.0.1:PORT or http://[::1]:PORT URL",
                url.chars().take(200).collect::<String>()
            )
        })?;
    let port_end = rest.find('/').unwrap_or(rest.len());
    match rest[..port_end].parse::<u16>() {
        Ok(port) if port > 0 => Ok(()),
        _ => Err(format!("{url:?} has no valid port")),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .build()
        .into()
}

/// Sends one request with `headers` and reads the answer, bounded.
pub fn fetch(url: &str, method: Method, headers: &[(&str, &str)]) -> Result<Fetched, String> {
    check_loopback(url)?;
    let agent = agent();
    let result = match method {
        Method::Get => {
            let mut request = agent.get(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
        Method::Head => {
            let mut request = agent.head(url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request.call()
        }
    };
    let mut response = result.map_err(|e| format!("HTTP request failed: {e}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| format!("reading the answer's body failed: {e}"))?;
    Ok(Fetched {
        status,
        headers,
        body,
    })
}

/// What a HEAD answer carried, read off the socket: an HTTP library
/// drops whatever follows a HEAD answer's header block, so the one check
/// that matters (no content, RFC 9110 §9.3.2) needs the raw bytes.
#[derive(Debug, Clone)]
pub struct RawHead {
    pub status: u16,
    /// Bytes after the header block until the server closed the connection
    /// or went quiet.
    pub after_head: Vec<u8>,
}

/// The most read of a raw HEAD answer.
const MAX_RAW_HEAD: usize = 256 * 1024;
/// How long the server may stay quiet before the answer counts as done.
const QUIET: Duration = Duration::from_secs(2);

/// Sends `HEAD` with `headers` over a plain socket and reads the answer.
pub fn head_raw(url: &str, headers: &[(&str, &str)]) -> Result<RawHead, String> {
    use std::io::{Read, Write};
    use std::time::Instant;
    check_loopback(url)?;
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = std::net::TcpStream::connect(authority)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(QUIET))
        .and_then(|()| stream.set_write_timeout(Some(QUIET)))
        .map_err(|e| format!("socket: {e}"))?;
    let mut request = format!("HEAD {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending HEAD: {e}"))?;
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    while answer.len() < MAX_RAW_HEAD && started.elapsed() < TIMEOUT {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            // Quiet for a while: whatever was coming has come.
            Err(_) => break,
        }
    }
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the HEAD answer has no complete header block")?;
    let status = std::str::from_utf8(&answer[..end])
        .ok()
        .and_then(|head| head.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or("the HEAD answer has no status line")?;
    Ok(RawHead {
        status,
        after_head: answer[end + 4..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_fetched() {
        assert!(check_loopback("http://127.0.0.1:8080/m/x").is_ok());
        assert!(check_loopback("http://[::1]:8080/m/x").is_ok());
        assert!(check_loopback("http://127.0.0.1.example:80/").is_err());
        assert!(check_loopback("https://127.0.0.1:443/").is_err());
        assert!(check_loopback("http://10.0.0.1:80/").is_err());
        assert!(check_loopback("http://127.0.0.1:0/").is_err());
    }
}
