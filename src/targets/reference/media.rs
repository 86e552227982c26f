//! The reference's media operations (docs/media.md §Adapter operations):
//! the provider's client encrypting an attachment before upload and
//! verifying and decrypting one after download, in the format the
//! gatekeeper's clients use (src/peer/media), and uploads to its own media
//! server (media_server.rs). It sends no streaming sidecar, as whatsmeow
//! and Baileys do not (the variant `media-sends-sidecar` does).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore;
use rand_core::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::build::Build;
use super::media_download::{downloaded, fetch_blob, Bounds};
use super::media_open::opened_as;
use super::media_server::MediaServer;
use super::rejected;
use crate::adapter::proto::{
    response::Reply, ErrorCategory, MediaDecrypt, MediaDecryptResult, MediaDownload, MediaEncrypt,
    MediaEncryptResult, MediaFields, MediaProfile, MediaServerResult, MediaServerStoreResult,
    MediaUpload, MediaUploadResult, MediaWrite, MediaWrittenResult, Unsupported,
};
use crate::peer::media::cipher::{cbc_decrypt_blocks, hmac, EncHash, MacKnob, Padding};
use crate::peer::media::keys::{media_keys, Split, BLOCK, MAC_LEN, MEDIA_KEY_LEN};
use crate::peer::media::sidecar::{sidecar, Convention, Stream};
use crate::peer::media::{encrypt, Knobs, MediaType, Refusal};
use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The largest attachment before a profile says otherwise (the default
/// profile's `media.max_attachment_bytes`).
const DEFAULT_MAX_ATTACHMENT: u64 = 4 * 1024 * 1024;
/// How long a URL is served before a profile says otherwise (a week).
const DEFAULT_URL_LIFETIME: u64 = 604_800;
/// How long a download may take before a profile says otherwise.
const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(5);

fn media_type_of(name: &str) -> Result<MediaType, Reply> {
    MediaType::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = MediaType::ALL.iter().map(|t| t.name()).collect();
        rejected(
            ErrorCategory::SchemaViolation,
            format!(
                "unknown media type {:?}; one of {}",
                name.chars().take(40).collect::<String>(),
                known.join(", ")
            ),
        )
    })
}

/// The category docs/media.md §Adapter operations names for each check.
fn category(refusal: Refusal) -> ErrorCategory {
    match refusal {
        Refusal::EncHashLength => ErrorCategory::SchemaViolation,
        Refusal::TooShort | Refusal::NotWholeBlocks => ErrorCategory::MalformedInput,
        Refusal::EncHashMismatch
        | Refusal::BadMac
        | Refusal::BadPadding
        | Refusal::PlaintextHashMismatch => ErrorCategory::BadMac,
    }
}

/// Decrypts without any check but the padding (the
/// `MediaDownloadSkipsVerification` defect).
fn open_unchecked(
    t: MediaType,
    media_key: &[u8; MEDIA_KEY_LEN],
    blob: &[u8],
) -> Result<Vec<u8>, Refusal> {
    let keys = media_keys(media_key, t.hkdf_info().as_bytes(), Split::Standard);
    let ciphertext = blob
        .get(..blob.len().saturating_sub(MAC_LEN))
        .unwrap_or_default();
    let mut padded = cbc_decrypt_blocks(&keys.cipher_key, &keys.iv, ciphertext)?;
    let n = usize::from(*padded.last().ok_or(Refusal::BadPadding)?);
    if !(1..=BLOCK).contains(&n)
        || padded[padded.len() - n..]
            .iter()
            .any(|b| usize::from(*b) != n)
    {
        return Err(Refusal::BadPadding);
    }
    padded.truncate(padded.len() - n);
    Ok(padded)
}

