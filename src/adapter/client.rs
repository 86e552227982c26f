//! Request/response layer over a [`Link`]: encodes requests, reads and checks
//! responses, enforces per-call timeouts and the scenario's deadline, and
//! records a transcript. Everything read here is hostile input: every
//! problem becomes a [`CallError`], never a panic.

use std::time::{Duration, Instant};

use prost::Message;

use super::decode::{mostly_text, Shape};
use super::frame::{self, FrameError};
use super::link::{describe_exit, Link};
use super::names::{op_name, reply_name};
use super::proto::{request::Op, response, Hello, HelloResult, Request, Response};
use super::transcript::Transcript;
use super::{PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::redact::Redactor;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Largest response frame accepted, and the bound the harness keeps to
    /// when it sends.
    pub max_frame: usize,
    /// How long one call may wait for its reply.
    pub call_timeout: Duration,
    /// Whether to keep a transcript (off for benchmarks).
    pub record: bool,
    /// Leading bytes of a registered plaintext that evidence may show.
    pub plaintext_excerpt: usize,
}

/// Bytes of an undecodable reply quoted in the error when they read as text.
const TEXT_QUOTED: usize = 80;

/// For a reply that is not protobuf but reads as text (a target printing a
/// debug line to stdout, where the frames go), the text and what is wrong.
fn text_hint(body: &[u8]) -> String {
    if !mostly_text(body) {
        return String::new();
    }
    let shown = String::from_utf8_lossy(&body[..body.len().min(TEXT_QUOTED)]);
    let more = if body.len() > TEXT_QUOTED { "…" } else { "" };
    format!(
        "; it reads as text ({:?}{more}): text on stdout: logs belong on stderr",
        shown.trim_end()
    )
}

/// A reply, classified as the adapter protocol defines.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An operation's result (any `Response.reply` variant that is not one of
    /// the three below).
    Result(response::Reply),
    Rejected {
        category: i32,
        detail: String,
    },
    Unsupported(String),
    Internal(String),
}

impl Reply {
    pub fn from_response(response: Response) -> Result<Reply, CallError> {
        Ok(match response.reply {
            None => return Err(CallError::EmptyReply),
            Some(response::Reply::Rejected(r)) => Reply::Rejected {
                category: r.category,
                detail: r.detail,
            },
            Some(response::Reply::Unsupported(u)) => Reply::Unsupported(u.detail),
            Some(response::Reply::InternalError(e)) => Reply::Internal(e.detail),
            Some(other) => Reply::Result(other),
        })
    }

    /// A short description for messages ("PingResult", "Rejected(BAD_MAC)").
    pub fn describe(&self) -> String {
        match self {
            Reply::Result(r) => reply_name(Some(r)),
            Reply::Rejected { category, detail } => format!(
                "Rejected({}: {:?})",
                super::names::category_name(*category),
                bounded_detail(detail)
            ),
            Reply::Unsupported(detail) => format!("Unsupported({:?})", bounded_detail(detail)),
            Reply::Internal(detail) => format!("InternalError({:?})", bounded_detail(detail)),
        }
    }
}

/// Characters of a target's `detail` quoted in messages: a longer one
/// keeps its head and tail and says how much was left out, so a message
/// naming many replies stays readable and bounded.
const DETAIL_SHOWN: usize = 512;

