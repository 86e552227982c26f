//! Profiles: the gatekeeper's parameters that a provider may need to change
//! without recompiling (`suites/profiles/NAME.toml`). Suites add their own
//! tables as they arrive.

use std::path::Path;

use serde::{Deserialize, Serialize};

mod media;
pub use media::MediaParams;

const BUILTIN: &[(&str, &str)] = &[
    (
        "default",
        include_str!("../../suites/profiles/default.toml"),
    ),
    (
        "gatekeeper-deployed",
        include_str!("../../suites/profiles/gatekeeper-deployed.toml"),
    ),
    (
        "compatible-e2ee",
        include_str!("../../suites/profiles/compatible-e2ee.toml"),
    ),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub adapter: AdapterParams,
    #[serde(default)]
    pub handshake: HandshakeParams,
    #[serde(default)]
    pub e2ee: E2eeParams,
    #[serde(default)]
    pub stanza: StanzaParams,
    #[serde(default)]
    pub enlistment: EnlistmentParams,
    #[serde(default)]
    pub media: MediaParams,
    #[serde(default)]
    pub certification: CertificationParams,
}

/// What a certificate under this profile needs (docs/report-format.md
/// §Verdict).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CertificationParams {
    /// Suites that must each be covered and met.
    pub required_suites: Vec<String>,
    /// Fewest cases per property scenario a certifying run may use.
    pub min_cases: u32,
    /// The path the e2ee suite certifies (docs/e2ee.md §Two paths).
    #[serde(default)]
    pub e2ee_path: E2eePath,
    /// Optional capabilities (proto `Capability`) a certificate under this
    /// profile needs all the same: without one, NOT CERTIFIED.
    #[serde(default)]
    pub required_capabilities: Vec<String>,
}

/// How the e2ee suite is judged (docs/e2ee.md §Two paths).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum E2eePath {
    /// Signal v3 on the wire with the gatekeeper's peer, and the guarantees.
    #[default]
    Signal,
    /// A compatible protocol: Signal's guarantees shown device to device;
    /// the scenarios tagged `signal-wire` are out of scope, not unmet.
    Compatible,
}

impl E2eePath {
    pub fn label(self) -> &'static str {
        match self {
            E2eePath::Signal => "signal",
            E2eePath::Compatible => "compatible",
        }
    }
}

/// The catalog tag of the e2ee scenarios that exchange Signal v3's bytes
/// with the peer: out of scope on the compatible path.
pub const SIGNAL_WIRE_TAG: &str = "signal-wire";

impl Default for CertificationParams {
    fn default() -> Self {
        CertificationParams {
            required_suites: ["adapter", "handshake", "stanza", "e2ee", "enlistment"]
                .map(String::from)
                .to_vec(),
            min_cases: 32,
            e2ee_path: E2eePath::Signal,
            required_capabilities: Vec::new(),
        }
    }
}

/// The gatekeeper's enlistment parameters (docs/enlistment.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnlistmentParams {
    /// The `aud` of enlistment proofs: the gatekeeper's enlistment API.
    pub proof_audience: String,
    /// The `iss` of the gatekeeper's call tokens.
    pub gatekeeper_issuer: String,
    /// The longest proof lifetime (`exp - iat`) accepted, in seconds.
    pub max_proof_lifetime_seconds: u32,
    /// The longest call-token lifetime the provider must accept, in seconds.
    pub max_call_token_lifetime_seconds: u32,
    /// The largest clock skew tolerated on `exp`, `iat`, `nbf`, in seconds.
    pub clock_skew_seconds: u32,
    /// The largest call token a provider must accept, in bytes.
    pub max_token_bytes: u32,
}

impl Default for EnlistmentParams {
    fn default() -> Self {
        EnlistmentParams {
            proof_audience: "https://gatekeeper.example/enlistment".into(),
            gatekeeper_issuer: "https://gatekeeper.example".into(),
            max_proof_lifetime_seconds: 300,
            max_call_token_lifetime_seconds: 300,
            clock_skew_seconds: 60,
            max_token_bytes: 8192,
        }
    }
}