/// The `MediaSidecarWithoutOverlap` defect: windows of exactly one chunk.
fn sidecar_without_overlap(
    keys: &crate::peer::media::MediaKeys,
    blob: &[u8],
    convention: Convention,
) -> Vec<u8> {
    let stream = crate::peer::media::sidecar::stream(keys, blob, convention);
    stream
        .chunks(crate::peer::media::sidecar::CHUNK)
        .flat_map(|window| hmac(&keys.mac_key, &[window])[..MAC_LEN].to_vec())
        .collect()
}

/// The media operations and the media server they upload to.
pub struct MediaOps {
    build: Build,
    profile: Option<MediaProfile>,
    server: Option<MediaServer>,
    /// What the client's downloads delivered since the last MediaWritten.
    written: Vec<MediaWrite>,
}

impl MediaOps {
    pub fn new(build: Build) -> MediaOps {
        MediaOps {
            build,
            profile: None,
            server: None,
            written: Vec::new(),
        }
    }

    pub fn set_profile(&mut self, profile: Option<MediaProfile>) {
        self.profile = profile;
    }

    /// Forgets every upload: the server stops and a new one starts when
    /// next asked for.
    pub fn reset(&mut self) {
        self.server = None;
        self.written.clear();
    }

    fn max_attachment(&self) -> u64 {
        self.profile
            .as_ref()
            .map(|p| p.max_attachment_bytes)
            .filter(|max| *max > 0)
            .unwrap_or(DEFAULT_MAX_ATTACHMENT)
    }

    /// Whether the profile lets `t` be sent (every type without one).
    fn type_allowed(&self, t: MediaType) -> bool {
        self.profile.as_ref().is_none_or(|p| {
            p.allowed_types.is_empty() || p.allowed_types.iter().any(|a| a == t.name())
        })
    }

    /// The largest plaintext of type `t`: its own limit, else the profile's.
    fn type_limit(&self, t: MediaType) -> u64 {
        let own = self
            .profile
            .as_ref()
            .and_then(|p| p.type_limits.iter().find(|l| l.media_type == t.name()))
            .map(|l| l.max_bytes)
            .filter(|max| *max > 0);
        own.map_or(self.max_attachment(), |own| own.min(self.max_attachment()))
    }

    fn sidecar_convention(&self) -> Convention {
        let p = self.profile.clone().unwrap_or(MediaProfile {
            sidecar_stream_includes_iv: true,
            ..MediaProfile::default()
        });
        Convention {
            stream: if p.sidecar_stream_includes_iv {
                Stream::IvAndCiphertext
            } else {
                Stream::Ciphertext
            },
            with_mac_trailer: p.sidecar_stream_includes_mac,
        }
    }

    /// The format's knobs this build encrypts with: the deployed format,
    /// unless a mutant changes one.
    fn knobs(&self) -> Knobs {
        let has = |m| self.build.has(m);
        Knobs {
            info_of: has(Mutant::MediaImageKeysForEveryType).then_some(MediaType::Image),
            split: if has(Mutant::MediaKeySplitOffByOneBlock) {
                Split::OffByOneBlock
            } else {
                Split::Standard
            },
            mac: if has(Mutant::MediaMacOverCiphertextOnly) {
                MacKnob::CiphertextOnly
            } else if has(Mutant::MediaFullLengthMac) {
                MacKnob::Length(32)
            } else {
                MacKnob::Standard
            },
            padding: if has(Mutant::MediaNoPaddingBlockWhenAligned) {
                Padding::NoBlockWhenAligned
            } else {
                Padding::Pkcs7
            },
            enc_hash: if has(Mutant::MediaEncHashWithoutTrailer) {
                EncHash::WithoutTrailer
            } else {
                EncHash::WholeBlob
            },
        }
    }

