#![no_main]
//! `interspec report verify` inputs (src/report/sign.rs `verify`): the input
//! is manifest.json, manifest.sig, report.json and a trusted-keys file,
//! separated by NULs, written into a scratch report folder that `verify`
//! then checks. Missing parts are missing files.

use std::path::PathBuf;
use std::sync::OnceLock;

use interspec::report::sign;
use libfuzzer_sys::fuzz_target;

/// One scratch folder per process, under the system temp dir (statics are
/// not dropped, so it stays there after the run).
fn scratch() -> &'static (tempfile::TempDir, PathBuf) {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("scratch dir");
        let report = dir.path().join("report");
        (dir, report)
    })
}

fuzz_target!(|data: &[u8]| {
    let (dir, report) = scratch();
    let _ = std::fs::remove_dir_all(report);
    std::fs::create_dir(report).expect("report folder");
    let mut parts = data.splitn(4, |&b| b == 0);
    for name in [sign::MANIFEST_FILE, sign::SIGNATURE_FILE, "report.json"] {
        if let Some(part) = parts.next() {
            std::fs::write(report.join(name), part).expect("write part");
        }
    }
    let trusted = dir.path().join("trusted.keys");
    let given = match parts.next() {
        Some(keys) => {
            std::fs::write(&trusted, keys).expect("write keys");
            trusted.display().to_string()
        }
        None => "0000000000000000000000000000000000000000000000000000000000000000".to_string(),
    };
    if let Ok(verification) = sign::verify(report, Some(&given)) {
        let _ = verification.render();
    }
    let _ = sign::verify(report, None);
});