impl EnlistmentParams {
    fn validate(&self) -> Result<(), String> {
        if self.proof_audience.is_empty() || self.gatekeeper_issuer.is_empty() {
            return Err("enlistment.proof_audience and gatekeeper_issuer must not be empty".into());
        }
        if !(10..=86_400).contains(&self.max_proof_lifetime_seconds)
            || !(10..=86_400).contains(&self.max_call_token_lifetime_seconds)
        {
            return Err("enlistment lifetimes must be between 10 s and one day".into());
        }
        if self.clock_skew_seconds > 600 {
            return Err("enlistment.clock_skew_seconds must be at most 600".into());
        }
        if !(1024..=65_536).contains(&self.max_token_bytes) {
            return Err("enlistment.max_token_bytes must be between 1 KiB and 64 KiB".into());
        }
        Ok(())
    }
}

/// The gatekeeper's Noise conventions (docs/handshake.md, suites/profiles).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandshakeParams {
    /// The Noise prologue (§6), hex.
    pub prologue: String,
    /// Bytes the initiator sends once before its first frame, hex; empty
    /// for none.
    pub connection_header: String,
    /// Bytes of the big-endian length in front of every frame: 2 or 3.
    pub length_prefix_bytes: u32,
    /// The largest frame body, in bytes.
    pub max_frame: u32,
    /// Handshake messages travel inside the `HandshakeMessage` protobuf.
    pub wrap_handshake_messages: bool,
    /// The deployed deviation: no MixHash of an empty payload sent before
    /// any key exists.
    pub skip_empty_payload_mixhash: bool,
}

impl Default for HandshakeParams {
    /// Strict Noise: the recommended 16-bit length prefix (§13), no header,
    /// no wrapping, no deviation.
    fn default() -> Self {
        HandshakeParams {
            prologue: hex::encode(b"interspec-default"),
            connection_header: String::new(),
            length_prefix_bytes: 2,
            max_frame: 65535,
            wrap_handshake_messages: false,
            skip_empty_payload_mixhash: false,
        }
    }
}

impl HandshakeParams {
    pub fn prologue_bytes(&self) -> Vec<u8> {
        hex::decode(&self.prologue).unwrap_or_default()
    }

    pub fn connection_header_bytes(&self) -> Vec<u8> {
        hex::decode(&self.connection_header).unwrap_or_default()
    }

    fn validate(&self) -> Result<(), String> {
        let prologue = hex::decode(&self.prologue)
            .map_err(|e| format!("handshake.prologue is not hex: {e}"))?;
        let header = hex::decode(&self.connection_header)
            .map_err(|e| format!("handshake.connection_header is not hex: {e}"))?;
        if prologue.len() > 1024 || header.len() > 64 {
            return Err("handshake.prologue (1 KiB) or connection_header (64 B) too long".into());
        }
        if !(2..=3).contains(&self.length_prefix_bytes) {
            return Err("handshake.length_prefix_bytes must be 2 or 3".into());
        }
        let most = (1u64 << (8 * self.length_prefix_bytes)) - 1;
        if self.max_frame < 1024 || u64::from(self.max_frame) > most {
            return Err(format!(
                "handshake.max_frame must be between 1024 and {most} for a {}-byte prefix",
                self.length_prefix_bytes
            ));
        }
        Ok(())
    }
}

/// Signal v3 limits the gatekeeper applies (docs/e2ee.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct E2eeParams {
    /// Largest accepted `counter - chain index` jump.
    // libsignal-protocol-java SessionCipher: "Over 2000 messages into the future!".
    pub max_forward_jump: u32,
    /// Skipped message keys kept per receiving chain (oldest evicted).
    // libsignal-protocol-java SessionState: MAX_MESSAGE_KEYS = 2000.
    pub max_skipped_keys: u32,
    /// When set, the profile accepts any skipped-key bound from this one to
    /// `max_skipped_keys`: the target declares the one it keeps
    /// (`E2eeDescribe`) and is judged against it. Unset: exactly
    /// `max_skipped_keys`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_skipped_keys: Option<u32>,
    /// Largest ciphertext body accepted, in bytes (the harness's own bound).
    pub max_body_len: u32,
}

