//! Media types and the keys an attachment's 32-byte media key expands to.
//!
//! Sources (docs/media.md §Sources): whatsmeow (tulir/whatsmeow @ 33cfac5,
//! `download.go` `getMediaKeys`, `MediaImage`..`MediaDocument`,
//! `classToMediaType`; `upload.go`) and Baileys
//! (WhiskeySockets/Baileys `src/Utils/messages-media.ts` `getMediaKeys`).

use hkdf::Hkdf;
use sha2::Sha256;

/// Length of a media key (whatsmeow upload.go `random.Bytes(32)`).
pub const MEDIA_KEY_LEN: usize = 32;
/// Bytes HKDF expands the media key to (whatsmeow download.go
/// `hkdfutil.SHA256(mediaKey, nil, []byte(appInfo), 112)`).
pub const EXPANDED_LEN: usize = 112;
/// Length of the truncated HMAC trailer (whatsmeow download.go
/// `mediaHMACLength = 10`; upload.go `h.Sum(nil)[:10]`).
pub const MAC_LEN: usize = 10;
/// AES block length; also the IV's.
pub const BLOCK: usize = 16;

/// What an attachment is. Six kinds the year-one obligation names
/// (images, voice messages, videos, other files), each mapped to the HKDF
/// info string of its message class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    Image,
    Video,
    Audio,
    /// A voice message: an AudioMessage with `PTT` set.
    VoiceNote,
    Document,
    /// A StickerMessage.
    Sticker,
}

impl MediaType {
    pub const ALL: [MediaType; 6] = [
        MediaType::Image,
        MediaType::Video,
        MediaType::Audio,
        MediaType::VoiceNote,
        MediaType::Document,
        MediaType::Sticker,
    ];

    /// The name used in vectors, profiles and adapter requests.
    pub fn name(self) -> &'static str {
        match self {
            MediaType::Image => "image",
            MediaType::Video => "video",
            MediaType::Audio => "audio",
            MediaType::VoiceNote => "voice-note",
            MediaType::Document => "document",
            MediaType::Sticker => "sticker",
        }
    }

    pub fn from_name(name: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The HKDF info string: whatsmeow download.go `MediaImage = "WhatsApp
    /// Image Keys"`, `MediaVideo`, `MediaAudio`, `MediaDocument`;
    /// `classToMediaType` maps StickerMessage to MediaImage and AudioMessage
    /// (voice notes included, `PTT` is a flag on it) to MediaAudio.
    pub fn hkdf_info(self) -> &'static str {
        match self {
            MediaType::Image | MediaType::Sticker => "WhatsApp Image Keys",
            MediaType::Video => "WhatsApp Video Keys",
            MediaType::Audio | MediaType::VoiceNote => "WhatsApp Audio Keys",
            MediaType::Document => "WhatsApp Document Keys",
        }
    }

    /// Whether its message carries `streamingSidecar` (whatsmeow
    /// WAWebProtobufsE2E.proto: field 18 of AudioMessage and VideoMessage).
    pub fn streamable(self) -> bool {
        matches!(
            self,
            MediaType::Video | MediaType::Audio | MediaType::VoiceNote
        )
    }
}

/// Where the expansion is cut into keys: the deployed split, or the same
/// bytes cut one block off (a knob: cipherKey from the first 32 bytes, IV
/// after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Split {
    #[default]
    Standard,
    OffByOneBlock,
}

/// The keys one attachment is encrypted under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaKeys {
    pub iv: [u8; BLOCK],
    pub cipher_key: [u8; 32],
    pub mac_key: [u8; 32],
    /// Expanded but unused by clients (whatsmeow returns it as `refKey`).
    pub ref_key: [u8; 32],
}

/// HKDF-SHA256 of `media_key` with no salt (RFC 5869 §2.2: a zero-filled
/// salt) and `info`, 112 bytes.
pub fn expand(media_key: &[u8; MEDIA_KEY_LEN], info: &[u8]) -> [u8; EXPANDED_LEN] {
    let mut out = [0u8; EXPANDED_LEN];
    // 112 bytes is well under HKDF-SHA256's limit of 255 * 32.
    Hkdf::<Sha256>::new(None, media_key)
        .expand(info, &mut out)
        .unwrap_or_else(|_| unreachable!("112 <= 255 * 32"));
    out
}

/// The keys of `media_key` for `info`: `iv = E[0:16]`, `cipherKey =
/// E[16:48]`, `macKey = E[48:80]`, `refKey = E[80:112]` (whatsmeow
/// `getMediaKeys`), or cut one block off with [`Split::OffByOneBlock`].
pub fn media_keys(media_key: &[u8; MEDIA_KEY_LEN], info: &[u8], split: Split) -> MediaKeys {
    let e = expand(media_key, info);
    let take = |at: usize| -> [u8; 32] {
        let mut k = [0u8; 32];
        k.copy_from_slice(&e[at..at + 32]);
        k
    };
    let mut iv = [0u8; BLOCK];
    match split {
        Split::Standard => {
            iv.copy_from_slice(&e[0..16]);
            MediaKeys {
                iv,
                cipher_key: take(16),
                mac_key: take(48),
                ref_key: take(80),
            }
        }
        Split::OffByOneBlock => {
            iv.copy_from_slice(&e[32..48]);
            MediaKeys {
                iv,
                cipher_key: take(0),
                mac_key: take(48),
                ref_key: take(80),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_name_that_parses_back() {
        for t in MediaType::ALL {
            assert_eq!(MediaType::from_name(t.name()), Some(t));
        }
        assert_eq!(MediaType::from_name("gif"), None);
    }

    #[test]
    fn the_split_covers_the_expansion_in_order() {
        let key = [7u8; 32];
        let e = expand(&key, b"WhatsApp Image Keys");
        let k = media_keys(&key, b"WhatsApp Image Keys", Split::Standard);
        let mut joined = k.iv.to_vec();
        joined.extend_from_slice(&k.cipher_key);
        joined.extend_from_slice(&k.mac_key);
        joined.extend_from_slice(&k.ref_key);
        assert_eq!(joined, e.to_vec());
        let off = media_keys(&key, b"WhatsApp Image Keys", Split::OffByOneBlock);
        assert_ne!(off.cipher_key, k.cipher_key);
        assert_ne!(off.iv, k.iv);
    }

    #[test]
    fn the_info_string_changes_every_key() {
        let key = [1u8; 32];
        let image = media_keys(
            &key,
            MediaType::Image.hkdf_info().as_bytes(),
            Split::Standard,
        );
        let doc = media_keys(
            &key,
            MediaType::Document.hkdf_info().as_bytes(),
            Split::Standard,
        );
        assert_ne!(image.iv, doc.iv);
        assert_ne!(image.cipher_key, doc.cipher_key);
        assert_ne!(image.mac_key, doc.mac_key);
    }
}
