//! Media benchmark, for `interspec bench`: attachments encrypted and
//! decrypted in process by the peer's cipher (src/peer/media), against the
//! raw primitives doing the same bulk work on the same bytes in the same
//! run: AES-256-CBC and HMAC-SHA256 each way, and then also the two SHA-256
//! hashes each way that the format adds (`fileSha256`, `fileEncSha256`).
//! Then downloads: the same attachment fetched over loopback HTTP from the
//! harness's media server (src/peer/media/server.rs, the proxy's client
//! src/peer/media/proxy.rs) and verified and decrypted, against verifying
//! and decrypting it alone.
//! The ratios are what to read; the absolute figures depend on the build.

use std::fmt::Write as _;
use std::time::Duration;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use sha2::{Digest, Sha256};

use crate::peer::media::cipher::hmac;
use crate::peer::media::{decrypt, encrypt, Knobs, MediaType};

/// Attachment size: a typical photo.
pub const ATTACHMENT: usize = 1024 * 1024;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

#[derive(Debug, Clone)]
pub struct MediaBench {
    pub bytes: usize,
    /// Attachment encrypt + verify-and-decrypt, MB of plaintext per second.
    pub attachment_mb_per_sec: f64,
    /// CBC encrypt + HMAC, HMAC + CBC decrypt, over the same bytes.
    pub raw_mb_per_sec: f64,
    /// The same plus SHA-256 of plaintext and ciphertext each way.
    pub raw_with_hashes_mb_per_sec: f64,
    /// GET over loopback HTTP, then verify-and-decrypt.
    pub download_mb_per_sec: f64,
    /// Verify-and-decrypt alone, on the same blob.
    pub verify_decrypt_mb_per_sec: f64,
}

impl MediaBench {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "media attachments in process, {} KiB each, encrypt + verify-and-decrypt:",
            self.bytes / 1024
        );
        let _ = writeln!(
            out,
            "  MB/s attachment {:>8.1}   raw AES-256-CBC + HMAC-SHA256 {:>8.1}   attachment/raw {:.2}",
            self.attachment_mb_per_sec,
            self.raw_mb_per_sec,
            self.attachment_mb_per_sec / self.raw_mb_per_sec
        );
        let _ = writeln!(
            out,
            "  raw with the format's two SHA-256 each way {:>8.1}   attachment/that {:.2}",
            self.raw_with_hashes_mb_per_sec,
            self.attachment_mb_per_sec / self.raw_with_hashes_mb_per_sec
        );
        let _ = writeln!(
            out,
            "  download over loopback HTTP + verify-and-decrypt {:>8.1}   verify-and-decrypt alone {:>8.1}   download/alone {:.2}",
            self.download_mb_per_sec,
            self.verify_decrypt_mb_per_sec,
            self.download_mb_per_sec / self.verify_decrypt_mb_per_sec
        );
        out
    }
}

fn plaintext() -> Vec<u8> {
    (0..ATTACHMENT).map(|i| (i % 251) as u8).collect()
}

/// MB of plaintext per second for `step`, run on one attachment at a time.
fn mb_per_sec(duration: Duration, step: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let per_sec = super::measure(duration, 1, step)?;
    Ok(per_sec * ATTACHMENT as f64 / 1e6)
}

fn attachment_round_trip(duration: Duration, plaintext: &[u8]) -> Result<f64, String> {
    let key = [7u8; 32];
    mb_per_sec(duration, || {
        let e = encrypt(MediaType::Video, &key, plaintext, Knobs::default());
        let back = decrypt(
            MediaType::Video,
            &key,
            &e.blob,
            &e.file_enc_sha256,
            &e.file_sha256,
        )
        .map_err(|r| format!("the peer refused its own attachment ({})", r.name()))?;
        std::hint::black_box(back);
        Ok(())
    })
}

/// The bulk primitives alone: what any implementation of the format must
/// at least spend. `hashes` adds the two SHA-256 of each side.
fn raw_round_trip(duration: Duration, plaintext: &[u8], hashes: bool) -> Result<f64, String> {
    let (key, iv, mac_key) = ([1u8; 32], [2u8; 16], [3u8; 32]);
    mb_per_sec(duration, || {
        let ciphertext =
            Enc::new((&key).into(), (&iv).into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
        let mac = hmac(&mac_key, &[&iv, &ciphertext]);
        if hashes {
            std::hint::black_box((Sha256::digest(plaintext), Sha256::digest(&ciphertext)));
        }
        if hmac(&mac_key, &[&iv, &ciphertext]) != mac {
            return Err("raw HMAC mismatch".into());
        }
        let back = Dec::new((&key).into(), (&iv).into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
            .map_err(|_| "raw CBC unpad failed".to_string())?;
        if hashes {
            std::hint::black_box((Sha256::digest(&ciphertext), Sha256::digest(&back)));
        }
        std::hint::black_box(back);
        Ok(())
    })
}

/// Fetches the attachment from a loopback server and opens it, or opens it
/// alone (`over_http` false).
fn download_round_trip(
    duration: Duration,
    plaintext: &[u8],
    over_http: bool,
) -> Result<f64, String> {
    use crate::peer::media::proxy::{fetch, Method};
    use crate::peer::media::server::{Answer, MediaHost};
    let key = [9u8; 32];
    let e = encrypt(MediaType::Image, &key, plaintext, Knobs::default());
    let mut host = MediaHost::start()?;
    let (url, _) = host.add(Answer::Blob(e.blob.clone()));
    mb_per_sec(duration, || {
        let blob = if over_http {
            let got = fetch(&url, Method::Get, &[])?;
            if got.status != 200 {
                return Err(format!("the loopback server answered {}", got.status));
            }
            got.body
        } else {
            e.blob.clone()
        };
        let back = decrypt(
            MediaType::Image,
            &key,
            &blob,
            &e.file_enc_sha256,
            &e.file_sha256,
        )
        .map_err(|r| format!("the downloaded attachment was refused ({})", r.name()))?;
        std::hint::black_box(back);
        Ok(())
    })
}

/// Runs every measurement for about `duration` each.
pub fn run(duration: Duration) -> Result<MediaBench, String> {
    let plaintext = plaintext();
    Ok(MediaBench {
        bytes: ATTACHMENT,
        attachment_mb_per_sec: attachment_round_trip(duration, &plaintext)?,
        raw_mb_per_sec: raw_round_trip(duration, &plaintext, false)?,
        raw_with_hashes_mb_per_sec: raw_round_trip(duration, &plaintext, true)?,
        download_mb_per_sec: download_round_trip(duration, &plaintext, true)?,
        verify_decrypt_mb_per_sec: download_round_trip(duration, &plaintext, false)?,
    })
}
