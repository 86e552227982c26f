//! The stanza benchmark runs and yields positive figures. With
//! `-- --ignored --nocapture` it measures for 3 s each and prints them.

mod common;

use std::time::Duration;

use interspec::bench::stanza as bench_stanza;
use interspec::targets::Launcher;

fn launcher() -> Launcher {
    Launcher {
        interspec_exe: common::exe(),
    }
}

#[test]
fn stanza_bench_yields_positive_figures() {
    let result = bench_stanza::run(&launcher(), Duration::from_millis(100)).expect("bench");
    assert!(result.corpus_cases >= 60, "{result:?}");
    assert!(result.corpus_refused > 0 && result.corpus_refused < result.corpus_cases);
    for figure in [result.peer_per_sec, result.adapter_per_sec] {
        assert!(figure.is_finite() && figure > 0.0, "{result:?}");
    }
    assert!(result.render().contains("stanzas parsed/s"));
}

#[test]
#[ignore = "measures for 6 s; run with --ignored --nocapture to print figures"]
fn print_stanza_bench() {
    let result = bench_stanza::run(&launcher(), Duration::from_secs(3)).expect("bench");
    println!("{}", result.render());
}
