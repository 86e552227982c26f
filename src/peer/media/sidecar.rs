//! The streaming sidecar of audio and video attachments: one truncated MAC
//! per 64 KiB window of the encrypted stream, each window reaching one
//! block into the next so that it carries the IV of the chunk after it.
//!
//! Source: the public description "signing every `[n*64K, (n+1)*64K+16]`
//! chunk with `macKey`, truncating the result to the first 10 bytes. Then
//! combine everything in one piece" (shatrovalexey/psr7-string-stream-
//! decorator README.md, a widely copied task text; docs/media.md
//! §Sources). Public implementations disagree on what the stream is (with
//! the IV in front or not) and whether the last window takes the file's
//! MAC trailer, so both are settings ([`Convention`]), chosen by the
//! profile.

use super::cipher::hmac;
use super::keys::{MediaKeys, MAC_LEN};

/// Bytes per window step (the description's 64K).
pub const CHUNK: usize = 64 * 1024;
/// How far each window reaches into the next chunk: one AES block.
pub const OVERLAP: usize = 16;

/// What the windows are cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// `iv ‖ ciphertext`.
    IvAndCiphertext,
    /// The ciphertext alone.
    Ciphertext,
}

impl Stream {
    pub fn name(self) -> &'static str {
        match self {
            Stream::IvAndCiphertext => "iv+ciphertext",
            Stream::Ciphertext => "ciphertext",
        }
    }

    pub fn from_name(name: &str) -> Option<Stream> {
        [Stream::IvAndCiphertext, Stream::Ciphertext]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// The two details public implementations disagree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    pub stream: Stream,
    /// Whether the file's 10-byte MAC trailer ends the stream.
    pub with_mac_trailer: bool,
}

impl Convention {
    /// Every combination, for vectors and variants.
    pub const ALL: [Convention; 4] = [
        Convention {
            stream: Stream::IvAndCiphertext,
            with_mac_trailer: false,
        },
        Convention {
            stream: Stream::IvAndCiphertext,
            with_mac_trailer: true,
        },
        Convention {
            stream: Stream::Ciphertext,
            with_mac_trailer: false,
        },
        Convention {
            stream: Stream::Ciphertext,
            with_mac_trailer: true,
        },
    ];
}

/// The stream a convention's windows are cut from, for `blob` (`ciphertext
/// ‖ mac`).
pub fn stream(keys: &MediaKeys, blob: &[u8], convention: Convention) -> Vec<u8> {
    let body = if convention.with_mac_trailer {
        blob
    } else {
        &blob[..blob.len().saturating_sub(MAC_LEN)]
    };
    match convention.stream {
        Stream::IvAndCiphertext => [keys.iv.as_slice(), body].concat(),
        Stream::Ciphertext => body.to_vec(),
    }
}

/// The sidecar of `blob`: for each n with `n * CHUNK` inside the stream,
/// the first 10 bytes of HMAC-SHA256(macKey, stream[n*CHUNK ..
/// (n+1)*CHUNK + OVERLAP]), the window cut at the stream's end.
pub fn sidecar(keys: &MediaKeys, blob: &[u8], convention: Convention) -> Vec<u8> {
    let s = stream(keys, blob, convention);
    let mut out = Vec::with_capacity(s.len().div_ceil(CHUNK) * MAC_LEN);
    let mut start = 0;
    while start < s.len() {
        let end = (start + CHUNK + OVERLAP).min(s.len());
        out.extend_from_slice(&hmac(&keys.mac_key, &[&s[start..end]])[..MAC_LEN]);
        start += CHUNK;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::cipher::{encrypt, Knobs};
    use super::super::keys::{media_keys, MediaType, Split};
    use super::*;

    fn keys() -> MediaKeys {
        media_keys(
            &[3u8; 32],
            MediaType::Video.hkdf_info().as_bytes(),
            Split::Standard,
        )
    }

    #[test]
    fn one_mac_per_started_chunk_of_the_stream() {
        let k = keys();
        for (len, ct_only, with_iv) in [
            (100usize, 1, 1),
            (CHUNK - 17, 1, 1),
            (CHUNK - 16, 1, 2),
            (CHUNK, 2, 2),
        ] {
            let e = encrypt(
                MediaType::Video,
                &[3u8; 32],
                &vec![0u8; len],
                Knobs::default(),
            );
            let ct = Convention {
                stream: Stream::Ciphertext,
                with_mac_trailer: false,
            };
            let iv = Convention {
                stream: Stream::IvAndCiphertext,
                with_mac_trailer: false,
            };
            assert_eq!(
                sidecar(&k, &e.blob, ct).len(),
                ct_only * MAC_LEN,
                "{len}, ciphertext"
            );
            assert_eq!(
                sidecar(&k, &e.blob, iv).len(),
                with_iv * MAC_LEN,
                "{len}, iv+ciphertext"
            );
        }
    }

    #[test]
    fn the_conventions_disagree() {
        let e = encrypt(
            MediaType::Audio,
            &[3u8; 32],
            &[5u8; 70_000],
            Knobs::default(),
        );
        let k = keys();
        let all: Vec<Vec<u8>> = Convention::ALL
            .iter()
            .map(|c| sidecar(&k, &e.blob, *c))
            .collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn a_window_is_its_chunk_plus_the_next_block() {
        let e = encrypt(
            MediaType::Video,
            &[3u8; 32],
            &[1u8; 2 * CHUNK],
            Knobs::default(),
        );
        let k = keys();
        let c = Convention {
            stream: Stream::Ciphertext,
            with_mac_trailer: false,
        };
        let car = sidecar(&k, &e.blob, c);
        let first = hmac(&k.mac_key, &[&e.blob[..CHUNK + OVERLAP]]);
        assert_eq!(car[..MAC_LEN], first[..MAC_LEN]);
        let second = hmac(&k.mac_key, &[&e.blob[CHUNK..2 * CHUNK + OVERLAP]]);
        assert_eq!(car[MAC_LEN..2 * MAC_LEN], second[..MAC_LEN]);
    }
}