    /// Encrypts under a fresh media key from the OS: the blob, its
    /// fields, and the media key (for the server's defects).
    fn seal(
        &self,
        t: MediaType,
        plaintext: &[u8],
        mimetype: String,
    ) -> Result<(Vec<u8>, MediaFields), Reply> {
        if !self.type_allowed(t) {
            return Err(rejected(
                ErrorCategory::ForbiddenConstruct,
                format!("the profile does not exchange {} attachments", t.name()),
            ));
        }
        let limit = if self.build.has(Mutant::MediaIgnoresTypeLimits) {
            self.max_attachment()
        } else {
            self.type_limit(t)
        };
        if plaintext.len() as u64 > limit && !self.build.has(Mutant::MediaNoAttachmentLimit) {
            return Err(rejected(
                ErrorCategory::LimitExceeded,
                format!(
                    "a {} of {} bytes; the profile allows {limit}",
                    t.name(),
                    plaintext.len(),
                ),
            ));
        }
        let mut media_key = [0u8; MEDIA_KEY_LEN];
        if self.build.has(Mutant::MediaKeyFromPlaintextHash) {
            media_key = Sha256::digest(plaintext).into();
        } else {
            OsRng.fill_bytes(&mut media_key);
        }
        let e = encrypt(t, &media_key, plaintext, self.knobs());
        let streaming_sidecar = if self.build.is(Variant::MediaSendsSidecar) && t.streamable() {
            let keys = media_keys(&media_key, t.hkdf_info().as_bytes(), Split::Standard);
            sidecar(&keys, &e.blob, self.sidecar_convention())
        } else if self.build.has(Mutant::MediaSidecarWithoutOverlap) && t.streamable() {
            let keys = media_keys(&media_key, t.hkdf_info().as_bytes(), Split::Standard);
            sidecar_without_overlap(&keys, &e.blob, self.sidecar_convention())
        } else {
            Vec::new()
        };
        let file_length = if self.build.has(Mutant::MediaFileLengthOfBlob) {
            e.blob.len() as u64
        } else {
            e.file_length
        };
        let fields = MediaFields {
            media_key: media_key.to_vec(),
            file_sha256: e.file_sha256.to_vec(),
            file_enc_sha256: e.file_enc_sha256.to_vec(),
            file_length,
            mimetype,
            streaming_sidecar,
        };
        Ok((e.blob, fields))
    }

    pub fn encrypt_op(&self, op: MediaEncrypt) -> Reply {
        let t = match media_type_of(&op.media_type) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        match self.seal(t, &op.plaintext, op.mimetype) {
            Ok((blob, fields)) => Reply::MediaEncrypt(Box::new(MediaEncryptResult {
                blob,
                fields: Some(fields),
            })),
            Err(reply) => reply,
        }
    }

    /// Verifies and decrypts; `fileLength` must be the plaintext's.
    pub fn decrypt_op(&self, op: MediaDecrypt) -> Reply {
        let blob = |_: &MediaFields| Ok(op.blob.clone());
        match self.verified(&op.media_type, op.fields.as_ref(), blob, false) {
            Ok(plaintext) => Reply::MediaDecrypt(MediaDecryptResult { plaintext }),
            Err(reply) => reply,
        }
    }

