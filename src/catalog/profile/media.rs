//! The `[media]` table of a profile (docs/media.md §Profile).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The media suite's parameters (docs/media.md §Profile).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MediaParams {
    /// The largest attachment plaintext, in bytes; a larger one is refused
    /// (LIMIT_EXCEEDED) before anything is uploaded. Adapter frames carry
    /// whole attachments, so it stays well under the frame size.
    pub max_attachment_bytes: u64,
    /// Whether the media server must honour `Range` (206). HTTP lets a
    /// server ignore it and answer 200 with the whole blob (RFC 9110
    /// §14.2), which passes unless the profile requires ranges.
    #[serde(default)]
    pub range_required: bool,
    /// What a streaming sidecar's windows are cut from: "iv+ciphertext" or
    /// "ciphertext" (docs/media.md §Streaming sidecar).
    pub sidecar_stream: String,
    /// Whether the sidecar's stream ends with the file's MAC trailer.
    pub sidecar_mac_trailer: bool,
    /// How long one download may take in all, in seconds; a slower one is
    /// abandoned (at most 5: the scenario that drips a blob must finish
    /// within one adapter call).
    pub download_timeout_seconds: u32,
    /// How long an attachment's URL is served after its upload, in seconds;
    /// after it, 404 or 410.
    pub url_lifetime_seconds: u32,
    /// The attachment types the gatekeeper's clients exchange (names of
    /// `MediaType::name`). The five the DMA names must be there; a profile
    /// may leave out stickers. Scenarios of a type left out do not run.
    #[serde(default = "MediaParams::every_type")]
    pub allowed_types: Vec<String>,
    /// A type's own largest plaintext, at least 64 KiB below
    /// max_attachment_bytes (a sticker's, say); types not named take
    /// max_attachment_bytes.
    #[serde(default)]
    pub type_max_bytes: BTreeMap<String, u64>,
}

impl Default for MediaParams {
    fn default() -> Self {
        MediaParams {
            max_attachment_bytes: 4 * 1024 * 1024,
            range_required: false,
            sidecar_stream: "iv+ciphertext".into(),
            sidecar_mac_trailer: false,
            download_timeout_seconds: 5,
            url_lifetime_seconds: 604_800,
            allowed_types: MediaParams::every_type(),
            type_max_bytes: BTreeMap::new(),
        }
    }
}

impl MediaParams {
    /// Largest `max_attachment_bytes`: an attachment one byte past it, and
    /// its blob, must fit one adapter frame each.
    pub const MAX_ATTACHMENT_LIMIT: u64 = 8 * 1024 * 1024;

    /// Every type's name, as `MediaType::name` spells them.
    pub const TYPES: [&'static str; 6] = [
        "image",
        "video",
        "audio",
        "voice-note",
        "document",
        "sticker",
    ];

