//! The e2ee suite (`suites/e2ee.toml`): Signal Protocol v3 round trips with
//! the peer, byte-for-byte vectors, and the Signal guarantees under an
//! active network adversary. Operations: docs/e2ee.md.
//!
//! Modules, one job each: [`harness`] (typed adapter calls, the peer side of
//! a conversation), [`establish`] (X3DH both ways), [`roundtrip`] (traffic,
//! sizes, wire format, ratchet freshness), [`ordering`] (reordering,
//! duplicates), [`bounds`] (forward jumps and the skipped-key store, on
//! either wire), [`tampering`] (integrity, refusals leave the
//! session intact), [`identity`] (signatures, identity changes, safety
//! numbers), [`prekeys`] (one-time prekeys), [`vectors`] (fixed-key golden
//! transcripts), [`property`] (model-checked random sequences), [`encoding`]
//! (key encodings and PreKeySignalMessage version bytes, one spoiled at a time),
//! [`robustness`] (bodies of every size and garbage, device to device),
//! [`devices`] (two target devices talking, any wire format) with
//! [`confidentiality`], [`authenticity`] and [`compromise`] (forward secrecy
//! and post-compromise security with a cloned device) over it.

pub mod authenticity;
pub mod bounds;
pub mod bundle;
pub mod compromise;
pub mod confidentiality;
pub mod device_refusals;
pub mod devices;
pub mod encoding;
pub mod establish;
pub mod freshness;
pub mod harness;
pub mod identity;
pub mod operations;
pub mod ordering;
pub mod prekeys;
pub mod property;
pub mod robustness;
pub mod roundtrip;
pub mod sessions;
pub mod tampering;
pub mod vectors;
pub mod window;

use crate::scenario::Registry;
use encoding::{BundleKey, Opening, Spoil};
use operations::OpRefusal;

