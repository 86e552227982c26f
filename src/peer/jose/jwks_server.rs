//! A loopback HTTP server (tiny_http on 127.0.0.1:0) that serves one JSON
//! document, replaceable while it runs: the gatekeeper's JWKS during a
//! scenario. Dropping it stops the server and joins its thread.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The path the document is served at.
pub const JWKS_PATH: &str = "/jwks.json";

pub struct JwksServer {
    server: Arc<tiny_http::Server>,
    document: Arc<Mutex<String>>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl JwksServer {
    pub fn start(document: String) -> Result<JwksServer, String> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the JWKS server has no IP address")?;
        let server = Arc::new(server);
        let document = Arc::new(Mutex::new(document));
        let thread = {
            let server = Arc::clone(&server);
            let document = Arc::clone(&document);
            std::thread::spawn(move || serve(&server, &document))
        };
        Ok(JwksServer {
            server,
            document,
            thread: Some(thread),
            port,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{JWKS_PATH}", self.port)
    }

    /// Replaces the served document (key rotation on the gatekeeper side).
    pub fn set(&self, document: String) {
        if let Ok(mut current) = self.document.lock() {
            *current = document;
        }
    }
}

fn serve(server: &tiny_http::Server, document: &Mutex<String>) {
    // `incoming_requests` ends when the server is unblocked.
    for request in server.incoming_requests() {
        let response = if request.url() == JWKS_PATH {
            let body = document.lock().map(|d| d.clone()).unwrap_or_default();
            tiny_http::Response::from_string(body).with_header(json_header())
        } else {
            tiny_http::Response::from_string("not found").with_status_code(404)
        };
        let _ = request.respond(response);
    }
}

pub fn json_header() -> tiny_http::Header {
    tiny_http::Header {
        field: "Content-Type"
            .parse()
            .unwrap_or_else(|_| unreachable!("a constant header name")),
        value: "application/json"
            .parse()
            .unwrap_or_else(|_| unreachable!("a constant header value")),
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn serves_and_replaces_the_document_then_stops() {
        let server = JwksServer::start("{\"keys\":[]}".into()).expect("start");
        let url = server.url();
        let got = super::super::http::get(&url, Duration::from_secs(5)).expect("get");
        assert_eq!(
            (got.status, got.body.as_slice()),
            (200, &b"{\"keys\":[]}"[..])
        );
        server.set("{\"keys\":[1]}".into());
        let got = super::super::http::get(&url, Duration::from_secs(5)).expect("get");
        assert_eq!(got.body, b"{\"keys\":[1]}");
        drop(server);
        assert!(super::super::http::get(&url, Duration::from_secs(2)).is_err());
    }
}
