//! Media golden vectors (`vectors/media/`, schema in [`model`]): attachments
//! of every type and several sizes under fixed media keys, their sidecars
//! under each convention, and blobs the receiver must refuse at a given
//! check. `interspec vectors verify` replays them through the peer's
//! attachment cipher (src/peer/media); `.ci/run` cross-checks them with an
//! independent implementation (tools/media_crosscheck.py).

pub mod generate;
pub mod model;

use model::{Attachment, MediaVectorFile, RefusalCase, MAX_PLAINTEXT, SCHEMA_VERSION};

use super::{VectorCheck, VectorStatus};
use crate::peer::media::keys::{media_keys, Split, MEDIA_KEY_LEN};
use crate::peer::media::sidecar::{sidecar, Convention, Stream};
use crate::peer::media::{decrypt, encrypt, Knobs, MediaType};

fn bytes(field: &str, text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text).map_err(|e| format!("{field}: not hex ({e})"))
}

fn media_key(text: &str) -> Result<[u8; MEDIA_KEY_LEN], String> {
    bytes("media_key", text)?
        .try_into()
        .map_err(|b: Vec<u8>| format!("media_key: {} bytes, not 32", b.len()))
}

fn media_type(name: &str) -> Result<MediaType, String> {
    MediaType::from_name(name).ok_or_else(|| format!("unknown media type {name:?}"))
}

fn same(field: &str, expected: &str, got: &[u8]) -> Result<(), String> {
    let got = hex::encode(got);
    if got == expected.to_ascii_lowercase() {
        Ok(())
    } else {
        Err(format!(
            "{field}: the peer gives {got}, the vector {expected}"
        ))
    }
}

fn check_attachment(v: &Attachment) -> Result<(), String> {
    let t = media_type(&v.media_type)?;
    if v.hkdf_info != t.hkdf_info() {
        return Err(format!(
            "hkdf_info {:?} is not {:?}'s",
            v.hkdf_info,
            t.name()
        ));
    }
    if v.plaintext.length > MAX_PLAINTEXT {
        return Err(format!(
            "a plaintext of {} bytes; at most {MAX_PLAINTEXT}",
            v.plaintext.length
        ));
    }
    let pattern = bytes("plaintext.pattern", &v.plaintext.pattern)?;
    if pattern.is_empty() && v.plaintext.length > 0 {
        return Err("plaintext.pattern is empty".into());
    }
    let plaintext = generate::expand_plaintext(&pattern, v.plaintext.length);
    let key = media_key(&v.media_key)?;
    let keys = media_keys(&key, v.hkdf_info.as_bytes(), Split::Standard);
    same("iv", &v.iv, &keys.iv)?;
    same("cipher_key", &v.cipher_key, &keys.cipher_key)?;
    same("mac_key", &v.mac_key, &keys.mac_key)?;
    same("ref_key", &v.ref_key, &keys.ref_key)?;
    let e = encrypt(t, &key, &plaintext, Knobs::default());
    if let Some(blob) = &v.blob {
        same("blob", blob, &e.blob)?;
    }
    if e.blob.len() as u64 != v.blob_length {
        return Err(format!(
            "blob_length: the peer gives {}, the vector {}",
            e.blob.len(),
            v.blob_length
        ));
    }
    same("mac", &v.mac, e.mac())?;
    same("file_sha256", &v.file_sha256, &e.file_sha256)?;
    same("file_enc_sha256", &v.file_enc_sha256, &e.file_enc_sha256)?;
    if e.file_length != v.file_length {
        return Err(format!(
            "file_length: the peer gives {}, the vector {}",
            e.file_length, v.file_length
        ));
    }
    let enc_hash = bytes("file_enc_sha256", &v.file_enc_sha256)?;
    let plain_hash = bytes("file_sha256", &v.file_sha256)?;
    match decrypt(t, &key, &e.blob, &enc_hash, &plain_hash) {
        Ok(p) if p == plaintext => {}
        Ok(_) => return Err("the blob decrypts to other bytes".into()),
        Err(r) => return Err(format!("the blob is refused ({})", r.name())),
    }
    if t.streamable() == v.sidecars.is_empty() {
        return Err(format!(
            "{} sidecars for a {} attachment",
            v.sidecars.len(),
            t.name()
        ));
    }
    for s in &v.sidecars {
        let stream = Stream::from_name(&s.stream)
            .ok_or_else(|| format!("unknown sidecar stream {:?}", s.stream))?;
        let convention = Convention {
            stream,
            with_mac_trailer: s.with_mac_trailer,
        };
        let field = format!("sidecar ({}, mac trailer {})", s.stream, s.with_mac_trailer);
        same(&field, &s.sidecar, &sidecar(&keys, &e.blob, convention))?;
    }
    Ok(())
}

