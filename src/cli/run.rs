//! Running the harness: `certify` and `selftest`, and the run settings
//! both take from the command line.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::report::build::RunSummary;
use crate::runner::plan::build_plan;
use crate::runner::{self, RunConfig, RunError};
use crate::targets::{mutants, variants, Launcher, Target, TargetSpec};

use super::args::{CertifyArgs, RunArgs, SelftestArgs};
use super::{
    console, usage_error, EXIT_CERTIFIED, EXIT_INCOMPLETE, EXIT_NOT_CERTIFIED,
    EXIT_TARGET_UNUSABLE, EXIT_USAGE,
};

/// Ctrl-C sets the flag; a second Ctrl-C exits at once.
pub(super) fn interrupt_flag() -> Arc<AtomicBool> {
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

pub(super) fn run_config(
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
    if args.repeat == 0 {
        return Err("--repeat must be at least 1".into());
    }
    if args.max_fail == Some(0) {
        return Err("--max-fail must be at least 1".into());
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
        max_unresponsive: args.max_unresponsive,
        max_fail: args.max_fail,
        repeat: args.repeat,
    })
}

/// What the report tells of how this run was made.
pub fn run_summary(config: &RunConfig) -> RunSummary<'_> {
    RunSummary {
        target: config.target.name(),
        seed: config.seed,
        cases: config.cases,
        jobs: config.jobs,
        repeat: config.repeat,
        profile: &config.profile.name,
        certification: &config.profile.certification,
    }
}

pub(super) fn certify(args: CertifyArgs) -> u8 {
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
    if let Err(e) = crate::report::prepare_dir(&args.out) {
        return usage_error(e);
    }
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
    let started = std::time::SystemTime::now();
    let mut progress = console::Progress::new(plan.len());
    let result = runner::run(&plan, &config, &mut |outcome| progress.observe(outcome));
    progress.finish();
    let result = match result {
        Ok(r) => r,
        Err(RunError::TargetUnusable(message)) => {
            // The message holds the target's log: show it, not obey it.
            eprintln!(
                "interspec: the target could not be driven: {}",
                crate::report::escape::keep_lines(&message)
            );
            let report = crate::report::Report::of_unusable_target(
                &catalog,
                &plan,
                &selection,
                &run_summary(&config),
                &message,
                started,
            );
            match crate::report::write_all(&report, &args.out) {
                Ok(paths) => {
                    let names: Vec<String> =
                        paths.iter().map(|p| p.display().to_string()).collect();
                    println!("reports: {}", names.join(", "));
                }
                Err(e) => eprintln!("interspec: {e}"),
            }
            return EXIT_TARGET_UNUSABLE;
        }
    };
    if result.stopped_after_failures {
        eprintln!(
            "interspec: stopped after {} failed scenarios (--max-fail); {} did not run",
            config.max_fail.unwrap_or_default(),
            result.not_run.len()
        );
    }
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
        let met = check.passed() && !report.run.interrupted;
        // The verdict above is the run's; with a baseline the exit code is
        // the baseline's, so the last line says which decided it.
        println!(
            "{}",
            check.conclusion(report.verdict.state.label(), report.run.interrupted)
        );
        return if met {
            EXIT_CERTIFIED
        } else {
            EXIT_NOT_CERTIFIED
        };
    }
    exit_code(report.verdict.state)
}

/// The exit code of a verdict (README §Exit codes).
pub(super) fn exit_code(state: crate::report::model::VerdictState) -> u8 {
    use crate::report::model::VerdictState;
    match state {
        VerdictState::Certified => EXIT_CERTIFIED,
        VerdictState::NotCertified => EXIT_NOT_CERTIFIED,
        VerdictState::Incomplete => EXIT_INCOMPLETE,
    }
}

pub(super) fn selftest(args: SelftestArgs) -> u8 {
    if args.list {
        println!("mutants (each must be caught):");
        for m in mutants::MUTANTS {
            println!(
                "  {:<44} {:<10} {:<16} {}\n  {:<71} inspired by: {}",
                m.name,
                m.suite,
                m.requirements.join(","),
                m.defect,
                "",
                m.inspired_by
            );
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
    let options = crate::selftest::Options {
        concurrent: args
            .concurrent
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        only: args.only.clone(),
    };
    if options.concurrent == 0 {
        return usage_error("--concurrent must be at least 1");
    }
    let unknown = options.unknown_names();
    if !unknown.is_empty() {
        return usage_error(format!(
            "--only: no mutant or variant named {}; `interspec selftest --list` names them",
            unknown.join(", ")
        ));
    }
    match crate::selftest::run(&catalog, &config, &launcher, &options) {
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
