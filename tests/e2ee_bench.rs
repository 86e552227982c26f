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

/// The cost-per-case bench runs both adversarial-network properties at two
/// case counts (small ones here: the bench itself uses 32 and 2,048).
#[test]
fn cost_per_case_bench_measures_both_counts() {
    let launcher = Launcher {
        interspec_exe: common::exe(),
    };
    let result = interspec::bench::cases::run(&launcher, 2, 8).expect("bench");
    assert_eq!(result.costs.len(), 2);
    for cost in &result.costs {
        assert!(cost.few_ms > 0.0 && cost.many_ms > 0.0, "{}", cost.scenario);
    }
    let text = result.render();
    assert!(
        text.contains("2 cases") && text.contains("8 cases"),
        "{text}"
    );
    println!("{text}");
}