    /// Downloads from the URL, verifies and decrypts: only the hash
    /// leaves, and the attachment is delivered (MediaWritten) once verified.
    pub fn download_op(&mut self, op: MediaDownload) -> Reply {
        let t = match media_type_of(&op.media_type) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        let limit = if self.build.has(Mutant::MediaNoTypeLimitOnDownload) {
            self.max_attachment()
        } else {
            self.type_limit(t)
        };
        let announced = op.fields.as_ref().map_or(0, |f| f.file_length);
        if announced > limit {
            // The brief's M18: refused before anything is fetched.
            return rejected(
                ErrorCategory::LimitExceeded,
                format!(
                    "a {} of {announced} bytes; the profile allows {limit}",
                    t.name()
                ),
            );
        }
        let bounds = Bounds {
            max_attachment: limit,
            timeout: self
                .profile
                .as_ref()
                .map(|p| Duration::from_secs(u64::from(p.download_timeout_seconds)))
                .filter(|d| !d.is_zero())
                .unwrap_or(DEFAULT_DOWNLOAD_TIMEOUT),
        };
        let streams_early = self.build.has(Mutant::MediaWritesBeforeVerifying);
        let mut early = None;
        let fetch = |fields: &MediaFields| {
            let blob = fetch_blob(self.build, &bounds, &op.url)?;
            if streams_early {
                // The defect: plaintext streamed to storage as it is
                // decrypted, the MAC and hashes checked only at the end.
                early = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice())
                    .ok()
                    .and_then(|key| open_unchecked(t, &key, &blob).ok());
            }
            Ok(blob)
        };
        let verified = self
            .verified(&op.media_type, op.fields.as_ref(), fetch, true)
            .and_then(|plaintext| {
                if plaintext.len() as u64 > limit {
                    return Err(rejected(
                        ErrorCategory::LimitExceeded,
                        format!(
                            "a {} of {} bytes; the profile allows {limit}",
                            t.name(),
                            plaintext.len()
                        ),
                    ));
                }
                Ok(plaintext)
            });
        if let Some(plaintext) = early.filter(|_| verified.is_err()) {
            self.wrote(t, &plaintext);
        }
        match verified {
            Ok(plaintext) => {
                self.wrote(t, &plaintext);
                let mimetype = op.fields.as_ref().map_or("", |f| f.mimetype.as_str());
                downloaded(&plaintext, opened_as(self.build, mimetype, &plaintext))
            }
            Err(reply) => reply,
        }
    }

    /// Records an attachment delivered beyond the download.
    fn wrote(&mut self, t: MediaType, plaintext: &[u8]) {
        self.written.push(MediaWrite {
            media_type: t.name().into(),
            sha256: Sha256::digest(plaintext).to_vec(),
            length: plaintext.len() as u64,
        });
    }

    /// What the downloads delivered since the last call, forgotten now.
    pub fn written_op(&mut self) -> Reply {
        Reply::MediaWritten(MediaWrittenResult {
            writes: std::mem::take(&mut self.written),
        })
    }

    /// The request's checks, the blob from `blob`, then the attachment's
    /// checks: the plaintext, or the refusal.
    fn verified(
        &self,
        media_type: &str,
        fields: Option<&MediaFields>,
        blob: impl FnOnce(&MediaFields) -> Result<Vec<u8>, Reply>,
        downloading: bool,
    ) -> Result<Vec<u8>, Reply> {
        let t = media_type_of(media_type)?;
        if fields.is_none() && self.build.has(Mutant::MediaMissingFieldsInternalError) {
            return Err(Reply::InternalError(crate::adapter::proto::InternalError {
                detail: "called `Option::unwrap()` on a `None` value".into(),
            }));
        }
        let fields =
            fields.ok_or_else(|| rejected(ErrorCategory::SchemaViolation, "no MediaFields"))?;
        let Ok(media_key) = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice()) else {
            return Err(rejected(
                ErrorCategory::SchemaViolation,
                format!(
                    "a media key of {} bytes; 32 expected",
                    fields.media_key.len()
                ),
            ));
        };
        let blob = blob(fields)?;
        let opened = if downloading && self.build.has(Mutant::MediaDownloadSkipsVerification) {
            // The defect: the transport is trusted, nothing is checked.
            open_unchecked(t, &media_key, &blob)
        } else {
            self.open(
                t,
                &media_key,
                &blob,
                &fields.file_enc_sha256,
                &fields.file_sha256,
            )
        };
        let plaintext = opened
            .map_err(|r| rejected(category(r), format!("attachment refused: {}", r.name())))?;
        if plaintext.is_empty() && self.build.has(Mutant::MediaDecryptRefusesEmpty) {
            return Err(rejected(
                ErrorCategory::MalformedInput,
                "an empty attachment",
            ));
        }
        if plaintext.len() as u64 != fields.file_length
            && !self.build.is(Variant::MediaDecryptReturnsTrueLength)
        {
            return Err(rejected(
                ErrorCategory::SchemaViolation,
                format!(
                    "fileLength {} but the plaintext has {} bytes",
                    fields.file_length,
                    plaintext.len()
                ),
            ));
        }
        Ok(plaintext)
    }

    /// The receiver's checks in whatsmeow's order (docs/media.md §Order
    /// of checks), each at the one place a mutant may skip or bend it; no
    /// plaintext before all passed.
    fn open(
        &self,
        t: MediaType,
        media_key: &[u8; MEDIA_KEY_LEN],
        blob: &[u8],
        file_enc_sha256: &[u8],
        file_sha256: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let has = |m| self.build.has(m);
        let knobs = self.knobs();
        let unchecked_hash =
            file_enc_sha256.is_empty() && has(Mutant::MediaMissingEncHashSkipsCheck);
        if file_enc_sha256.len() != 32 && !unchecked_hash {
            return Err(Refusal::EncHashLength);
        }
        let mac_len = match knobs.mac {
            MacKnob::Length(n) => n,
            _ => MAC_LEN,
        };
        if blob.len() <= mac_len {
            return Err(Refusal::TooShort);
        }
        if !unchecked_hash && Sha256::digest(blob).as_slice() != file_enc_sha256 {
            return Err(Refusal::EncHashMismatch);
        }
        let info = knobs.info_of.unwrap_or(t).hkdf_info();
        let keys = media_keys(media_key, info.as_bytes(), knobs.split);
        let (ciphertext, mac) = blob.split_at(blob.len() - mac_len);
        let expected = match knobs.mac {
            MacKnob::CiphertextOnly => hmac(&keys.mac_key, &[ciphertext]),
            _ => hmac(&keys.mac_key, &[&keys.iv, ciphertext]),
        };
        if !bool::from(expected[..mac_len].ct_eq(mac)) && !has(Mutant::MediaDecryptsWithoutMacCheck)
        {
            return Err(Refusal::BadMac);
        }
        let mut padded = cbc_decrypt_blocks(&keys.cipher_key, &keys.iv, ciphertext)?;
        let n = usize::from(*padded.last().ok_or(Refusal::BadPadding)?);
        let strict_ok = (1..=BLOCK).contains(&n)
            && padded[padded.len() - n..]
                .iter()
                .all(|b| usize::from(*b) == n);
        // The lax defect: only that the pad length fits (whatsmeow's unpad).
        let lax_ok = n <= padded.len();
        if !(strict_ok || has(Mutant::MediaLaxUnpad) && lax_ok) {
            return Err(Refusal::BadPadding);
        }
        padded.truncate(padded.len() - n);
        if Sha256::digest(&padded).as_slice() != file_sha256
            && !has(Mutant::MediaSkipsPlaintextHash)
        {
            return Err(Refusal::PlaintextHashMismatch);
        }
        Ok(padded)
    }

    fn server(&mut self) -> Result<&MediaServer, Reply> {
        if self.server.is_none() {
            let lifetime = self
                .profile
                .as_ref()
                .map(|p| u64::from(p.url_lifetime_seconds))
                .filter(|l| *l > 0)
                .unwrap_or(DEFAULT_URL_LIFETIME);
            let server = MediaServer::start(self.build, lifetime).map_err(|e| {
                Reply::InternalError(crate::adapter::proto::InternalError { detail: e })
            })?;
            self.server = Some(server);
        }
        self.server
            .as_ref()
            .ok_or_else(|| rejected(ErrorCategory::InvalidState, "no media server"))
    }

    pub fn server_op(&mut self) -> Reply {
        match self.server() {
            Ok(server) => Reply::MediaServer(MediaServerResult {
                base_url: server.base_url(),
                authorization: server.authorization(),
            }),
            Err(reply) => reply,
        }
    }

    /// Encrypts and stores on the media server, as the client uploads.
    pub fn upload_op(&mut self, op: MediaUpload) -> Reply {
        let t = match media_type_of(&op.media_type) {
            Ok(t) => t,
            Err(reply) => return reply,
        };
        let (blob, fields) = match self.seal(t, &op.plaintext, op.mimetype) {
            Ok(sealed) => sealed,
            Err(reply) => return reply,
        };
        let localhost = self.build.has(Mutant::MediaUploadUrlNamesLocalhost);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let server = match self.server() {
            Ok(server) => server,
            Err(reply) => return reply,
        };
        let direct_path = server.put(blob, &op.plaintext, &fields.media_key);
        let base = if localhost {
            format!("http://localhost:{}", server.port)
        } else {
            server.base_url()
        };
        Reply::MediaUpload(Box::new(MediaUploadResult {
            url: format!("{base}{direct_path}"),
            direct_path,
            fields: Some(fields),
            media_key_timestamp: now,
        }))
    }

    pub fn advance_clock_op(&mut self, seconds: u32) -> Reply {
        match self.server() {
            Ok(server) => {
                server.advance_clock(u64::from(seconds));
                Reply::MediaAdvanceClock(crate::adapter::proto::MediaAdvanceClockResult {})
            }
            Err(reply) => reply,
        }
    }

    pub fn store_op(&self) -> Reply {
        if self.build.is(Variant::MediaNoServerStore) {
            return Reply::Unsupported(Unsupported {
                detail: "MediaServerStore is not offered".into(),
            });
        }
        Reply::MediaServerStore(MediaServerStoreResult {
            objects: self.server.as_ref().map(|s| s.stored()).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::Rejected;

    fn encrypted(t: &str, plaintext: &[u8]) -> MediaEncryptResult {
        match MediaOps::new(Build::default()).encrypt_op(MediaEncrypt {
            media_type: t.into(),
            plaintext: plaintext.to_vec(),
            mimetype: "image/jpeg".into(),
        }) {
            Reply::MediaEncrypt(r) => *r,
            other => panic!("{other:?}"),
        }
    }

    fn decrypted(t: &str, blob: Vec<u8>, fields: MediaFields) -> Reply {
        MediaOps::new(Build::default()).decrypt_op(MediaDecrypt {
            media_type: t.into(),
            blob,
            fields: Some(fields),
        })
    }

    #[test]
    fn every_type_round_trips_under_fresh_keys() {
        for t in MediaType::ALL {
            let a = encrypted(t.name(), b"a holiday photo");
            let b = encrypted(t.name(), b"a holiday photo");
            let fields = a.fields.clone().expect("fields");
            assert_ne!(
                Some(fields.media_key.clone()),
                b.fields.map(|f| f.media_key)
            );
            assert_eq!(fields.file_length, 15);
            match decrypted(t.name(), a.blob, fields) {
                Reply::MediaDecrypt(r) => assert_eq!(r.plaintext, b"a holiday photo"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn refusals_carry_their_category_and_no_plaintext() {
        let a = encrypted("video", b"clip");
        let fields = a.fields.clone().expect("fields");
        let mut flipped = a.blob.clone();
        flipped[0] ^= 1;
        let category = |reply: Reply| match reply {
            Reply::Rejected(Rejected { category, .. }) => category,
            other => panic!("{other:?}"),
        };
        let bad = ErrorCategory::BadMac as i32;
        assert_eq!(category(decrypted("video", flipped, fields.clone())), bad);
        assert_eq!(
            category(decrypted("audio", a.blob.clone(), fields.clone())),
            bad
        );
        let short = ErrorCategory::MalformedInput as i32;
        assert_eq!(
            category(decrypted("video", vec![0; 10], fields.clone())),
            short
        );
        let lying = MediaFields {
            file_length: 5,
            ..fields.clone()
        };
        let schema = ErrorCategory::SchemaViolation as i32;
        assert_eq!(category(decrypted("video", a.blob.clone(), lying)), schema);
        assert_eq!(category(decrypted("gif", a.blob, fields)), schema);
    }
}
