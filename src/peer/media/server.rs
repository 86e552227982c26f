//! The gatekeeper side's media server on 127.0.0.1, which the provider's
//! client downloads attachments from; it misbehaves on purpose. Raw TCP
//! rather than an HTTP library, because the answers it must give (a
//! `Content-Length` the body does not keep, a drip, a connection closed
//! mid-body) are the ones a library does not send.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The most of a request read: its head only.
const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// How long a connection may take to send its request, or to take a write.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// The size of each write of a body.
const WRITE_CHUNK: usize = 64 * 1024;
/// Connections served at once; more are closed unanswered (the client is
/// the target, which is hostile input like anything else).
const MAX_CONNECTIONS: usize = 64;

/// What one path answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 200 with the body and its `Content-Length`.
    Blob(Vec<u8>),
    /// 200, `Transfer-Encoding: chunked`, chunks of 1000 bytes.
    Chunked(Vec<u8>),
    /// 200 without a length: the body ends when the connection closes.
    CloseDelimited(Vec<u8>),
    /// A status and a short text body.
    Status(u16),
    /// A status other than 200 whose body is the given bytes.
    StatusWithBody(u16, Vec<u8>),
    /// 200 with `Content-Length` of the whole body, but only its first
    /// `sent` bytes, then the connection is closed.
    Truncated { body: Vec<u8>, sent: usize },
    /// 200 with the body's length, sent `step` bytes at a time with
    /// `pause` between, so it takes long to arrive.
    Drip {
        body: Vec<u8>,
        step: usize,
        pause: Duration,
    },
    /// 302 to another path of this server.
    Redirect(String),
}

/// What the server saw on one path.
#[derive(Debug, Default)]
pub struct Seen {
    pub requests: AtomicU64,
    /// Body bytes the client took (writes that succeeded).
    pub body_bytes_taken: AtomicU64,
}

struct Route {
    /// Shared by every connection that asks: a 48 MiB answer is not copied.
    answer: Arc<Answer>,
    seen: Arc<Seen>,
}

type Routes = Arc<Mutex<HashMap<String, Route>>>;

pub struct MediaHost {
    port: u16,
    routes: Routes,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    next: u64,
}

