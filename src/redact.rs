//! Redaction: secrets a scenario handles (private keys, token signing
//! secrets) never appear in a report, and user plaintext appears only as a
//! short excerpt. Scenarios register what they use through
//! `ScenarioCtx::secret` and `ScenarioCtx::plaintext`; the runner passes
//! every piece of evidence through [`Redactor`] before it is stored.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// Bytes shorter than this are not registered: they would match by chance
/// and mask unrelated evidence.
pub const MIN_SECRET_LEN: usize = 4;
/// Raw text shorter than this is not searched for: it would hit ordinary
/// words in messages.
pub const MIN_TEXT_LEN: usize = 12;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// (bytes, how many leading bytes may be shown).
    entries: Vec<(Vec<u8>, usize)>,
    /// Every registered value, so registering is O(1) however many there
    /// are.
    known: HashSet<Vec<u8>>,
    /// Entries by their first [`MIN_SECRET_LEN`] bytes, so finding what
    /// starts at one position costs the same however many are registered.
    by_prefix: HashMap<[u8; MIN_SECRET_LEN], Vec<usize>>,
    /// The text forms of every entry, built at the first [`Redactor::text`]
    /// after a change (evidence text is redacted once a scenario is over).
    text_matcher: OnceLock<(Option<AhoCorasick>, Vec<String>)>,
}

impl Redactor {
    /// Never shown, in any encoding.
    pub fn secret(&mut self, bytes: &[u8]) {
        self.add(bytes, 0);
    }

    /// Shown at most `excerpt` leading bytes.
    pub fn plaintext(&mut self, bytes: &[u8], excerpt: usize) {
        if bytes.len() > excerpt {
            self.add(bytes, excerpt);
        }
    }

