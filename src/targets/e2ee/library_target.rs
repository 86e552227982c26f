//! A built-in target that runs one e2ee library (`builtin:libsignal`,
//! `builtin:olm`): the adapter's own operations (Hello, Reset, Configure,
//! Ping, Remember, Recall) answered here, the e2ee ones by [`E2eeHost`],
//! anything else `Unsupported`. What differs per library is its
//! [`E2eeLibrary`].

use std::collections::HashMap;

use super::{E2eeHost, E2eeOps};
use crate::adapter::proto::{
    request::Op, response::Reply, Configure, ConfigureResult, ErrorCategory, HelloResult,
    PingResult, RecallResult, RememberResult, Request, ResetResult, Response, Unsupported,
};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR};
use crate::targets::reference::rejected;
use crate::targets::stdio::AdapterTarget;

/// What a library target says and accepts beyond its e2ee operations.
pub trait E2eeLibrary: E2eeOps {
    /// The library, as the detail of an `Unsupported` reply names it.
    const NAME: &'static str;
    /// The answer to `Hello`.
    fn hello() -> HelloResult;
    /// Whether the target can be judged under `configure`'s e2ee values:
    /// the refusal if not, else the body bound to take (if one is given).
    fn check_configure(configure: &Configure) -> Result<Option<usize>, Reply>;
    /// Takes the configured body bound.
    fn set_max_body_len(&mut self, len: usize);
}

/// The target's state: `Reset` clears the devices and remembered values;
/// the configured body bound is kept.
pub struct LibraryTarget<O: E2eeLibrary> {
    remembered: HashMap<String, Vec<u8>>,
    e2ee: E2eeHost<O>,
}

impl<O: E2eeLibrary> LibraryTarget<O> {
    pub fn new(ops: O) -> Self {
        LibraryTarget {
            remembered: HashMap::new(),
            e2ee: E2eeHost::new(ops),
        }
    }

    /// The library's operations (and the bounds they were configured with).
    pub fn ops(&self) -> &O {
        &self.e2ee.ops
    }
}

impl<O: E2eeLibrary> AdapterTarget for LibraryTarget<O> {
    fn handle(&mut self, request: Request) -> Response {
        let reply = match request.op {
            Some(Op::Hello(hello)) if hello.protocol_major != PROTOCOL_MAJOR => rejected(
                ErrorCategory::VersionMismatch,
                format!(
                    "this target speaks adapter protocol {PROTOCOL_MAJOR}.x, not {}.x",
                    hello.protocol_major
                ),
            ),
            Some(Op::Hello(_)) => Reply::Hello(O::hello()),
            Some(Op::Reset(_)) => {
                self.remembered.clear();
                self.e2ee.reset();
                Reply::Reset(ResetResult {})
            }
            Some(Op::Configure(configure)) => match O::check_configure(&configure) {
                Ok(body) => {
                    if let Some(body) = body {
                        self.e2ee.ops.set_max_body_len(body);
                    }
                    Reply::Configure(ConfigureResult {})
                }
                Err(refusal) => refusal,
            },
            Some(Op::Ping(ping)) => Reply::Ping(PingResult {
                payload: ping.payload,
            }),
            Some(Op::Remember(r)) => {
                self.remembered.insert(r.key, r.value);
                Reply::Remember(RememberResult {})
            }
            Some(Op::Recall(r)) => match self.remembered.get(&r.key) {
                Some(value) => Reply::Recall(RecallResult {
                    found: true,
                    value: value.clone(),
                }),
                None => Reply::Recall(RecallResult::default()),
            },
            Some(op) => self.e2ee.handle(op).unwrap_or_else(|| {
                Reply::Unsupported(Unsupported {
                    detail: format!("this target runs {}'s e2ee operations only", O::NAME),
                })
            }),
            None => Reply::Unsupported(Unsupported {
                detail: "unknown or missing operation".into(),
            }),
        };
        Response {
            id: request.id,
            reply: Some(reply),
        }
    }

    fn max_frame(&self) -> usize {
        DEFAULT_MAX_FRAME
    }
}
