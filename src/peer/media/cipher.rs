//! The attachment cipher: AES-256-CBC with PKCS#7 under keys derived from
//! the media key, a 10-byte truncated HMAC-SHA256 over `iv ‖ ciphertext`,
//! and the blob `ciphertext ‖ mac` the server stores; with knobs that make
//! an attachment wrong in exactly one way.
//!
//! Sources (docs/media.md §Sources): whatsmeow @ 33cfac5 `upload.go`
//! (`h.Write(iv); h.Write(ciphertext)`, `append(ciphertext,
//! h.Sum(nil)[:10]...)`, `sha256.Sum256(dataToUpload)` as fileEncSHA256,
//! `FileLength = len(plaintext)`), `util/cbcutil/cbc.go` (`Encrypt` pads
//! `aes.BlockSize - len % aes.BlockSize` bytes: a whole block on aligned
//! input), `download.go` (`downloadEncryptedMedia`, `validateMedia`,
//! `downloadAndDecrypt`: the order of checks [`decrypt`] follows).

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::keys::{media_keys, MediaKeys, MediaType, Split, BLOCK, MAC_LEN, MEDIA_KEY_LEN};

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// What the MAC trailer is computed over, and how long it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MacKnob {
    /// HMAC-SHA256(macKey, iv ‖ ciphertext), first 10 bytes.
    #[default]
    Standard,
    /// Over the ciphertext alone (the IV left out).
    CiphertextOnly,
    /// The right MAC cut to this many bytes instead of 10 (Signal's
    /// attachments carry all 32).
    Length(usize),
    /// The right MAC with its first bit flipped.
    Wrong,
}

/// How the plaintext is padded before CBC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Padding {
    /// PKCS#7, a whole block of 0x10 on block-aligned input.
    #[default]
    Pkcs7,
    /// No block added when the input is already aligned (yowsup 3.3.0's
    /// defect, docs/media.md §Sources).
    NoBlockWhenAligned,
    /// The last block's padding bytes are wrong (pad byte 0x11, longer
    /// than a block) while the MAC is made over the result: only a strict
    /// unpad refuses it.
    BadUnderValidMac,
}

/// What `fileEncSha256` is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncHash {
    /// SHA-256 of the whole blob, `ciphertext ‖ mac`.
    #[default]
    WholeBlob,
    /// SHA-256 of the ciphertext without the MAC trailer.
    WithoutTrailer,
}

/// Knobs of one encryption; the default is the deployed format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Knobs {
    /// Derive the keys with another type's info string.
    pub info_of: Option<MediaType>,
    pub split: Split,
    pub mac: MacKnob,
    pub padding: Padding,
    pub enc_hash: EncHash,
}

/// An encrypted attachment and the fields its message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encrypted {
    /// `ciphertext ‖ mac`, what the media server stores and serves.
    pub blob: Vec<u8>,
    pub file_sha256: [u8; 32],
    pub file_enc_sha256: [u8; 32],
    /// The plaintext's length.
    pub file_length: u64,
}

impl Encrypted {
    /// The MAC trailer (the last 10 bytes of a well-formed blob).
    pub fn mac(&self) -> &[u8] {
        let at = self.blob.len().saturating_sub(MAC_LEN);
        self.blob.get(at..).unwrap_or_default()
    }
}

fn pad(plaintext: &[u8], padding: Padding) -> Vec<u8> {
    let mut buf = plaintext.to_vec();
    let n = BLOCK - plaintext.len() % BLOCK;
    match padding {
        Padding::Pkcs7 => buf.resize(buf.len() + n, n as u8),
        Padding::NoBlockWhenAligned if n == BLOCK => {}
        Padding::NoBlockWhenAligned => buf.resize(buf.len() + n, n as u8),
        Padding::BadUnderValidMac => {
            buf.resize(buf.len() + n, n as u8);
            if let Some(last) = buf.last_mut() {
                *last = BLOCK as u8 + 1;
            }
        }
    }
    buf
}

fn cbc_encrypt(keys: &MediaKeys, padded: &[u8]) -> Vec<u8> {
    Enc::new((&keys.cipher_key).into(), (&keys.iv).into())
        .encrypt_padded_vec_mut::<NoPadding>(padded)
}

