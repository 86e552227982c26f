//! The worked exchange in docs/adapter.md is real: each frame shown there in
//! hex is what this implementation encodes for the message described, and
//! what the reference target answers.

use interspec::adapter::proto::{
    request::Op, response::Reply, Capability, ErrorCategory, Hello, HelloResult, Ping, PingResult,
    Rejected, Request, Reset, ResetResult, Response, Unsupported,
};
use prost::Message;

fn frame(message: &impl Message) -> String {
    hex::encode(message.encode_length_delimited_to_vec())
}

/// (description, frame hex) for every step of the documented exchange.
fn exchange() -> Vec<(&'static str, String)> {
    let hello = Request {
        id: 1,
        op: Some(Op::Hello(Hello {
            protocol_major: 1,
            protocol_minor: interspec::adapter::PROTOCOL_MINOR,
            harness_name: "interspec".into(),
            harness_version: "0.1.0".into(),
        })),
    };
    let hello_result = Response {
        id: 1,
        reply: Some(Reply::Hello(HelloResult {
            protocol_major: 1,
            protocol_minor: 0,
            implementation_name: "acme-adapter".into(),
            implementation_version: "2.3".into(),
            capabilities: vec![Capability::E2ee as i32],
            profiles: vec!["default".into()],
            max_frame_size: 16 * 1024 * 1024,
        })),
    };
    let reset = Request {
        id: 2,
        op: Some(Op::Reset(Reset {})),
    };
    let reset_result = Response {
        id: 2,
        reply: Some(Reply::Reset(ResetResult {})),
    };
    let ping = Request {
        id: 3,
        op: Some(Op::Ping(Ping {
            payload: b"hi".to_vec(),
        })),
    };
    let pong = Response {
        id: 3,
        reply: Some(Reply::Ping(PingResult {
            payload: b"hi".to_vec(),
        })),
    };
    let unsupported = Response {
        id: 4,
        reply: Some(Reply::Unsupported(Unsupported {
            detail: "unknown operation".into(),
        })),
    };
    let old_hello = Request {
        id: 5,
        op: Some(Op::Hello(Hello {
            protocol_major: 2,
            protocol_minor: 0,
            harness_name: String::new(),
            harness_version: String::new(),
        })),
    };
    let mismatch = Response {
        id: 5,
        reply: Some(Reply::Rejected(Rejected {
            category: ErrorCategory::VersionMismatch as i32,
            detail: String::new(),
        })),
    };
    vec![
        ("Hello", frame(&hello)),
        ("HelloResult", frame(&hello_result)),
        ("Reset", frame(&reset)),
        ("ResetResult", frame(&reset_result)),
        ("Ping", frame(&ping)),
        ("PingResult", frame(&pong)),
        (
            "unknown operation",
            "0c0804fae930060a0474657374".to_string(),
        ),
        ("Unsupported", frame(&unsupported)),
        ("Hello 2.0", frame(&old_hello)),
        ("Rejected", frame(&mismatch)),
    ]
}

#[test]
fn every_frame_in_the_worked_exchange_is_accurate() {
    let steps = exchange();
    for (what, hex) in &steps {
        println!("{what}: {hex}");
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/adapter.md"))
        .expect("docs/adapter.md");
    let doc_hex: String = doc.split_whitespace().collect();
    for (what, hex) in steps {
        assert!(
            doc_hex.contains(&hex),
            "docs/adapter.md must show the {what} frame as {hex}"
        );
    }
}

#[test]
fn the_unknown_operation_frame_is_what_the_peer_forges() {
    let body = interspec::peer::adapter::unknown_op_request(4, 99_999);
    let mut framed = Vec::new();
    interspec::adapter::frame::encode_frame(&body, &mut framed);
    let expected = exchange()
        .into_iter()
        .find(|(w, _)| *w == "unknown operation")
        .expect("step")
        .1;
    assert_eq!(hex::encode(framed), expected);
}
