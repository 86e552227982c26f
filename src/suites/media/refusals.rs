//! Attachments wrong in one way, which the provider's client must refuse
//! before returning any plaintext (ME-005 to ME-010). Each blob is first
//! refused by the gatekeeper's own client (src/peer/media), so a scenario
//! never asks for a refusal the format does not give.

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::drive::{allowed_types, expect_refused, make, random_key, refuse, rehashed, Made};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, ErrorCategory, MediaDecrypt, MediaFields};
use crate::peer::media::cipher::{EncHash, MacKnob, Padding};
use crate::peer::media::keys::{Split, BLOCK, MAC_LEN};
use crate::peer::media::{Knobs, MediaType, Refusal};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

fn refuse_made(ctx: &mut ScenarioCtx, m: &Made, what: &str) -> Result<(), Finding> {
    refuse(ctx, m.t, &m.e.blob, &m.fields, what)
}

/// ME-005: keys from another type's info string.
pub fn other_type_info_string(ctx: &mut ScenarioCtx) -> Check {
    use MediaType::*;
    for (made_as, sent_as) in [
        (Image, Document),
        (Audio, Video),
        (Video, Image),
        (Document, Audio),
    ] {
        let mut m = make(
            ctx,
            sent_as,
            100,
            Knobs {
                info_of: Some(made_as),
                ..Knobs::default()
            },
        );
        m.t = sent_as;
        refuse_made(
            ctx,
            &m,
            &format!(
                "a {} encrypted with {:?}",
                sent_as.name(),
                made_as.hkdf_info()
            ),
        )?;
    }
    Ok("four attachments under another type's keys refused".into())
}

fn one_knob(ctx: &mut ScenarioCtx, knobs: Knobs, len: usize, what: &str) -> Check {
    let m = make(ctx, MediaType::Video, len, knobs);
    refuse_made(ctx, &m, what)?;
    Ok(format!("{what}: refused"))
}

/// ME-005.
pub fn key_split_off_by_one_block(ctx: &mut ScenarioCtx) -> Check {
    let knobs = Knobs {
        split: Split::OffByOneBlock,
        ..Knobs::default()
    };
    one_knob(
        ctx,
        knobs,
        300,
        "a video whose cipher key was taken one block off",
    )
}

/// ME-005.
pub fn mac_over_ciphertext_only(ctx: &mut ScenarioCtx) -> Check {
    let knobs = Knobs {
        mac: MacKnob::CiphertextOnly,
        ..Knobs::default()
    };
    one_knob(ctx, knobs, 300, "a video whose MAC leaves the IV out")
}

/// ME-005: the right HMAC cut to other lengths (the hash recomputed).
pub fn mac_of_other_lengths(ctx: &mut ScenarioCtx) -> Check {
    for n in [9usize, 16, 32] {
        let knobs = Knobs {
            mac: MacKnob::Length(n),
            ..Knobs::default()
        };
        let m = make(ctx, MediaType::Image, 64, knobs);
        refuse_made(ctx, &m, &format!("an image whose MAC trailer is {n} bytes"))?;
    }
    Ok("MAC trailers of 9, 16 and 32 bytes refused".into())
}

fn flipped(blob: &[u8], at: usize) -> Vec<u8> {
    let mut b = blob.to_vec();
    b[at] ^= 0x01;
    b
}

/// ME-005: every MAC byte, hash recomputed: only the MAC refuses.
pub fn mac_bit_flips(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Audio, 50, Knobs::default());
    let start = m.e.blob.len() - MAC_LEN;
    for at in start..m.e.blob.len() {
        let blob = flipped(&m.e.blob, at);
        let fields = rehashed(&m.fields, &blob);
        refuse(
            ctx,
            m.t,
            &blob,
            &fields,
            &format!("MAC byte {} flipped (hash recomputed)", at - start),
        )?;
    }
    Ok("a flip in each of the 10 MAC bytes refused".into())
}

