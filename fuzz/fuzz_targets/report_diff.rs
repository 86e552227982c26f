#![no_main]
//! `interspec report diff` inputs (src/report/model.rs `Report::parse`,
//! src/report/diff.rs): two report.json texts separated by a NUL, parsed,
//! diffed and rendered. Without a NUL the report is diffed with itself.

use interspec::report::{diff, Report};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (old, new) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, data),
    };
    let (Ok(old), Ok(new)) = (std::str::from_utf8(old), std::str::from_utf8(new)) else {
        return;
    };
    let (Ok(old), Ok(new)) = (Report::parse(old, "old"), Report::parse(new, "new")) else {
        return;
    };
    let d = diff::diff(&old, &new);
    let _ = diff::render(&d);
    let _ = d.has_regressions();
});