/// HMAC-SHA256 under `mac_key` over the concatenation of `parts`.
pub fn hmac(mac_key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(mac_key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn trailer(keys: &MediaKeys, ciphertext: &[u8], knob: MacKnob) -> Vec<u8> {
    let full = hmac(&keys.mac_key, &[&keys.iv, ciphertext]);
    match knob {
        MacKnob::Standard => full[..MAC_LEN].to_vec(),
        MacKnob::CiphertextOnly => hmac(&keys.mac_key, &[ciphertext])[..MAC_LEN].to_vec(),
        MacKnob::Length(n) => full[..n.min(full.len())].to_vec(),
        MacKnob::Wrong => {
            let mut mac = full[..MAC_LEN].to_vec();
            mac[0] ^= 0x80;
            mac
        }
    }
}

/// Encrypts `plaintext` as a `media_type` attachment under `media_key`.
pub fn encrypt(
    media_type: MediaType,
    media_key: &[u8; MEDIA_KEY_LEN],
    plaintext: &[u8],
    knobs: Knobs,
) -> Encrypted {
    let info = knobs.info_of.unwrap_or(media_type).hkdf_info();
    let keys = media_keys(media_key, info.as_bytes(), knobs.split);
    let ciphertext = cbc_encrypt(&keys, &pad(plaintext, knobs.padding));
    let mac = trailer(&keys, &ciphertext, knobs.mac);
    let file_enc_sha256 = match knobs.enc_hash {
        EncHash::WholeBlob => Sha256::new()
            .chain_update(&ciphertext)
            .chain_update(&mac)
            .finalize(),
        EncHash::WithoutTrailer => Sha256::digest(&ciphertext),
    }
    .into();
    let mut blob = ciphertext;
    blob.extend_from_slice(&mac);
    Encrypted {
        blob,
        file_sha256: Sha256::digest(plaintext).into(),
        file_enc_sha256,
        file_length: plaintext.len() as u64,
    }
}

/// Why an attachment was refused, in the order the receiver checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `fileEncSha256` is not 32 bytes.
    EncHashLength,
    /// The blob is no longer than the MAC trailer.
    TooShort,
    /// SHA-256 of the blob is not `fileEncSha256`.
    EncHashMismatch,
    /// The MAC trailer does not verify.
    BadMac,
    /// The ciphertext is empty or not whole blocks.
    NotWholeBlocks,
    /// The padding is not strict PKCS#7.
    BadPadding,
    /// `fileSha256` is not 32 bytes or not the plaintext's SHA-256.
    PlaintextHashMismatch,
}

impl Refusal {
    /// The name used in vectors and reports.
    pub fn name(self) -> &'static str {
        match self {
            Refusal::EncHashLength => "enc-hash-length",
            Refusal::TooShort => "too-short",
            Refusal::EncHashMismatch => "enc-hash-mismatch",
            Refusal::BadMac => "bad-mac",
            Refusal::NotWholeBlocks => "not-whole-blocks",
            Refusal::BadPadding => "bad-padding",
            Refusal::PlaintextHashMismatch => "plaintext-hash-mismatch",
        }
    }
}

/// Strict PKCS#7: a last byte of 1 to 16, repeated that many times.
fn unpad(mut padded: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    let n = usize::from(*padded.last().ok_or(Refusal::BadPadding)?);
    if n == 0 || n > BLOCK || n > padded.len() {
        return Err(Refusal::BadPadding);
    }
    let cut = padded.len() - n;
    if padded[cut..].iter().any(|b| usize::from(*b) != n) {
        return Err(Refusal::BadPadding);
    }
    padded.truncate(cut);
    Ok(padded)
}

/// CBC-decrypts whole blocks of ciphertext under `cipher_key`, with `iv`
/// (the previous ciphertext block when starting mid-file); no unpadding.
pub fn cbc_decrypt_blocks(
    cipher_key: &[u8; 32],
    iv: &[u8; BLOCK],
    blocks: &[u8],
) -> Result<Vec<u8>, Refusal> {
    if blocks.is_empty() || !blocks.len().is_multiple_of(BLOCK) {
        return Err(Refusal::NotWholeBlocks);
    }
    Dec::new(cipher_key.into(), iv.into())
        .decrypt_padded_vec_mut::<NoPadding>(blocks)
        .map_err(|_| Refusal::NotWholeBlocks)
}