/// ME-005: the ciphertext's first, a middle and last block.
pub fn ciphertext_bit_flips(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Document, 1000, Knobs::default());
    let ct_len = m.e.blob.len() - MAC_LEN;
    for at in [0, ct_len / 2, ct_len - BLOCK, ct_len - 1] {
        let blob = flipped(&m.e.blob, at);
        let fields = rehashed(&m.fields, &blob);
        refuse(
            ctx,
            m.t,
            &blob,
            &fields,
            &format!("ciphertext byte {at} flipped (hash recomputed)"),
        )?;
    }
    Ok("flips in the first, a middle and the last block refused".into())
}

/// ME-005: the blob changed under the original fileEncSha256.
pub fn stale_enc_hash(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Image, 500, Knobs::default());
    let n = m.e.blob.len();
    let cases = [
        (flipped(&m.e.blob, n / 3), "a bit flipped"),
        (m.e.blob[..n - 1].to_vec(), "truncated by one byte"),
        (
            [m.e.blob.as_slice(), &[0u8]].concat(),
            "extended by one byte",
        ),
    ];
    for (blob, how) in cases {
        refuse(
            ctx,
            m.t,
            &blob,
            &m.fields,
            &format!("a blob {how}, the original fileEncSha256"),
        )?;
    }
    Ok("a flipped, a truncated and an extended blob refused under the original hash".into())
}

/// ME-005: cuts, the hash recomputed.
pub fn truncated_blobs(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Video, 200, Knobs::default());
    for cut in [1usize, 10, 16, 26] {
        let blob = m.e.blob[..m.e.blob.len() - cut].to_vec();
        let fields = rehashed(&m.fields, &blob);
        refuse(
            ctx,
            m.t,
            &blob,
            &fields,
            &format!("a blob cut by {cut} bytes (hash recomputed)"),
        )?;
    }
    Ok("blobs cut by 1, 10, 16 and 26 bytes refused".into())
}

/// ME-005: extensions, the hash recomputed.
pub fn extended_blobs(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Audio, 200, Knobs::default());
    for extra in [1usize, 16, 100] {
        let blob = [m.e.blob.as_slice(), &vec![0x5a; extra]].concat();
        let fields = rehashed(&m.fields, &blob);
        refuse(
            ctx,
            m.t,
            &blob,
            &fields,
            &format!("a blob with {extra} bytes appended (hash recomputed)"),
        )?;
    }
    Ok("blobs with 1, 16 and 100 bytes appended refused".into())
}

/// ME-005: nothing but (at most) a MAC.
pub fn blobs_no_longer_than_mac(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Image, 0, Knobs::default());
    for len in 0..=MAC_LEN {
        let blob = m.e.blob[m.e.blob.len() - len..].to_vec();
        let fields = rehashed(&m.fields, &blob);
        refuse(ctx, m.t, &blob, &fields, &format!("a blob of {len} bytes"))?;
    }
    Ok("blobs of 0 to 10 bytes refused".into())
}

/// ME-005: the hash over the ciphertext without the MAC.
pub fn enc_hash_without_trailer(ctx: &mut ScenarioCtx) -> Check {
    let knobs = Knobs {
        enc_hash: EncHash::WithoutTrailer,
        ..Knobs::default()
    };
    one_knob(
        ctx,
        knobs,
        77,
        "a video whose fileEncSha256 leaves out the MAC",
    )
}

/// ME-006: no downgrade when the hash is missing or malformed.
pub fn enc_hash_missing_or_wrong_length(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Document, 120, Knobs::default());
    let full = m.fields.file_enc_sha256.clone();
    for hash in [
        Vec::new(),
        full[..31].to_vec(),
        [full.as_slice(), &[0]].concat(),
    ] {
        let fields = MediaFields {
            file_enc_sha256: hash.clone(),
            ..m.fields.clone()
        };
        expect_refused(
            ctx,
            m.t,
            &m.e.blob,
            &fields,
            Refusal::EncHashLength,
            &format!("a valid blob with a fileEncSha256 of {} bytes", hash.len()),
        )?;
    }
    Ok("fileEncSha256 of 0, 31 and 33 bytes refused".into())
}

