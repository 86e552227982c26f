//! Scenario code: one folder per suite, one function per catalog scenario.
//! [`registry`] lists every implementation; a test keeps it and the catalog
//! in step in both directions.

pub mod adapter;
pub mod e2ee;
pub mod enlistment;
pub mod handshake;
mod property;
pub mod refusal;
pub mod stanza;

use std::sync::OnceLock;

use rand_chacha::ChaCha20Rng;

use crate::adapter::client::{AdapterClient, Reply};
use crate::adapter::proto::{request::Op, response, ErrorCategory, HelloResult};
use crate::catalog::profile::Profile;
use crate::runner::outcome::{Check, Deviation, Finding};

pub use property::check_property;

/// Everything a scenario gets: the target connection, a deterministic RNG
/// seeded for this scenario, and the run's parameters.
pub struct ScenarioCtx<'a> {
    pub client: &'a mut AdapterClient,
    pub rng: ChaCha20Rng,
    /// This scenario's seed material (derived from the run seed and its id).
    pub seed: [u8; 32],
    /// The run seed, reported with counterexamples.
    pub run_seed: u64,
    /// Cases per property scenario.
    pub cases: u32,
    pub profile: &'a Profile,
    pub hello: &'a HelloResult,
    /// Right refusals under another category, collected for the report.
    pub deviations: Vec<Deviation>,
}

impl ScenarioCtx<'_> {
    /// Registers bytes (a private key, a token secret) that must never
    /// appear in the report. Register before sending them.
    pub fn secret(&mut self, bytes: &[u8]) {
        self.client.register_secret(bytes);
    }

    /// Registers user plaintext: the report shows only a short excerpt.
    pub fn plaintext(&mut self, bytes: &[u8]) {
        self.client.register_plaintext(bytes);
    }

    /// Judges `reply` as a refusal of `what` (see [`refusal`]): a refusal
    /// under another category than `expected` passes and is recorded.
    pub fn refused(
        &mut self,
        reply: &Reply,
        expected: &[ErrorCategory],
        what: &str,
    ) -> Result<(), Finding> {
        self.note(refusal::judge(reply, expected, what)?);
        Ok(())
    }

    /// Records how a refusal was judged.
    pub fn note(&mut self, judged: refusal::Refusal) {
        if let refusal::Refusal::Deviation(deviation) = judged {
            self.deviations.push(deviation);
        }
    }

    /// Calls the target; a broken call is an `error` finding.
    pub fn call(&mut self, op: Op) -> Result<Reply, Finding> {
        Ok(self.client.call(op)?)
    }

    /// Calls the target and requires an operation result: `Rejected` is a
    /// failure, `Unsupported` makes the scenario not applicable, an internal
    /// error is an error.
    pub fn expect_result(&mut self, op: Op, what: &str) -> Result<response::Reply, Finding> {
        match self.call(op)? {
            Reply::Result(result) => Ok(result),
            other => Err(unexpected(other, what)),
        }
    }
}

/// Turns a reply that should have been a result into the right finding.
pub fn unexpected(reply: Reply, what: &str) -> Finding {
    match reply {
        Reply::Result(result) => Finding::fail(format!(
            "{what} was answered with {}",
            crate::adapter::names::reply_name(Some(&result))
        )),
        Reply::Rejected { .. } => {
            Finding::fail(format!("{what} was refused: {}", reply.describe()))
        }
        Reply::Unsupported(detail) => {
            Finding::not_applicable(format!("the target does not support {what}: {detail}"))
        }
        Reply::Internal(detail) => {
            Finding::error(format!("the target failed internally on {what}: {detail}"))
        }
    }
}

/// Requires `op` to be refused; the docs name `category` for it (a refusal
/// under another category is a recorded deviation, see [`refusal`]).
pub fn expect_rejected(
    ctx: &mut ScenarioCtx,
    op: Op,
    category: ErrorCategory,
    what: &str,
) -> Result<(), Finding> {
    let reply = ctx.call(op)?;
    ctx.refused(&reply, &[category], what)
}

/// Fails the scenario with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::runner::outcome::Finding::fail(format!($($fmt)+)));
        }
    };
}

/// One scenario's code.
pub struct ScenarioImpl {
    pub id: &'static str,
    pub run: fn(&mut ScenarioCtx) -> Check,
}

/// Every scenario implementation, across suites.
pub fn registry() -> &'static [ScenarioImpl] {
    static ALL: OnceLock<Vec<ScenarioImpl>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        all.extend(adapter::scenarios());
        all.extend(handshake::scenarios());
        all.extend(e2ee::scenarios());
        all.extend(stanza::scenarios());
        all.extend(enlistment::scenarios());
        all
    })
}

pub fn implementation(id: &str) -> Option<&'static ScenarioImpl> {
    registry().iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::catalog::Catalog;

    #[test]
    fn catalog_and_code_agree_in_both_directions() {
        let catalog = Catalog::builtin().expect("catalog");
        let in_catalog: BTreeSet<&str> = catalog
            .suites
            .iter()
            .flat_map(|s| s.scenarios.iter().map(|c| c.id.as_str()))
            .collect();
        let in_code: BTreeSet<&str> = super::registry().iter().map(|s| s.id).collect();
        assert_eq!(
            super::registry().len(),
            in_code.len(),
            "a scenario is implemented twice"
        );
        let missing: Vec<_> = in_catalog.difference(&in_code).collect();
        let extra: Vec<_> = in_code.difference(&in_catalog).collect();
        assert!(
            missing.is_empty(),
            "catalog scenarios without code: {missing:?}"
        );
        assert!(extra.is_empty(), "code without a catalog entry: {extra:?}");
    }
}
