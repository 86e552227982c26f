//! A built-in target that runs one e2ee library (`builtin:libsignal`,
//! `builtin:olm`): the adapter's own operations (Hello, Reset, Configure,
//! Ping, Remember, Recall) answered here, the e2ee ones by [`E2eeHost`].
//! Any other operation goes to the reference's handshake, stanza and
//! enlistment suites when the target is built with them (a provider that
//! uses a compatible e2ee protocol still speaks Noise, stanzas and
//! enlistment), else it is `Unsupported`. What differs per library is its
//! [`E2eeLibrary`].

use std::collections::HashMap;

use super::{E2eeHost, E2eeOps};
use crate::adapter::proto::{
    request::Op, response::Reply, Capability, Configure, ConfigureResult, ErrorCategory, Hello,
    HelloResult, PingResult, RecallResult, RememberResult, Request, ResetResult, Response,
    Unsupported,
};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR};
use crate::targets::reference::{rejected, Reference};
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
    /// The reference, for every suite but e2ee (see the module's doc).
    other_suites: Option<Box<Reference>>,
}

/// The reference's capabilities that belong to its own e2ee engine, which
/// a library target replaces.
const REFERENCE_E2EE_CAPABILITIES: [Capability; 5] = [
    Capability::E2ee,
    Capability::SignalV3Wire,
    Capability::E2eeFixedKeys,
    Capability::E2eeSafetyNumbers,
    Capability::E2eeCloneDevice,
];

impl<O: E2eeLibrary> LibraryTarget<O> {
    /// The library's e2ee operations only.
    pub fn new(ops: O) -> Self {
        LibraryTarget {
            remembered: HashMap::new(),
            e2ee: E2eeHost::new(ops),
            other_suites: None,
        }
    }

    /// The library's e2ee operations beside the reference's other suites.
    pub fn with_other_suites(ops: O) -> Self {
        LibraryTarget {
            other_suites: Some(Box::new(Reference::new(None))),
            ..LibraryTarget::new(ops)
        }
    }

    /// `O`'s Hello, with the other suites' capabilities added.
    fn hello(&mut self, request_id: u64, hello: Hello) -> Reply {
        let mut result = O::hello();
        let Some(reference) = self.other_suites.as_mut() else {
            return Reply::Hello(result);
        };
        let Some(Reply::Hello(other)) = reference
            .handle(Request {
                id: request_id,
                op: Some(Op::Hello(hello)),
            })
            .reply
        else {
            return Reply::Hello(result);
        };
        for capability in other.capabilities {
            let e2ee = REFERENCE_E2EE_CAPABILITIES
                .iter()
                .any(|c| *c as i32 == capability);
            if !e2ee && !result.capabilities.contains(&capability) {
                result.capabilities.push(capability);
            }
        }
        Reply::Hello(result)
    }

    /// Hands `op` to the other suites, if the target has them.
    fn other_suite(&mut self, request_id: u64, op: Op) -> Option<Reply> {
        let reference = self.other_suites.as_mut()?;
        reference
            .handle(Request {
                id: request_id,
                op: Some(op),
            })
            .reply
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
            Some(Op::Hello(hello)) => self.hello(request.id, hello),
            Some(Op::Reset(reset)) => {
                self.remembered.clear();
                self.e2ee.reset();
                let _ = self.other_suite(request.id, Op::Reset(reset));
                Reply::Reset(ResetResult {})
            }
            Some(Op::Configure(configure)) => match O::check_configure(&configure) {
                Ok(body) => match self.other_suite(request.id, Op::Configure(configure)) {
                    Some(refusal @ (Reply::Rejected(_) | Reply::InternalError(_))) => refusal,
                    _ => {
                        if let Some(body) = body {
                            self.e2ee.ops.set_max_body_len(body);
                        }
                        Reply::Configure(ConfigureResult {})
                    }
                },
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
            Some(op) if self.other_suites.is_none() => self.e2ee.handle(op).unwrap_or_else(|| {
                Reply::Unsupported(Unsupported {
                    detail: format!("this target runs {}'s e2ee operations only", O::NAME),
                })
            }),
            Some(op) if is_e2ee(&op) => self.e2ee.handle(op).unwrap_or_else(|| {
                Reply::Unsupported(Unsupported {
                    detail: "not an e2ee operation".into(),
                })
            }),
            Some(op) => self
                .other_suite(request.id, op)
                .unwrap_or_else(|| Reply::Unsupported(Unsupported::default())),
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

/// Whether `op` is one of the e2ee suite's (docs/e2ee.md §Operations).
pub fn is_e2ee(op: &Op) -> bool {
    matches!(
        op,
        Op::E2eeCreateDevice(_)
            | Op::E2eeGetBundle(_)
            | Op::E2eeProcessBundle(_)
            | Op::E2eeEncrypt(_)
            | Op::E2eeDecrypt(_)
            | Op::E2eeSafetyNumber(_)
            | Op::E2eeApproveIdentity(_)
            | Op::E2eeDeleteSession(_)
            | Op::E2eeCloneDevice(_)
            | Op::E2eeDescribe(_)
    )
}