/// ME-007: whole blocks plus one byte, MAC and hash valid.
pub fn ragged_ciphertext_under_valid_mac(ctx: &mut ScenarioCtx) -> Check {
    use crate::peer::media::cipher::hmac;
    use crate::peer::media::keys::media_keys;
    let m = make(ctx, MediaType::Image, 40, Knobs::default());
    let keys = media_keys(&m.key, m.t.hkdf_info().as_bytes(), Split::Standard);
    let mut ciphertext = m.e.blob[..m.e.blob.len() - MAC_LEN].to_vec();
    ciphertext.push(0x42);
    let mac = hmac(&keys.mac_key, &[&keys.iv, &ciphertext]);
    let blob = [ciphertext.as_slice(), &mac[..MAC_LEN]].concat();
    let fields = rehashed(&m.fields, &blob);
    refuse(
        ctx,
        m.t,
        &blob,
        &fields,
        "a ciphertext of whole blocks plus one byte under a valid MAC",
    )?;
    Ok("a ragged ciphertext under a valid MAC refused".into())
}

/// ME-007: a pad byte of 17 under a valid MAC, fileSha256 of what a lax
/// unpad (whatsmeow's) would leave, so only the padding check refuses.
pub fn bad_padding_under_valid_mac(ctx: &mut ScenarioCtx) -> Check {
    for len in [20usize, 40] {
        let mut m = make(
            ctx,
            MediaType::Document,
            len,
            Knobs {
                padding: Padding::BadUnderValidMac,
                ..Knobs::default()
            },
        );
        let padded_len = (len / BLOCK + 1) * BLOCK;
        let lax = &m.plaintext[..padded_len - (BLOCK + 1)];
        m.fields.file_sha256 = Sha256::digest(lax).to_vec();
        m.fields.file_length = lax.len() as u64;
        refuse_made(
            ctx,
            &m,
            &format!("a {len}-byte document padded with a last byte of 17 under a valid MAC"),
        )?;
    }
    Ok("padding with a last byte of 17 refused".into())
}

/// ME-007: yowsup's aligned encrypt.
pub fn aligned_without_padding_block(ctx: &mut ScenarioCtx) -> Check {
    let knobs = Knobs {
        padding: Padding::NoBlockWhenAligned,
        ..Knobs::default()
    };
    one_knob(
        ctx,
        knobs,
        64,
        "a 64-byte video encrypted without a padding block",
    )
}

/// ME-008.
pub fn wrong_file_sha256(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Video, 90, Knobs::default());
    let other = make(ctx, MediaType::Video, 90, Knobs::default());
    let fields = MediaFields {
        file_sha256: other.fields.file_sha256.clone(),
        ..m.fields.clone()
    };
    refuse(
        ctx,
        m.t,
        &m.e.blob,
        &fields,
        "a valid blob with another plaintext's fileSha256",
    )?;
    Ok("a wrong fileSha256 refused".into())
}

/// ME-009: a lying fileLength is refused or ignored, never applied.
pub fn file_length_never_cuts_or_pads(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Document, 100, Knobs::default());
    let mut outcomes = Vec::new();
    for length in [99u64, 101, 0] {
        let fields = MediaFields {
            file_length: length,
            ..m.fields.clone()
        };
        let what = format!("a valid 100-byte document whose fileLength says {length}");
        super::drive::note_plaintext(ctx, &m.plaintext);
        let reply = ctx.call(Op::MediaDecrypt(MediaDecrypt {
            media_type: m.t.name().into(),
            blob: m.e.blob.clone(),
            fields: Some(fields),
        }))?;
        match reply {
            Reply::Result(response::Reply::MediaDecrypt(r)) if r.plaintext == m.plaintext => {
                outcomes.push(format!("{length}: decrypted whole"));
            }
            Reply::Result(response::Reply::MediaDecrypt(r)) => {
                return Err(Finding::fail(format!(
                    "{what}: returned {} bytes that are not the verified plaintext",
                    r.plaintext.len()
                )))
            }
            other => {
                ctx.refused(&other, &[ErrorCategory::SchemaViolation], &what)?;
                outcomes.push(format!("{length}: refused"));
            }
        }
    }
    Ok(format!("fileLength {}", outcomes.join(", ")))
}

