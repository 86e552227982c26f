//! How the reference client would open a downloaded attachment for its
//! user (`MediaDownloadResult.opened_as`, docs/media.md §Opening an
//! attachment): as its claimed type only when the content matches that
//! type's pattern; otherwise as a file to save, never by the sender's word.

use crate::targets::mutants::Mutant;

use super::build::Build;

/// Bytes at offsets, the bytes between them free.
type Pattern = &'static [(usize, &'static [u8])];

/// Claimed types the client opens, each with a pattern its content must
/// match: (offset, bytes) pairs, the bytes between them free. The patterns
/// of the WHATWG MIME Sniffing Standard, §6.1 (image type pattern
/// matching: PNG, JPEG, GIF87a, GIF89a, WebP "RIFF....WEBPVP"), §6.2
/// (audio or video: Ogg "OggS\0", MP3 with "ID3") and §7.1 (PDF "%PDF-").
const SIGNATURES: [(&str, Pattern); 8] = [
    ("image/png", &[(0, b"\x89PNG\r\n\x1a\n")]),
    ("image/jpeg", &[(0, b"\xff\xd8\xff")]),
    ("image/gif", &[(0, b"GIF87a")]),
    ("image/gif", &[(0, b"GIF89a")]),
    ("image/webp", &[(0, b"RIFF"), (8, b"WEBPVP")]),
    ("audio/ogg", &[(0, b"OggS\0")]),
    ("audio/mpeg", &[(0, b"ID3")]),
    ("application/pdf", &[(0, b"%PDF-")]),
];

/// The type `mimetype` names, without parameters, in lower case.
fn essence(mimetype: &str) -> String {
    mimetype
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The MIME type the client opens `plaintext` as, or empty for "offered as
/// a file to save".
pub fn opened_as(build: Build, mimetype: &str, plaintext: &[u8]) -> String {
    let claimed = essence(mimetype);
    if build.has(Mutant::MediaOpensByClaimedType) {
        // The defect: the sender's label decides.
        return claimed;
    }
    let matches = SIGNATURES.iter().any(|(name, pattern)| {
        *name == claimed
            && pattern.iter().all(|(at, bytes)| {
                plaintext
                    .get(*at..)
                    .is_some_and(|rest| rest.starts_with(bytes))
            })
    });
    if matches {
        claimed
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_label() {
        let build = Build::default();
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let cases: [(&str, &[u8], &str); 9] = [
            ("image/png", png, "image/png"),
            ("Image/PNG; x=1", png, "image/png"),
            ("image/png", b"<html>", ""),
            ("image/jpeg", png, ""),
            ("text/html", b"<html>", ""),
            ("image/webp", b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
            ("image/webp", b"RIFX\0\0\0\0WEBPVP8 ", ""),
            ("image/gif", b"GIF89a\x01\0", "image/gif"),
            ("image/gif", b"GIF88a\x01\0", ""),
        ];
        for (label, content, opened) in cases {
            assert_eq!(opened_as(build, label, content), opened, "{label}");
        }
    }
}
