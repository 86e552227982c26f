//! The E2EE benchmark runs against the built-in target and reports both rates.

mod common;

use std::time::Duration;

use interspec::targets::Launcher;

#[test]
fn e2ee_bench_measures_both_rates() {
    let launcher = Launcher {
        interspec_exe: common::exe(),
    };
    let result =
        interspec::bench::e2ee::run(&launcher, 128, Duration::from_millis(200)).expect("bench");
    assert!(result.adapter_per_sec > 0.0);
    assert!(result.in_process_per_sec > 0.0);
    let text = result.render();
    assert!(text.contains("through the adapter"), "{text}");
    println!("{text}");
}
