//! The command line: `certify`, `list`, `explain`, `selftest`, `target`,
//! `bench`, `vectors`, `report`, `keygen`. Exit codes: 0 certified, 1 not
//! certified, 2 usage or configuration error, 3 the target could not be
//! driven at all, 4 incomplete.

mod args;
mod console;
mod info;
mod report;
mod run;
mod tools;

pub use run::run_summary;
pub use tools::reference_replay;

use args::{Cli, Command};
use info::{explain, list, print_coverage, print_mutants};
use report::report;
use run::{certify, selftest};
use tools::{bench, serve_target, vectors};

use std::process::ExitCode;

use clap::Parser;

pub const EXIT_CERTIFIED: u8 = 0;
pub const EXIT_NOT_CERTIFIED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_TARGET_UNUSABLE: u8 = 3;
/// Nothing that ran failed, but the run did not show everything a
/// certificate needs (suite subset, filter, lone shard, interruption, too
/// few property cases).
pub const EXIT_INCOMPLETE: u8 = 4;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    if !matches!(cli.command, Command::Target { .. }) {
        // Every child of a running harness is a target: take back their
        // orphans so they end with them. Without it (not Linux), the
        // process group and the environment marker still apply.
        let _ = crate::adapter::containment::adopt_orphans();
    }
    let code = match cli.command {
        Command::Certify(args) => certify(args),
        Command::List(args) => list(args),
        Command::Explain {
            id,
            coverage,
            mutants,
        } => match id {
            Some(id) if !coverage && !mutants => explain(&id),
            _ if mutants => print_mutants(),
            _ => print_coverage(),
        },
        Command::Selftest(args) => selftest(args),
        Command::Target { target } => serve_target(target),
        Command::Bench(args) => bench(args),
        Command::Vectors { action } => vectors(action),
        Command::Report { action } => report(action),
        Command::Keygen { out } => match crate::report::sign::keygen(&out) {
            Ok(public) => {
                println!(
                    "private key: {} (keep it secret)\npublic key: {}.pub ({public})",
                    out.display(),
                    out.display()
                );
                EXIT_CERTIFIED
            }
            Err(e) => usage_error(e),
        },
    };
    ExitCode::from(code)
}

fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("interspec: {message}");
    EXIT_USAGE
}

/// Writes `text` to stdout. A reader that went away (`interspec list | head`)
/// is not an error of ours: the rest is dropped instead of panicking, as
/// `print!` would.
fn emit(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}
