//! Reports: one model ([`model::Report`], serialized as `report.json`, the
//! single source of truth) and renderings of it (`junit.xml`).

pub mod junit;
pub mod model;

use std::path::{Path, PathBuf};

pub use model::Report;

/// Writes `report.json` and `junit.xml` into `dir`, returning their paths.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json_path = dir.join("report.json");
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| format!("cannot serialize the report: {e}"))?;
    write_file(&json_path, format!("{json}\n").as_bytes())?;
    let junit_path = dir.join("junit.xml");
    write_file(&junit_path, junit::render(report).as_bytes())?;
    Ok(vec![json_path, junit_path])
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    // Write then rename, so a reader never sees half a report.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
