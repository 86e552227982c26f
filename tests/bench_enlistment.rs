//! The enlistment benchmark runs over loopback HTTP and yields positive
//! figures. With `-- --ignored --nocapture` it measures 3 s each and prints.

mod common;

use std::time::Duration;

use interspec::bench::enlistment as bench_enlistment;
use interspec::targets::Launcher;

fn launcher() -> Launcher {
    Launcher {
        interspec_exe: common::exe(),
    }
}

#[test]
fn enlistment_bench_yields_positive_figures() {
    let result = bench_enlistment::run(&launcher(), Duration::from_millis(50)).expect("bench");
    for figure in [
        result.gatekeeper_calls_per_sec,
        result.proofs_issued_per_sec,
        result.proofs_verified_per_sec,
    ] {
        assert!(figure.is_finite() && figure > 0.0, "{result:?}");
    }
    assert!(result.render().contains("gatekeeper calls/s"));
}

#[test]
#[ignore = "measures for 9 s; run with --ignored --nocapture to print figures"]
fn print_enlistment_bench() {
    let result = bench_enlistment::run(&launcher(), Duration::from_secs(3)).expect("bench");
    println!("{}", result.render());
}
