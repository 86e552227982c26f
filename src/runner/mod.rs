//! The runner: executes a plan against a target on a pool of connections.
//!
//! Each job owns one target connection and takes scenarios from a shared
//! queue. Before every scenario the target is `Reset`; a target that crashed,
//! hung, closed its stream or wrote garbage gives that scenario an `error`
//! outcome with evidence and is replaced before the next one. A scenario
//! never panics the runner (panics become `error`), and a target never hangs
//! it (every wait is bounded by the call timeout and the scenario deadline).

pub mod configure;
pub mod plan;

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::adapter::client::{AdapterClient, ClientConfig, Reply};
use crate::adapter::link::TargetSource;
use crate::adapter::proto::{request::Op, response, HelloResult, Reset};
use crate::catalog::profile::Profile;
use crate::scenario::keys::KeyLedger;
use crate::scenario::outcome::{
    Check, Deviation, Evidence, Finding, OutcomeKind, Repetitions, ScenarioOutcome,
};
use crate::scenario::{Registry, ScenarioCtx};
use plan::{scenario_seed, PlannedScenario};

/// How much of the target's log is kept per scenario.
const LOG_EXCERPT_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Where target instances come from.
    pub target: Arc<dyn TargetSource>,
    /// The scenario code the plan's ids are looked up in.
    pub scenarios: &'static Registry,
    pub seed: u64,
    /// Cases per property scenario.
    pub cases: u32,
    pub jobs: usize,
    pub call_timeout: Duration,
    pub scenario_timeout: Duration,
    pub profile: Profile,
    /// Set (by Ctrl-C) to stop taking new scenarios.
    pub interrupt: Arc<AtomicBool>,
    /// Leading bytes of user plaintext that evidence may show.
    pub plaintext_excerpt: usize,
    /// After this many scenarios in a row in which the target did not
    /// answer in time (or could not be restarted), the remaining ones are
    /// `error` at once instead of each waiting out its timeout; 0 never
    /// gives up.
    pub max_unresponsive: u32,
    /// Stop taking new scenarios once this many failed or errored.
    pub max_fail: Option<u32>,
    /// Runs of each scenario with the same inputs (`--repeat`); with 1, a
    /// failed scenario is still run [`REPEATS_AFTER_FAILURE`] more times to
    /// see whether it reproduces.
    pub repeat: u32,
}

/// Extra runs of a failed scenario when `--repeat` is 1.
pub const REPEATS_AFTER_FAILURE: u32 = 4;

/// The default of [`RunConfig::max_unresponsive`] (README §Timeouts).
pub const DEFAULT_MAX_UNRESPONSIVE: u32 = 2;

/// What the workers learn about the target as a whole.
#[derive(Default)]
struct Health {
    /// Scenarios in a row in which the target did not answer in time.
    unresponsive_in_a_row: AtomicU32,
    /// Scenarios that failed or errored.
    failures: AtomicU32,
}

