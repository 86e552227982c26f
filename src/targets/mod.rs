//! Targets: where the runner's adapter connections go. Built-in targets (the
//! reference implementation and its mutants) run as a child process of the
//! `interspec` binary itself, so they are driven exactly like a provider's
//! adapter.

pub mod e2ee;
pub mod hostile;
#[cfg(feature = "libsignal")]
pub mod libsignal;
pub mod mutants;
pub mod olm;
pub mod raw_echo;
pub mod reference;
pub mod stdio;
pub mod variants;

use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use crate::adapter::link::{Link, TargetSource};

/// How to reach a target, as given to `--target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// The built-in reference, or one of its mutants.
    Builtin { mutant: Option<String> },
    /// The reference with one allowed behaviour it does not use by default.
    Variant(String),
    /// libsignal-protocol-c's e2ee (cargo feature `libsignal`).
    Libsignal,
    /// Matrix's Olm through vodozemac (src/targets/olm, docs/olm.md).
    Olm,
    /// A command line (split like a shell would, then run directly, no
    /// shell in between), speaking the adapter protocol on stdio.
    Exec(String),
    /// An adapter already listening on `HOST:PORT`.
    Tcp(String),
}

impl FromStr for TargetSpec {
    type Err = String;
    fn from_str(text: &str) -> Result<TargetSpec, String> {
        if text == "builtin" || text == "builtin:reference" {
            return Ok(TargetSpec::Builtin { mutant: None });
        }
        if text == "builtin:olm" {
            return Ok(TargetSpec::Olm);
        }
        if text == "builtin:libsignal" {
            return if cfg!(feature = "libsignal") {
                Ok(TargetSpec::Libsignal)
            } else {
                Err("builtin:libsignal needs the `libsignal` cargo feature \
                     (cargo build --release --features libsignal; needs cmake)"
                    .into())
            };
        }
        if let Some(name) = text.strip_prefix("builtin:mutant/") {
            if mutants::by_name(name).is_none() {
                return Err(format!(
                    "unknown mutant {name:?}; `interspec selftest --list` names them all"
                ));
            }
            return Ok(TargetSpec::Builtin {
                mutant: Some(name.to_string()),
            });
        }
        if let Some(name) = text.strip_prefix("builtin:variant/") {
            if variants::by_name(name).is_none() {
                return Err(format!(
                    "unknown variant {name:?}; `interspec selftest --list` names them all"
                ));
            }
            return Ok(TargetSpec::Variant(name.to_string()));
        }
        if let Some(command) = text.strip_prefix("exec:") {
            if shlex::split(command).is_none_or(|w| w.is_empty()) {
                return Err(
                    "exec: needs a command, e.g. exec:./my-adapter (quotes balanced)".into(),
                );
            }
            return Ok(TargetSpec::Exec(command.to_string()));
        }
        if let Some(addr) = text.strip_prefix("tcp://") {
            if !addr.contains(':') {
                return Err(format!("tcp://{addr}: expected tcp://HOST:PORT"));
            }
            return Ok(TargetSpec::Tcp(addr.to_string()));
        }
        Err(format!(
            "unknown target {text:?}: expected builtin, builtin:mutant/NAME, builtin:variant/NAME, builtin:libsignal, builtin:olm, exec:COMMAND or tcp://HOST:PORT"
        ))
    }
}

impl fmt::Display for TargetSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetSpec::Builtin { mutant: None } => f.write_str("builtin"),
            TargetSpec::Builtin { mutant: Some(m) } => write!(f, "builtin:mutant/{m}"),
            TargetSpec::Variant(v) => write!(f, "builtin:variant/{v}"),
            TargetSpec::Libsignal => f.write_str("builtin:libsignal"),
            TargetSpec::Olm => f.write_str("builtin:olm"),
            TargetSpec::Exec(command) => write!(f, "exec:{command}"),
            TargetSpec::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// Starts target instances. Built-in targets are this executable run as
/// `interspec target reference`; tests pass the path of the built binary.
#[derive(Debug, Clone)]
pub struct Launcher {
    pub interspec_exe: PathBuf,
}

