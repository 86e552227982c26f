//! The reference's media server over real HTTP on loopback (adapter
//! protocol 1.5: MediaServer, MediaUpload, MediaServerStore), and the
//! server variants doing what they claim: a variant that did not differ
//! from the reference would show nothing about the suite.

mod common;

use interspec::adapter::client::{AdapterClient, Reply};
use interspec::adapter::proto::{
    request::Op, response, MediaServer, MediaServerResult, MediaServerStore, MediaUpload,
};
use interspec::peer::media::proxy::{fetch, Fetched, Method};
use interspec::peer::media::{decrypt, MediaType};
use interspec::targets::{Launcher, TargetSpec};

fn target(spec: TargetSpec) -> AdapterClient {
    let launcher = Launcher {
        interspec_exe: common::exe(),
    };
    interspec::bench::client(&launcher, &spec).expect("client")
}

fn server(client: &mut AdapterClient) -> MediaServerResult {
    match client.call(Op::MediaServer(MediaServer {})) {
        Ok(Reply::Result(response::Reply::MediaServer(r))) => r,
        other => panic!("MediaServer: {other:?}"),
    }
}

/// Uploads `plaintext` as a video: its URL, media key and hashes.
fn upload(client: &mut AdapterClient, plaintext: &[u8]) -> (String, Vec<u8>, Vec<u8>, Vec<u8>) {
    let op = Op::MediaUpload(MediaUpload {
        media_type: "video".into(),
        plaintext: plaintext.to_vec(),
        mimetype: "video/mp4".into(),
    });
    match client.call(op) {
        Ok(Reply::Result(response::Reply::MediaUpload(r))) => {
            let f = r.fields.expect("fields");
            (r.url, f.media_key, f.file_enc_sha256, f.file_sha256)
        }
        other => panic!("MediaUpload: {other:?}"),
    }
}

fn get(url: &str, authorization: &str, range: Option<&str>) -> Fetched {
    let mut headers = vec![];
    if !authorization.is_empty() {
        headers.push(("Authorization", authorization));
    }
    if let Some(r) = range {
        headers.push(("Range", r));
    }
    fetch(url, Method::Get, &headers).expect("fetch")
}

#[test]
fn the_reference_serves_ranges_to_the_proxy_only() {
    let mut client = target(TargetSpec::Builtin { mutant: None });
    let s = server(&mut client);
    assert!(s.base_url.starts_with("http://127.0.0.1:"));
    assert!(s.authorization.starts_with("Bearer "));
    let plaintext = vec![7u8; 1000];
    let (url, key, enc, sha) = upload(&mut client, &plaintext);
    let whole = get(&url, &s.authorization, None);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.content_length(), Some(whole.body.len() as u64));
    let key: [u8; 32] = key.as_slice().try_into().expect("32 bytes");
    assert_eq!(
        decrypt(MediaType::Video, &key, &whole.body, &enc, &sha),
        Ok(plaintext)
    );
    let part = get(&url, &s.authorization, Some("bytes=10-19"));
    assert_eq!(part.status, 206);
    assert_eq!(part.body, whole.body[10..20]);
    let n = whole.body.len();
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 10-19/{n}").as_str())
    );
    let past = get(&url, &s.authorization, Some(&format!("bytes={n}-")));
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{n}").as_str())
    );
    let anonymous = get(&url, "", None);
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.header("www-authenticate").is_some());
    // What it stores holds the blob.
    let Ok(Reply::Result(response::Reply::MediaServerStore(stored))) =
        client.call(Op::MediaServerStore(MediaServerStore {}))
    else {
        panic!("MediaServerStore");
    };
    assert!(stored.objects.contains(&whole.body));
}

#[test]
fn each_server_variant_differs_from_the_reference_as_it_says() {
    let plaintext = vec![9u8; 40_000];
    let variant = |name: &str| target(TargetSpec::Variant(name.into()));

    let mut c = variant("media-server-ignores-range");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    let got = get(&url, &s.authorization, Some("bytes=0-9"));
    assert_eq!(
        (got.status, got.body.len()),
        (200, 40_000 / 16 * 16 + 16 + 10)
    );

    let mut c = variant("media-server-not-found-for-bad-authorization");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    assert_eq!(get(&url, "", None).status, 404);
    assert_eq!(get(&url, &s.authorization, None).status, 200);

    let mut c = variant("media-server-capability-urls");
    let s = server(&mut c);
    assert_eq!(s.authorization, "");
    let (url, ..) = upload(&mut c, &plaintext);
    assert_eq!(get(&url, "", None).status, 200);

    let mut c = variant("media-server-chunked");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    let got = get(&url, &s.authorization, None);
    assert_eq!(got.status, 200);
    assert_eq!(got.content_length(), None);
    assert_eq!(got.header("transfer-encoding"), Some("chunked"));

    let mut c = variant("media-server-forbidden-for-bad-authorization");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    assert_eq!(get(&url, "", None).status, 403);
    assert_eq!(get(&url, "Bearer another", None).status, 403);
    assert_eq!(get(&url, &s.authorization, None).status, 200);

    let mut c = variant("media-server-range-length-unknown");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    let got = get(&url, &s.authorization, Some("bytes=16-31"));
    assert_eq!(got.status, 206);
    assert_eq!(got.body.len(), 16);
    assert_eq!(got.header("content-range"), Some("bytes 16-31/*"));

    let mut c = variant("media-server-unsatisfiable-without-content-range");
    let s = server(&mut c);
    let (url, ..) = upload(&mut c, &plaintext);
    let got = get(&url, &s.authorization, Some("bytes=1000000-"));
    assert_eq!(got.status, 416);
    assert_eq!(got.header("content-range"), None);
}
