//! The adapter suite (`suites/adapter.toml`): the contract every target
//! keeps before any protocol suite can run against it.
//!
//! Modules by topic: [`hello`] (declared fields, version negotiation),
//! [`unsupported`] (requests a target cannot serve), [`memory`] (Remember,
//! Recall, Reset), [`ping`] (echoes, and the liveness check after hostile
//! input), [`frames`] (size limit, malformed frames, pipelining).

mod frames;
mod hello;
mod memory;
mod ping;
mod unsupported;

use crate::scenario::Registry;

pub use hello::{MAX_FRAME_LIMIT, MIN_FRAME_LIMIT};

/// Every adapter scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    scenarios
        .add("adapter/hello-fields-valid", hello::hello_fields_valid)
        .add(
            "adapter/hello-minor-version-compatible",
            hello::hello_minor_version_compatible,
        )
        .add(
            "adapter/hello-older-minor-version-compatible",
            hello::hello_older_minor_version_compatible,
        )
        .add(
            "adapter/hello-major-version-mismatch-refused",
            hello::hello_major_version_mismatch_refused,
        )
        .add(
            "adapter/unknown-op-is-unsupported",
            unsupported::unknown_op_is_unsupported,
        )
        .add(
            "adapter/empty-request-is-unsupported",
            unsupported::empty_request_is_unsupported,
        )
        .add(
            "adapter/reset-clears-remembered-state",
            memory::reset_clears_remembered_state,
        )
        .add(
            "adapter/remember-recall-round-trip",
            memory::remember_recall_round_trip,
        )
        .add("adapter/ping-echoes-empty", ping::ping_echoes_empty)
        .add("adapter/ping-echoes-1mib", ping::ping_echoes_1mib)
        .add(
            "adapter/ping-echoes-random-payloads",
            ping::ping_echoes_random_payloads,
        )
        .add(
            "adapter/oversized-frame-refused",
            frames::oversized_frame_refused,
        )
        .add(
            "adapter/malformed-frame-rejected",
            frames::malformed_frame_rejected,
        )
        .add(
            "adapter/reply-ids-match-pipelined-requests",
            frames::reply_ids_match_pipelined_requests,
        );
}