impl Launcher {
    /// A launcher for the running executable.
    pub fn current() -> Result<Launcher, String> {
        std::env::current_exe()
            .map(|interspec_exe| Launcher { interspec_exe })
            .map_err(|e| format!("cannot find the interspec executable: {e}"))
    }

    pub fn open(&self, spec: &TargetSpec, connect_timeout: Duration) -> Result<Link, String> {
        match spec {
            TargetSpec::Builtin { mutant } => {
                let mut command = Command::new(&self.interspec_exe);
                // A mutant runs on the built-in target it is a defect of.
                let base = mutant.as_deref().and_then(mutants::by_name).map(|m| m.base);
                match base {
                    Some(mutants::Base::Olm) => command.args(["target", "olm"]),
                    _ => command.args(["target", "reference"]),
                };
                if let Some(name) = mutant {
                    command.args(["--mutant", name]);
                }
                Link::spawn(command).map_err(|e| format!("cannot start the built-in target: {e}"))
            }
            TargetSpec::Variant(name) => {
                let mut command = Command::new(&self.interspec_exe);
                // A variant runs on the built-in target it is a behaviour of.
                let base = variants::by_name(name).map(|v| v.base);
                let target = match base {
                    Some(mutants::Base::Olm) => "olm",
                    _ => "reference",
                };
                command.args(["target", target, "--variant", name]);
                Link::spawn(command).map_err(|e| format!("cannot start the built-in target: {e}"))
            }
            TargetSpec::Libsignal => {
                let mut command = Command::new(&self.interspec_exe);
                command.args(["target", "libsignal"]);
                Link::spawn(command).map_err(|e| format!("cannot start the libsignal target: {e}"))
            }
            TargetSpec::Olm => {
                let mut command = Command::new(&self.interspec_exe);
                command.args(["target", "olm"]);
                Link::spawn(command).map_err(|e| format!("cannot start the olm target: {e}"))
            }
            TargetSpec::Exec(line) => {
                let words = shlex::split(line)
                    .filter(|w| !w.is_empty())
                    .ok_or_else(|| {
                        format!("cannot split {line:?} into words (unbalanced quotes?)")
                    })?;
                let mut command = Command::new(&words[0]);
                command.args(&words[1..]);
                Link::spawn(command).map_err(|e| format!("cannot start {line:?}: {e}"))
            }
            TargetSpec::Tcp(addr) => Link::connect(addr, connect_timeout)
                .map_err(|e| format!("cannot connect to {addr}: {e}")),
        }
    }
}

/// A target spec with the launcher that starts it: the [`TargetSource`] the
/// runner is given.
#[derive(Debug, Clone)]
pub struct Target {
    pub spec: TargetSpec,
    pub launcher: Launcher,
}

impl TargetSource for Target {
    fn open(&self, connect_timeout: Duration) -> Result<Link, String> {
        self.launcher.open(&self.spec, connect_timeout)
    }

    fn name(&self) -> String {
        self.spec.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_specs_round_trip() {
        for text in ["builtin", "exec:./adapter --fast", "tcp://127.0.0.1:4000"] {
            let spec: TargetSpec = text.parse().expect(text);
            assert_eq!(spec.to_string(), text);
        }
        let first = mutants::MUTANTS[0].name;
        let spec: TargetSpec = format!("builtin:mutant/{first}").parse().expect("mutant");
        assert_eq!(spec.to_string(), format!("builtin:mutant/{first}"));
    }

    #[test]
    fn builtin_libsignal_needs_its_feature() {
        let parsed = "builtin:libsignal".parse::<TargetSpec>();
        if cfg!(feature = "libsignal") {
            assert_eq!(parsed, Ok(TargetSpec::Libsignal));
            assert_eq!(TargetSpec::Libsignal.to_string(), "builtin:libsignal");
        } else {
            assert!(parsed.unwrap_err().contains("--features libsignal"));
        }
    }

    #[test]
    fn bad_target_specs_are_explained() {
        assert!("builtin:mutant/nope"
            .parse::<TargetSpec>()
            .unwrap_err()
            .contains("unknown mutant"));
        assert!("exec:".parse::<TargetSpec>().is_err());
        assert!("tcp://host".parse::<TargetSpec>().is_err());
        assert!("http://x"
            .parse::<TargetSpec>()
            .unwrap_err()
            .contains("expected builtin"));
    }
}
