//! Redaction: secrets a scenario handles (private keys, token signing
//! secrets) never appear in a report, and user plaintext appears only as a
//! short excerpt. Scenarios register what they use through
//! `ScenarioCtx::secret` and `ScenarioCtx::plaintext`; the runner passes
//! every piece of evidence through [`Redactor`] before it is stored.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

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
        if bytes.len() >= MIN_SECRET_LEN && !self.entries.iter().any(|(b, _)| b == bytes) {
            self.entries.push((bytes.to_vec(), visible));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Marks every byte of `data` inside a registered occurrence (past its
    /// visible prefix).
    pub fn mask(&self, data: &[u8]) -> Vec<bool> {
        let mut masked = vec![false; data.len()];
        for (secret, visible) in &self.entries {
            let mut start = 0;
            while let Some(offset) = find(&data[start..], secret) {
                let at = start + offset;
                for flag in &mut masked[at + visible..at + secret.len()] {
                    *flag = true;
                }
                start = at + 1;
            }
        }
        masked
    }

    /// Replaces registered secrets in text, in the encodings evidence uses:
    /// hex (either case) of the hidden part, base64 (standard and URL-safe,
    /// padded or not) of the whole, and the whole as raw text when it is
    /// long enough not to match ordinary words (kept up to its excerpt).
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (secret, visible) in &self.entries {
            let hidden = &secret[*visible..];
            let mut forms: Vec<(String, String)> = Vec::new();
            if hidden.len() >= MIN_SECRET_LEN {
                forms.push((hex::encode(hidden), "[redacted]".into()));
                forms.push((hex::encode_upper(hidden), "[redacted]".into()));
            }
            for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
                forms.push((engine.encode(secret), "[redacted]".into()));
            }
            if let Ok(raw) = std::str::from_utf8(secret) {
                if raw.len() >= MIN_TEXT_LEN {
                    let kept = String::from_utf8_lossy(&secret[..*visible]);
                    forms.push((raw.to_string(), format!("{kept}[redacted]")));
                }
            }
            forms.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
            for (form, replacement) in forms.iter().filter(|(f, _)| f.len() >= MIN_SECRET_LEN) {
                out = out.replace(form.as_str(), replacement);
            }
        }
        out
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
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
        let mask = r.mask(frame);
        assert!(!mask[2..7].iter().any(|m| *m), "the excerpt stays");
        assert!(mask[7..34].iter().all(|m| *m));
        assert!(!mask[34]);
    }

    #[test]
    fn short_values_are_not_registered() {
        let mut r = Redactor::default();
        r.secret(b"ab");
        assert!(r.is_empty());
    }
}