    /// The types every profile allows: DMA (Regulation (EU) 2022/1925)
    /// Art. 7(2)(a) obliges "sharing of images, voice messages, videos and
    /// other attached files" (audio files and documents are attached files).
    pub const REQUIRED_TYPES: [&'static str; 5] =
        ["image", "video", "audio", "voice-note", "document"];

    /// The smallest type limit: the scenarios send attachments of one type
    /// of up to 128 KiB + 3 bytes (src/suites/media/client.rs).
    pub const MIN_TYPE_LIMIT: u64 = 192 * 1024;

    /// How far below max_attachment_bytes a type's own limit lies at least:
    /// the scenario downloading one over it sends up to 64 KiB more.
    pub const TYPE_LIMIT_GAP: u64 = 64 * 1024;

    fn every_type() -> Vec<String> {
        Self::TYPES.iter().map(|t| t.to_string()).collect()
    }

    /// Whether the profile allows the type named `name`.
    pub fn allows(&self, name: &str) -> bool {
        self.allowed_types.iter().any(|t| t == name)
    }

    /// The largest plaintext of the type named `name`.
    pub fn type_limit(&self, name: &str) -> u64 {
        self.type_max_bytes
            .get(name)
            .copied()
            .unwrap_or(self.max_attachment_bytes)
    }

    /// The names `sidecar_stream` may take (src/peer/media/sidecar.rs
    /// `Stream::name`).
    pub const SIDECAR_STREAMS: [&'static str; 2] = ["iv+ciphertext", "ciphertext"];

    pub(super) fn validate(&self) -> Result<(), String> {
        if !(64 * 1024 + 1..=Self::MAX_ATTACHMENT_LIMIT).contains(&self.max_attachment_bytes) {
            return Err(format!(
                "media.max_attachment_bytes must be above 64 KiB (the scenarios send attachments that large) and at most {} (one adapter frame carries a whole attachment)",
                Self::MAX_ATTACHMENT_LIMIT
            ));
        }
        if !(1..=5).contains(&self.download_timeout_seconds) {
            return Err(
                "media.download_timeout_seconds must be between 1 and 5 (a dripped download must end within one adapter call)".into(),
            );
        }
        if !(120..=31_536_000).contains(&self.url_lifetime_seconds) {
            return Err("media.url_lifetime_seconds must be between 2 minutes and a year".into());
        }
        if !Self::SIDECAR_STREAMS.contains(&self.sidecar_stream.as_str()) {
            return Err(format!(
                "media.sidecar_stream is {:?}; \"iv+ciphertext\" or \"ciphertext\"",
                self.sidecar_stream
            ));
        }
        self.validate_types()
    }

    fn validate_types(&self) -> Result<(), String> {
        for t in &self.allowed_types {
            if !Self::TYPES.contains(&t.as_str()) {
                return Err(format!(
                    "media.allowed_types names {t:?}; the types are {}",
                    Self::TYPES.join(", ")
                ));
            }
        }
        if let Some(missing) = Self::REQUIRED_TYPES.iter().find(|t| !self.allows(t)) {
            return Err(format!(
                "media.allowed_types leaves out {missing:?}; DMA Art. 7(2)(a) names images, voice messages, videos and other attached files ({})",
                Self::REQUIRED_TYPES.join(", ")
            ));
        }
        for (t, max) in &self.type_max_bytes {
            if !self.allows(t) {
                return Err(format!(
                    "media.type_max_bytes names {t:?}, which media.allowed_types leaves out"
                ));
            }
            let below = self
                .max_attachment_bytes
                .saturating_sub(Self::TYPE_LIMIT_GAP);
            if !(Self::MIN_TYPE_LIMIT..=below).contains(max) && *max != self.max_attachment_bytes {
                return Err(format!(
                    "media.type_max_bytes.{t} must be max_attachment_bytes or between {} (the scenarios send attachments that large) and 64 KiB below it (so that one over it is more than its padding)",
                    Self::MIN_TYPE_LIMIT
                ));
            }
        }
        if self
            .allowed_types
            .iter()
            .all(|t| self.type_limit(t) < self.max_attachment_bytes)
        {
            return Err(
                "media: at least one allowed type must take max_attachment_bytes (the scenarios of that limit send it)".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Profile;

    /// Stickers may be left out, the DMA's five types may not; a type's own
    /// limit names an allowed type and lies between the floor and the
    /// largest attachment.
    #[test]
    fn media_types_and_their_limits_are_checked() {
        let default = include_str!("../../../suites/profiles/default.toml");
        let p = Profile::parse("t", default).expect("default");
        assert!(p.media.allows("sticker"));
        assert_eq!(p.media.type_limit("sticker"), 512_000);
        assert_eq!(p.media.type_limit("video"), p.media.max_attachment_bytes);
        let all =
            r#"allowed_types = ["image", "video", "audio", "voice-note", "document", "sticker"]"#;
        let no_stickers = default
            .replace(
                all,
                r#"allowed_types = ["image", "video", "audio", "voice-note", "document"]"#,
            )
            .replace("sticker = 512000", "image = 262144");
        let p = Profile::parse("t", &no_stickers).expect("stickers may be left out");
        assert!(!p.media.allows("sticker"));
        let cases = [
            (
                default.replace(
                    all,
                    r#"allowed_types = ["image", "video", "audio", "voice-note", "sticker"]"#,
                ),
                "leaves out \"document\"",
            ),
            (
                default.replace(all, r#"allowed_types = ["image", "gif"]"#),
                "names \"gif\"",
            ),
            (
                no_stickers.replace("image = 262144", "sticker = 262144"),
                "which media.allowed_types leaves out",
            ),
            (
                default.replace("sticker = 512000", "sticker = 1000"),
                "media.type_max_bytes.sticker must be",
            ),
            (
                default.replace("sticker = 512000", "sticker = 8388608"),
                "media.type_max_bytes.sticker must be",
            ),
            (
                default.replace("sticker = 512000", "sticker = 4190000"),
                "media.type_max_bytes.sticker must be",
            ),
            (
                default.replace(
                    "sticker = 512000",
                    "image = 262144\nvideo = 262144\naudio = 262144\nvoice-note = 262144\ndocument = 262144\nsticker = 262144",
                ),
                "at least one allowed type must take max_attachment_bytes",
            ),
        ];
        for (text, expected) in cases {
            let err = Profile::parse("t", &text).expect_err(expected);
            assert!(err.contains(expected), "{err}");
        }
    }
}
