//! `target`, `bench` and `vectors`: serving built-in targets, measuring,
//! and checking the golden vectors.

use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;

use crate::targets::reference::enlistment::call_auth::{CallVerifier, GatekeeperConfig};
use crate::targets::{mutants, variants, Launcher};
use crate::vectors::enlistment::{TokenCase, TokenCases};
use crate::vectors::{self as golden, VectorStatus};

use super::args::{BenchArgs, TargetCommand, VectorsCommand};
use super::{usage_error, EXIT_CERTIFIED, EXIT_NOT_CERTIFIED, EXIT_TARGET_UNUSABLE};

pub(super) fn serve_target(target: TargetCommand) -> u8 {
    let result = match target {
        TargetCommand::Reference { mutant, variant } => {
            let mutant = match mutant.as_deref().map(mutants::by_name) {
                None => None,
                Some(Some(info)) => Some(info.mutant),
                Some(None) => {
                    return usage_error("unknown mutant; `interspec selftest --list` names them")
                }
            };
            let variant =
                match variant.as_deref().map(variants::by_name) {
                    None => None,
                    Some(Some(info)) if info.base == mutants::Base::Reference => Some(info.variant),
                    Some(_) => return usage_error(
                        "not a variant of the reference; `interspec selftest --list` names them",
                    ),
                };
            crate::targets::reference::serve_stdio(mutant, variant)
        }
        #[cfg(feature = "libsignal")]
        TargetCommand::Libsignal => crate::targets::libsignal::serve_stdio(),
        TargetCommand::Olm { mutant, variant } => {
            let mutant = match mutant.as_deref().map(mutants::by_name) {
                None => None,
                Some(Some(info)) if info.base == mutants::Base::Olm => Some(info.mutant),
                Some(_) => {
                    return usage_error(
                        "not a mutant of builtin:olm; `interspec selftest --list` names them",
                    )
                }
            };
            let variant = match variant.as_deref().map(variants::by_name) {
                None => None,
                Some(Some(info)) if info.base == mutants::Base::Olm => Some(info.variant),
                Some(_) => {
                    return usage_error(
                        "not a variant of builtin:olm; `interspec selftest --list` names them",
                    )
                }
            };
            crate::targets::olm::serve_stdio(mutant, variant)
        }
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

pub(super) fn bench(args: BenchArgs) -> u8 {
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

pub(super) fn vectors(action: VectorsCommand) -> u8 {
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
            // Without --dir, the built-in copy, written to a scratch folder
            // that is removed when `scratch` goes.
            let (dir, scratch) = match dir {
                Some(dir) => (dir, None),
                None => match built_in_vectors() {
                    Ok(scratch) => (scratch.path().to_path_buf(), Some(scratch)),
                    Err(e) => return usage_error(e),
                },
            };
            let mut checks = match golden::verify_tree(&dir, &reference_replay()) {
                Ok(checks) => checks,
                Err(e) => return usage_error(e),
            };
            if scratch.is_some() {
                println!(
                    "vectors built into interspec {} (--dir DIR checks a checkout's files)",
                    env!("CARGO_PKG_VERSION")
                );
                let prefix = dir.display().to_string();
                for check in &mut checks {
                    if let Some(rest) = check.file.strip_prefix(&prefix) {
                        check.file = format!("vectors{rest}");
                    }
                }
            }
            for file in &cacophony {
                checks.extend(golden::verify_file(
                    file,
                    |file, text, _| golden::noise::verify_text(file, text),
                    &reference_replay(),
                ));
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

/// The vectors' replay through the reference provider: its call-token
/// verifier checks the expected verdicts of the token cases.
pub fn reference_replay() -> golden::Replay {
    golden::Replay {
        call_token: reference_call_token,
    }
}

fn reference_call_token(set: &TokenCases, jwks: &JwkSet, case: &TokenCase) -> Result<(), String> {
    let config = GatekeeperConfig {
        jwks_url: String::new(),
        issuer: set.gatekeeper_issuer.clone(),
        skew: set.clock_skew_seconds,
        max_lifetime: set.max_call_token_lifetime_seconds,
        max_token_bytes: set.max_token_bytes,
    };
    let mut verifier = CallVerifier::offline(config, jwks.clone());
    let header = format!("Bearer {}", case.token);
    verifier
        .verify(
            Some(&header),
            case.body.as_bytes(),
            &set.audience,
            set.now,
            crate::targets::reference::build::Build::default(),
        )
        .map(|_| ())
}

/// The vector tree built into this binary, written to a fresh scratch folder.
fn built_in_vectors() -> Result<tempfile::TempDir, String> {
    let scratch = tempfile::Builder::new()
        .prefix("interspec-vectors-")
        .tempdir()
        .map_err(|e| format!("a scratch folder for the built-in vectors: {e}"))?;
    golden::embedded::write_tree(scratch.path()).map_err(|e| {
        format!(
            "writing the built-in vectors to {}: {e}",
            scratch.path().display()
        )
    })?;
    Ok(scratch)
}
