//! The provider's client: attachments it encrypts, judged as the
//! gatekeeper's clients decrypt them, and attachments the gatekeeper's side
//! makes, which it must decrypt (ME-001 to ME-004, ME-011, ME-012).

use std::collections::BTreeSet;

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::drive::{
    allowed, allowed_types, encrypts_and_opens, expect_decrypts, fields_of, gatekeeper_opens, make,
    max_attachment, random_bytes, refused_one_over_limit, sidecar_convention, target_encrypt,
    widest_type, EDGE_SIZES, SENDING_OPS,
};
use crate::adapter::proto::MediaFields;
use crate::ensure;
use crate::peer::media::keys::{media_keys, Split, MEDIA_KEY_LEN};
use crate::peer::media::sidecar::sidecar;
use crate::peer::media::{Knobs, MediaType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::check_property;

/// Sizes the encrypt scenarios ask for: the edges that matter to padding,
/// and one past 64 KiB.
const ENCRYPT_SIZES: [usize; 7] = [0, 1, 15, 16, 17, 33, 65_537];

/// ME-001, ME-002: each size of `t` the target encrypts opens at the
/// gatekeeper's side.
pub fn encrypt_decrypts_at_gatekeeper(ctx: &mut ScenarioCtx, t: &MediaType) -> Check {
    allowed(ctx, *t)?;
    for len in ENCRYPT_SIZES {
        let plaintext = random_bytes(ctx, len);
        let (blob, fields) = target_encrypt(ctx, *t, &plaintext)?;
        gatekeeper_opens(
            *t,
            &plaintext,
            &blob,
            &fields,
            &format!("a {} of {len} bytes", t.name()),
        )?;
    }
    Ok(format!(
        "{} attachments of {ENCRYPT_SIZES:?} bytes decrypt with {:?} keys, fields and lengths right",
        t.name(),
        t.hkdf_info()
    ))
}

/// ME-001: a whole padding block on aligned input.
pub fn aligned_gets_a_padding_block(ctx: &mut ScenarioCtx) -> Check {
    for len in [16usize, 32, 48, 256, 4096] {
        let plaintext = random_bytes(ctx, len);
        let t = MediaType::Document;
        let (blob, fields) = target_encrypt(ctx, t, &plaintext)?;
        gatekeeper_opens(
            t,
            &plaintext,
            &blob,
            &fields,
            &format!("an aligned document of {len} bytes"),
        )?;
    }
    Ok("aligned plaintexts of 16 B to 4 KiB each got a whole padding block".into())
}

/// ME-003: eight encryptions of one plaintext share nothing.
pub fn fresh_media_key_each_time(ctx: &mut ScenarioCtx) -> Check {
    let plaintext = random_bytes(ctx, 100);
    let (mut keys, mut hashes, mut blobs) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for i in 0..8 {
        let (blob, fields) = target_encrypt(ctx, MediaType::Image, &plaintext)?;
        ensure!(
            keys.insert(fields.media_key.clone()),
            "encryption {} of one plaintext reused an earlier media key: keys must be fresh and random, or the server sees who holds the same file",
            i + 1
        );
        ensure!(
            hashes.insert(fields.file_enc_sha256.clone()),
            "encryption {} of one plaintext reported an earlier fileEncSha256",
            i + 1
        );
        ensure!(
            blobs.insert(Sha256::digest(&blob).to_vec()),
            "encryption {} of one plaintext gave an earlier blob",
            i + 1
        );
    }
    Ok("eight encryptions of one plaintext: eight media keys and blobs".into())
}

/// ME-001, ME-002 over random types, sizes and contents.
pub fn random_attachments(ctx: &mut ScenarioCtx) -> Check {
    let types = allowed_types(ctx);
    let strategy = (0usize..types.len(), 0usize..=70_000, any::<u64>());
    check_property(
        ctx,
        strategy,
        |(t, len, seed)| {
            format!(
                "a {} of {len} bytes (content seed {seed})",
                types[*t].name()
            )
        },
        |ctx, &(t, len, seed)| {
            use rand::{RngCore, SeedableRng};
            let t = types[t];
            let mut plaintext = vec![0u8; len];
            rand_chacha::ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut plaintext);
            let (blob, fields) = target_encrypt(ctx, t, &plaintext)?;
            gatekeeper_opens(
                t,
                &plaintext,
                &blob,
                &fields,
                &format!("a {} of {len} bytes", t.name()),
            )
        },
    )
}