    fn add(&mut self, bytes: &[u8], visible: usize) {
        let Some(prefix) = prefix_of(bytes) else {
            return;
        };
        if self.known.insert(bytes.to_vec()) {
            self.by_prefix
                .entry(prefix)
                .or_default()
                .push(self.entries.len());
            self.entries.push((bytes.to_vec(), visible));
            self.text_matcher = OnceLock::new();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.known.clear();
        self.by_prefix.clear();
        self.text_matcher = OnceLock::new();
    }

    /// Marks every byte among the first `window` bytes of `data` that lies
    /// inside a registered occurrence (past its visible prefix). Only
    /// occurrences starting in the window can reach it, so the cost grows
    /// with the window, not with the data or the number registered.
    pub fn mask(&self, data: &[u8], window: usize) -> Vec<bool> {
        let shown = window.min(data.len());
        let mut masked = vec![false; shown];
        for at in 0..shown {
            let Some(candidates) = data
                .get(at..)
                .and_then(prefix_of)
                .and_then(|p| self.by_prefix.get(&p))
            else {
                continue;
            };
            for &index in candidates {
                let (secret, visible) = &self.entries[index];
                if data[at..].starts_with(secret) {
                    let end = (at + secret.len()).min(shown);
                    for flag in masked.iter_mut().take(end).skip(at + visible) {
                        *flag = true;
                    }
                }
            }
        }
        masked
    }

    /// Replaces registered secrets in text, in the encodings evidence uses:
    /// hex (either case) of the hidden part, base64 (standard and URL-safe,
    /// padded or not) of the whole, and the whole as raw text when it is
    /// long enough not to match ordinary words (kept up to its excerpt).
    /// One pass over the text whatever the number registered; where forms
    /// overlap, the longest leftmost one is replaced.
    pub fn text(&self, text: &str) -> String {
        if self.entries.is_empty() {
            return text.to_string();
        }
        let (matcher, replacements) = self.text_matcher.get_or_init(|| self.build_text_matcher());
        match matcher {
            Some(matcher) => matcher.replace_all(text, replacements),
            None => text.to_string(),
        }
    }

    /// Every textual form of every entry, with what replaces it.
    fn build_text_matcher(&self) -> (Option<AhoCorasick>, Vec<String>) {
        let mut forms: Vec<String> = Vec::new();
        let mut replacements: Vec<String> = Vec::new();
        for (secret, visible) in &self.entries {
            let hidden = &secret[*visible..];
            if hidden.len() >= MIN_SECRET_LEN {
                for form in [hex::encode(hidden), hex::encode_upper(hidden)] {
                    forms.push(form);
                    replacements.push("[redacted]".into());
                }
            }
            for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
                forms.push(engine.encode(secret));
                replacements.push("[redacted]".into());
            }
            if let Ok(raw) = std::str::from_utf8(secret) {
                if raw.len() >= MIN_TEXT_LEN {
                    let kept = String::from_utf8_lossy(&secret[..*visible]);
                    forms.push(raw.to_string());
                    replacements.push(format!("{kept}[redacted]"));
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&forms)
            .ok();
        (matcher, replacements)
    }
}

/// The first [`MIN_SECRET_LEN`] bytes, when there are that many.
fn prefix_of(bytes: &[u8]) -> Option<[u8; MIN_SECRET_LEN]> {
    bytes.get(..MIN_SECRET_LEN)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_vanish_in_every_encoding() {
        let mut r = Redactor::default();
        let key = b"\x01\x02private-key-bytes\xff";
        r.secret(key);
        for shown in [
            hex::encode(key),
            hex::encode_upper(key),
            STANDARD.encode(key),
            URL_SAFE_NO_PAD.encode(key),
        ] {
            let text = r.text(&format!("before {shown} after"));
            assert_eq!(text, "before [redacted] after", "{shown}");
        }
    }

    #[test]
    fn plaintext_keeps_only_its_excerpt() {
        let mut r = Redactor::default();
        r.plaintext(b"hello, this is a private message", 5);
        assert_eq!(
            r.text("got: hello, this is a private message"),
            "got: hello[redacted]"
        );
        let frame = b"xxhello, this is a private messageyy";
        let mask = r.mask(frame, frame.len());
        assert!(!mask[2..7].iter().any(|m| *m), "the excerpt stays");
        assert!(mask[7..34].iter().all(|m| *m));
        assert!(!mask[34]);
    }

    /// Thousands registered (a property scenario's plaintexts): each is
    /// still found, in frames and in text, including values that share
    /// their first bytes.
    #[test]
    fn many_entries_sharing_prefixes_are_all_found() {
        let mut r = Redactor::default();
        for i in 0..5000u32 {
            r.plaintext(format!("same-prefix message number {i:05}").as_bytes(), 4);
        }
        let wanted = b"same-prefix message number 04999";
        let mut frame = b"ab".to_vec();
        frame.extend_from_slice(wanted);
        let mask = r.mask(&frame, 48);
        assert!(!mask[..6].iter().any(|m| *m), "the excerpt stays");
        assert!(mask[6..34].iter().all(|m| *m));
        assert_eq!(
            r.text("got same-prefix message number 04999!"),
            "got same[redacted]!"
        );
        // Registering the same value again adds nothing.
        r.plaintext(wanted, 4);
        assert_eq!(r.entries.len(), 5000);
    }

    /// Only the window is marked, and an occurrence that starts in it and
    /// runs past it is marked up to its end.
    #[test]
    fn mask_covers_the_window_only() {
        let mut r = Redactor::default();
        r.secret(b"0123456789");
        let mut frame = vec![b'x'; 45];
        frame.extend_from_slice(b"0123456789");
        let mask = r.mask(&frame, 48);
        assert_eq!(mask.len(), 48);
        assert!(!mask[44]);
        assert!(mask[45..48].iter().all(|m| *m));
    }

    #[test]
    fn short_values_are_not_registered() {
        let mut r = Redactor::default();
        r.secret(b"ab");
        assert!(r.is_empty());
    }
}
