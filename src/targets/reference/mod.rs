//! The built-in reference target: an example conforming implementation of
//! the adapter protocol, and the base every mutant alters in one place.
//! Suites add their operations as modules beside this one.

pub mod build;
pub mod e2ee;
pub mod enlistment;
mod handshake;
mod media;
mod media_download;
mod media_messages;
mod media_open;
mod media_server;
mod stanza;

use std::collections::HashMap;
use std::io::{self, BufRead, Write};

use super::mutants::Mutant;
use super::stdio;
use super::variants::Variant;
use crate::adapter::proto::{
    request::Op, response::Reply, Capability, Configure, ConfigureResult, ErrorCategory, Hello,
    HelloResult, InternalError, PingResult, Recall, RecallResult, Rejected, Remember,
    RememberResult, Request, ResetResult, Response, Unsupported,
};
use crate::adapter::{DEFAULT_MAX_FRAME, PROTOCOL_MAJOR, PROTOCOL_MINOR};

/// The buffer the `AdapterPingTruncates64k` mutant echoes through.
const MUTANT_PING_BUFFER: usize = 64 * 1024;

/// The reference's state: everything `Reset` clears.
pub struct Reference {
    /// The mutant or variant this reference runs as; every suite module
    /// below is given it when created.
    build: build::Build,
    /// What the last `Configure` set; kept across `Reset`.
    configured: Option<Configure>,
    remembered: HashMap<String, Vec<u8>>,
    responses_sent: u64,
    handshake: handshake::HandshakeSuite,
    e2ee: e2ee::E2ee,
    stanza: stanza::StanzaOps,
    enlistment: enlistment::EnlistmentSuite,
    media: media::MediaOps,
}

impl Reference {
    pub fn new(mutant: Option<Mutant>) -> Reference {
        Reference::build(mutant, None)
    }

    pub fn build(mutant: Option<Mutant>, variant: Option<Variant>) -> Reference {
        let build = build::Build::new(mutant, variant);
        let mut reference = Reference {
            build,
            configured: None,
            remembered: HashMap::new(),
            responses_sent: 0,
            handshake: handshake::HandshakeSuite::new(build),
            e2ee: e2ee::new(build),
            stanza: stanza::StanzaOps::new(build),
            enlistment: enlistment::EnlistmentSuite::new(build),
            media: media::MediaOps::new(build),
        };
        reference.apply_configuration();
        reference
    }

    fn has(&self, defect: Mutant) -> bool {
        self.build.has(defect)
    }

    fn is(&self, behaviour: Variant) -> bool {
        self.build.is(behaviour)
    }

    /// Hands the configured profile values to every suite module that
    /// takes some (after construction, `Configure` and `Reset`).
    fn apply_configuration(&mut self) {
        let configured = self.configured.clone().unwrap_or_default();
        self.e2ee.ops.set_profile(configured.e2ee);
        self.stanza.set_profile(configured.stanza);
        self.enlistment.set_profile(configured.enlistment);
        self.media.set_profile(configured.media);
    }

    /// Accepts every profile value it can honour; refuses the rest.
    fn configure(&mut self, configure: Configure) -> Reply {
        if self.is(Variant::AdapterProtocol10) {
            return Reply::Unsupported(Unsupported {
                detail: "adapter protocol 1.0: no Configure".into(),
            });
        }
        if let Some(adapter) = &configure.adapter {
            if adapter.max_frame_size > DEFAULT_MAX_FRAME as u64 {
                return rejected(
                    ErrorCategory::LimitExceeded,
                    format!(
                        "frames above {DEFAULT_MAX_FRAME} bytes are not read (asked {})",
                        adapter.max_frame_size
                    ),
                );
            }
        }
        if let Some(Err(refusal)) = configure.e2ee.as_ref().map(e2ee::check_limits) {
            return refusal;
        }
        self.configured = Some(configure);
        self.apply_configuration();
        Reply::Configure(ConfigureResult {})
    }

    /// The largest frame this target reads.
    pub fn max_frame(&self) -> usize {
        if self.has(Mutant::AdapterNoFrameLimit) {
            usize::MAX
        } else {
            DEFAULT_MAX_FRAME
        }
    }

