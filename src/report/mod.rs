//! Reports: one model ([`model::Report`], serialized as `report.json`, the
//! single source of truth) and renderings of it (`junit.xml`, `report.html`,
//! `report.md`); baselines, diffs and signatures work on `report.json`.

pub mod assess;
pub mod baseline;
pub mod build;
pub mod diff;
pub mod escape;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod merge;
pub mod model;
pub mod sign;
pub mod unmet;

use std::path::{Path, PathBuf};

pub use model::Report;

/// Creates `dir` and checks that files can be written in it, so a run never
/// ends with results it cannot save.
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let probe = dir.join(".interspec-write-check");
    std::fs::write(&probe, b"")
        .map_err(|e| format!("cannot write reports into {}: {e}", dir.display()))?;
    std::fs::remove_file(&probe)
        .map_err(|e| format!("cannot write reports into {}: {e}", dir.display()))
}

/// Writes `report.json`, `junit.xml`, `report.html` and `report.md` into
/// `dir`, returning their paths.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let json_path = dir.join("report.json");
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| format!("cannot serialize the report: {e}"))?;
    write_file(&json_path, format!("{json}\n").as_bytes())?;
    let junit_path = dir.join("junit.xml");
    write_file(&junit_path, junit::render(report).as_bytes())?;
    let html_path = dir.join("report.html");
    write_file(&html_path, html::render(report).as_bytes())?;
    let md_path = dir.join("report.md");
    write_file(&md_path, markdown::render(report).as_bytes())?;
    Ok(vec![json_path, junit_path, html_path, md_path])
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    // Write then rename, so a reader never sees half a report.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
