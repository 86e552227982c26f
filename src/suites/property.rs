//! Property scenarios: proptest drives generated cases against the target,
//! seeded from the scenario seed so a run seed replays the same cases, and
//! shrinks a failure to a minimal input that the report shows.

use std::cell::{Cell, RefCell};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use crate::scenario::outcome::{Check, Counterexample, Finding, OutcomeKind};
use crate::scenario::ScenarioCtx;

/// Shrinking talks to the target at every step; this bounds it.
const MAX_SHRINK_ITERS: u32 = 1024;

/// Runs `test` on `ctx.cases` generated values. A `fail` finding is shrunk;
/// an `error` or `not-applicable` finding stops the property at once (the
/// target broke, so shrinking against it would mean nothing).
pub fn check_property<S>(
    ctx: &mut ScenarioCtx,
    strategy: S,
    describe: impl Fn(&S::Value) -> String,
    test: impl Fn(&mut ScenarioCtx, &S::Value) -> Result<(), Finding>,
) -> Check
where
    S: Strategy,
{
    let cases = ctx.cases.max(1);
    let run_seed = ctx.run_seed;
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: MAX_SHRINK_ITERS,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &ctx.seed));
    let stopped: RefCell<Option<Finding>> = RefCell::new(None);
    let failed_once = Cell::new(false);
    let shared = RefCell::new(ctx);

    let result = runner.run(&strategy, |value| {
        if stopped.borrow().is_some() {
            return Err(TestCaseError::fail("stopped after an earlier error"));
        }
        let mut ctx = shared.borrow_mut();
        match test(&mut ctx, &value) {
            Ok(()) => Ok(()),
            Err(finding) if finding.kind == OutcomeKind::Fail => {
                failed_once.set(true);
                Err(TestCaseError::fail(finding.message))
            }
            Err(finding) => {
                *stopped.borrow_mut() = Some(finding);
                Err(TestCaseError::fail("stopped"))
            }
        }
    });

    match (result, stopped.into_inner()) {
        (Ok(()), _) => Ok(format!("{cases} generated cases held")),
        (Err(_), Some(stop)) if !failed_once.get() => Err(stop),
        (Err(TestError::Fail(reason, value)), stop) => {
            let minimal_input = describe(&value);
            let mut message =
                format!("{reason}; minimal failing input after shrinking: {minimal_input}");
            if let Some(stop) = stop {
                message.push_str(&format!(" (shrinking was cut short: {})", stop.message));
            }
            Err(Finding {
                kind: OutcomeKind::Fail,
                message,
                counterexample: Some(Counterexample {
                    minimal_input,
                    seed: run_seed,
                }),
            })
        }
        (Err(TestError::Abort(reason)), _) => {
            Err(Finding::error(format!("property run aborted: {reason}")))
        }
    }
}
