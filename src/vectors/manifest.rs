//! `vectors/MANIFEST.sha256`: the SHA-256 of every file in the vector tree,
//! one `HEX  RELATIVE/PATH` line each (the `sha256sum` format, so
//! `cd vectors && sha256sum -c MANIFEST.sha256` checks it too).

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{read_bounded, read_bounded_bytes, VectorCheck, VectorStatus};

pub const MANIFEST_NAME: &str = "MANIFEST.sha256";

/// Every file under `root` but the manifest, by relative path.
fn hash_tree(root: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut hashes = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .map_err(|e| e.to_string())?
                .to_string_lossy()
                .replace('\\', "/");
            if relative == MANIFEST_NAME {
                continue;
            }
            // Bytes, not text: some vectors are deliberately not UTF-8.
            let bytes = read_bounded_bytes(&path)?;
            hashes.insert(relative, hex::encode(Sha256::digest(&bytes)));
        }
    }
    Ok(hashes)
}

pub fn write_manifest(root: &Path) -> Result<usize, String> {
    let hashes = hash_tree(root)?;
    let text: String = hashes
        .iter()
        .map(|(path, hash)| format!("{hash}  {path}\n"))
        .collect();
    std::fs::write(root.join(MANIFEST_NAME), text)
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    Ok(hashes.len())
}

/// One check per file: listed and matching, changed, missing, or unlisted.
pub fn check_manifest(root: &Path) -> Result<Vec<VectorCheck>, String> {
    let manifest = read_bounded(&root.join(MANIFEST_NAME))?;
    let mut listed = BTreeMap::new();
    for (number, line) in manifest.lines().enumerate() {
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| format!("{MANIFEST_NAME} line {}: expected `HASH  PATH`", number + 1))?;
        listed.insert(path.to_string(), hash.to_string());
    }
    let actual = hash_tree(root)?;
    let check = |path: &str, status| VectorCheck {
        file: MANIFEST_NAME.to_string(),
        name: path.to_string(),
        status,
    };
    let mut checks = Vec::new();
    for (path, hash) in &listed {
        checks.push(match actual.get(path) {
            Some(found) if found == hash => check(path, VectorStatus::Pass),
            Some(found) => check(
                path,
                VectorStatus::Fail(format!("SHA-256 is {found}, the manifest says {hash}")),
            ),
            None => check(
                path,
                VectorStatus::Fail("listed in the manifest but missing".into()),
            ),
        });
    }
    for path in actual.keys().filter(|p| !listed.contains_key(*p)) {
        checks.push(check(
            path,
            VectorStatus::Fail("not listed in the manifest".into()),
        ));
    }
    Ok(checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_catches_changed_missing_and_unlisted_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.json"), "{}").expect("write");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("sub/b.json"), "[]").expect("write");
        assert_eq!(write_manifest(dir.path()).expect("manifest"), 2);
        assert!(check_manifest(dir.path())
            .expect("check")
            .iter()
            .all(|c| c.status == VectorStatus::Pass));

        std::fs::write(dir.path().join("a.json"), "{ }").expect("write");
        std::fs::remove_file(dir.path().join("sub/b.json")).expect("rm");
        std::fs::write(dir.path().join("c.json"), "1").expect("write");
        let checks = check_manifest(dir.path()).expect("check");
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(failed, ["a.json", "sub/b.json", "c.json"]);
    }
}
