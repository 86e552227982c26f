//! A bounded record of the frames exchanged during one scenario, kept as
//! evidence: the newest entries, each frame shown as truncated hex, and
//! the frame itself (up to [`FRAME_BYTES_KEPT`]) to be shown decoded
//! ([`super::decode`]) once the scenario is over.

use std::collections::VecDeque;

use super::decode::{self, Shape};
use crate::redact::Redactor;

const MAX_ENTRIES: usize = 64;
const HEX_BYTES_SHOWN: usize = 48;
/// Bytes of one frame kept for its decoded form.
pub const FRAME_BYTES_KEPT: usize = 64 * 1024;

#[derive(Debug, Clone)]
struct Entry {
    line: String,
    /// The frame (a prefix of it when longer than [`FRAME_BYTES_KEPT`]),
    /// its length on the wire, and what it should hold.
    frame: Option<(Shape, Vec<u8>, usize)>,
}

#[derive(Debug, Default, Clone)]
pub struct Transcript {
    entries: VecDeque<Entry>,
    dropped: usize,
    enabled: bool,
}

impl Transcript {
    pub fn new(enabled: bool) -> Transcript {
        Transcript {
            enabled,
            ..Transcript::default()
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }

    /// Records one frame; `label` says what it was (`-> Ping id=3`).
    /// Bytes the redactor marks are shown as `**`.
    /// `shape` says what the frame should hold, for its decoded form.
    pub fn record(&mut self, label: &str, shape: Shape, frame: &[u8], redactor: &Redactor) {
        if !self.enabled {
            return;
        }
        let excerpt = if redactor.is_empty() {
            hex_excerpt(frame)
        } else {
            masked_hex_excerpt(frame, &redactor.mask(frame, HEX_BYTES_SHOWN))
        };
        let kept = frame[..frame.len().min(FRAME_BYTES_KEPT)].to_vec();
        self.push(Entry {
            line: format!("{label} [{} B] {excerpt}", frame.len()),
            frame: Some((shape, kept, frame.len())),
        });
    }

    /// Records an event that is not a frame (a timeout, a closed stream).
    pub fn note(&mut self, text: String) {
        if self.enabled {
            self.push(Entry {
                line: text,
                frame: None,
            });
        }
    }

    fn push(&mut self, entry: Entry) {
        if self.entries.len() == MAX_ENTRIES {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.entries.len() + 1);
        if self.dropped > 0 {
            out.push(format!("[… {} earlier entries not kept]", self.dropped));
        }
        out.extend(self.entries.iter().map(|e| e.line.clone()));
        out
    }

    /// The decoded form of each entry, one for each of [`Transcript::lines`]
    /// (empty for notes), redacted with `redactor` as it stands now: every
    /// byte inside a registered value is masked before decoding, and the
    /// text is then redacted like any other evidence.
    pub fn decoded(&self, redactor: &Redactor) -> Vec<String> {
        let mut out = Vec::with_capacity(self.entries.len() + 1);
        if self.dropped > 0 {
            out.push(String::new());
        }
        for entry in &self.entries {
            out.push(match &entry.frame {
                Some((shape, frame, full_len)) => {
                    let mask = if redactor.is_empty() {
                        Vec::new()
                    } else {
                        redactor.mask(frame, frame.len())
                    };
                    redactor.text(&decode::render(*shape, frame, &mask, *full_len))
                }
                None => String::new(),
            });
        }
        out
    }
}

/// Lower-case hex of at most the first [`HEX_BYTES_SHOWN`] bytes.
pub fn hex_excerpt(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(HEX_BYTES_SHOWN)];
    let mut text = hex::encode(shown);
    if bytes.len() > shown.len() {
        text.push('…');
    }
    text
}

/// Like [`hex_excerpt`], with masked bytes shown as `**`.
pub fn masked_hex_excerpt(bytes: &[u8], mask: &[bool]) -> String {
    let shown = bytes.len().min(HEX_BYTES_SHOWN);
    let mut text = String::with_capacity(shown * 2 + 1);
    for (index, byte) in bytes[..shown].iter().enumerate() {
        if mask.get(index).copied().unwrap_or(false) {
            text.push_str("**");
        } else {
            text.push_str(&format!("{byte:02x}"));
        }
    }
    if bytes.len() > shown {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_entries_and_counts_the_rest() {
        let mut t = Transcript::new(true);
        for i in 0..(MAX_ENTRIES + 3) {
            t.note(format!("e{i}"));
        }
        let lines = t.lines();
        assert_eq!(lines[0], "[… 3 earlier entries not kept]");
        assert_eq!(lines[1], "e3");
        assert_eq!(lines.len(), MAX_ENTRIES + 1);
    }

    #[test]
    fn registered_secrets_are_masked_in_frames() {
        let mut redactor = Redactor::default();
        redactor.secret(&[0xde, 0xad, 0xbe, 0xef]);
        let mut t = Transcript::new(true);
        t.record(
            "-> X",
            Shape::Opaque,
            &[1, 0xde, 0xad, 0xbe, 0xef, 2],
            &redactor,
        );
        assert_eq!(t.lines(), ["-> X [6 B] 01********02"]);
        let decoded = t.decoded(&redactor);
        assert_eq!(decoded.len(), 1);
        assert!(decoded[0].contains("01 ** ** ** ** 02"), "{decoded:?}");
        assert!(!decoded[0].contains("de ad"), "{decoded:?}");
    }

    #[test]
    fn long_frames_are_truncated() {
        assert_eq!(hex_excerpt(&[0xab; 2]), "abab");
        assert!(hex_excerpt(&[0; 100]).ends_with('…'));
    }
}
