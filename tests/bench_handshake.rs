//! The handshake benchmark runs and yields positive figures. With
//! `-- --ignored --nocapture` it measures for 3 s each and prints them.

mod common;

use std::time::Duration;

use interspec::bench::handshake as bench_handshake;
use interspec::targets::Launcher;

fn launcher() -> Launcher {
    Launcher {
        interspec_exe: common::exe(),
    }
}

#[test]
fn handshake_bench_yields_positive_figures() {
    let result = bench_handshake::run(&launcher(), Duration::from_millis(50)).expect("bench");
    for figure in [
        result.peer_handshakes_per_sec,
        result.snow_handshakes_per_sec,
        result.peer_transport_mb_per_sec,
        result.snow_transport_mb_per_sec,
        result.adapter_handshakes_per_sec,
    ] {
        assert!(figure.is_finite() && figure > 0.0, "{result:?}");
    }
    assert!(result.render().contains("peer/snow"));
}

#[test]
#[ignore = "measures for 15 s; run with --ignored --nocapture to print figures"]
fn print_handshake_bench() {
    let result = bench_handshake::run(&launcher(), Duration::from_secs(3)).expect("bench");
    println!("{}", result.render());
}
