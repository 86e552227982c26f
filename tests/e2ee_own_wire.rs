//! A target that declares E2EE but not SIGNAL_V3_WIRE (its own wire
//! format): every e2ee scenario with the peer is not applicable, and every
//! device-to-device scenario still runs and passes. The target is the
//! reference behind a 127.0.0.1 listener that drops SIGNAL_V3_WIRE from its
//! Hello.

mod common;

use std::io::{BufReader, BufWriter};
use std::net::TcpListener;
use std::time::Duration;

use interspec::adapter::frame::read_frame;
use interspec::adapter::proto::{response::Reply, Capability, Request};
use interspec::catalog::profile::SIGNAL_WIRE_TAG;
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::runner::run;
use interspec::scenario::outcome::OutcomeKind;
use interspec::targets::reference::Reference;
use interspec::targets::stdio::write_response;
use interspec::targets::TargetSpec;
use prost::Message;

fn serve_without_wire_capability(listener: TcpListener) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { return };
        std::thread::spawn(move || {
            let Ok(read_half) = stream.try_clone() else {
                return;
            };
            let mut input = BufReader::new(read_half);
            let mut output = BufWriter::new(stream);
            let mut target = Reference::new(None);
            let mut scratch = Vec::new();
            while let Ok(body) = read_frame(&mut input, target.max_frame()) {
                let Ok(request) = Request::decode(body.as_slice()) else {
                    return;
                };
                let mut response = target.handle(request);
                if let Some(Reply::Hello(hello)) = response.reply.as_mut() {
                    hello
                        .capabilities
                        .retain(|c| *c != Capability::SignalV3Wire as i32);
                }
                if write_response(&mut output, &response, &mut scratch).is_err() {
                    return;
                }
            }
        });
    }
}

#[test]
fn without_the_wire_capability_only_device_to_device_applies() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || serve_without_wire_capability(listener));

    let catalog = Catalog::builtin().expect("catalog");
    let plan = build_plan(
        &catalog,
        &Selection {
            suites: vec!["e2ee".into()],
            ..Selection::default()
        },
    )
    .expect("plan");
    let config = common::config(TargetSpec::Tcp(addr.to_string()), Duration::from_secs(10));
    let result = run(&plan, &config, &mut |_| {}).expect("run");
    assert_eq!(result.outcomes.len(), plan.len());
    // What needs Signal's wire (tag `signal-wire`, and the fixed-key and
    // safety-number scenarios, which compare Signal bytes) does not apply;
    // every device-to-device scenario runs and passes.
    let signal_only = |id: &str| {
        catalog.suite("e2ee").is_some_and(|suite| {
            suite.scenarios.iter().any(|s| {
                s.id == id
                    && (s.tags.iter().any(|t| t == SIGNAL_WIRE_TAG)
                        || s.needs.iter().any(|n| n != "E2EE_CLONE_DEVICE"))
            })
        })
    };
    for outcome in &result.outcomes {
        let expected = if signal_only(&outcome.id) {
            OutcomeKind::NotApplicable
        } else {
            OutcomeKind::Pass
        };
        assert_eq!(
            outcome.kind, expected,
            "{}: {}",
            outcome.id, outcome.message
        );
    }
}