/// ME-010: requests the client cannot act on.
pub fn malformed_requests(ctx: &mut ScenarioCtx) -> Check {
    let m = make(ctx, MediaType::Image, 30, Knobs::default());
    let mut sends = vec![(
        "gif".to_string(),
        Some(m.fields.clone()),
        "an unknown media type \"gif\"".to_string(),
    )];
    for len in [0usize, 31, 33] {
        let mut key = random_key(ctx).to_vec();
        key.resize(len, 7);
        let fields = MediaFields {
            media_key: key,
            ..m.fields.clone()
        };
        sends.push((
            "image".into(),
            Some(fields),
            format!("a media key of {len} bytes"),
        ));
    }
    sends.push(("image".into(), None, "a MediaDecrypt without fields".into()));
    for (media_type, fields, what) in sends {
        let reply = ctx.call(Op::MediaDecrypt(MediaDecrypt {
            media_type,
            blob: m.e.blob.clone(),
            fields,
        }))?;
        ctx.refused(&reply, &[ErrorCategory::SchemaViolation], &what)?;
    }
    Ok("an unknown type, keys of 0, 31 and 33 bytes and a missing field set refused".into())
}

/// One way to spoil a blob.
#[derive(Debug, Clone, Copy)]
enum Spoil {
    Flip(usize),
    Cut(usize),
    Extend(usize),
    /// The blob's bytes from `at` replaced by another attachment's.
    Splice(usize),
}

/// ME-005 over random spoils of random attachments.
pub fn random_blob_mutations(ctx: &mut ScenarioCtx) -> Check {
    let spoil = prop_oneof![
        any::<usize>().prop_map(Spoil::Flip),
        (1usize..64).prop_map(Spoil::Cut),
        (1usize..64).prop_map(Spoil::Extend),
        any::<usize>().prop_map(Spoil::Splice),
    ];
    let types = allowed_types(ctx);
    let strategy = (0usize..types.len(), 0usize..300, spoil, any::<bool>());
    check_property(
        ctx,
        strategy,
        |(t, len, spoil, rehash)| {
            format!(
                "a {} of {len} bytes, {spoil:?}, fileEncSha256 {}",
                types[*t].name(),
                if *rehash { "recomputed" } else { "kept" }
            )
        },
        |ctx, &(t, len, spoil, rehash)| {
            let t = types[t];
            let m = make(ctx, t, len, Knobs::default());
            let n = m.e.blob.len();
            let blob = match spoil {
                Spoil::Flip(at) => flipped(&m.e.blob, at % n),
                Spoil::Cut(k) => m.e.blob[..n - k.min(n)].to_vec(),
                Spoil::Extend(k) => [m.e.blob.as_slice(), &vec![0xa5; k]].concat(),
                Spoil::Splice(at) => {
                    let other = make(ctx, t, len, Knobs::default());
                    let at = at % n;
                    [&m.e.blob[..at], &other.e.blob[at..]].concat()
                }
            };
            if blob == m.e.blob {
                return Ok(());
            }
            let fields = if rehash {
                rehashed(&m.fields, &blob)
            } else {
                m.fields.clone()
            };
            refuse(
                ctx,
                t,
                &blob,
                &fields,
                &format!("a spoiled {} ({spoil:?})", t.name()),
            )
        },
    )
}
