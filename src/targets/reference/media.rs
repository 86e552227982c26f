//! The reference's media operations (docs/media.md §Adapter operations):
//! the provider's client encrypting an attachment before upload and
//! verifying and decrypting one after download, in the format the
//! gatekeeper's clients use (src/peer/media). It sends no streaming
//! sidecar, as whatsmeow and Baileys do not.

use rand::RngCore;
use rand_core::OsRng;

use super::rejected;
use crate::adapter::proto::{
    response::Reply, ErrorCategory, MediaDecrypt, MediaDecryptResult, MediaEncrypt,
    MediaEncryptResult, MediaFields,
};
use crate::peer::media::keys::MEDIA_KEY_LEN;
use crate::peer::media::{decrypt, encrypt, Knobs, MediaType, Refusal};

fn media_type(name: &str) -> Result<MediaType, Reply> {
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

/// Encrypts under a fresh media key from the OS.
pub fn encrypt_op(op: MediaEncrypt) -> Reply {
    let t = match media_type(&op.media_type) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let mut media_key = [0u8; MEDIA_KEY_LEN];
    OsRng.fill_bytes(&mut media_key);
    let e = encrypt(t, &media_key, &op.plaintext, Knobs::default());
    Reply::MediaEncrypt(Box::new(MediaEncryptResult {
        blob: e.blob,
        fields: Some(MediaFields {
            media_key: media_key.to_vec(),
            file_sha256: e.file_sha256.to_vec(),
            file_enc_sha256: e.file_enc_sha256.to_vec(),
            file_length: e.file_length,
            mimetype: op.mimetype,
            streaming_sidecar: Vec::new(),
        }),
    }))
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

/// Verifies and decrypts; `fileLength` must be the plaintext's.
pub fn decrypt_op(op: MediaDecrypt) -> Reply {
    let t = match media_type(&op.media_type) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let Some(fields) = op.fields else {
        return rejected(ErrorCategory::SchemaViolation, "no MediaFields");
    };
    let Ok(media_key) = <[u8; MEDIA_KEY_LEN]>::try_from(fields.media_key.as_slice()) else {
        return rejected(
            ErrorCategory::SchemaViolation,
            format!(
                "a media key of {} bytes; 32 expected",
                fields.media_key.len()
            ),
        );
    };
    match decrypt(
        t,
        &media_key,
        &op.blob,
        &fields.file_enc_sha256,
        &fields.file_sha256,
    ) {
        Err(r) => rejected(category(r), format!("attachment refused: {}", r.name())),
        Ok(plaintext) if plaintext.len() as u64 != fields.file_length => rejected(
            ErrorCategory::SchemaViolation,
            format!(
                "fileLength {} but the plaintext has {} bytes",
                fields.file_length,
                plaintext.len()
            ),
        ),
        Ok(plaintext) => Reply::MediaDecrypt(MediaDecryptResult { plaintext }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::Rejected;

    fn encrypted(t: &str, plaintext: &[u8]) -> MediaEncryptResult {
        match encrypt_op(MediaEncrypt {
            media_type: t.into(),
            plaintext: plaintext.to_vec(),
            mimetype: "image/jpeg".into(),
        }) {
            Reply::MediaEncrypt(r) => *r,
            other => panic!("{other:?}"),
        }
    }

    fn decrypted(t: &str, blob: Vec<u8>, fields: MediaFields) -> Reply {
        decrypt_op(MediaDecrypt {
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
