//! The handshake suite (`suites/handshake.toml`): Noise Pipes (XX, IK,
//! XXfallback with 25519, AESGCM, SHA256), the transport phase and the
//! profile's stream conventions. The peer engine (`crate::peer::noise`)
//! plays the gatekeeper; the target is driven through the Hs* adapter
//! operations (docs/handshake.md).
//!
//! * `drive`: starting both sides from the profile, adapter calls, checks.
//! * `complete`: handshakes that must complete.
//! * `tamper`: handshakes that must fail, and the abort that follows.
//! * `encodings`: keys in their other valid encoding (bit 255 set).
//! * `transport`: nonces, replay, failed decrypts, size limits, rekey.
//! * `stream`: header, framing, wrapping, chunking.
//! * `properties`: generated cases.

mod complete;
mod drive;
mod encodings;
mod properties;
mod stream;
mod tamper;
mod transport;

use crate::peer::noise::MessagePart::{EncryptedStatic, Ephemeral, Payload, Tag};
use crate::peer::noise::Protocol;
use crate::peer::noise::Role::{Initiator, Responder};
use crate::scenario::Registry;

/// Every handshake scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    const XX: Protocol = Protocol::XX;
    const IK: Protocol = Protocol::IK;
    scenarios
        // An honest handshake: (protocol, the target's role).
        .family(
            complete::honest,
            [
                ("handshake/xx-target-initiator", (XX, Initiator)),
                ("handshake/xx-target-responder", (XX, Responder)),
                (
                    "handshake/ik-target-initiator-known-server-key",
                    (IK, Initiator),
                ),
                ("handshake/ik-target-responder", (IK, Responder)),
            ],
        )
        .add(
            "handshake/fresh-ephemeral-every-handshake",
            complete::fresh_ephemeral_every_handshake,
        )
        .add(
            "handshake/fallback-target-initiator-server-key-changed",
            complete::fallback_target_initiator,
        )
        .add(
            "handshake/fallback-target-responder-stale-client-cache",
            complete::fallback_target_responder,
        )
        .add(
            "handshake/ik-unexpected-static-falls-back",
            complete::ik_unexpected_static_falls_back,
        )
        .add(
            "handshake/fixed-keys-match-expected-bytes",
            complete::fixed_keys_match_peer_bytes,
        )
        .add(
            "handshake/login-payload-intact",
            complete::login_payload_intact,
        )
        .add(
            "handshake/empty-payload-hash-follows-profile",
            complete::empty_payload_hash_convention,
        )
        .add(
            "handshake/ik-pinned-server-key-refuses-fallback",
            tamper::ik_pinned_refuses_fallback,
        )
        .add(
            "handshake/ik-responder-without-pipes-refuses",
            tamper::ik_responder_without_pipes_refuses,
        )
        .add("handshake/xx-never-falls-back", tamper::xx_never_falls_back)
        .add(
            "handshake/prologue-mismatch-refused",
            tamper::prologue_mismatch_refused,
        )
        // One bit flipped in one part of one message: (protocol, the
        // target's role, the message the peer writes, the part).
        .family(
            tamper::flipped,
            [
                (
                    "handshake/xx-msg1-flipped-ephemeral-refused",
                    (XX, Initiator, 1, Ephemeral),
                ),
                (
                    "handshake/xx-msg1-flipped-static-refused",
                    (XX, Initiator, 1, EncryptedStatic),
                ),
                (
                    "handshake/xx-msg1-flipped-payload-refused",
                    (XX, Initiator, 1, Payload),
                ),
                (
                    "handshake/xx-msg1-flipped-tag-refused",
                    (XX, Initiator, 1, Tag),
                ),
                (
                    "handshake/xx-msg2-flipped-static-refused",
                    (XX, Responder, 2, EncryptedStatic),
                ),
                (
                    "handshake/xx-msg2-flipped-payload-refused",
                    (XX, Responder, 2, Payload),
                ),
                (
                    "handshake/xx-msg2-flipped-tag-refused",
                    (XX, Responder, 2, Tag),
                ),
                (
                    "handshake/ik-msg0-flipped-ephemeral-refused",
                    (IK, Responder, 0, Ephemeral),
                ),
                (
                    "handshake/ik-msg0-flipped-static-refused",
                    (IK, Responder, 0, EncryptedStatic),
                ),
                (
                    "handshake/ik-msg0-flipped-payload-refused",
                    (IK, Responder, 0, Payload),
                ),
                (
                    "handshake/ik-msg0-flipped-tag-refused",
                    (IK, Responder, 0, Tag),
                ),
                (
                    "handshake/ik-msg1-flipped-ephemeral-refused",
                    (IK, Initiator, 1, Ephemeral),
                ),
                (
                    "handshake/ik-msg1-flipped-payload-refused",
                    (IK, Initiator, 1, Payload),
                ),
                (
                    "handshake/ik-msg1-flipped-tag-refused",
                    (IK, Initiator, 1, Tag),
                ),
            ],
        )
        .add(
            "handshake/truncated-message-refused",
            tamper::truncated_refused,
        )
        .add(
            "handshake/ik-truncated-message-refused",
            tamper::ik_truncated_refused,
        )
        .add(
            "handshake/fallback-flipped-bit-refused",
            tamper::fallback_flipped_refused,
        )
        .add(
            "handshake/short-message-malformed",
            tamper::short_message_malformed,
        )
        .add(
            "handshake/over-long-message-refused",
            tamper::over_long_refused,
        )
        .add(
            "handshake/low-order-ephemeral-refused",
            tamper::low_order_ephemeral_refused,
        )
        .add(
            "handshake/all-zero-ephemeral-refused",
            tamper::all_zero_ephemeral_refused,
        )
        .add(
            "handshake/high-bit-keys-accepted",
            encodings::high_bit_keys_accepted,
        )
        .add(
            "handshake/failure-aborts-handshake",
            tamper::failure_aborts_handshake,
        )
        .add("handshake/transport-round-trip", transport::round_trip)
        .add(
            "handshake/transport-nonces-in-order",
            transport::nonces_in_order,
        )
        .add(
            "handshake/transport-replayed-frame-refused",
            transport::replayed_frame_refused,
        )
        .add(
            "handshake/transport-reordered-frame-refused",
            transport::reordered_frame_refused,
        )
        .add(
            "handshake/transport-failed-decrypt-keeps-nonce",
            transport::failed_decrypt_keeps_nonce,
        )
        .add(
            "handshake/transport-oversized-refused",
            transport::oversized_refused,
        )
        .add("handshake/transport-rekey", transport::rekey)
        .add(
            "handshake/transport-nonce-exhaustion-ends-session",
            transport::nonce_exhaustion_ends_session,
        )
        .add("handshake/stream-one-byte-chunks", stream::one_byte_chunks)
        .add(
            "handshake/stream-coalesced-frames",
            stream::coalesced_frames,
        )
        .add(
            "handshake/stream-wire-follows-profile",
            stream::wire_format_follows_profile,
        )
        .add(
            "handshake/stream-header-or-prologue-mismatch-refused",
            stream::header_or_prologue_mismatch_refused,
        )
        .add(
            "handshake/stream-malformed-handshake-frame-refused",
            stream::malformed_handshake_frame_refused,
        )
        .add(
            "handshake/property-single-bit-flip-refused",
            properties::single_bit_flip_refused,
        )
        .add(
            "handshake/property-random-chunkings-round-trip",
            properties::random_chunkings_round_trip,
        )
        .add(
            "handshake/property-random-payload-sizes",
            properties::random_payload_sizes,
        );
}
