//! Remember, Recall and Reset: state a target keeps between calls, and
//! forgets on Reset.

use proptest::collection::vec;
use proptest::prelude::*;
use rand::Rng;

use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, Recall, Remember, Reset};
use crate::ensure;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};
use crate::suites::check_property;

fn recall(ctx: &mut ScenarioCtx, key: &str) -> Result<Option<Vec<u8>>, Finding> {
    match ctx.expect_result(Op::Recall(Recall { key: key.into() }), "Recall")? {
        response::Reply::Recall(r) if r.found => Ok(Some(r.value)),
        response::Reply::Recall(_) => Ok(None),
        other => Err(unexpected(Reply::Result(other), "Recall")),
    }
}

fn remember(ctx: &mut ScenarioCtx, key: &str, value: &[u8]) -> Result<(), Finding> {
    match ctx.expect_result(
        Op::Remember(Remember {
            key: key.into(),
            value: value.to_vec(),
        }),
        "Remember",
    )? {
        response::Reply::Remember(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "Remember")),
    }
}

fn reset(ctx: &mut ScenarioCtx) -> Result<(), Finding> {
    match ctx.expect_result(Op::Reset(Reset {}), "Reset")? {
        response::Reply::Reset(_) => Ok(()),
        other => Err(unexpected(Reply::Result(other), "Reset")),
    }
}

pub fn reset_clears_remembered_state(ctx: &mut ScenarioCtx) -> Check {
    let keys: Vec<String> = (0..4)
        .map(|i| format!("k{i}-{:08x}", ctx.rng.gen::<u32>()))
        .collect();
    for key in &keys {
        let value = key.as_bytes().to_vec();
        remember(ctx, key, &value)?;
        // Without a working Remember, Reset could not be told apart from a no-op.
        ensure!(
            recall(ctx, key)?.as_deref() == Some(value.as_slice()),
            "Recall({key:?}) before Reset did not return what Remember stored"
        );
    }
    reset(ctx)?;
    for key in &keys {
        if let Some(value) = recall(ctx, key)? {
            return Err(Finding::fail(format!(
                "after Reset, Recall({key:?}) still returned {} bytes",
                value.len()
            )));
        }
    }
    Ok(format!("{} remembered values gone after Reset", keys.len()))
}

pub fn remember_recall_round_trip(ctx: &mut ScenarioCtx) -> Check {
    let entries = vec(("[a-z0-9]{1,12}", vec(any::<u8>(), 0..48)), 1..8);
    check_property(
        ctx,
        entries,
        |entries| format!("{} Remember calls: {entries:?}", entries.len()),
        |ctx, entries| {
            reset(ctx)?;
            for (key, value) in entries {
                remember(ctx, key, value)?;
            }
            for (key, _) in entries {
                // The last value stored under a key wins.
                let expected = entries
                    .iter()
                    .rev()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone());
                let got = recall(ctx, key)?;
                ensure!(
                    got == expected,
                    "Recall({key:?}) returned {got:?}, expected {expected:?}"
                );
            }
            // Upper case is outside the generated key alphabet: never stored.
            ensure!(
                recall(ctx, "NEVER-STORED")?.is_none(),
                "Recall of a key never stored reported it found"
            );
            Ok(())
        },
    )
}
