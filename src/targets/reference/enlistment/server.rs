//! The provider's HTTP server on 127.0.0.1 (tiny_http): OpenID discovery,
//! the JWKS, and the two endpoints the gatekeeper calls. One thread; it
//! stops when the server is dropped (on Reset or exit).

use std::io::Read;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use serde_json::json;

use super::Provider;
use crate::peer::jose::jwks_server::json_header;
use crate::targets::mutants::Mutant;

/// OpenID Connect Discovery 1.0 §4: the configuration lives at the
/// issuer plus this path.
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
pub const JWKS_PATH: &str = "/jwks.json";
pub const PUSH_PATH: &str = "/gatekeeper/push";
pub const AUTHENTICATE_PATH: &str = "/gatekeeper/authenticate";
/// The largest request body read.
const MAX_BODY: u64 = 64 * 1024;

pub struct HttpServer {
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
    pub port: u16,
}

pub fn lock(provider: &Mutex<Provider>) -> MutexGuard<'_, Provider> {
    provider
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl HttpServer {
    pub fn start(provider: Arc<Mutex<Provider>>) -> Result<HttpServer, String> {
        let server = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or("the server has no IP address")?;
        let server = Arc::new(server);
        let thread = {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(request, &provider);
                }
            })
        };
        Ok(HttpServer {
            server,
            thread: Some(thread),
            port,
        })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn json_response(status: u16, body: String) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string(body)
        .with_status_code(status)
        .with_header(json_header())
}

fn handle(mut request: tiny_http::Request, provider: &Mutex<Provider>) {
    let method = request.method().clone();
    let path = request.url().to_string();
    let response = match (method, path.as_str()) {
        (tiny_http::Method::Get, DISCOVERY_PATH) => {
            let p = lock(provider);
            // OpenID Connect Discovery 1.0 §3: issuer, jwks_uri and the
            // REQUIRED members for an OpenID provider.
            let mut doc = json!({
                "issuer": p.issuer,
                "jwks_uri": format!("{}{JWKS_PATH}", p.issuer),
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["EdDSA", "ES256"],
                "authorization_endpoint": format!("{}/authorize", p.issuer),
            });
            if let serde_json::Value::Object(map) = &mut doc {
                // The defects: a REQUIRED member left out; the issuer
                // written with a trailing slash.
                if p.has(Mutant::EnlistmentDiscoveryMissingMember) {
                    map.remove("subject_types_supported");
                }
                if p.has(Mutant::EnlistmentIssuerTrailingSlash) {
                    map.insert("issuer".into(), format!("{}/", p.issuer).into());
                }
            }
            json_response(200, doc.to_string())
        }
        (tiny_http::Method::Get, JWKS_PATH) => {
            json_response(200, lock(provider).jwks().to_string())
        }
        (tiny_http::Method::Post, PUSH_PATH | AUTHENTICATE_PATH) => {
            let authorization = request
                .headers()
                .iter()
                .find(|h| h.field.equiv("Authorization"))
                .map(|h| h.value.as_str().to_string());
            let mut body = Vec::new();
            let read = request
                .as_reader()
                .take(MAX_BODY + 1)
                .read_to_end(&mut body);
            if read.is_err() || body.len() as u64 > MAX_BODY {
                json_response(413, json!({"error": "body too large"}).to_string())
            } else {
                let endpoint = if path == PUSH_PATH {
                    "push"
                } else {
                    "authenticate"
                };
                let (status, answer) =
                    lock(provider).gatekeeper_call(endpoint, authorization.as_deref(), &body);
                json_response(status, answer)
            }
        }
        _ => json_response(404, json!({"error": "not found"}).to_string()),
    };
    let _ = request.respond(response);
}
