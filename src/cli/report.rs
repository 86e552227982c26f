//! `interspec report`: diff, sign, verify, merge and render saved reports.

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
