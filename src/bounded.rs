//! Reading files that may be hostile (reports, baselines, vectors, catalogs,
//! profiles, keys): never more than a stated bound, whatever the file claims
//! to be (a FIFO or `/dev/zero` reports a size of 0).

use std::io::Read;
use std::path::Path;

/// Reads at most `max` bytes of `path`; a longer file is an error.
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut data = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if data.len() as u64 > max {
        return Err(format!("{} is larger than {max} bytes", path.display()));
    }
    Ok(data)
}

/// Like [`read`], for UTF-8 text.
pub fn read_text(path: &Path, max: u64) -> Result<String, String> {
    String::from_utf8(read(path, max)?).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_not_read() {
        let err = read(Path::new("/dev/zero"), 1024).expect_err("bounded");
        assert!(err.contains("larger than 1024 bytes"), "{err}");
    }

    #[test]
    fn a_file_within_the_bound_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, "héllo").expect("write");
        assert_eq!(read_text(&path, 6).expect("read"), "héllo");
        assert!(read_text(&path, 5).is_err());
    }
}