impl MediaHost {
    pub fn start() -> Result<MediaHost, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("no local address: {e}"))?
            .port();
        let routes: Routes = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (routes, stop) = (Arc::clone(&routes), Arc::clone(&stop));
            let active = Arc::new(AtomicUsize::new(0));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                        active.fetch_sub(1, Ordering::SeqCst);
                        continue;
                    }
                    let (routes, active) = (Arc::clone(&routes), Arc::clone(&active));
                    std::thread::spawn(move || {
                        serve(stream, &routes);
                        active.fetch_sub(1, Ordering::SeqCst);
                    });
                }
            })
        };
        Ok(MediaHost {
            port,
            routes,
            stop,
            thread: Some(thread),
            next: 0,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Serves `answer` at a new path; its URL and what the server sees.
    pub fn add(&mut self, answer: Answer) -> (String, Arc<Seen>) {
        self.next += 1;
        let path = format!("/v/{}-{:016x}", self.next, rand::random::<u64>());
        let seen = Arc::new(Seen::default());
        let route = Route {
            answer: Arc::new(answer),
            seen: Arc::clone(&seen),
        };
        if let Ok(mut routes) = self.routes.lock() {
            routes.insert(path.clone(), route);
        }
        (format!("{}{path}", self.base_url()), seen)
    }
}

impl Drop for MediaHost {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The request line's path, from a head bounded in size and time.
fn read_path(stream: &mut TcpStream) -> Option<String> {
    let started = std::time::Instant::now();
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if started.elapsed() > IO_TIMEOUT {
            return None;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > MAX_REQUEST_HEAD {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let (_method, path) = (parts.next()?, parts.next()?);
    Some(path.to_string())
}

/// Writes `body` in chunks, counting what the client took; stops at the
/// first failed write (the client closed or stopped reading).
fn write_body(stream: &mut TcpStream, body: &[u8], seen: &Seen) -> bool {
    for chunk in body.chunks(WRITE_CHUNK) {
        if stream.write_all(chunk).is_err() {
            return false;
        }
        seen.body_bytes_taken
            .fetch_add(chunk.len() as u64, Ordering::SeqCst);
    }
    true
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(mut stream: TcpStream, routes: &Mutex<HashMap<String, Route>>) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Some(path) = read_path(&mut stream) else {
        return;
    };
    let found = routes.lock().ok().and_then(|r| {
        r.get(&path)
            .map(|r| (r.answer.clone(), Arc::clone(&r.seen)))
    });
    let Some((answer, seen)) = found else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let head = |status: u16, fields: &str| {
        format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n{fields}\r\n",
            reason(status)
        )
    };
    match &*answer {
        Answer::Blob(body) => {
            let _ = stream
                .write_all(head(200, &format!("Content-Length: {}\r\n", body.len())).as_bytes());
            write_body(&mut stream, body, &seen);
        }
        Answer::Chunked(body) => {
            let _ = stream.write_all(head(200, "Transfer-Encoding: chunked\r\n").as_bytes());
            for chunk in body.chunks(1000) {
                let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
                write_body(&mut stream, chunk, &seen);
                let _ = stream.write_all(b"\r\n");
            }
            let _ = stream.write_all(b"0\r\n\r\n");
        }
        Answer::CloseDelimited(body) => {
            let _ = stream.write_all(head(200, "").as_bytes());
            write_body(&mut stream, body, &seen);
        }
        &Answer::Status(status) => {
            let text = reason(status);
            let _ = stream
                .write_all(head(status, &format!("Content-Length: {}\r\n", text.len())).as_bytes());
            let _ = stream.write_all(text.as_bytes());
        }
        Answer::StatusWithBody(status, body) => {
            let status = *status;
            let _ = stream
                .write_all(head(status, &format!("Content-Length: {}\r\n", body.len())).as_bytes());
            write_body(&mut stream, body, &seen);
        }
        Answer::Truncated { body, sent } => {
            let sent = *sent;
            let _ = stream
                .write_all(head(200, &format!("Content-Length: {}\r\n", body.len())).as_bytes());
            write_body(&mut stream, &body[..sent.min(body.len())], &seen);
        }
        Answer::Drip { body, step, pause } => {
            let (step, pause) = (*step, *pause);
            let _ = stream
                .write_all(head(200, &format!("Content-Length: {}\r\n", body.len())).as_bytes());
            for chunk in body.chunks(step.max(1)) {
                if !write_body(&mut stream, chunk, &seen) {
                    break;
                }
                let _ = stream.flush();
                std::thread::sleep(pause);
            }
        }
        Answer::Redirect(location) => {
            let _ = stream.write_all(
                head(
                    302,
                    &format!("Location: {location}\r\nContent-Length: 0\r\n"),
                )
                .as_bytes(),
            );
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::media::proxy::{fetch, Method};

    #[test]
    fn each_answer_is_what_it_says() {
        let mut host = MediaHost::start().expect("start");
        let body: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let (url, seen) = host.add(Answer::Blob(body.clone()));
        let got = fetch(&url, Method::Get, &[]).expect("blob");
        assert_eq!((got.status, got.body.as_slice()), (200, body.as_slice()));
        assert_eq!(seen.requests.load(Ordering::SeqCst), 1);
        let (url, _) = host.add(Answer::Chunked(body.clone()));
        let got = fetch(&url, Method::Get, &[]).expect("chunked");
        assert_eq!(got.header("transfer-encoding"), Some("chunked"));
        assert_eq!(got.body, body);
        let (url, _) = host.add(Answer::CloseDelimited(body.clone()));
        assert_eq!(fetch(&url, Method::Get, &[]).expect("close").body, body);
        let (url, _) = host.add(Answer::Status(410));
        assert_eq!(fetch(&url, Method::Get, &[]).expect("410").status, 410);
        let (url, _) = host.add(Answer::Truncated {
            body: body.clone(),
            sent: 100,
        });
        assert!(
            fetch(&url, Method::Get, &[]).is_err(),
            "a truncated body is an error"
        );
        let (url, _) = host.add(Answer::Redirect("/elsewhere".into()));
        let got = fetch(&url, Method::Get, &[]).expect("302");
        assert_eq!(
            (got.status, got.header("location")),
            (302, Some("/elsewhere"))
        );
        // This server answers HEAD like GET, body and all: the raw HEAD
        // reader sees what an HTTP library would drop.
        let (url, _) = host.add(Answer::Blob(body.clone()));
        let raw = crate::peer::media::proxy::head_raw(&url, &[]).expect("head");
        assert_eq!((raw.status, raw.after_head), (200, body.clone()));
        let unknown = format!("{}/v/none", host.base_url());
        assert_eq!(fetch(&unknown, Method::Get, &[]).expect("404").status, 404);
    }
}
