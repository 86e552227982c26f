//! The handshake suite (`suites/handshake.toml`): Noise Pipes (XX, IK,
//! XXfallback with 25519, AESGCM, SHA256), the transport phase and the
//! profile's stream conventions. The peer engine (`crate::peer::noise`)
//! plays the gatekeeper; the target is driven through the Hs* adapter
//! operations (docs/handshake.md).
//!
//! * `drive`: starting both sides from the profile, adapter calls, checks.
//! * `complete`: handshakes that must complete.
//! * `tamper`: handshakes that must fail, and the abort that follows.
//! * `transport`: nonces, replay, failed decrypts, size limits, rekey.
//! * `stream`: header, framing, wrapping, chunking.
//! * `properties`: generated cases.

mod complete;
mod drive;
mod properties;
mod stream;
mod tamper;
mod transport;

use super::ScenarioImpl;

macro_rules! scenarios {
    ($($id:literal => $run:path,)*) => {
        vec![$(ScenarioImpl { id: $id, run: $run },)*]
    };
}

pub fn scenarios() -> Vec<ScenarioImpl> {
    scenarios![
        "handshake/xx-target-initiator" => complete::xx_target_initiator,
        "handshake/xx-target-responder" => complete::xx_target_responder,
        "handshake/ik-target-initiator-known-server-key" => complete::ik_target_initiator,
        "handshake/ik-target-responder" => complete::ik_target_responder,
        "handshake/fallback-target-initiator-server-key-changed" => complete::fallback_target_initiator,
        "handshake/fallback-target-responder-stale-client-cache" => complete::fallback_target_responder,
        "handshake/ik-unexpected-static-falls-back" => complete::ik_unexpected_static_falls_back,
        "handshake/fixed-keys-match-expected-bytes" => complete::fixed_keys_match_peer_bytes,
        "handshake/login-payload-intact" => complete::login_payload_intact,
        "handshake/empty-payload-hash-follows-profile" => complete::empty_payload_hash_convention,
        "handshake/ik-pinned-server-key-refuses-fallback" => tamper::ik_pinned_refuses_fallback,
        "handshake/ik-responder-without-pipes-refuses" => tamper::ik_responder_without_pipes_refuses,
        "handshake/xx-never-falls-back" => tamper::xx_never_falls_back,
        "handshake/prologue-mismatch-refused" => tamper::prologue_mismatch_refused,
        "handshake/xx-msg1-flipped-ephemeral-refused" => tamper::xx_msg1_ephemeral,
        "handshake/xx-msg1-flipped-static-refused" => tamper::xx_msg1_static,
        "handshake/xx-msg1-flipped-payload-refused" => tamper::xx_msg1_payload,
        "handshake/xx-msg1-flipped-tag-refused" => tamper::xx_msg1_tag,
        "handshake/xx-msg2-flipped-static-refused" => tamper::xx_msg2_static,
        "handshake/xx-msg2-flipped-payload-refused" => tamper::xx_msg2_payload,
        "handshake/xx-msg2-flipped-tag-refused" => tamper::xx_msg2_tag,
        "handshake/ik-msg0-flipped-ephemeral-refused" => tamper::ik_msg0_ephemeral,
        "handshake/ik-msg0-flipped-static-refused" => tamper::ik_msg0_static,
        "handshake/ik-msg0-flipped-payload-refused" => tamper::ik_msg0_payload,
        "handshake/ik-msg0-flipped-tag-refused" => tamper::ik_msg0_tag,
        "handshake/ik-msg1-flipped-ephemeral-refused" => tamper::ik_msg1_ephemeral,
        "handshake/ik-msg1-flipped-payload-refused" => tamper::ik_msg1_payload,
        "handshake/ik-msg1-flipped-tag-refused" => tamper::ik_msg1_tag,
        "handshake/truncated-message-refused" => tamper::truncated_refused,
        "handshake/short-message-malformed" => tamper::short_message_malformed,
        "handshake/over-long-message-refused" => tamper::over_long_refused,
        "handshake/low-order-ephemeral-refused" => tamper::low_order_ephemeral_refused,
        "handshake/all-zero-ephemeral-refused" => tamper::all_zero_ephemeral_refused,
        "handshake/failure-aborts-handshake" => tamper::failure_aborts_handshake,
        "handshake/transport-round-trip" => transport::round_trip,
        "handshake/transport-nonces-in-order" => transport::nonces_in_order,
        "handshake/transport-replayed-frame-refused" => transport::replayed_frame_refused,
        "handshake/transport-reordered-frame-refused" => transport::reordered_frame_refused,
        "handshake/transport-failed-decrypt-keeps-nonce" => transport::failed_decrypt_keeps_nonce,
        "handshake/transport-oversized-refused" => transport::oversized_refused,
        "handshake/transport-rekey" => transport::rekey,
        "handshake/transport-nonce-exhaustion-ends-session" => transport::nonce_exhaustion_ends_session,
        "handshake/stream-one-byte-chunks" => stream::one_byte_chunks,
        "handshake/stream-coalesced-frames" => stream::coalesced_frames,
        "handshake/stream-wire-follows-profile" => stream::wire_format_follows_profile,
        "handshake/stream-header-or-prologue-mismatch-refused" => stream::header_or_prologue_mismatch_refused,
        "handshake/stream-malformed-handshake-frame-refused" => stream::malformed_handshake_frame_refused,
        "handshake/property-single-bit-flip-refused" => properties::single_bit_flip_refused,
        "handshake/property-random-chunkings-round-trip" => properties::random_chunkings_round_trip,
        "handshake/property-random-payload-sizes" => properties::random_payload_sizes,
    ]
}
