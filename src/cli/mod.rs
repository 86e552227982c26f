//! The command line: `certify`, `list`, `explain`, `selftest`, `target`,
//! `bench`. Exit codes: 0 certified, 1 not certified, 2 usage or
//! configuration error, 3 the target could not be driven at all.

mod console;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::report::model::RunSummary;
use crate::runner::plan::{build_plan, Selection, Shard};
use crate::runner::{self, RunConfig, RunError};
use crate::targets::hostile::HostileMode;
use crate::targets::{mutants, variants, Launcher, Target, TargetSpec};

pub const EXIT_CERTIFIED: u8 = 0;
pub const EXIT_NOT_CERTIFIED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_TARGET_UNUSABLE: u8 = 3;
/// Nothing that ran failed, but the run did not show everything a
/// certificate needs (suite subset, filter, lone shard, interruption, too
/// few property cases).
pub const EXIT_INCOMPLETE: u8 = 4;

#[derive(Parser)]
#[command(
    name = "interspec",
    version,
    about = "Conformance and certification harness for DMA messaging interoperability"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the selected scenarios against a target and write the reports.
    Certify(CertifyArgs),
    /// List the scenarios a selection would run.
    List(ListArgs),
    /// Explain a scenario, requirement, mutant or variant by id.
    Explain { id: String },
    /// Prove the reference and every variant pass and every mutant is caught.
    Selftest(SelftestArgs),
    /// Serve a built-in target on stdin/stdout.
    Target {
        #[command(subcommand)]
        target: TargetCommand,
    },
    /// Measure adapter round trips per second against a raw stdio baseline.
    Bench(BenchArgs),
    /// Compare, sign and verify reports.
    Report {
        #[command(subcommand)]
        action: ReportCommand,
    },
    /// Make an Ed25519 key pair for `report sign` (PATH and PATH.pub).
    Keygen {
        #[arg(long, default_value = "interspec-report.key")]
        out: PathBuf,
    },
    /// Check the golden vectors against the peer engines.
    Vectors {
        #[command(subcommand)]
        action: VectorsCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// List regressions, fixes, newly not-applicable scenarios and catalog changes.
    Diff { old: PathBuf, new: PathBuf },
    /// Write manifest.json (file hashes, harness, catalog, vectors, target) and its Ed25519 signature.
    Sign {
        #[arg(default_value = "reports")]
        dir: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
    /// Combine the shard reports of one run into one report and verdict.
    Merge {
        /// Each shard's report folder (or its report.json).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Where to write the merged reports.
        #[arg(long, default_value = "reports/merged")]
        out: PathBuf,
    },
    /// Check every file hash and the signature; say exactly what changed.
    Verify {
        #[arg(default_value = "reports")]
        dir: PathBuf,
        /// The signer's public key: a .pub file or 64 hex digits.
        #[arg(long)]
        pubkey: Option<String>,
    },
}

#[derive(Subcommand)]
enum VectorsCommand {
    /// Check the manifest and replay every vector through the peer.
    Verify {
        /// The vector tree.
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
        /// Also check a cacophony-format Noise vector file of your own (repeatable).
        #[arg(long, value_name = "FILE")]
        cacophony: Vec<PathBuf>,
    },
    /// Rewrite vectors/MANIFEST.sha256 from the files present.
    Manifest {
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
}

#[derive(Args, Clone)]
struct SelectArgs {
    /// Only this suite (repeatable).
    #[arg(long = "suite", value_name = "SUITE")]
    suites: Vec<String>,
    /// Only scenarios whose id, or one of whose requirement ids, matches this glob (repeatable).
    #[arg(long = "filter", value_name = "GLOB")]
    filters: Vec<String>,
    /// Only shard K of N of the selection (deterministic).
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Read the catalog from this folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    catalog: Option<PathBuf>,
}

impl SelectArgs {
    fn selection(&self) -> Selection {
        Selection {
            suites: self.suites.clone(),
            filters: self.filters.clone(),
            shard: self.shard,
        }
    }

    fn catalog(&self) -> Result<Catalog, String> {
        match &self.catalog {
            Some(dir) => Catalog::load_dir(dir),
            None => Catalog::builtin(),
        }
        .map_err(|e| e.to_string())
    }
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Seed for every generated input; printed so any run can be repeated.
    #[arg(long)]
    seed: Option<u64>,
    /// Generated cases per property scenario (at least 1; a certificate
    /// needs the profile's minimum, 32 in the built-in profiles).
    #[arg(long, default_value_t = 32)]
    cases: u32,
    /// Parallel jobs, each with its own target connection [default: cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// Gatekeeper profile: a built-in name or a .toml file.
    #[arg(long, default_value = "default")]
    profile: String,
    /// How long one adapter call may wait for its reply, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    call_timeout_ms: u64,
    /// How long one scenario may take in all, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    scenario_timeout_ms: u64,
    /// Largest adapter frame, in bytes [default: the profile's, 16 MiB].
    #[arg(long)]
    max_frame: Option<u64>,
    /// Leading bytes of user plaintext that reports may show (secrets never appear).
    #[arg(long, default_value_t = 16)]
    plaintext_excerpt: usize,
}

#[derive(Args)]
struct CertifyArgs {
    /// builtin, builtin:mutant/NAME, builtin:libsignal (feature `libsignal`),
    /// exec:COMMAND or tcp://HOST:PORT.
    #[arg(long, default_value = "builtin")]
    target: TargetSpec,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    run: RunArgs,
    /// Where report.json, junit.xml, report.html and report.md go.
    #[arg(long, default_value = "reports")]
    out: PathBuf,
    /// Expected non-passing scenarios (TOML): fail only on regressions and on unexpected passes.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    select: SelectArgs,
}

#[derive(Args)]
struct SelftestArgs {
    /// List the mutants and variants and exit.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum TargetCommand {
    /// The reference implementation, or one of its mutants or variants.
    Reference {
        #[arg(long, conflicts_with = "variant")]
        mutant: Option<String>,
        #[arg(long)]
        variant: Option<String>,
    },
    /// libsignal-protocol-c's e2ee operations (feature `libsignal`).
    #[cfg(feature = "libsignal")]
    Libsignal,
    /// A deliberately broken target for testing the runner.
    #[command(hide = true)]
    Hostile {
        #[arg(long, value_enum)]
        mode: HostileMode,
    },
    /// Raw stdio echo of fixed-size chunks (the benchmark baseline).
    #[command(hide = true)]
    RawEcho {
        #[arg(long)]
        size: usize,
    },
}

#[derive(Args)]
struct BenchArgs {
    /// Seconds per measurement.
    #[arg(long, default_value_t = 2.0)]
    seconds: f64,
    /// Ping payload size in bytes.
    #[arg(long, default_value_t = 64)]
    payload: usize,
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Certify(args) => certify(args),
        Command::List(args) => list(args),
        Command::Explain { id } => explain(&id),
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

/// Ctrl-C sets the flag; a second Ctrl-C exits at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = Arc::clone(&flag);
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterspec: interrupted; finishing running scenarios and writing the report (Ctrl-C again to quit now)");
    });
    if let Err(err) = installed {
        eprintln!("interspec: cannot handle Ctrl-C: {err}");
    }
    flag
}

