//! The generator of `vectors/media/interspec-generated.json`: fixed media
//! keys (each the SHA-256 of a label) run through the peer's attachment
//! cipher. A test keeps the committed file equal to what this produces.

use sha2::{Digest, Sha256};

use super::model::{
    Attachment, MediaVectorFile, Plaintext, RefusalCase, SidecarCase, SCHEMA_VERSION,
};
use crate::peer::media::cipher::{hmac, EncHash, MacKnob, Padding};
use crate::peer::media::keys::{media_keys, Split, MAC_LEN};
use crate::peer::media::sidecar::{sidecar, Convention};
use crate::peer::media::{encrypt, Encrypted, Knobs, MediaType, Refusal};

pub const PATH: &str = "vectors/media/interspec-generated.json";

/// Plaintext lengths: empty, around one block, block-aligned, and around
/// one and two sidecar chunks.
const SIZES: [u64; 12] = [
    0, 1, 15, 16, 17, 31, 32, 33, 65_535, 65_536, 65_537, 131_075,
];
/// Blobs up to this long are written out whole.
const WHOLE_BLOB_MAX: usize = 4096;

fn k(label: &str) -> [u8; 32] {
    Sha256::digest(format!("interspec media vector: {label}").as_bytes()).into()
}

/// `pattern` repeated to `length` bytes.
pub fn expand_plaintext(pattern: &[u8], length: u64) -> Vec<u8> {
    pattern
        .iter()
        .copied()
        .cycle()
        .take(length as usize)
        .collect()
}

fn attachment(media_type: MediaType, length: u64) -> Attachment {
    let name = format!("{}-{length}", media_type.name());
    let media_key = k(&name);
    let pattern = k(&format!("{name} plaintext"));
    let plaintext = expand_plaintext(&pattern, length);
    let keys = media_keys(
        &media_key,
        media_type.hkdf_info().as_bytes(),
        Split::Standard,
    );
    let e = encrypt(media_type, &media_key, &plaintext, Knobs::default());
    let sidecars = if media_type.streamable() {
        Convention::ALL
            .iter()
            .map(|c| SidecarCase {
                stream: c.stream.name().into(),
                with_mac_trailer: c.with_mac_trailer,
                sidecar: hex::encode(sidecar(&keys, &e.blob, *c)),
            })
            .collect()
    } else {
        Vec::new()
    };
    Attachment {
        name,
        media_type: media_type.name().into(),
        hkdf_info: media_type.hkdf_info().into(),
        media_key: hex::encode(media_key),
        plaintext: Plaintext {
            pattern: hex::encode(pattern),
            length,
        },
        iv: hex::encode(keys.iv),
        cipher_key: hex::encode(keys.cipher_key),
        mac_key: hex::encode(keys.mac_key),
        ref_key: hex::encode(keys.ref_key),
        blob: (e.blob.len() <= WHOLE_BLOB_MAX).then(|| hex::encode(&e.blob)),
        blob_length: e.blob.len() as u64,
        mac: hex::encode(e.mac()),
        file_sha256: hex::encode(e.file_sha256),
        file_enc_sha256: hex::encode(e.file_enc_sha256),
        file_length: e.file_length,
        sidecars,
    }
}

fn refusal(
    name: &str,
    what: &str,
    e: &Encrypted,
    enc_hash: &[u8],
    refusal: Refusal,
) -> RefusalCase {
    RefusalCase {
        name: name.into(),
        what: what.into(),
        media_type: MediaType::Image.name().into(),
        media_key: hex::encode(k("refusals")),
        blob: hex::encode(&e.blob),
        file_enc_sha256: hex::encode(enc_hash),
        file_sha256: hex::encode(e.file_sha256),
        refusal: refusal.name().into(),
    }
}

/// `e` with its blob replaced and `fileEncSha256` made to match it.
fn rehashed(e: &Encrypted, blob: Vec<u8>) -> Encrypted {
    Encrypted {
        file_enc_sha256: Sha256::digest(&blob).into(),
        blob,
        ..e.clone()
    }
}

