//! `interspec vectors verify` replays the Wycheproof files of
//! `vectors/wycheproof/` through the harness's own primitives: in a copy of
//! the vector tree, a Wycheproof verdict changed (and the manifest
//! rewritten, so only the replay can notice) fails that test and the run,
//! and a change the manifest was not told about fails the manifest check.

mod common;

use std::path::Path;

use common::interspec;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

fn verify(dir: &Path) -> (Option<i32>, String) {
    let out = interspec(&["vectors", "verify", "--dir", dir.to_str().expect("path")]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn an_altered_wycheproof_file_fails_the_replay_and_the_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("vectors");
    copy_tree(&root, &tree);
    let (code, stdout) = verify(&tree);
    assert_eq!(code, Some(0), "the copy verifies: {stdout}");
    assert!(stdout.contains("wycheproof/x25519_test.json"), "{stdout}");

    // tcId 11 of the P1363 file, r = s = 0, declared valid.
    let file = tree.join("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let at = text.find("\"tcId\": 11,").expect("tcId 11");
    let verdict = "\"result\": \"invalid\"";
    let result = at + text[at..].find(verdict).expect("result");
    let altered = format!(
        "{}\"result\": \"valid\"{}",
        &text[..result],
        &text[result + verdict.len()..]
    );
    std::fs::write(&file, altered).expect("write");

    let (code, stdout) = verify(&tree);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("MANIFEST.sha256")),
        "the manifest notices the change: {stdout}"
    );

    let out = interspec(&["vectors", "manifest", "--dir", tree.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(0));
    let (code, stdout) = verify(&tree);
    assert_eq!(code, Some(1), "{stdout}");
    let failed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failed
            .iter()
            .any(|l| l.contains("group 0 tcId 11") && l.contains("refused")),
        "the replay names the test: {failed:?}"
    );
    assert!(
        failed
            .iter()
            .all(|l| l.contains("ecdsa_secp256r1_sha256_p1363")),
        "nothing else fails: {failed:?}"
    );
}
