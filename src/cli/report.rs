//! `interspec report`: diff, sign, verify, merge and render saved reports,
//! and put several side by side (`matrix`).

use crate::catalog::Catalog;

use super::args::ReportCommand;
use super::run::exit_code;
use super::{console, usage_error, EXIT_CERTIFIED, EXIT_NOT_CERTIFIED};

pub(super) fn report(action: ReportCommand) -> u8 {
    use crate::report::{diff, sign, Report};
    match action {
        ReportCommand::Diff { old, new } => {
            let (old, new) = match (Report::load(&old), Report::load(&new)) {
                (Ok(o), Ok(n)) => (o, n),
                (Err(e), _) | (_, Err(e)) => return usage_error(e),
            };
            let d = diff::diff(&old, &new);
            print!("{}", diff::render(&d));
            if d.has_regressions() {
                EXIT_NOT_CERTIFIED
            } else {
                EXIT_CERTIFIED
            }
        }
        ReportCommand::Merge { shards, out } => {
            let mut loaded = Vec::new();
            for path in &shards {
                let file = if path.is_dir() {
                    path.join("report.json")
                } else {
                    path.clone()
                };
                match Report::load(&file) {
                    Ok(report) => loaded.push(report),
                    Err(e) => return usage_error(e),
                }
            }
            let catalog = match Catalog::builtin() {
                Ok(c) => c,
                Err(e) => return usage_error(e),
            };
            let merged = match crate::report::merge::merge(&catalog, &loaded) {
                Ok(m) => m,
                Err(e) => return usage_error(format!("report merge: {e}")),
            };
            console::print_summary(&merged);
            match crate::report::write_all(&merged, &out) {
                Ok(paths) => {
                    let names: Vec<String> =
                        paths.iter().map(|p| p.display().to_string()).collect();
                    println!("merged {} shards: {}", loaded.len(), names.join(", "));
                    exit_code(merged.verdict.state)
                }
                Err(e) => usage_error(e),
            }
        }
        ReportCommand::Matrix {
            reports,
            label,
            out,
        } => matrix(&reports, &label, &out),
        ReportCommand::Sign { dir, key } => match sign::sign(&dir, &key) {
            Ok(manifest) => {
                println!(
                    "signed {} files in {} with key {}",
                    manifest.files.len(),
                    dir.display(),
                    manifest.public_key
                );
                EXIT_CERTIFIED
            }
            Err(e) => usage_error(e),
        },
        ReportCommand::Verify { dir, pubkey } => match sign::verify(&dir, pubkey.as_deref()) {
            Ok(result) => {
                print!("{}", result.render());
                if result.ok() {
                    EXIT_CERTIFIED
                } else {
                    EXIT_NOT_CERTIFIED
                }
            }
            Err(e) => usage_error(e),
        },
    }
}

fn matrix(reports: &[std::path::PathBuf], labels: &[String], out: &std::path::Path) -> u8 {
    use crate::report::escape::terminal;
    use crate::report::matrix::Matrix;
    let m = match Matrix::load(reports, labels) {
        Ok(m) => m,
        Err(e) => return usage_error(format!("report matrix: {e}")),
    };
    for warning in &m.warnings {
        eprintln!("interspec: warning: {}", terminal(warning));
    }
    let paths = match m.write(out) {
        Ok(paths) => paths,
        Err(e) => return usage_error(e),
    };
    for c in &m.columns {
        println!(
            "{}: {}, {} met, {} unmet, {} not demonstrated, {} not applicable, {} out of scope",
            terminal(&c.label),
            c.verdict.label(),
            c.counts[0],
            c.counts[1],
            c.counts[2],
            c.counts[3],
            c.counts[4]
        );
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    println!(
        "matrix of {} reports × {} requirements: {}",
        m.columns.len(),
        m.row_count(),
        names.join(", ")
    );
    EXIT_CERTIFIED
}
