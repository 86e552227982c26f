//! Mutants: the reference target with exactly one named, realistic defect
//! each. `interspec selftest` proves every one is caught by at least one
//! scenario of its suite.

/// One defect. The reference consults it at the one place the defect lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    AdapterAcceptsAnyMajor,
    AdapterResetKeepsState,
    AdapterPingTruncates64k,
    AdapterReplyIdCounter,
    AdapterUnknownOpInternalError,
    AdapterNoFrameLimit,
    AdapterDiesOnMalformedFrame,
    E2eeAcceptsReplay,
    E2eeSkipsMacCheck,
    E2eeStateBeforeMac,
    E2eeUnlimitedSkippedKeys,
    E2eeIgnoresIdentityChange,
    E2eeSkipsPrekeySignatureCheck,
    E2eeKeepsUsedOneTimePrekey,
    E2eeNeverRatchets,
    E2eeConstantIv,
    E2eeWrongFingerprintIterations,
}

pub struct MutantInfo {
    pub mutant: Mutant,
    /// As used in `builtin:mutant/NAME`.
    pub name: &'static str,
    /// The suite whose scenarios are expected to catch it.
    pub suite: &'static str,
    pub defect: &'static str,
}

pub const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        mutant: Mutant::AdapterAcceptsAnyMajor,
        name: "adapter-accepts-any-major",
        suite: "adapter",
        defect: "answers every Hello, whatever its major version",
    },
    MutantInfo {
        mutant: Mutant::AdapterResetKeepsState,
        name: "adapter-reset-keeps-state",
        suite: "adapter",
        defect: "Reset acknowledges but keeps remembered values",
    },
    MutantInfo {
        mutant: Mutant::AdapterPingTruncates64k,
        name: "adapter-ping-truncates-64k",
        suite: "adapter",
        defect: "echoes Ping payloads through a fixed 64 KiB buffer, truncating longer ones",
    },
    MutantInfo {
        mutant: Mutant::AdapterReplyIdCounter,
        name: "adapter-reply-id-counter",
        suite: "adapter",
        defect: "numbers its responses with its own counter instead of echoing request ids",
    },
    MutantInfo {
        mutant: Mutant::AdapterUnknownOpInternalError,
        name: "adapter-unknown-op-internal-error",
        suite: "adapter",
        defect: "answers an unknown operation with InternalError instead of Unsupported",
    },
    MutantInfo {
        mutant: Mutant::AdapterNoFrameLimit,
        name: "adapter-no-frame-limit",
        suite: "adapter",
        defect: "reads a frame of any announced length instead of refusing oversized ones",
    },
    MutantInfo {
        mutant: Mutant::AdapterDiesOnMalformedFrame,
        name: "adapter-dies-on-malformed-frame",
        suite: "adapter",
        defect: "exits when a frame does not decode as a Request",
    },
];

pub fn by_name(name: &str) -> Option<&'static MutantInfo> {
    MUTANTS.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_suites_exist() {
        let catalog = crate::catalog::Catalog::builtin().expect("catalog");
        for (i, m) in MUTANTS.iter().enumerate() {
            assert!(
                MUTANTS[..i]
                    .iter()
                    .all(|o| o.name != m.name && o.mutant != m.mutant),
                "{} twice",
                m.name
            );
            assert!(
                catalog.suite(m.suite).is_some(),
                "{}: unknown suite {}",
                m.name,
                m.suite
            );
            assert!(
                m.name.starts_with(&format!("{}-", m.suite)),
                "{} should start with its suite",
                m.name
            );
        }
    }
}