fn bounded_detail(detail: &str) -> String {
    let count = detail.chars().count();
    if count <= DETAIL_SHOWN {
        return detail.to_string();
    }
    let head: String = detail.chars().take(DETAIL_SHOWN - 64).collect();
    let tail: String = detail.chars().skip(count - 64).collect();
    format!(
        "{head}[… {} of {count} characters elided …]{tail}",
        count - DETAIL_SHOWN
    )
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("the target did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("the scenario's time budget ran out")]
    Deadline,
    #[error("the target closed the connection{0}")]
    Closed(String),
    #[error("the target sent an invalid frame: {0}")]
    BadFrame(String),
    #[error("the target answered request {expected} with id {got}")]
    WrongId { expected: u64, got: u64 },
    #[error("the target sent a response with no reply in it")]
    EmptyReply,
    #[error("the connection is unusable after an earlier failure: {0}")]
    Broken(String),
    #[error("i/o error talking to the target: {0}")]
    Io(String),
}

pub struct AdapterClient {
    link: Link,
    config: ClientConfig,
    next_id: u64,
    deadline: Option<Instant>,
    transcript: Transcript,
    broken: Option<String>,
    /// A call ran out of time (the target did not answer).
    unresponsive: bool,
    tainted: bool,
    scratch: Vec<u8>,
    redactor: Redactor,
}

impl AdapterClient {
    pub fn new(link: Link, config: ClientConfig) -> AdapterClient {
        let transcript = Transcript::new(config.record);
        AdapterClient {
            link,
            config,
            next_id: 1,
            deadline: None,
            transcript,
            broken: None,
            unresponsive: false,
            tainted: false,
            scratch: Vec::with_capacity(1024),
            redactor: Redactor::default(),
        }
    }

    /// Opens the connection: sends `Hello` and checks the major version.
    pub fn hello(&mut self) -> Result<HelloResult, String> {
        let reply = self
            .call(Op::Hello(Hello {
                protocol_major: PROTOCOL_MAJOR,
                protocol_minor: PROTOCOL_MINOR,
                harness_name: crate::HARNESS_NAME.into(),
                harness_version: crate::HARNESS_VERSION.into(),
            }))
            .map_err(|e| format!("Hello failed: {e}"))?;
        let hello = match reply {
            Reply::Result(response::Reply::Hello(h)) => h,
            other => return Err(format!("Hello was answered with {}", other.describe())),
        };
        if hello.protocol_major != PROTOCOL_MAJOR {
            return Err(format!(
                "the target speaks adapter protocol {}.{}, this harness speaks {}.{}: major versions must match",
                hello.protocol_major, hello.protocol_minor, PROTOCOL_MAJOR, PROTOCOL_MINOR
            ));
        }
        Ok(hello)
    }

    /// Sends `op` under a fresh id and waits for its reply.
    pub fn call(&mut self, op: Op) -> Result<Reply, CallError> {
        let id = self.fresh_id();
        self.call_with_id(id, op)
    }

    pub fn call_with_id(&mut self, id: u64, op: Op) -> Result<Reply, CallError> {
        self.send(&Request { id, op: Some(op) })?;
        let response = self.receive()?;
        if response.id != id {
            return Err(self.fail(CallError::WrongId {
                expected: id,
                got: response.id,
            }));
        }
        Reply::from_response(response).map_err(|e| self.fail(e))
    }

    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends one request without waiting (for pipelining).
    pub fn send(&mut self, request: &Request) -> Result<(), CallError> {
        let mut frame = std::mem::take(&mut self.scratch);
        frame.clear();
        // Encoding into a Vec cannot fail: it grows as needed.
        let _ = request.encode_length_delimited(&mut frame);
        // User plaintext the harness sends is registered whatever the
        // scenario does, so evidence shows only the allowed excerpt.
        if let Some(Op::E2eeEncrypt(encrypt)) = &request.op {
            self.register_plaintext(&encrypt.plaintext);
        }
        if self.config.record {
            let label = format!("-> {} id={}", op_name(request.op.as_ref()), request.id);
            self.transcript
                .record(&label, Shape::Request, &frame, &self.redactor);
        }
        let result = self.write(&frame);
        // Keep the buffer: this is the per-call hot path.
        self.scratch = frame;
        result
    }

    /// Sends `body` as one well-framed frame, whatever it contains (a request
    /// with an unknown operation, a body that is not protobuf).
    pub fn send_body(&mut self, label: &str, body: &[u8]) -> Result<(), CallError> {
        let mut framed = Vec::with_capacity(body.len() + 10);
        frame::encode_frame(body, &mut framed);
        // Decoded as a Request only when it is one (this sends bodies that
        // are not, on purpose).
        let shape = if Request::decode(body).is_ok() {
            Shape::Request
        } else {
            Shape::Opaque
        };
        self.transcript
            .record(&format!("-> {label}"), shape, &framed, &self.redactor);
        self.write(&framed)
    }

    /// Sends bytes as they are, framed or not: for deliberately invalid
    /// input. The connection is then considered tainted and is replaced
    /// before the next scenario.
    pub fn send_raw(&mut self, label: &str, bytes: &[u8]) -> Result<(), CallError> {
        self.tainted = true;
        self.transcript.record(
            &format!("-> {label} (raw)"),
            Shape::Opaque,
            bytes,
            &self.redactor,
        );
        self.write(bytes)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), CallError> {
        let timeout = self.effective_timeout()?;
        self.link
            .set_timeout(timeout.0)
            .map_err(|e| self.fail(CallError::Io(e.to_string())))?;
        match self.link.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(err) => {
                let mapped = match FrameError::from(err) {
                    FrameError::TimedOut if timeout.1 => CallError::Deadline,
                    FrameError::TimedOut => CallError::Timeout(timeout.0),
                    FrameError::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        CallError::Closed(self.exit_note())
                    }
                    other => CallError::Io(other.to_string()),
                };
                Err(self.fail(mapped))
            }
        }
    }

    /// Reads the next response.
    pub fn receive(&mut self) -> Result<Response, CallError> {
        let timeout = self.effective_timeout()?;
        self.receive_for(timeout)
    }

    fn receive_for(&mut self, timeout: (Duration, bool)) -> Result<Response, CallError> {
        self.link
            .set_timeout(timeout.0)
            .map_err(|e| self.fail(CallError::Io(e.to_string())))?;
        let body = match frame::read_frame(self.link.reader(), self.config.max_frame) {
            Ok(body) => body,
            Err(err) => {
                let mapped = match err {
                    FrameError::TimedOut if timeout.1 => CallError::Deadline,
                    FrameError::TimedOut => CallError::Timeout(timeout.0),
                    FrameError::Eof => CallError::Closed(self.exit_note()),
                    FrameError::Io(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                        CallError::Closed(self.exit_note())
                    }
                    FrameError::Io(e) => CallError::Io(e.to_string()),
                    bad => CallError::BadFrame(bad.to_string()),
                };
                return Err(self.fail(mapped));
            }
        };
        match Response::decode(body.as_slice()) {
            Ok(response) => {
                // So is what the target decrypted, right or wrong: it is
                // user plaintext too.
                if let Some(response::Reply::E2eeDecrypt(decrypted)) = &response.reply {
                    self.register_plaintext(&decrypted.plaintext);
                }
                if self.config.record {
                    let label = format!(
                        "<- {} id={}",
                        reply_name(response.reply.as_ref()),
                        response.id
                    );
                    self.transcript
                        .record(&label, Shape::Response, &body, &self.redactor);
                }
                Ok(response)
            }
            Err(err) => {
                self.transcript.record(
                    "<- undecodable frame",
                    Shape::Opaque,
                    &body,
                    &self.redactor,
                );
                Err(self.fail(CallError::BadFrame(format!(
                    "not an adapter Response: {err}{}",
                    text_hint(&body)
                ))))
            }
        }
    }

    /// The timeout for the next wait and whether the scenario deadline (not
    /// the call timeout) is what bounds it.
    fn effective_timeout(&mut self) -> Result<(Duration, bool), CallError> {
        if let Some(reason) = &self.broken {
            return Err(CallError::Broken(reason.clone()));
        }
        let call = self.config.call_timeout;
        match self.deadline {
            None => Ok((call, false)),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    Err(CallError::Deadline)
                } else if left < call {
                    Ok((left, true))
                } else {
                    Ok((call, false))
                }
            }
        }
    }

    /// Marks the connection unusable (the stream may be out of step) and
    /// notes the failure in the transcript.
    fn fail(&mut self, err: CallError) -> CallError {
        self.transcript.note(format!("!! {err}"));
        self.unresponsive |= matches!(err, CallError::Timeout(_) | CallError::Deadline);
        self.broken = Some(err.to_string());
        err
    }

    fn exit_note(&mut self) -> String {
        match self.link.exit_status(Duration::from_millis(500)) {
            Some(status) => format!(" (the target process {})", describe_exit(status)),
            None if self.link.is_process() => " (the target process is still running)".into(),
            None => String::new(),
        }
    }

    /// Bounds every later wait by `deadline` (the scenario's time budget).
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Starts a new scenario's evidence: transcript and registered secrets.
    pub fn clear_transcript(&mut self) {
        self.transcript.clear();
        self.redactor.clear();
    }

    /// Registers bytes that must never appear in evidence. Register before
    /// sending them: frames are redacted as they are recorded.
    pub fn register_secret(&mut self, bytes: &[u8]) {
        self.redactor.secret(bytes);
    }

    /// Registers user plaintext: evidence shows only its leading excerpt.
    pub fn register_plaintext(&mut self, bytes: &[u8]) {
        let excerpt = self.config.plaintext_excerpt;
        self.redactor.plaintext(bytes, excerpt);
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Asks for this connection to be replaced before the next scenario (the
    /// target behaved in a way that leaves its state in doubt).
    pub fn taint(&mut self) {
        self.tainted = true;
    }

    /// Whether this connection must be replaced before the next scenario.
    /// Whether a call on this connection ran out of time.
    pub fn unresponsive(&self) -> bool {
        self.unresponsive
    }

    pub fn needs_replacing(&self) -> bool {
        self.broken.is_some() || self.tainted
    }

    pub fn link(&self) -> &Link {
        &self.link
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }
}
