//! The command line's shape: subcommands and their arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::catalog::Catalog;
use crate::runner::plan::{Selection, Shard};
use crate::targets::hostile::HostileMode;
use crate::targets::TargetSpec;

#[derive(Parser)]
#[command(
    name = "interspec",
    version,
    about = "Conformance and certification harness for DMA messaging interoperability"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Subcommand)]
pub(super) enum Command {
    /// Run the selected scenarios against a target and write the reports.
    Certify(CertifyArgs),
    /// List the scenarios a selection would run.
    List(ListArgs),
    /// Explain a scenario, requirement, mutant or variant by id, or print
    /// the refusal coverage table (`--coverage`) or the mutant table
    /// (`--mutants`).
    Explain {
        #[arg(required_unless_present_any = ["coverage", "mutants"])]
        id: Option<String>,
        /// Print every requirement's rules and the scenarios that send
        /// each, as Markdown (docs/coverage.md).
        #[arg(long, conflicts_with = "id")]
        coverage: bool,
        /// Print every mutant with the requirements it violates and what
        /// inspired it, as Markdown (docs/mutants.md).
        #[arg(long, conflicts_with_all = ["id", "coverage"])]
        mutants: bool,
    },
    /// Prove the reference and every variant pass and every mutant is caught.
    Selftest(SelftestArgs),
    /// Serve a built-in target on stdin/stdout.
    Target {
        #[command(subcommand)]
        target: TargetCommand,
    },
    /// Measure adapter round trips per second against a raw stdio baseline.
    Bench(BenchArgs),
    /// Compare, merge, sign and verify reports, and put several side by side.
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
pub(super) enum ReportCommand {
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
    /// Compare reports side by side (implementations × suites and
    /// requirements): writes matrix.html and matrix.md.
    Matrix {
        /// Each report folder (or its report.json): one column each, in order.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// A column's name instead of the target's identity (repeatable:
        /// the first names the first report, and so on).
        #[arg(long)]
        label: Vec<String>,
        /// Where to write matrix.html and matrix.md.
        #[arg(long, default_value = "reports/matrix")]
        out: PathBuf,
    },
    /// Check every file hash and the signature; say exactly what changed.
    Verify {
        #[arg(default_value = "reports")]
        dir: PathBuf,
        /// The key(s) you trust: the signer's .pub file, a file of trusted
        /// public keys (one per line, `#` comments) or 64 hex digits.
        /// Without it verification fails: anyone can sign with their own key.
        #[arg(long)]
        pubkey: Option<String>,
    },
}

#[derive(Subcommand)]
pub(super) enum VectorsCommand {
    /// Check the manifest and replay every vector through the peer.
    Verify {
        /// A vector tree to check (a checkout's `vectors`) instead of the
        /// copy built into this binary.
        #[arg(long)]
        dir: Option<PathBuf>,
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
pub(super) struct SelectArgs {
    /// Only this suite (repeatable).
    #[arg(long = "suite", value_name = "SUITE")]
    pub(super) suites: Vec<String>,
    /// Only scenarios whose id, or one of whose requirement ids, matches this glob (repeatable).
    #[arg(long = "filter", value_name = "GLOB")]
    pub(super) filters: Vec<String>,
    /// Only shard K of N of the selection (deterministic).
    #[arg(long, value_name = "K/N")]
    pub(super) shard: Option<Shard>,
    /// Read the catalog from this folder instead of the built-in one.
    #[arg(long, value_name = "DIR")]
    pub(super) catalog: Option<PathBuf>,
}

impl SelectArgs {
    pub(super) fn selection(&self) -> Selection {
        Selection {
            suites: self.suites.clone(),
            filters: self.filters.clone(),
            shard: self.shard,
        }
    }

    pub(super) fn catalog(&self) -> Result<Catalog, String> {
        match &self.catalog {
            Some(dir) => Catalog::load_dir(dir),
            None => Catalog::builtin(),
        }
        .map_err(|e| e.to_string())
    }
}

#[derive(Args, Clone)]
pub(super) struct RunArgs {
    /// Seed for every generated input; printed so any run can be repeated.
    #[arg(long)]
    pub(super) seed: Option<u64>,
    /// Generated cases per property scenario (at least 1; a certificate
    /// needs the profile's minimum, 32 in the built-in profiles).
    #[arg(long, default_value_t = 32)]
    pub(super) cases: u32,
    /// Parallel jobs, each with its own target connection [default: cores].
    #[arg(long)]
    pub(super) jobs: Option<usize>,
    /// Gatekeeper profile: a built-in name or a .toml file.
    #[arg(long, default_value = "default")]
    pub(super) profile: String,
    /// How long one adapter call may wait for its reply, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub(super) call_timeout_ms: u64,
    /// How long one scenario may take in all, in milliseconds.
    #[arg(long, default_value_t = 60_000)]
    pub(super) scenario_timeout_ms: u64,
    /// After this many scenarios in a row in which the target did not answer
    /// in time (or could not be restarted), the rest are errors at once; 0
    /// waits out every timeout.
    #[arg(long, default_value_t = crate::runner::DEFAULT_MAX_UNRESPONSIVE)]
    pub(super) max_unresponsive: u32,
    /// Stop taking new scenarios once this many failed or errored (the rest
    /// are not run, so the run cannot certify).
    #[arg(long, value_name = "N")]
    pub(super) max_fail: Option<u32>,
    /// Run each scenario N times with the same inputs; a scenario that fails
    /// in any run fails, and the report says in how many. With 1, a failed
    /// scenario is still run 4 more times to see whether it reproduces.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(super) repeat: u32,
    /// Largest adapter frame, in bytes [default: the profile's, 16 MiB].
    #[arg(long)]
    pub(super) max_frame: Option<u64>,
    /// Leading bytes of user plaintext that reports may show (secrets never appear).
    #[arg(long, default_value_t = 16)]
    pub(super) plaintext_excerpt: usize,
}

#[derive(Args)]
pub(super) struct CertifyArgs {
    /// builtin, builtin:mutant/NAME, builtin:libsignal (feature `libsignal`), builtin:olm,
    /// exec:COMMAND or tcp://HOST:PORT.
    #[arg(long, default_value = "builtin")]
    pub(super) target: TargetSpec,
    #[command(flatten)]
    pub(super) select: SelectArgs,
    #[command(flatten)]
    pub(super) run: RunArgs,
    /// Where report.json, junit.xml, report.html and report.md go.
    #[arg(long, default_value = "reports")]
    pub(super) out: PathBuf,
    /// Expected non-passing scenarios (TOML): fail only on regressions and on unexpected passes.
    #[arg(long, value_name = "FILE")]
    pub(super) baseline: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct ListArgs {
    #[command(flatten)]
    pub(super) select: SelectArgs,
    /// Gatekeeper profile whose required suites are marked: a built-in
    /// name or a .toml file.
    #[arg(long, default_value = "default")]
    pub(super) profile: String,
    /// `text` (a line per scenario) or `json` (for scripts).
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub(super) format: ListFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum ListFormat {
    Text,
    Json,
}

#[derive(Args)]
pub(super) struct SelftestArgs {
    /// List the mutants and variants and exit.
    #[arg(long)]
    pub(super) list: bool,
    /// Target runs (the reference, one variant or one mutant each) at the
    /// same time [default: cores]; `--jobs` sets the scenarios each run
    /// takes in parallel.
    #[arg(long)]
    pub(super) concurrent: Option<usize>,
    /// Run only these mutants and variants (`reference` for the reference);
    /// repeatable.
    #[arg(long, value_name = "NAME")]
    pub(super) only: Vec<String>,
    #[command(flatten)]
    pub(super) run: RunArgs,
}

#[derive(Subcommand)]
pub(super) enum TargetCommand {
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
    /// Matrix's Olm through vodozemac (docs/olm.md), or one of its mutants
    /// or variants.
    Olm {
        #[arg(long, conflicts_with = "variant")]
        mutant: Option<String>,
        #[arg(long)]
        variant: Option<String>,
    },
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
pub(super) struct BenchArgs {
    /// Seconds per measurement.
    #[arg(long, default_value_t = 2.0)]
    pub(super) seconds: f64,
    /// Ping payload size in bytes.
    #[arg(long, default_value_t = 64)]
    pub(super) payload: usize,
}
