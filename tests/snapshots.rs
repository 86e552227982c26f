//! Snapshot of the `list` output (the reports of the reference are
//! snapshotted in tests/reference_report.rs).

mod common;

use common::interspec;

#[test]
fn list_output() {
    let out = interspec(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).expect("utf8"));
}
