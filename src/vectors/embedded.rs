//! The vector tree as it was when this binary was built, so that
//! `interspec vectors verify` works anywhere; `--dir` checks a checkout's
//! files instead.

use std::path::Path;

mod files {
    include!(concat!(env!("OUT_DIR"), "/embedded_vectors.rs"));
}

/// Every file of the built-in tree: its path under `vectors/` and its bytes.
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    files::FILES
}

/// Writes the built-in tree under `root` (which must exist and be empty).
pub fn write_tree(root: &Path) -> std::io::Result<()> {
    for (relative, bytes) in files() {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_tree_holds_the_manifest_and_every_suite_folder() {
        let names: Vec<&str> = super::files().iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&super::super::MANIFEST_NAME));
        for folder in ["noise/", "signal/", "stanza/", "wycheproof/", "media/"] {
            assert!(names.iter().any(|n| n.starts_with(folder)), "{folder}");
        }
    }
}
