//! What a scenario is given: the target connection, its RNG, the run's
//! parameters, and the calls every suite makes through the same judge.

use rand_chacha::ChaCha20Rng;

use super::keys::{KeyKind, KeyLedger};
use super::outcome::{Deviation, Finding};
use super::refusal;
use crate::adapter::client::{AdapterClient, Reply};
use crate::adapter::proto::{request::Op, response, ErrorCategory, HelloResult};
use crate::catalog::profile::Profile;

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
    /// This scenario's id (keys in the ledger are filed under it).
    pub id: &'a str,
    /// The run's record of the keys the target emitted (see [`super::keys`]).
    pub keys: &'a KeyLedger,
    /// The scenario gave the target the keys it will emit (golden vectors):
    /// what it sends then is not fresh by design and is not recorded.
    pub scripted_keys: bool,
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

    /// Records a key the target emitted (read by the peer) in the run's
    /// ledger; a key another scenario of this run already saw is a failure.
    /// Nothing is recorded once the scenario scripted the target's keys.
    pub fn fresh_key(&mut self, kind: KeyKind, key: &[u8], what: &str) -> Result<(), Finding> {
        if self.scripted_keys {
            return Ok(());
        }
        match self.keys.record(self.id, kind, key) {
            None => Ok(()),
            Some(earlier) => Err(Finding::fail(format!(
                "{what}: the target's {} {} was already sent in scenario {} (as its {}); {}",
                kind.name(),
                hex::encode(key),
                earlier.scenario,
                earlier.kind.name(),
                kind.rule()
            ))),
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
            return Err($crate::scenario::outcome::Finding::fail(format!($($fmt)+)));
        }
    };
}