    /// Answers one decoded request.
    pub fn handle(&mut self, request: Request) -> Response {
        let reply = match request.op {
            Some(Op::Hello(hello)) => self.hello(hello),
            Some(Op::Reset(_)) => {
                if !self.has(Mutant::AdapterResetKeepsState) {
                    self.remembered.clear();
                    self.handshake.reset();
                    self.e2ee.reset();
                    self.stanza = stanza::StanzaOps::new(self.build);
                    self.apply_configuration();
                }
                // Outside the adapter mutant's defect (remembered values):
                // the provider's HTTP server lives from one Reset to the next.
                self.enlistment.reset();
                self.media.reset();
                Reply::Reset(ResetResult {})
            }
            Some(Op::Configure(configure)) => self.configure(configure),
            Some(Op::Ping(ping)) => {
                let mut payload = ping.payload;
                if self.has(Mutant::AdapterPingTruncates64k) {
                    payload.truncate(MUTANT_PING_BUFFER);
                }
                Reply::Ping(PingResult { payload })
            }
            Some(Op::Remember(Remember { key, value })) => {
                self.remembered.insert(key, value);
                Reply::Remember(RememberResult {})
            }
            Some(Op::Recall(Recall { key })) => match self.remembered.get(&key) {
                Some(value) => Reply::Recall(RecallResult {
                    found: true,
                    value: value.clone(),
                }),
                // The defect: a missing key reads as its zero value.
                None if self.has(Mutant::AdapterRecallMissingAsEmpty) => {
                    Reply::Recall(RecallResult {
                        found: true,
                        value: Vec::new(),
                    })
                }
                None => Reply::Recall(RecallResult::default()),
            },
            Some(Op::HsStart(start)) => self.handshake.start(start),
            Some(Op::HsWrite(w)) => self.handshake.write(&w.payload),
            Some(Op::HsRead(r)) => self.handshake.read(&r.message),
            Some(Op::HsStatus(_)) => self.handshake.status(),
            Some(Op::HsSeal(s)) => self.handshake.seal(&s.payload),
            Some(Op::HsOpen(o)) => self.handshake.open(&o.message),
            Some(Op::HsRekey(r)) => self.handshake.rekey(r),
            Some(Op::HsFeed(f)) => self.handshake.feed(&f.data),
            Some(Op::HsSetNonce(n)) => self.handshake.set_nonce(n),
            Some(
                op @ (Op::E2eeCreateDevice(_)
                | Op::E2eeGetBundle(_)
                | Op::E2eeProcessBundle(_)
                | Op::E2eeEncrypt(_)
                | Op::E2eeDecrypt(_)
                | Op::E2eeSafetyNumber(_)
                | Op::E2eeApproveIdentity(_)
                | Op::E2eeDeleteSession(_)
                | Op::E2eeCloneDevice(_)
                | Op::E2eeDescribe(_)),
            ) => self.e2ee.handle(op).unwrap_or_else(|| {
                Reply::Unsupported(Unsupported {
                    detail: "not an e2ee operation".into(),
                })
            }),
            Some(Op::StanzaParse(op)) => self.stanza.parse(&op.xml),
            Some(Op::StanzaSerialize(op)) => self.stanza.serialize(op),
            Some(Op::StanzaPayloadDecode(op)) => self.stanza.payload_decode(op),
            Some(Op::StanzaPayloadEncode(op)) => self.stanza.payload_encode(op),
            Some(Op::EnProviderInfo(_)) => self.enlistment.provider_info(),
            Some(Op::EnConfigure(c)) => self.enlistment.configure(c),
            Some(Op::EnSignIn(s)) => self.enlistment.sign_in(s),
            Some(Op::EnIssueProof(p)) => self.enlistment.issue_proof(p),
            Some(Op::EnRotateKeys(_)) => self.enlistment.rotate_keys(),
            Some(Op::EnDeliveries(_)) => self.enlistment.deliveries(),
            Some(Op::EnAdvanceClock(a)) => self.enlistment.advance_clock(a.seconds),
            Some(Op::MediaEncrypt(op)) => self.media.encrypt_op(op),
            Some(Op::MediaDecrypt(op)) => self.media.decrypt_op(op),
            Some(Op::MediaServer(_)) => self.media.server_op(),
            Some(Op::MediaUpload(op)) => self.media.upload_op(op),
            Some(Op::MediaDownload(op)) => self.media.download_op(op),
            Some(Op::MediaSend(op)) => {
                media_messages::send(&mut self.media, &mut self.e2ee, op, self.build)
            }
            Some(Op::MediaAdvanceClock(op)) => self.media.advance_clock_op(op.seconds),
            Some(Op::MediaReceive(op)) => media_messages::receive(
                &mut self.media,
                &mut self.e2ee,
                &self.stanza,
                op,
                self.build,
            ),
            Some(Op::MediaServerStore(_)) => self.media.store_op(),
            Some(Op::MediaWritten(_)) => self.media.written_op(),
            None if self.has(Mutant::AdapterUnknownOpInternalError) => {
                Reply::InternalError(InternalError {
                    detail: "unhandled operation".into(),
                })
            }
            None => Reply::Unsupported(Unsupported {
                detail: "unknown or missing operation".into(),
            }),
        };
        self.responses_sent += 1;
        let id = if self.has(Mutant::AdapterReplyIdCounter) {
            self.responses_sent
        } else {
            request.id
        };
        Response {
            id,
            reply: Some(reply),
        }
    }