fn check_refusal(v: &RefusalCase) -> Result<(), String> {
    let t = media_type(&v.media_type)?;
    let key = media_key(&v.media_key)?;
    let blob = bytes("blob", &v.blob)?;
    let enc_hash = bytes("file_enc_sha256", &v.file_enc_sha256)?;
    let plain_hash = bytes("file_sha256", &v.file_sha256)?;
    match decrypt(t, &key, &blob, &enc_hash, &plain_hash) {
        Ok(_) => Err(format!("decrypted; the vector expects {}", v.refusal)),
        Err(r) if r.name() == v.refusal => Ok(()),
        Err(r) => Err(format!(
            "refused as {}; the vector expects {}",
            r.name(),
            v.refusal
        )),
    }
}

fn status(result: Result<(), String>) -> VectorStatus {
    match result {
        Ok(()) => VectorStatus::Pass,
        Err(why) => VectorStatus::Fail(why),
    }
}

pub fn parse(text: &str) -> Result<MediaVectorFile, String> {
    let parsed: MediaVectorFile =
        serde_json::from_str(text).map_err(|e| format!("not a media vector file: {e}"))?;
    if parsed.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "schema_version {}; this build reads {SCHEMA_VERSION}",
            parsed.schema_version
        ));
    }
    Ok(parsed)
}

/// Checks every vector in one file's text; `file` names it in results.
pub fn verify_text(file: &str, text: &str) -> Vec<VectorCheck> {
    let parsed = match parse(text) {
        Ok(parsed) => parsed,
        Err(message) => return super::file_failure(file, message),
    };
    let check = |name: &str, result| VectorCheck {
        file: file.to_string(),
        name: name.to_string(),
        status: status(result),
    };
    let attachments = parsed
        .attachments
        .iter()
        .map(|v| check(&v.name, check_attachment(v)));
    let refusals = parsed
        .refusals
        .iter()
        .map(|v| check(&format!("refusal {}", v.name), check_refusal(v)));
    attachments.chain(refusals).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectors::generated;

    fn committed() -> String {
        generated::committed(generate::PATH)
    }

    #[test]
    fn every_committed_vector_passes() {
        let checks = verify_text("t.json", &committed());
        assert_eq!(checks.len(), 72 + 16);
        for c in checks {
            assert_eq!(c.status, VectorStatus::Pass, "{}", c.name);
        }
    }

    /// A changed byte anywhere a vector pins is a failure of that vector.
    #[test]
    fn a_changed_byte_fails_its_vector() {
        let text = committed();
        for field in [
            "\"mac\": \"",
            "\"sidecar\": \"",
            "\"blob\": \"",
            "\"refusal\": \"",
        ] {
            let at = text.find(field).expect(field) + field.len();
            let mut bytes = text.clone().into_bytes();
            bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
            let checks = verify_text("t.json", &String::from_utf8(bytes).expect("utf8"));
            assert!(
                checks
                    .iter()
                    .any(|c| matches!(c.status, VectorStatus::Fail(_))),
                "{field}"
            );
        }
    }

    #[test]
    fn a_huge_plaintext_is_refused_before_it_is_built() {
        let text = committed().replacen("\"length\": 0\n", "\"length\": 99999999999\n", 1);
        let checks = verify_text("t.json", &text);
        assert!(checks
            .iter()
            .any(|c| matches!(&c.status, VectorStatus::Fail(m) if m.contains("at most"))));
    }
}