/// ME-012: a sidecar, when sent, is right under the profile's convention.
pub fn sidecar_verifies_when_sent(ctx: &mut ScenarioCtx) -> Check {
    let convention = sidecar_convention(ctx)?;
    let mut sent = Vec::new();
    for t in [MediaType::Audio, MediaType::VoiceNote, MediaType::Video] {
        let plaintext = random_bytes(ctx, 2 * 65_536 + 3);
        let (blob, fields) = target_encrypt(ctx, t, &plaintext)?;
        gatekeeper_opens(
            t,
            &plaintext,
            &blob,
            &fields,
            &format!("a {} of 128 KiB + 3", t.name()),
        )?;
        if fields.streaming_sidecar.is_empty() {
            continue;
        }
        let key = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice())
            .map_err(|_| Finding::fail("a media key that is not 32 bytes"))?;
        let keys = media_keys(&key, t.hkdf_info().as_bytes(), Split::Standard);
        let expected = sidecar(&keys, &blob, convention);
        ensure!(
            fields.streaming_sidecar == expected,
            "the {} sidecar ({} bytes) is not the one of the profile's convention ({}, {} the MAC trailer: {} bytes)",
            t.name(),
            fields.streaming_sidecar.len(),
            convention.stream.name(),
            if convention.with_mac_trailer { "with" } else { "without" },
            expected.len()
        );
        sent.push(t.name());
    }
    Ok(if sent.is_empty() {
        "no sidecar sent with audio, voice notes or video (allowed: the gatekeeper's clients take media without one)".into()
    } else {
        format!(
            "sidecars sent with {} match the profile's convention",
            sent.join(", ")
        )
    })
}

/// ME-011: exactly the limit is accepted.
pub fn at_limit_accepted(ctx: &mut ScenarioCtx) -> Check {
    let max = max_attachment(ctx)?;
    let t = widest_type(ctx)?;
    let what = format!("a {} of max_attachment_bytes", t.name());
    encrypts_and_opens(ctx, t, max, &what)?;
    Ok(format!(
        "a {} of {max} bytes (the limit) encrypted",
        t.name()
    ))
}

/// ME-011: one byte over is refused.
pub fn over_limit_refused(ctx: &mut ScenarioCtx) -> Check {
    let (name, op) = SENDING_OPS[0];
    let size = refused_one_over_limit(ctx, name, op)?;
    Ok(format!("an attachment of {size} bytes refused"))
}

/// ME-004: every edge size of `t` from the gatekeeper's side decrypts.
pub fn decrypts_every_size(ctx: &mut ScenarioCtx, t: &MediaType) -> Check {
    allowed(ctx, *t)?;
    for len in EDGE_SIZES {
        let m = make(ctx, *t, len, Knobs::default());
        expect_decrypts(
            ctx,
            *t,
            &m.e.blob,
            &m.fields,
            &m.plaintext,
            &format!("MediaDecrypt of a {} of {len} bytes", t.name()),
        )?;
    }
    Ok(format!(
        "{} attachments of {EDGE_SIZES:?} bytes decrypted",
        t.name()
    ))
}

/// ME-004: a sidecar under the profile's convention does not stop them.
pub fn decrypts_with_sidecar(ctx: &mut ScenarioCtx) -> Check {
    let convention = sidecar_convention(ctx)?;
    for t in [MediaType::Audio, MediaType::VoiceNote, MediaType::Video] {
        let m = make(ctx, t, 65_536 + 100, Knobs::default());
        let keys = media_keys(&m.key, t.hkdf_info().as_bytes(), Split::Standard);
        let fields = MediaFields {
            streaming_sidecar: sidecar(&keys, &m.e.blob, convention),
            ..fields_of(&m.e, &m.key, t)
        };
        expect_decrypts(
            ctx,
            t,
            &m.e.blob,
            &fields,
            &m.plaintext,
            &format!("MediaDecrypt of a {} with its sidecar", t.name()),
        )?;
    }
    Ok("audio, a voice note and a video with sidecars decrypted".into())
}
