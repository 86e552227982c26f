//! The stanza suite (`suites/stanza.toml`, docs/stanza.md): parsing and
//! producing XML message stanzas and their protobuf payloads, and refusing
//! hostile XML without expanding, fetching or falling over.
//!
//! Modules: [`corpus`] replays the golden corpus by group, [`limits`] builds
//! limit and character cases from the profile, [`probe`] is the loopback
//! external-entity probe, [`roundtrip`] holds serialization and the
//! property scenarios, [`payload`] the `Message` payload scenarios, and
//! [`target`] the calls and comparisons they share; [`cases`] and
//! [`bounds`] the single-input scenarios (one thing changed per input).

mod bounds;
mod cases;
mod corpus;
mod corpus_files;
mod limits;
mod payload;
pub mod probe;
mod roundtrip;
mod target;

use crate::scenario::Registry;
use limits::Limit;
use probe::External;

pub use corpus::embedded_cases;

/// Every stanza scenario, under its catalog id.
pub fn register(scenarios: &mut Registry) {
    scenarios
        // The corpus groups: ids and case selections in `corpus::GROUPS`.
        .family(corpus::replay, corpus::groups())
        .family(
            limits::at_and_over,
            [
                ("stanza/limit-depth", Limit::Depth),
                ("stanza/limit-attributes", Limit::Attributes),
                ("stanza/limit-attribute-length", Limit::AttributeLength),
                ("stanza/limit-children", Limit::Children),
                ("stanza/limit-size", Limit::Size),
            ],
        )
        .add(
            "stanza/limit-attribute-length-multibyte",
            limits::attribute_length_multibyte,
        )
        .add(
            "stanza/limit-attribute-length-references",
            limits::attribute_length_references,
        )
        .add("stanza/limit-size-multibyte", limits::size_multibyte)
        .add("stanza/forbidden-characters-raw", limits::raw_characters)
        .add(
            "stanza/forbidden-character-references",
            limits::character_references,
        )
        .family(
            probe::not_fetched,
            [
                ("stanza/xxe-external-entity-not-fetched", External::Entity),
                (
                    "stanza/xxe-external-parameter-entity-not-fetched",
                    External::ParameterEntity,
                ),
                ("stanza/xxe-external-dtd-not-fetched", External::Dtd),
            ],
        )
        .add(
            "stanza/serialize-base-message",
            roundtrip::serialize_base_message,
        )
        .add(
            "stanza/serialize-escapes-special-characters",
            roundtrip::serialize_escapes,
        )
        .add(
            "stanza/serialize-namespaces",
            roundtrip::serialize_namespaces,
        )
        .add(
            "stanza/serialize-refuses-invalid-trees",
            roundtrip::serialize_refuses_invalid,
        )
        .add(
            "stanza/generated-stanzas-parse-to-peer-view",
            roundtrip::generated_parse,
        )
        .add(
            "stanza/target-serialization-parses-back",
            roundtrip::serialization_parses_back,
        )
        .add(
            "stanza/corrupted-stanzas-parsed-or-refused",
            roundtrip::corrupted,
        )
        .add("stanza/truncated-stanzas-refused", roundtrip::truncated)
        .add("stanza/payload-decode-text", payload::decode_text)
        .add("stanza/payload-decode-media", payload::decode_media)
        .add(
            "stanza/payload-decode-reaction-and-quote",
            payload::decode_reaction,
        )
        .add(
            "stanza/payload-unknown-fields-tolerated",
            payload::unknown_fields,
        )
        // Payloads that must be refused: members in `payload::REFUSALS`.
        .family(payload::refused, payload::REFUSALS)
        .add("stanza/payload-depth-limit", payload::depth_limit)
        .add("stanza/payload-size-limit", payload::size_limit)
        .add(
            "stanza/payload-generated-decode-like-peer",
            payload::generated_decode,
        )
        .add(
            "stanza/payload-generated-encode-decodes-back",
            payload::generated_encode,
        )
        .add(
            "stanza/payload-corruptions-decoded-or-refused",
            payload::corrupted,
        )
        // Single-input scenarios: members in `cases::cases` and `bounds::cases`.
        .family(
            cases::run,
            cases::cases().into_iter().chain(bounds::cases()),
        );
}