impl E2eeParams {
    /// The skipped-key bounds a target may keep under this profile.
    pub fn skipped_keys_range(&self) -> std::ops::RangeInclusive<u32> {
        self.min_skipped_keys.unwrap_or(self.max_skipped_keys)..=self.max_skipped_keys
    }
}

impl Default for E2eeParams {
    /// The same bounds the peer's engine uses by default (a test in
    /// tests/custom_profile.rs keeps the two in step).
    fn default() -> Self {
        E2eeParams {
            // libsignal-protocol-java SessionCipher: "Over 2000 messages into the future!".
            max_forward_jump: 2000,
            // libsignal-protocol-java SessionState: MAX_MESSAGE_KEYS = 2000.
            max_skipped_keys: 2000,
            min_skipped_keys: None,
            // The harness's own bound on one ciphertext body: 256 KiB.
            max_body_len: 256 * 1024,
        }
    }
}

/// The stanza suite's limits (docs/stanza.md §Limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StanzaParams {
    /// Largest stanza, in bytes as received.
    pub max_stanza_bytes: u64,
    /// Deepest element nesting; the root is at depth 1.
    pub max_depth: u32,
    /// Most attributes on one element, namespace declarations included.
    pub max_attributes: u32,
    /// Longest attribute value, in bytes after normalization.
    pub max_attribute_bytes: u32,
    /// Most element children of one element.
    pub max_children: u32,
    /// Largest `Message` payload, in bytes.
    pub max_payload_bytes: u64,
    /// Deepest `Message` nesting through quoted messages; the outer one is 1.
    pub max_payload_depth: u32,
}

impl Default for StanzaParams {
    fn default() -> Self {
        StanzaParams {
            max_stanza_bytes: 65536,
            max_depth: 16,
            max_attributes: 32,
            max_attribute_bytes: 1024,
            max_children: 256,
            max_payload_bytes: 65536,
            max_payload_depth: 8,
        }
    }
}

/// The deepest `max_depth` a profile may set. Every stanza operation's
/// frame nests `max_depth + 3` protobuf messages at most (Response,
/// StanzaParseResult, StanzaView, then one StanzaNode per level and the
/// deepest node's StanzaAttribute; a StanzaSerialize request one past the
/// limit is as deep), and the protobuf runtimes adapters use refuse more
/// than 100 levels: prost `RECURSION_LIMIT = 100` (prost/src/lib.rs, "the
/// default recursion limit in the C++ implementation"), upb
/// `kUpb_WireFormat_DefaultDepthLimit 100` (upb/wire/internal/constants.h,
/// Python's protobuf), protobufjs `util.recursionLimit = 100`
/// (src/util/minimal.js). 90 keeps a margin of 7 levels.
pub const MAX_STANZA_DEPTH: u32 = 90;

/// The deepest `max_payload_depth` a profile may set: in a frame, the
/// `Message` `p` deep is at level `2p` (Response or Request, the
/// StanzaPayload… message, then Message, ContextInfo, Message, …) and its
/// content at most two below (ImageMessage, MediaInfo): one past the limit,
/// 46, is 94 levels, inside the runtimes' 100 (see [`MAX_STANZA_DEPTH`]).
pub const MAX_PAYLOAD_DEPTH: u32 = 45;