impl Health {
    fn record(&self, outcome: &ScenarioOutcome, unresponsive: bool) {
        if unresponsive {
            self.unresponsive_in_a_row.fetch_add(1, Ordering::SeqCst);
        } else {
            self.unresponsive_in_a_row.store(0, Ordering::SeqCst);
        }
        if matches!(outcome.kind, OutcomeKind::Fail | OutcomeKind::Error) {
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Why the target is no longer worth waiting for, if it is not.
    fn given_up(&self, config: &RunConfig) -> Option<String> {
        let in_a_row = self.unresponsive_in_a_row.load(Ordering::SeqCst);
        (config.max_unresponsive > 0 && in_a_row >= config.max_unresponsive).then(|| {
            format!(
                "not run: the target stopped answering ({in_a_row} scenarios in a row timed out or could not restart it; --max-unresponsive {})",
                config.max_unresponsive
            )
        })
    }

    fn too_many_failures(&self, config: &RunConfig) -> bool {
        config
            .max_fail
            .is_some_and(|max| self.failures.load(Ordering::SeqCst) >= max)
    }
}

impl RunConfig {
    fn client_config(&self) -> ClientConfig {
        ClientConfig {
            max_frame: self.profile.adapter.max_frame_size as usize,
            call_timeout: self.call_timeout,
            record: true,
            plaintext_excerpt: self.plaintext_excerpt,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RunResult {
    /// Sorted by scenario id.
    pub outcomes: Vec<ScenarioOutcome>,
    pub hello: HelloResult,
    pub started: SystemTime,
    pub finished: SystemTime,
    pub interrupted: bool,
    /// Planned scenarios that did not run because of an interruption.
    pub not_run: Vec<String>,
    /// Target instances started to replace broken ones.
    pub restarts: u32,
    /// Whether the target was told the profile (`Configure`).
    pub delivery: configure::Delivery,
    /// The run stopped taking scenarios after `--max-fail` failures.
    pub stopped_after_failures: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the target could not be driven: {0}")]
    TargetUnusable(String),
}

/// A connection that has said Hello and been told the profile.
pub struct Connection {
    pub client: AdapterClient,
    pub hello: HelloResult,
    pub delivery: configure::Delivery,
}

/// Opens one connection, performs the Hello exchange and tells the target
/// its profile.
pub fn connect(config: &RunConfig) -> Result<Connection, String> {
    let link = config.target.open(config.call_timeout)?;
    let mut client = AdapterClient::new(link, config.client_config());
    let greeted = client.hello().and_then(|hello| {
        let delivery = configure::deliver(&mut client, &hello, &config.profile)?;
        Ok((hello, delivery))
    });
    match greeted {
        Ok((hello, delivery)) => Ok(Connection {
            client,
            hello,
            delivery,
        }),
        Err(message) => {
            if let Some(log) = client.link().log() {
                log.wait_drained(Duration::from_millis(500));
            }
            let log = client
                .link()
                .log()
                .map(|l| l.since(0, 2048))
                .filter(|t| !t.trim().is_empty())
                .map(|t| format!("\ntarget log:\n{t}"))
                .unwrap_or_default();
            Err(format!("{message}{log}"))
        }
    }
}

/// Runs `plan`, calling `observe` (on this thread) as each outcome arrives.
pub fn run(
    plan: &[PlannedScenario],
    config: &RunConfig,
    observe: &mut dyn FnMut(&ScenarioOutcome),
) -> Result<RunResult, RunError> {
    let started = SystemTime::now();
    let Connection {
        client: first,
        hello,
        delivery,
    } = connect(config).map_err(RunError::TargetUnusable)?;

    let queue = Mutex::new(plan.iter().collect::<VecDeque<_>>());
    let restarts = AtomicU32::new(0);
    let health = Health::default();
    let jobs = config.jobs.clamp(1, plan.len().max(1));
    let (sender, receiver) = mpsc::channel::<ScenarioOutcome>();
    let mut outcomes = Vec::with_capacity(plan.len());
    let mut first = Some(first);
    // One record of the target's keys for the whole run, shared by every
    // worker (see `scenario::keys`).
    let keys = KeyLedger::new();

    std::thread::scope(|scope| {
        for job in 0..jobs {
            let sender = sender.clone();
            let connection = if job == 0 { first.take() } else { None };
            let (queue, restarts, hello, delivery, health, keys) =
                (&queue, &restarts, &hello, &delivery, &health, &keys);
            scope.spawn(move || {
                let mut worker = Worker {
                    config,
                    hello,
                    delivery,
                    connection,
                    restarts,
                    keys,
                    unresponsive: false,
                };
                loop {
                    if config.interrupt.load(Ordering::SeqCst) || health.too_many_failures(config) {
                        break;
                    }
                    let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                    let Some(scenario) = next else { break };
                    let outcome = match health.given_up(config) {
                        Some(why) => not_run_against_dead_target(scenario, why),
                        None => {
                            let outcome = worker.run_repeated(scenario);
                            health.record(&outcome, worker.unresponsive);
                            outcome
                        }
                    };
                    if sender.send(outcome).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for outcome in receiver {
            observe(&outcome);
            outcomes.push(outcome);
        }
    });

    outcomes.sort_by(|a, b| a.id.cmp(&b.id));
    let interrupted = config.interrupt.load(Ordering::SeqCst);
    let not_run = plan
        .iter()
        .filter(|p| !outcomes.iter().any(|o| o.id == p.id))
        .map(|p| p.id.clone())
        .collect();
    Ok(RunResult {
        outcomes,
        hello,
        started,
        finished: SystemTime::now(),
        interrupted,
        not_run,
        restarts: restarts.load(Ordering::SeqCst),
        delivery,
        stopped_after_failures: health.too_many_failures(config),
    })
}

/// The outcome of a scenario not run because the target stopped answering.
fn not_run_against_dead_target(scenario: &PlannedScenario, why: String) -> ScenarioOutcome {
    ScenarioOutcome {
        id: scenario.id.clone(),
        suite: scenario.suite.clone(),
        kind: OutcomeKind::Error,
        message: why,
        duration: Duration::ZERO,
        evidence: Evidence::default(),
        restarted_target: false,
        deviations: Vec::new(),
        repetitions: Repetitions::default(),
    }
}

struct Worker<'a> {
    config: &'a RunConfig,
    hello: &'a HelloResult,
    /// How the first connection took the profile; every new one must agree.
    delivery: &'a configure::Delivery,
    connection: Option<AdapterClient>,
    restarts: &'a AtomicU32,
    /// The run's key ledger.
    keys: &'a KeyLedger,
    /// The last scenario ran out of time waiting for the target, or could
    /// not restart it.
    unresponsive: bool,
}

impl Worker<'_> {
    /// Runs `scenario` `--repeat` times (and again after a failure, to see
    /// whether it reproduces); the outcome is the first run that did not
    /// pass, or the first run when all passed, with the count of failures.
    fn run_repeated(&mut self, scenario: &PlannedScenario) -> ScenarioOutcome {
        let started = Instant::now();
        let mut kept = self.run_one(scenario);
        let mut last = kept.kind;
        let mut runs = 1;
        let mut failed = u32::from(last == OutcomeKind::Fail);
        loop {
            // Not applicable, a broken target or one that stopped answering
            // will not tell more on another run.
            if matches!(last, OutcomeKind::NotApplicable | OutcomeKind::Error) || self.unresponsive
            {
                break;
            }
            let wanted = if self.config.repeat <= 1 && failed > 0 {
                1 + REPEATS_AFTER_FAILURE
            } else {
                self.config.repeat.max(1)
            };
            if runs >= wanted {
                break;
            }
            let outcome = self.run_one(scenario);
            runs += 1;
            last = outcome.kind;
            failed += u32::from(last == OutcomeKind::Fail);
            if kept.kind == OutcomeKind::Pass && last != OutcomeKind::Pass {
                kept = outcome;
            }
        }
        kept.duration = started.elapsed();
        kept.repetitions = Repetitions { runs, failed };
        if runs > 1 && kept.kind == OutcomeKind::Fail {
            kept.message = format!("failed {failed} of {runs} runs: {}", kept.message);
        }
        kept
    }

    fn run_one(&mut self, scenario: &PlannedScenario) -> ScenarioOutcome {
        let start = Instant::now();
        self.unresponsive = false;
        let mut restarted = false;
        let mut deviations = Vec::new();
        let (result, evidence) = self.attempt(scenario, start, &mut restarted, &mut deviations);
        let (kind, message) = match result {
            Ok(note) => (OutcomeKind::Pass, note),
            Err(finding) => (finding.kind, finding.message),
        };
        ScenarioOutcome {
            id: scenario.id.clone(),
            suite: scenario.suite.clone(),
            kind,
            message,
            duration: start.elapsed(),
            evidence,
            restarted_target: restarted,
            deviations,
            repetitions: Repetitions {
                runs: 1,
                failed: u32::from(kind == OutcomeKind::Fail),
            },
        }
    }

    fn attempt(
        &mut self,
        scenario: &PlannedScenario,
        start: Instant,
        restarted: &mut bool,
        deviations: &mut Vec<Deviation>,
    ) -> (Check, Evidence) {
        let no_evidence = |f: Finding| (Err(f), Evidence::default());
        if let Some(capability) = &scenario.capability {
            if !self.hello.declares(capability) {
                return no_evidence(Finding::not_applicable(format!(
                    "the target does not declare the {capability} capability"
                )));
            }
        }
        if let Some(missing) = opted_out(self.hello, scenario) {
            return no_evidence(Finding::not_applicable(format!(
                "opted out: the target does not declare the optional {missing} capability"
            )));
        }
        let Some(implementation) = self.config.scenarios.get(&scenario.id) else {
            return no_evidence(Finding::error(format!(
                "no code implements scenario {} (catalog and code disagree)",
                scenario.id
            )));
        };
        if self.connection.is_none() {
            match connect(self.config) {
                Ok(connection) if connection.delivery != *self.delivery => {
                    return no_evidence(Finding::error(format!(
                        "a new target instance took the profile differently from the first ({:?}, then {:?})",
                        self.delivery, connection.delivery
                    )))
                }
                Ok(connection) => {
                    self.restarts.fetch_add(1, Ordering::SeqCst);
                    *restarted = true;
                    self.connection = Some(connection.client);
                }
                Err(message) => {
                    self.unresponsive = true;
                    return no_evidence(Finding::error(format!(
                        "could not start a new target instance: {message}"
                    )));
                }
            }
        }
        let Some(client) = self.connection.as_mut() else {
            return no_evidence(Finding::error("no target connection"));
        };
        client.clear_transcript();
        client.set_deadline(Some(start + self.config.scenario_timeout));
        let log_mark = client.link().log().map(|l| l.mark());

        let result = reset(client).and_then(|()| {
            let seed = scenario_seed(self.config.seed, &scenario.id);
            let mut ctx = ScenarioCtx {
                client: &mut *client,
                rng: ChaCha20Rng::from_seed(seed),
                seed,
                run_seed: self.config.seed,
                cases: self.config.cases,
                profile: &self.config.profile,
                hello: self.hello,
                deviations: Vec::new(),
                id: &scenario.id,
                keys: self.keys,
                scripted_keys: false,
            };
            let result = match catch_unwind(AssertUnwindSafe(|| implementation.run(&mut ctx))) {
                Ok(result) => result,
                Err(panic) => Err(Finding::error(format!(
                    "the harness panicked in this scenario: {}",
                    panic_text(&panic)
                ))),
            };
            *deviations = std::mem::take(&mut ctx.deviations);
            result
        });
        client.set_deadline(None);

        if result.is_err() && client.needs_replacing() {
            if let Some(log) = client.link().log() {
                // A target that died may still have log lines in flight.
                log.wait_drained(Duration::from_millis(200));
            }
        }
        // Everything kept from the scenario passes through its redactor.
        let redactor = client.redactor();
        let result = result
            .map(|note| redactor.text(&note))
            .map_err(|mut finding| {
                finding.message = redactor.text(&finding.message);
                if let Some(ce) = &mut finding.counterexample {
                    ce.minimal_input = redactor.text(&ce.minimal_input);
                }
                finding
            });
        let evidence = match &result {
            Ok(_) => Evidence::default(),
            Err(finding) => Evidence {
                transcript: client
                    .transcript()
                    .lines()
                    .iter()
                    .map(|l| redactor.text(l))
                    .collect(),
                decoded: client.transcript().decoded(redactor),
                target_log: match (client.link().log(), log_mark) {
                    (Some(log), Some(mark)) => redactor.text(&log.since(mark, LOG_EXCERPT_BYTES)),
                    _ => String::new(),
                },
                counterexample: finding.counterexample.clone(),
            },
        };
        self.unresponsive = client.unresponsive();
        if client.needs_replacing() {
            // Dropping the client kills a spawned target.
            self.connection = None;
        }
        (result, evidence)
    }
}

/// Resets the target; anything but `ResetResult` is an error outcome.
fn reset(client: &mut AdapterClient) -> Result<(), Finding> {
    match client.call(Op::Reset(Reset {})) {
        Ok(Reply::Result(response::Reply::Reset(_))) => Ok(()),
        Ok(other) => {
            client.taint();
            Err(Finding::error(format!(
                "Reset before the scenario was answered {}",
                other.describe()
            )))
        }
        Err(err) => Err(Finding::error(format!(
            "Reset before the scenario failed: {err}"
        ))),
    }
}

/// The first optional capability `scenario` needs that the target did not
/// declare: the target opted out of it.
pub fn opted_out<'a>(hello: &HelloResult, scenario: &'a PlannedScenario) -> Option<&'a str> {
    scenario
        .needs
        .iter()
        .find(|need| !hello.declares(need))
        .map(String::as_str)
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}
