//! The media benchmark runs and yields positive figures. With
//! `-- --ignored --nocapture` it measures for 3 s each and prints them.

use std::time::Duration;

use interspec::bench::media as bench_media;

#[test]
fn media_bench_yields_positive_figures() {
    let result = bench_media::run(Duration::from_millis(100)).expect("bench");
    for figure in [
        result.attachment_mb_per_sec,
        result.raw_mb_per_sec,
        result.raw_with_hashes_mb_per_sec,
        result.download_mb_per_sec,
        result.verify_decrypt_mb_per_sec,
    ] {
        assert!(figure.is_finite() && figure > 0.0, "{result:?}");
    }
    assert!(result.render().contains("attachment/raw"));
    assert!(result.render().contains("download/alone"));
}

#[test]
#[ignore = "measures for 15 s; run with --ignored --nocapture to print figures"]
fn print_media_bench() {
    let result = bench_media::run(Duration::from_secs(3)).expect("bench");
    println!("{}", result.render());
}
