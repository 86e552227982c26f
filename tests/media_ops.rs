//! The media operations of adapter protocol 1.4 (docs/media.md §Adapter
//! operations) over the wire against the built-in reference: the harness's
//! own attachment cipher (src/peer/media) opens what the reference
//! encrypts, the reference opens what the harness encrypts, and every
//! refusal vector is refused with no plaintext.

mod common;

use interspec::adapter::client::{AdapterClient, Reply};
use interspec::adapter::proto::{request::Op, response, MediaDecrypt, MediaEncrypt, MediaFields};
use interspec::peer::media::{decrypt, encrypt, Knobs, MediaType};
use interspec::targets::{Launcher, TargetSpec};
use interspec::vectors::media::parse;

fn reference() -> AdapterClient {
    let launcher = Launcher {
        interspec_exe: common::exe(),
    };
    interspec::bench::client(&launcher, &TargetSpec::Builtin { mutant: None }).expect("client")
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().expect("32 bytes")
}

#[test]
fn the_harness_opens_what_the_reference_encrypts_for_every_type_and_size() {
    let mut client = reference();
    for t in MediaType::ALL {
        for len in [0usize, 1, 16, 17, 65_537] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
            let op = Op::MediaEncrypt(MediaEncrypt {
                media_type: t.name().into(),
                plaintext: plaintext.clone(),
                mimetype: "application/octet-stream".into(),
            });
            let Ok(Reply::Result(response::Reply::MediaEncrypt(r))) = client.call(op) else {
                panic!("{} {len}: not a MediaEncryptResult", t.name());
            };
            let f = r.fields.expect("fields");
            assert_eq!(f.file_length, len as u64);
            let back = decrypt(
                t,
                &key32(&f.media_key),
                &r.blob,
                &f.file_enc_sha256,
                &f.file_sha256,
            );
            assert_eq!(back, Ok(plaintext), "{} {len}", t.name());
        }
    }
}

#[test]
fn the_reference_opens_what_the_harness_encrypts_and_refuses_every_refusal_vector() {
    let mut client = reference();
    let mut call = |t: &str, blob: Vec<u8>, fields: MediaFields| {
        client.call(Op::MediaDecrypt(MediaDecrypt {
            media_type: t.into(),
            blob,
            fields: Some(fields),
        }))
    };
    let key = [5u8; 32];
    let e = encrypt(
        MediaType::Document,
        &key,
        b"minutes of the meeting",
        Knobs::default(),
    );
    let fields = MediaFields {
        media_key: key.to_vec(),
        file_sha256: e.file_sha256.to_vec(),
        file_enc_sha256: e.file_enc_sha256.to_vec(),
        file_length: e.file_length,
        ..MediaFields::default()
    };
    match call("document", e.blob, fields) {
        Ok(Reply::Result(response::Reply::MediaDecrypt(r))) => {
            assert_eq!(r.plaintext, b"minutes of the meeting")
        }
        other => panic!("{other:?}"),
    }
    let file = parse(include_str!("../vectors/media/interspec-generated.json")).expect("vectors");
    for case in file.refusals {
        let fields = MediaFields {
            media_key: hex::decode(&case.media_key).expect("hex"),
            file_sha256: hex::decode(&case.file_sha256).expect("hex"),
            file_enc_sha256: hex::decode(&case.file_enc_sha256).expect("hex"),
            file_length: 31,
            ..MediaFields::default()
        };
        let blob = hex::decode(&case.blob).expect("hex");
        match call(&case.media_type, blob, fields) {
            Ok(Reply::Rejected { .. }) => {}
            other => panic!("refusal {}: {other:?}", case.name),
        }
    }
}