impl StanzaParams {
    /// Each limit within its range (docs/stanza.md §7). Stanzas and payloads
    /// travel in adapter frames: sizes stay well inside them, depths inside
    /// the protobuf runtimes' recursion limits. Below depth 3, 8 attributes
    /// or 3 children the serialization scenarios have no room for their
    /// one-defect inputs.
    pub fn validate(&self) -> Result<(), String> {
        let ranges: [(&str, u64, u64, u64); 7] = [
            ("max_stanza_bytes", self.max_stanza_bytes, 1024, 1 << 23),
            (
                "max_depth",
                self.max_depth.into(),
                3,
                MAX_STANZA_DEPTH.into(),
            ),
            ("max_attributes", self.max_attributes.into(), 8, 1024),
            (
                "max_attribute_bytes",
                self.max_attribute_bytes.into(),
                64,
                1 << 20,
            ),
            ("max_children", self.max_children.into(), 3, 1 << 16),
            ("max_payload_bytes", self.max_payload_bytes, 1024, 1 << 23),
            (
                "max_payload_depth",
                self.max_payload_depth.into(),
                2,
                MAX_PAYLOAD_DEPTH.into(),
            ),
        ];
        for (name, value, low, high) in ranges {
            if !(low..=high).contains(&value) {
                return Err(format!(
                    "stanza.{name} = {value} is outside its allowed range {low}..={high}"
                ));
            }
        }
        Ok(())
    }
}

/// Parameters of the adapter protocol itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterParams {
    /// Largest frame body the harness sends or accepts, in bytes.
    pub max_frame_size: u64,
}

impl Default for AdapterParams {
    fn default() -> Self {
        AdapterParams {
            max_frame_size: crate::adapter::DEFAULT_MAX_FRAME as u64,
        }
    }
}