    fn hello(&self, hello: Hello) -> Reply {
        if hello.protocol_major != PROTOCOL_MAJOR && !self.has(Mutant::AdapterAcceptsAnyMajor) {
            return rejected(
                ErrorCategory::VersionMismatch,
                format!(
                    "this target speaks adapter protocol {PROTOCOL_MAJOR}.x, not {}.x",
                    hello.protocol_major
                ),
            );
        }
        if hello.protocol_minor < PROTOCOL_MINOR && self.has(Mutant::AdapterRefusesOlderMinor) {
            return rejected(
                ErrorCategory::VersionMismatch,
                format!(
                    "this target needs adapter protocol {PROTOCOL_MAJOR}.{PROTOCOL_MINOR} or newer"
                ),
            );
        }
        let protocol_10 = self.is(Variant::AdapterProtocol10);
        let mut capabilities = vec![
            Capability::Handshake,
            Capability::Stanza,
            Capability::E2ee,
            Capability::SignalV3Wire,
            Capability::Enlistment,
        ];
        if !protocol_10 {
            if !self.is(Variant::E2eeNoFixedKeys) {
                capabilities.push(Capability::E2eeFixedKeys);
            }
            if !self.is(Variant::E2eeNoSafetyNumbers) {
                capabilities.push(Capability::E2eeSafetyNumbers);
            }
            if !self.is(Variant::E2eeNoCloneDevice) {
                capabilities.push(Capability::E2eeCloneDevice);
            }
            capabilities.push(Capability::EnlistmentClock);
            capabilities.push(Capability::HandshakeFixedKeys);
            capabilities.push(Capability::Media);
            capabilities.push(Capability::MediaClock);
            capabilities.push(Capability::MediaWrites);
            capabilities.push(Capability::MediaOpens);
            if !self.is(Variant::MediaNoServerStore) {
                capabilities.push(Capability::MediaServerStore);
            }
        }
        if self.has(Mutant::AdapterDuplicateCapabilities) {
            // The defect: the enabled features appended to defaults that
            // already hold one of them.
            capabilities.push(Capability::Handshake);
        }
        Reply::Hello(HelloResult {
            protocol_major: PROTOCOL_MAJOR,
            protocol_minor: if protocol_10 { 0 } else { PROTOCOL_MINOR },
            implementation_name: "interspec-reference".into(),
            implementation_version: crate::HARNESS_VERSION.into(),
            capabilities: capabilities.into_iter().map(|c| c as i32).collect(),
            profiles: vec!["default".into(), "gatekeeper-deployed".into()],
            max_frame_size: DEFAULT_MAX_FRAME as u64,
        })
    }
}

pub fn rejected(category: ErrorCategory, detail: impl Into<String>) -> Reply {
    Reply::Rejected(Rejected {
        category: category as i32,
        detail: detail.into(),
    })
}

/// Serves the adapter protocol on this process's stdin and stdout.
pub fn serve_stdio(mutant: Option<Mutant>, variant: Option<Variant>) -> io::Result<()> {
    stdio::serve_stdio(&mut Reference::build(mutant, variant))
}

/// Serves requests from `input` until it ends.
pub fn serve(input: impl BufRead, output: impl Write, mutant: Option<Mutant>) -> io::Result<()> {
    stdio::serve(input, output, &mut Reference::new(mutant))
}

impl stdio::AdapterTarget for Reference {
    fn handle(&mut self, request: Request) -> Response {
        Reference::handle(self, request)
    }

    fn max_frame(&self) -> usize {
        Reference::max_frame(self)
    }

    fn on_undecodable_request(&mut self) {
        if self.has(Mutant::AdapterDiesOnMalformedFrame) {
            eprintln!("reference: could not decode a request; exiting");
            std::process::exit(101);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::Ping;
    use prost::Message;

    fn exchange(requests: &[Request], mutant: Option<Mutant>) -> Vec<Response> {
        let mut input = Vec::new();
        for r in requests {
            r.encode_length_delimited(&mut input).expect("encode");
        }
        let mut output = Vec::new();
        serve(input.as_slice(), &mut output, mutant).expect("serve");
        let mut responses = Vec::new();
        let mut rest = output.as_slice();
        while !rest.is_empty() {
            responses.push(Response::decode_length_delimited(&mut rest).expect("response"));
        }
        responses
    }

    #[test]
    fn ping_is_echoed_under_its_id() {
        let responses = exchange(
            &[Request {
                id: 77,
                op: Some(Op::Ping(Ping {
                    payload: b"abc".to_vec(),
                })),
            }],
            None,
        );
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0].id, 77);
        assert_eq!(
            responses[0].reply,
            Some(Reply::Ping(PingResult {
                payload: b"abc".to_vec()
            }))
        );
    }

    #[test]
    fn truncating_mutant_differs_only_above_64k() {
        let big = vec![7u8; MUTANT_PING_BUFFER + 1];
        let ask = |payload: Vec<u8>| {
            exchange(
                &[Request {
                    id: 1,
                    op: Some(Op::Ping(Ping { payload })),
                }],
                Some(Mutant::AdapterPingTruncates64k),
            )
        };
        assert_eq!(
            ask(vec![1; 10])[0].reply,
            Some(Reply::Ping(PingResult {
                payload: vec![1; 10]
            }))
        );
        assert_ne!(
            ask(big.clone())[0].reply,
            Some(Reply::Ping(PingResult { payload: big }))
        );
    }
}
