//! A loopback-only HTTP client (ureq, no TLS, no proxy): the harness's
//! calls to the target's endpoints, and the reference target's fetch of
//! the gatekeeper's JWKS. Any URL not on 127.0.0.1 is refused before a
//! connection is made; response bodies are bounded.

use std::time::Duration;

/// The largest response body read.
pub const MAX_BODY: u64 = 256 * 1024;

/// A response: status and body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Refuses anything but `http://127.0.0.1:PORT/...`.
pub fn check_loopback(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://127.0.0.1:")
        .ok_or_else(|| format!("{url:?} is not an http://127.0.0.1:PORT URL"))?;
    let port_end = rest.find('/').unwrap_or(rest.len());
    match rest[..port_end].parse::<u16>() {
        Ok(port) if port > 0 => Ok(()),
        _ => Err(format!("{url:?} has no valid port")),
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .build()
        .into()
}

fn finish(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<HttpResponse, String> {
    let mut response = result.map_err(|e| format!("HTTP request failed: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_vec()
        .map_err(|e| format!("reading the response body failed: {e}"))?;
    Ok(HttpResponse { status, body })
}

/// GET on loopback.
pub fn get(url: &str, timeout: Duration) -> Result<HttpResponse, String> {
    check_loopback(url)?;
    finish(agent(timeout).get(url).call())
}

/// POST a JSON body on loopback, with `Authorization: Bearer TOKEN` when
/// a token is given (RFC 6750 §2.1).
pub fn post(
    url: &str,
    bearer: Option<&str>,
    body: &[u8],
    timeout: Duration,
) -> Result<HttpResponse, String> {
    check_loopback(url)?;
    let mut request = agent(timeout)
        .post(url)
        .header("Content-Type", "application/json");
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    finish(request.send(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_pass() {
        assert!(check_loopback("http://127.0.0.1:8080/jwks.json").is_ok());
        assert!(check_loopback("http://127.0.0.1:1").is_ok());
        assert!(check_loopback("http://example.com/").is_err());
        assert!(check_loopback("http://127.0.0.1.example.com:80/").is_err());
        assert!(check_loopback("https://127.0.0.1:443/").is_err());
        assert!(check_loopback("http://127.0.0.1:0/").is_err());
        assert!(check_loopback("http://127.0.0.1:99999/").is_err());
    }
}