impl Profile {
    /// A built-in profile by name, or a profile file by path.
    pub fn load(name_or_path: &str) -> Result<Profile, String> {
        if let Some((_, text)) = BUILTIN.iter().find(|(name, _)| *name == name_or_path) {
            return Profile::parse(name_or_path, text);
        }
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") {
            let text = crate::bounded::read_text(path, 1024 * 1024)
                .map_err(|e| format!("profile: {e}"))?;
            return Profile::parse(name_or_path, &text);
        }
        Err(format!(
            "unknown profile {name_or_path:?}: built-in profiles are {}; or give a path to a .toml file",
            BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        ))
    }

    fn parse(origin: &str, text: &str) -> Result<Profile, String> {
        let profile: Profile =
            toml::from_str(text).map_err(|e| format!("profile {origin}: {e}"))?;
        if profile.adapter.max_frame_size < 1024 || profile.adapter.max_frame_size > 1 << 30 {
            return Err(format!(
                "profile {origin}: adapter.max_frame_size must be between 1 KiB and 1 GiB"
            ));
        }
        profile
            .handshake
            .validate()
            .map_err(|e| format!("profile {origin}: {e}"))?;
        let e2ee = &profile.e2ee;
        if e2ee.max_forward_jump == 0
            || e2ee.max_forward_jump > 1_000_000
            || e2ee.max_skipped_keys == 0
            || e2ee.max_skipped_keys > 1_000_000
            || e2ee
                .min_skipped_keys
                .is_some_and(|min| min == 0 || min > e2ee.max_skipped_keys)
            || e2ee.max_body_len < 64 * 1024 + 16
            || u64::from(e2ee.max_body_len) > profile.adapter.max_frame_size / 2
        {
            return Err(format!(
                "profile {origin}: e2ee limits must be positive, max_forward_jump and max_skipped_keys at most 1000000 (the bounds scenarios encrypt that many messages), min_skipped_keys (if set) at most max_skipped_keys, and max_body_len between 64 KiB + 16 (bodies up to 64 KiB must work) and half the frame size"
            ));
        }
        profile
            .stanza
            .validate()
            .map_err(|e| format!("profile {origin}: {e} (docs/stanza.md §7)"))?;
        profile
            .enlistment
            .validate()
            .map_err(|e| format!("profile {origin}: {e}"))?;
        profile
            .media
            .validate()
            .map_err(|e| format!("profile {origin}: {e}"))?;
        let certification = &profile.certification;
        if certification.required_suites.is_empty()
            || !(1..=100_000).contains(&certification.min_cases)
        {
            return Err(format!(
                "profile {origin}: certification.required_suites must name at least one suite and min_cases be between 1 and 100000"
            ));
        }
        if let Some(unknown) = certification
            .required_capabilities
            .iter()
            .find(|c| !crate::catalog::OPTIONAL_CAPABILITIES.contains(&c.as_str()))
        {
            return Err(format!(
                "profile {origin}: certification.required_capabilities names {unknown:?}, which is no optional capability ({})",
                crate::catalog::OPTIONAL_CAPABILITIES.join(", ")
            ));
        }
        Ok(profile)
    }

    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_loads() {
        let p = Profile::load("default").expect("default profile");
        assert_eq!(p.name, "default");
        assert_eq!(p.adapter.max_frame_size, 16 * 1024 * 1024);
        assert_eq!(p.stanza, StanzaParams::default());
    }

    #[test]
    fn stanza_limits_out_of_range_are_refused() {
        let text = include_str!("../../suites/profiles/default.toml")
            .replace("max_depth = 16", "max_depth = 1");
        let err = Profile::parse("t", &text).expect_err("depth 1");
        assert!(err.contains("stanza.max_depth = 1 is outside"), "{err}");
    }

    #[test]
    fn default_e2ee_limits_are_libsignals() {
        let p = Profile::load("default").expect("default profile");
        assert_eq!(p.e2ee.max_forward_jump, 2000);
        assert_eq!(p.e2ee.max_skipped_keys, 2000);
        let bad = include_str!("../../suites/profiles/default.toml")
            .replace("max_body_len = 262144", "max_body_len = 100");
        assert!(Profile::parse("t", &bad)
            .unwrap_err()
            .contains("e2ee limits"));
    }

    /// The bounds scenarios encrypt max_forward_jump + 2 messages: a
    /// profile file cannot ask for billions; a skipped-key range must be
    /// ordered.
    #[test]
    fn e2ee_bounds_are_bounded_and_ranges_ordered() {
        let default = include_str!("../../suites/profiles/default.toml");
        let far = default.replace("max_forward_jump = 2000", "max_forward_jump = 4000000000");
        assert!(Profile::parse("t", &far)
            .unwrap_err()
            .contains("max_forward_jump"));
        let compatible = include_str!("../../suites/profiles/compatible-e2ee.toml");
        let p = Profile::parse("c", compatible).expect("compatible-e2ee");
        assert_eq!(p.e2ee.skipped_keys_range(), 32..=2000);
        assert_eq!(
            Profile::load("default")
                .expect("default")
                .e2ee
                .skipped_keys_range(),
            2000..=2000
        );
        for min in ["0", "2001"] {
            let bad = compatible.replace(
                "min_skipped_keys = 32",
                &format!("min_skipped_keys = {min}"),
            );
            assert!(Profile::parse("t", &bad).is_err(), "min {min}");
        }
    }

    #[test]
    fn unknown_profile_is_a_clear_error() {
        let err = Profile::load("nope").expect_err("unknown profile");
        assert!(err.contains("built-in profiles are default"));
    }

    #[test]
    fn gatekeeper_profile_carries_the_deployed_conventions() {
        let p = Profile::load("gatekeeper-deployed").expect("profile");
        let hs = &p.handshake;
        assert_eq!(hs.connection_header_bytes(), b"WA\x06\x03".to_vec());
        assert_eq!(hs.prologue_bytes(), hs.connection_header_bytes());
        assert_eq!(hs.length_prefix_bytes, 3);
        assert!(hs.wrap_handshake_messages && hs.skip_empty_payload_mixhash);
        let d = Profile::load("default").expect("default");
        assert_eq!(d.handshake.length_prefix_bytes, 2);
        assert!(!d.handshake.skip_empty_payload_mixhash);
    }

    #[test]
    fn enlistment_table_loads_and_is_validated() {
        for name in Profile::builtin_names() {
            let p = Profile::load(name).expect("profile");
            assert_eq!(p.enlistment.clock_skew_seconds, 60, "{name}");
            assert_eq!(p.enlistment.max_proof_lifetime_seconds, 300, "{name}");
        }
        let text = include_str!("../../suites/profiles/default.toml")
            .replace("clock_skew_seconds = 60", "clock_skew_seconds = 3600");
        let err = Profile::parse("t", &text).expect_err("skew too large");
        assert!(err.contains("clock_skew_seconds"), "{err}");
    }
}
