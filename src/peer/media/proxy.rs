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