fn run_config(
    target: TargetSpec,
    args: &RunArgs,
    interrupt: Arc<AtomicBool>,
) -> Result<RunConfig, String> {
    let mut profile = Profile::load(&args.profile)?;
    if let Some(max) = args.max_frame {
        if !(1024..=1 << 30).contains(&max) {
            return Err("--max-frame must be between 1024 and 1073741824".into());
        }
        profile.adapter.max_frame_size = max;
    }
    if args.call_timeout_ms == 0 || args.scenario_timeout_ms == 0 {
        return Err("timeouts must be positive".into());
    }
    if args.cases == 0 {
        return Err(format!(
            "--cases 0 would run no property case; give at least 1 (a certificate under profile {} needs {})",
            profile.name, profile.certification.min_cases
        ));
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    if jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    Ok(RunConfig {
        target: Arc::new(Target {
            spec: target,
            launcher: Launcher::current()?,
        }),
        scenarios: crate::suites::registry(),
        seed: args.seed.unwrap_or_else(rand::random),
        cases: args.cases,
        jobs,
        call_timeout: Duration::from_millis(args.call_timeout_ms),
        scenario_timeout: Duration::from_millis(args.scenario_timeout_ms),
        profile,
        interrupt,
        plaintext_excerpt: args.plaintext_excerpt,
    })
}

/// What the report tells of how this run was made.
pub fn run_summary(config: &RunConfig) -> RunSummary<'_> {
    RunSummary {
        target: config.target.name(),
        seed: config.seed,
        cases: config.cases,
        jobs: config.jobs,
        profile: &config.profile.name,
        certification: &config.profile.certification,
    }
}