/// Verifies and decrypts `blob` as a `media_type` attachment: the
/// `fileEncSha256` length, the blob's length, its hash, the MAC
/// (constant-time), whole blocks, strict padding, the plaintext's hash; no
/// plaintext before every check passed.
pub fn decrypt(
    media_type: MediaType,
    media_key: &[u8; MEDIA_KEY_LEN],
    blob: &[u8],
    file_enc_sha256: &[u8],
    file_sha256: &[u8],
) -> Result<Vec<u8>, Refusal> {
    if file_enc_sha256.len() != 32 {
        return Err(Refusal::EncHashLength);
    }
    if blob.len() <= MAC_LEN {
        return Err(Refusal::TooShort);
    }
    if Sha256::digest(blob).as_slice() != file_enc_sha256 {
        return Err(Refusal::EncHashMismatch);
    }
    let keys = media_keys(
        media_key,
        media_type.hkdf_info().as_bytes(),
        Split::Standard,
    );
    let (ciphertext, mac) = blob.split_at(blob.len() - MAC_LEN);
    let expected = hmac(&keys.mac_key, &[&keys.iv, ciphertext]);
    if !bool::from(expected[..MAC_LEN].ct_eq(mac)) {
        return Err(Refusal::BadMac);
    }
    let plaintext = unpad(cbc_decrypt_blocks(&keys.cipher_key, &keys.iv, ciphertext)?)?;
    if Sha256::digest(&plaintext).as_slice() != file_sha256 {
        return Err(Refusal::PlaintextHashMismatch);
    }
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [9u8; 32];

    fn open(e: &Encrypted, t: MediaType) -> Result<Vec<u8>, Refusal> {
        decrypt(t, &KEY, &e.blob, &e.file_enc_sha256, &e.file_sha256)
    }

    #[test]
    fn every_size_round_trips_with_a_whole_padding_block_when_aligned() {
        for len in [0usize, 1, 15, 16, 17, 32, 1000] {
            let plaintext = vec![0xabu8; len];
            let e = encrypt(MediaType::Video, &KEY, &plaintext, Knobs::default());
            assert_eq!(e.blob.len(), (len / 16 + 1) * 16 + MAC_LEN, "{len}");
            assert_eq!(e.file_length, len as u64);
            assert_eq!(open(&e, MediaType::Video), Ok(plaintext));
        }
    }

    #[test]
    fn each_knob_is_refused_at_its_own_check() {
        let p = b"sixteen bytes!!!";
        let with = |knobs: Knobs| encrypt(MediaType::Image, &KEY, p, knobs);
        let cases = [
            (
                Knobs {
                    info_of: Some(MediaType::Document),
                    ..Knobs::default()
                },
                Refusal::BadMac,
            ),
            (
                Knobs {
                    split: Split::OffByOneBlock,
                    ..Knobs::default()
                },
                Refusal::BadMac,
            ),
            (
                Knobs {
                    mac: MacKnob::CiphertextOnly,
                    ..Knobs::default()
                },
                Refusal::BadMac,
            ),
            (
                Knobs {
                    mac: MacKnob::Wrong,
                    ..Knobs::default()
                },
                Refusal::BadMac,
            ),
            (
                Knobs {
                    mac: MacKnob::Length(32),
                    ..Knobs::default()
                },
                Refusal::BadMac,
            ),
            (
                Knobs {
                    padding: Padding::NoBlockWhenAligned,
                    ..Knobs::default()
                },
                Refusal::BadPadding,
            ),
            (
                Knobs {
                    padding: Padding::BadUnderValidMac,
                    ..Knobs::default()
                },
                Refusal::BadPadding,
            ),
            (
                Knobs {
                    enc_hash: EncHash::WithoutTrailer,
                    ..Knobs::default()
                },
                Refusal::EncHashMismatch,
            ),
        ];
        for (knobs, refusal) in cases {
            assert_eq!(
                open(&with(knobs), MediaType::Image),
                Err(refusal),
                "{knobs:?}"
            );
        }
    }

    #[test]
    fn a_changed_blob_or_field_is_refused_in_the_documented_order() {
        let e = encrypt(MediaType::Audio, &KEY, b"voice", Knobs::default());
        let t = MediaType::Audio;
        assert_eq!(
            decrypt(t, &KEY, &e.blob, &e.file_enc_sha256[..31], &e.file_sha256),
            Err(Refusal::EncHashLength)
        );
        assert_eq!(
            decrypt(
                t,
                &KEY,
                &e.blob[..MAC_LEN],
                &e.file_enc_sha256,
                &e.file_sha256
            ),
            Err(Refusal::TooShort)
        );
        let mut flipped = e.blob.clone();
        flipped[3] ^= 1;
        assert_eq!(
            decrypt(t, &KEY, &flipped, &e.file_enc_sha256, &e.file_sha256),
            Err(Refusal::EncHashMismatch)
        );
        let hash: [u8; 32] = Sha256::digest(&flipped).into();
        assert_eq!(
            decrypt(t, &KEY, &flipped, &hash, &e.file_sha256),
            Err(Refusal::BadMac)
        );
        assert_eq!(
            decrypt(t, &KEY, &e.blob, &e.file_enc_sha256, &[0u8; 32]),
            Err(Refusal::PlaintextHashMismatch)
        );
        assert_eq!(
            open(&e, MediaType::Document),
            Err(Refusal::BadMac),
            "another type's keys"
        );
    }

    #[test]
    fn strict_unpad_refuses_zero_long_and_mixed_padding() {
        assert_eq!(unpad(vec![1, 2, 3, 0]), Err(Refusal::BadPadding));
        assert_eq!(unpad(vec![17; 32]), Err(Refusal::BadPadding));
        assert_eq!(unpad(vec![1, 3, 2, 3]), Err(Refusal::BadPadding));
        assert_eq!(unpad(vec![7, 2, 2]), Ok(vec![7]));
    }

    #[test]
    fn a_decrypt_can_start_mid_file_with_the_previous_block_as_iv() {
        let plaintext: Vec<u8> = (0..100u8).collect();
        let e = encrypt(MediaType::Video, &KEY, &plaintext, Knobs::default());
        let keys = media_keys(
            &KEY,
            MediaType::Video.hkdf_info().as_bytes(),
            Split::Standard,
        );
        let iv: [u8; 16] = e.blob[16..32].try_into().expect("a block");
        let part = cbc_decrypt_blocks(&keys.cipher_key, &iv, &e.blob[32..64]).expect("blocks");
        assert_eq!(part, plaintext[32..64]);
    }
}