fn refusals() -> Vec<RefusalCase> {
    let key = k("refusals");
    let text = b"a photo of the harbour at dusk.";
    let aligned = b"exactly 16 bytes";
    let image = |p: &[u8], knobs: Knobs| encrypt(MediaType::Image, &key, p, knobs);
    let good = image(text, Knobs::default());
    let knob = |knobs: Knobs| image(text, knobs);
    let mut out = Vec::new();
    let mut case = |name: &str, what: &str, e: &Encrypted, r: Refusal| {
        out.push(refusal(name, what, e, &e.file_enc_sha256, r));
    };
    case(
        "too-short",
        "a blob of 10 bytes, no longer than the MAC",
        &rehashed(&good, good.blob[..MAC_LEN].to_vec()),
        Refusal::TooShort,
    );
    let mut flipped = good.blob.clone();
    flipped[5] ^= 0x04;
    let stale = Encrypted {
        blob: flipped.clone(),
        ..good.clone()
    };
    case(
        "flipped-bit-stale-hash",
        "one ciphertext bit flipped, fileEncSha256 of the original",
        &stale,
        Refusal::EncHashMismatch,
    );
    let mut extended = good.blob.clone();
    extended.push(0);
    case(
        "extended-stale-hash",
        "one byte appended, fileEncSha256 of the original",
        &Encrypted {
            blob: extended,
            ..good.clone()
        },
        Refusal::EncHashMismatch,
    );
    case(
        "truncated-stale-hash",
        "one byte cut, fileEncSha256 of the original",
        &Encrypted {
            blob: good.blob[..good.blob.len() - 1].to_vec(),
            ..good.clone()
        },
        Refusal::EncHashMismatch,
    );
    case(
        "flipped-bit",
        "one ciphertext bit flipped, fileEncSha256 recomputed",
        &rehashed(&good, flipped),
        Refusal::BadMac,
    );
    case(
        "mac-wrong",
        "the MAC's first bit flipped",
        &knob(Knobs {
            mac: MacKnob::Wrong,
            ..Knobs::default()
        }),
        Refusal::BadMac,
    );
    case(
        "mac-over-ciphertext-only",
        "the MAC computed without the IV",
        &knob(Knobs {
            mac: MacKnob::CiphertextOnly,
            ..Knobs::default()
        }),
        Refusal::BadMac,
    );
    case(
        "mac-32-bytes",
        "the whole 32-byte HMAC as the trailer",
        &knob(Knobs {
            mac: MacKnob::Length(32),
            ..Knobs::default()
        }),
        Refusal::BadMac,
    );
    case(
        "document-keys",
        "encrypted with the document info string, offered as an image",
        &knob(Knobs {
            info_of: Some(MediaType::Document),
            ..Knobs::default()
        }),
        Refusal::BadMac,
    );
    case(
        "split-off-by-one-block",
        "cipherKey from the first 32 bytes of the expansion",
        &knob(Knobs {
            split: Split::OffByOneBlock,
            ..Knobs::default()
        }),
        Refusal::BadMac,
    );
    case(
        "no-padding-block",
        "a block-aligned plaintext without its padding block, MAC valid",
        &image(
            aligned,
            Knobs {
                padding: Padding::NoBlockWhenAligned,
                ..Knobs::default()
            },
        ),
        Refusal::BadPadding,
    );
    case(
        "padding-longer-than-a-block",
        "a pad byte of 17 under a valid MAC",
        &image(
            aligned,
            Knobs {
                padding: Padding::BadUnderValidMac,
                ..Knobs::default()
            },
        ),
        Refusal::BadPadding,
    );
    // Whole blocks plus one byte, MAC and hash valid over it.
    let keys = media_keys(
        &key,
        MediaType::Image.hkdf_info().as_bytes(),
        Split::Standard,
    );
    let mut ragged = good.blob[..good.blob.len() - MAC_LEN].to_vec();
    ragged.push(0x42);
    let mac = hmac(&keys.mac_key, &[&keys.iv, &ragged]);
    ragged.extend_from_slice(&mac[..MAC_LEN]);
    case(
        "not-whole-blocks",
        "a ciphertext one byte past whole blocks, MAC valid",
        &rehashed(&good, ragged),
        Refusal::NotWholeBlocks,
    );
    let wrong_plain = Encrypted {
        file_sha256: Sha256::digest(b"another file").into(),
        ..good.clone()
    };
    case(
        "plaintext-hash",
        "fileSha256 of another plaintext",
        &wrong_plain,
        Refusal::PlaintextHashMismatch,
    );
    let trailer_hash = knob(Knobs {
        enc_hash: EncHash::WithoutTrailer,
        ..Knobs::default()
    });
    case(
        "enc-hash-without-trailer",
        "fileEncSha256 over the ciphertext without the MAC",
        &trailer_hash,
        Refusal::EncHashMismatch,
    );
    out.push(refusal(
        "enc-hash-31-bytes",
        "a fileEncSha256 of 31 bytes",
        &good,
        &good.file_enc_sha256[..31],
        Refusal::EncHashLength,
    ));
    out
}

pub fn file() -> MediaVectorFile {
    let attachments = MediaType::ALL
        .iter()
        .flat_map(|t| SIZES.iter().map(|n| attachment(*t, *n)))
        .collect();
    MediaVectorFile {
        schema_version: SCHEMA_VERSION,
        provenance: "interspec (src/peer/media), media keys and plaintext patterns the SHA-256 of \
                     labels; the format of docs/media.md §Sources (whatsmeow, Baileys, the sidecar \
                     description); cross-checked in .ci/run by tools/media_crosscheck.py"
            .into(),
        attachments,
        refusals: refusals(),
    }
}

pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&file()).unwrap_or_default();
    text.push('\n');
    text
}