fn certify(args: CertifyArgs) -> u8 {
    let catalog = match args.select.catalog() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let selection = args.select.selection();
    let plan = match build_plan(&catalog, &selection) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let baseline = match args
        .baseline
        .as_deref()
        .map(crate::report::baseline::Baseline::load)
    {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => return usage_error(e),
    };
    let config = match run_config(args.target, &args.run, interrupt_flag()) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    eprintln!(
        "interspec {}: {} scenarios against {} with profile {}, seed {} (repeat with --seed {}), {} jobs",
        crate::HARNESS_VERSION,
        plan.len(),
        config.target.name(),
        config.profile.name,
        config.seed,
        config.seed,
        config.jobs
    );
    let mut progress = console::Progress::new(plan.len());
    let result = runner::run(&plan, &config, &mut |outcome| progress.observe(outcome));
    progress.finish();
    let result = match result {
        Ok(r) => r,
        Err(RunError::TargetUnusable(message)) => {
            eprintln!("interspec: the target could not be driven: {message}");
            return EXIT_TARGET_UNUSABLE;
        }
    };
    let report =
        crate::report::Report::build(&catalog, &plan, &selection, &run_summary(&config), &result);
    console::print_summary(&report);
    match crate::report::write_all(&report, &args.out) {
        Ok(paths) => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            println!("reports: {}", names.join(", "));
        }
        Err(e) => {
            eprintln!("interspec: {e}");
            return EXIT_USAGE;
        }
    }
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        for line in crate::report::markdown::annotations(&report) {
            println!("{line}");
        }
    }
    if let Some(baseline) = baseline {
        let check = baseline.check(&report);
        print!("{}", check.render());
        return if check.passed() && !report.run.interrupted {
            EXIT_CERTIFIED
        } else {
            EXIT_NOT_CERTIFIED
        };
    }
    exit_code(report.verdict.state)
}

/// The exit code of a verdict (README §Exit codes).
fn exit_code(state: crate::report::model::VerdictState) -> u8 {
    use crate::report::model::VerdictState;
    match state {
        VerdictState::Certified => EXIT_CERTIFIED,
        VerdictState::NotCertified => EXIT_NOT_CERTIFIED,
        VerdictState::Incomplete => EXIT_INCOMPLETE,
    }
}