/// Every e2ee scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    scenarios
        .family(
            establish::peer_initiates,
            [
                ("e2ee/peer-initiates-with-one-time-prekey", true),
                ("e2ee/peer-initiates-without-one-time-prekey", false),
            ],
        )
        .family(
            establish::target_initiates,
            [
                ("e2ee/target-initiates-with-one-time-prekey", true),
                ("e2ee/target-initiates-without-one-time-prekey", false),
            ],
        )
        .add(
            "e2ee/prekey-messages-until-first-reply",
            establish::prekey_messages_until_first_reply,
        )
        .add("e2ee/bundle-fields-valid", establish::bundle_fields_valid)
        .add(
            "e2ee/delete-session-then-new-session",
            establish::delete_session_then_new_session,
        )
        .add(
            "e2ee/alternating-round-trips",
            roundtrip::alternating_round_trips,
        )
        .add("e2ee/bursty-round-trips", roundtrip::bursty_round_trips)
        .add(
            "e2ee/message-sizes-0-to-64k",
            roundtrip::message_sizes_0_to_64k,
        )
        .add("e2ee/version-byte-0x33", roundtrip::version_byte_0x33)
        .add(
            "e2ee/identical-plaintexts-differ",
            roundtrip::identical_plaintexts_differ,
        )
        .add(
            "e2ee/fresh-ratchet-key-every-turn",
            roundtrip::fresh_ratchet_key_every_turn,
        )
        .add(
            "e2ee/fresh-keys-every-session",
            freshness::fresh_keys_every_session,
        )
        .add(
            "e2ee/devices-no-plaintext-in-output",
            confidentiality::no_plaintext_in_output,
        )
        .add(
            "e2ee/devices-identical-plaintexts-differ",
            confidentiality::identical_plaintexts_differ,
        )
        .add(
            "e2ee/devices-tampered-copies-every-byte",
            confidentiality::tampered_copies_every_byte,
        )
        .add(
            "e2ee/devices-identity-change-refused",
            authenticity::identity_change_refused,
        )
        .add(
            "e2ee/devices-bundle-substitution-refused",
            authenticity::bundle_substitution_refused,
        )
        .add(
            "e2ee/devices-one-time-key-single-use",
            authenticity::one_time_key_single_use,
        )
        .add(
            "e2ee/devices-operation-refusals",
            device_refusals::operation_refusals,
        )
        .add(
            "e2ee/devices-simultaneous-initiation",
            sessions::simultaneous_initiation,
        )
        .add(
            "e2ee/devices-delete-session-then-new-session",
            sessions::delete_session_then_new_session,
        )
        .add(
            "e2ee/forward-secrecy-clone-reads-nothing-old",
            compromise::forward_secrecy,
        )
        .add(
            "e2ee/post-compromise-heals-after-two-round-trips",
            compromise::post_compromise,
        )
        .add(
            "e2ee/simultaneous-initiation-converges",
            roundtrip::simultaneous_initiation_converges,
        )
        .add(
            "e2ee/out-of-order-within-chain",
            ordering::out_of_order_within_chain,
        )
        .add(
            "e2ee/target-messages-reordered",
            ordering::target_messages_reordered,
        )
        .add(
            "e2ee/delayed-message-from-earlier-chain",
            ordering::delayed_message_from_earlier_chain,
        )
        .add(
            "e2ee/forward-jump-at-limit-accepted",
            bounds::forward_jump_at_limit_accepted,
        )
        .add(
            "e2ee/too-far-forward-rejected",
            ordering::too_far_forward_rejected,
        )
        .add(
            "e2ee/message-from-dropped-chain-refused",
            ordering::message_from_dropped_chain_refused,
        )
        .add(
            "e2ee/archived-sessions-bounded",
            ordering::archived_sessions_bounded,
        )
        .add("e2ee/skipped-keys-bounded", bounds::skipped_keys_bounded)
        .add(
            "e2ee/devices-forward-jump-at-limit-accepted",
            bounds::devices_jump_at_limit,
        )
        .add(
            "e2ee/devices-too-far-forward-refused",
            bounds::devices_one_past_limit,
        )
        .add(
            "e2ee/devices-skipped-keys-bounded",
            bounds::devices_store_bounded,
        )
        .add(
            "e2ee/devices-body-sizes-and-garbage",
            robustness::body_sizes_and_garbage,
        )
        .add(
            "e2ee/duplicate-message-rejected",
            ordering::duplicate_message_rejected,
        )
        .add(
            "e2ee/duplicate-of-skipped-message-rejected",
            ordering::duplicate_of_skipped_message_rejected,
        )
        .add(
            "e2ee/duplicate-prekey-message-rejected",
            ordering::duplicate_prekey_message_rejected,
        )
        .add(
            "e2ee/reused-counter-rejected",
            ordering::reused_counter_rejected,
        )
        .add("e2ee/wrong-mac-rejected", tampering::wrong_mac_rejected)
        .add(
            "e2ee/mac-identities-swapped-rejected",
            tampering::mac_identities_swapped_rejected,
        )
        .add(
            "e2ee/wrong-version-rejected",
            tampering::wrong_version_rejected,
        )
        .add(
            "e2ee/truncated-message-rejected",
            tampering::truncated_message_rejected,
        )
        .add(
            "e2ee/extended-message-rejected",
            tampering::extended_message_rejected,
        )
        .add(
            "e2ee/bad-ratchet-key-rejected",
            tampering::bad_ratchet_key_rejected,
        )
        .add(
            "e2ee/invalid-padding-rejected",
            tampering::invalid_padding_rejected,
        )
        .add(
            "e2ee/oversized-body-rejected",
            tampering::oversized_body_rejected,
        )
        .add(
            "e2ee/sender-altered-previous-counter-accepted",
            tampering::sender_altered_previous_counter_accepted,
        )
        .add(
            "e2ee/altered-previous-counter-rejected",
            tampering::altered_previous_counter_rejected,
        )
        .add(
            "e2ee/altered-counter-rejected",
            tampering::altered_counter_rejected,
        )
        .add("e2ee/flipped-bit-rejected", tampering::flipped_bit_rejected)
        .add(
            "e2ee/tampered-prekey-message-rejected",
            tampering::tampered_prekey_message_rejected,
        )
        .add(
            "e2ee/prekey-identity-not-trusted-before-mac",
            tampering::prekey_identity_not_trusted_before_mac,
        )
        .add(
            "e2ee/unknown-signed-prekey-id-rejected",
            tampering::unknown_signed_prekey_id_rejected,
        )
        .add(
            "e2ee/garbage-rejected-without-crash",
            tampering::garbage_rejected_without_crash,
        )
        .add(
            "e2ee/unknown-message-type-rejected",
            tampering::unknown_message_type_rejected,
        )
        .add(
            "e2ee/message-without-session-rejected",
            tampering::message_without_session_rejected,
        )
        .add(
            "e2ee/rejected-message-leaves-session-intact",
            tampering::rejected_message_leaves_session_intact,
        )
        .add(
            "e2ee/bad-signature-bundle-refused",
            identity::bad_signature_bundle_refused,
        )
        .add(
            "e2ee/identity-refusal-does-not-trust",
            identity::identity_refusal_does_not_trust,
        )
        .add(
            "e2ee/identity-change-in-bundle-untrusted-until-approved",
            identity::identity_change_in_bundle_untrusted_until_approved,
        )
        .add(
            "e2ee/identity-change-in-message-untrusted-until-approved",
            identity::identity_change_in_message_untrusted_until_approved,
        )
        .add(
            "e2ee/substituted-identity-bundle-refused",
            identity::substituted_identity_bundle_refused,
        )
        .add(
            "e2ee/safety-number-matches-peer",
            identity::safety_number_matches_peer,
        )
        .add(
            "e2ee/one-time-prekey-works-once",
            prekeys::one_time_prekey_works_once,
        )
        .add(
            "e2ee/consumed-one-time-prekey-id-rejected",
            prekeys::consumed_one_time_prekey_id_rejected,
        )
        .add(
            "e2ee/bundles-carry-distinct-one-time-prekeys",
            prekeys::bundles_carry_distinct_one_time_prekeys,
        )
        .add(
            "e2ee/transcript-target-as-bob",
            vectors::transcript_target_as_bob,
        )
        .add(
            "e2ee/transcript-target-as-alice",
            vectors::transcript_target_as_alice,
        )
        .add(
            "e2ee/safety-number-matches-vector",
            vectors::safety_number_matches_vector,
        )
        .add(
            "e2ee/adversarial-network-peer-target",
            property::adversarial_network_peer_target,
        )
        .add(
            "e2ee/adversarial-network-target-target",
            property::adversarial_network_target_target,
        )
        .family(
            encoding::prekey_opening_spoiled,
            [
                (
                    "e2ee/prekey-message-legacy-version-rejected",
                    Opening::Version(0x23),
                ),
                (
                    "e2ee/prekey-message-unknown-version-rejected",
                    Opening::Version(0x43),
                ),
                (
                    "e2ee/prekey-message-bad-mac-keeps-session",
                    Opening::WrongMac,
                ),
                (
                    "e2ee/prekey-base-key-wrong-type-rejected",
                    Opening::BaseKey(Spoil::WrongType),
                ),
                (
                    "e2ee/prekey-base-key-short-rejected",
                    Opening::BaseKey(Spoil::Short),
                ),
                (
                    "e2ee/prekey-base-key-trailing-bytes",
                    Opening::BaseKey(Spoil::Trailing(1)),
                ),
                (
                    "e2ee/prekey-identity-key-wrong-type-rejected",
                    Opening::IdentityKey(Spoil::WrongType),
                ),
                (
                    "e2ee/prekey-identity-key-short-rejected",
                    Opening::IdentityKey(Spoil::Short),
                ),
                (
                    "e2ee/prekey-identity-key-trailing-bytes",
                    Opening::IdentityKey(Spoil::Trailing(1)),
                ),
            ],
        )
        .add(
            "e2ee/altered-ratchet-key-rejected",
            tampering::altered_ratchet_key_rejected,
        )
        .add(
            "e2ee/message-under-other-type-rejected",
            tampering::message_under_other_type_rejected,
        )
        .add(
            "e2ee/body-at-limit-accepted",
            tampering::body_at_limit_accepted,
        )
        .add(
            "e2ee/unknown-one-time-prekey-id-rejected",
            prekeys::unknown_one_time_prekey_id_rejected,
        )
        .add(
            "e2ee/bundle-signature-wrong-length-refused",
            identity::bundle_signature_wrong_length_refused,
        )
        .family(
            operations::operation_refused,
            [
                ("e2ee/create-device-twice-refused", OpRefusal::CreateTwice),
                ("e2ee/address-name-length-bounds", OpRefusal::NameLength),
                (
                    "e2ee/unknown-local-device-refused",
                    OpRefusal::UnknownLocalDevice,
                ),
                (
                    "e2ee/encrypt-without-session-refused",
                    OpRefusal::EncryptWithoutSession,
                ),
                (
                    "e2ee/encrypt-over-limit-refused",
                    OpRefusal::EncryptOverLimit,
                ),
                (
                    "e2ee/approve-invalid-identity-key-refused",
                    OpRefusal::ApproveInvalidKey,
                ),
                (
                    "e2ee/safety-number-unknown-remote-refused",
                    OpRefusal::SafetyNumberUnknownRemote,
                ),
            ],
        )
        .add(
            "e2ee/ratchet-key-trailing-bytes",
            encoding::ratchet_key_trailing_bytes,
        )
        .family(
            encoding::bundle_key_spoiled,
            [
                (
                    "e2ee/bundle-identity-key-wrong-type-rejected",
                    (BundleKey::Identity, Spoil::WrongType),
                ),
                (
                    "e2ee/bundle-identity-key-short-rejected",
                    (BundleKey::Identity, Spoil::Short),
                ),
                (
                    "e2ee/bundle-identity-key-trailing-bytes",
                    (BundleKey::Identity, Spoil::Trailing(1)),
                ),
                (
                    "e2ee/bundle-identity-key-trailing-key",
                    (BundleKey::Identity, Spoil::Trailing(33)),
                ),
                (
                    "e2ee/bundle-signed-prekey-wrong-type-rejected",
                    (BundleKey::SignedPrekey, Spoil::WrongType),
                ),
                (
                    "e2ee/bundle-signed-prekey-short-rejected",
                    (BundleKey::SignedPrekey, Spoil::Short),
                ),
                (
                    "e2ee/bundle-signed-prekey-trailing-bytes",
                    (BundleKey::SignedPrekey, Spoil::Trailing(1)),
                ),
                (
                    "e2ee/bundle-one-time-prekey-wrong-type-rejected",
                    (BundleKey::OneTimePrekey, Spoil::WrongType),
                ),
                (
                    "e2ee/bundle-one-time-prekey-short-rejected",
                    (BundleKey::OneTimePrekey, Spoil::Short),
                ),
                (
                    "e2ee/bundle-one-time-prekey-trailing-bytes",
                    (BundleKey::OneTimePrekey, Spoil::Trailing(1)),
                ),
            ],
        );
}