fn report(action: ReportCommand) -> u8 {
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

fn list(args: ListArgs) -> u8 {
    let catalog = match args.select.catalog() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match build_plan(&catalog, &args.select.selection()) {
        Ok(plan) => {
            print!("{}", console::render_list(&catalog, &plan));
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

fn explain(id: &str) -> u8 {
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match console::render_explain(&catalog, id) {
        Some(text) => {
            print!("{text}");
            EXIT_CERTIFIED
        }
        None => usage_error(format!(
            "no scenario, requirement, mutant or variant is called {id:?}"
        )),
    }
}

fn selftest(args: SelftestArgs) -> u8 {
    if args.list {
        println!("mutants (each must be caught):");
        for m in mutants::MUTANTS {
            println!("  {:<44} {:<10} {}", m.name, m.suite, m.defect);
        }
        println!("variants (each must pass):");
        for v in variants::VARIANTS {
            println!("  {:<44} {:<10} {}", v.name, v.suite, v.behaviour);
        }
        return EXIT_CERTIFIED;
    }
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let config = match run_config(
        TargetSpec::Builtin { mutant: None },
        &args.run,
        interrupt_flag(),
    ) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    eprintln!(
        "interspec selftest: seed {} (repeat with --seed {})",
        config.seed, config.seed
    );
    let launcher = match Launcher::current() {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    match crate::selftest::run(&catalog, &config, &launcher) {
        Ok(outcome) => {
            print!("{}", outcome.render());
            if outcome.passed() {
                EXIT_CERTIFIED
            } else {
                EXIT_NOT_CERTIFIED
            }
        }
        Err(message) => {
            eprintln!("interspec selftest: {message}");
            EXIT_TARGET_UNUSABLE
        }
    }
}

fn serve_target(target: TargetCommand) -> u8 {
    let result = match target {
        TargetCommand::Reference { mutant, variant } => {
            let mutant = match mutant.as_deref().map(mutants::by_name) {
                None => None,
                Some(Some(info)) => Some(info.mutant),
                Some(None) => {
                    return usage_error("unknown mutant; `interspec selftest --list` names them")
                }
            };
            let variant = match variant.as_deref().map(variants::by_name) {
                None => None,
                Some(Some(info)) => Some(info.variant),
                Some(None) => {
                    return usage_error("unknown variant; `interspec selftest --list` names them")
                }
            };
            crate::targets::reference::serve_stdio(mutant, variant)
        }
        #[cfg(feature = "libsignal")]
        TargetCommand::Libsignal => crate::targets::libsignal::serve_stdio(),
        TargetCommand::Hostile { mode } => crate::targets::hostile::serve_stdio(mode),
        TargetCommand::RawEcho { size } => crate::targets::raw_echo::serve_stdio(size),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("interspec target: {err}");
            1
        }
    }
}

fn bench(args: BenchArgs) -> u8 {
    if !(args.seconds > 0.0 && args.seconds <= 600.0) {
        return usage_error("--seconds must be in (0, 600]");
    }
    let launcher = match Launcher::current() {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    match crate::bench::run_all(
        &launcher,
        args.payload,
        Duration::from_secs_f64(args.seconds),
    ) {
        Ok(text) => {
            print!("{text}");
            EXIT_CERTIFIED
        }
        Err(message) => {
            eprintln!("interspec bench: {message}");
            EXIT_TARGET_UNUSABLE
        }
    }
}

fn vectors(action: VectorsCommand) -> u8 {
    use crate::vectors::{self as golden, VectorStatus};
    match action {
        VectorsCommand::Manifest { dir } => match golden::write_manifest(&dir) {
            Ok(count) => {
                println!(
                    "{}: {count} files",
                    dir.join(golden::MANIFEST_NAME).display()
                );
                EXIT_CERTIFIED
            }
            Err(e) => usage_error(e),
        },
        VectorsCommand::Verify { dir, cacophony } => {
            let mut checks = match golden::verify_tree(&dir) {
                Ok(checks) => checks,
                Err(e) => return usage_error(e),
            };
            for file in &cacophony {
                checks.extend(golden::verify_file(file, golden::noise::verify_text));
            }
            for check in &checks {
                let (label, why) = match &check.status {
                    VectorStatus::Pass => ("pass", String::new()),
                    VectorStatus::Fail(why) => ("FAIL", format!(": {why}")),
                    VectorStatus::NotRunnable(why) => ("not runnable", format!(": {why}")),
                };
                println!("{label:<13} {} {}{why}", check.file, check.name);
            }
            let (pass, fail, not_runnable) = golden::tally(&checks);
            println!("vectors: {pass} passed, {fail} failed, {not_runnable} not runnable");
            if fail == 0 {
                EXIT_CERTIFIED
            } else {
                EXIT_NOT_CERTIFIED
            }
        }
    }
}
