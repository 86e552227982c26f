//! A vector file from a user is input like any other: keys of the wrong
//! length, bad hex and missing messages in `vectors verify --cacophony FILE`
//! give a failed check and exit 1, never a panic.

mod common;

use common::interspec;

#[test]
fn odd_key_lengths_and_bad_hex_fail_cleanly() {
    let published = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors/noise/cacophony-published.json"),
    )
    .expect("published vectors");
    let file: serde_json::Value = serde_json::from_str(&published).expect("json");
    let original = file["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .find(|v| v["protocol_name"] == "Noise_XX_25519_AESGCM_SHA256")
        .expect("an XX vector")
        .clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases = Vec::new();
    for field in [
        "init_static",
        "init_ephemeral",
        "resp_static",
        "resp_ephemeral",
    ] {
        for bytes in [0usize, 33, 64] {
            let mut vector = original.clone();
            vector[field] = "ab".repeat(bytes).into();
            cases.push((format!("{field} of {bytes} bytes"), vector));
        }
        let mut vector = original.clone();
        vector[field] = "not hex".into();
        cases.push((format!("{field} not hex"), vector));
    }
    let mut vector = original.clone();
    vector["messages"] = serde_json::json!([]);
    cases.push(("no messages".into(), vector));

    for (what, vector) in cases {
        let path = dir.path().join("user.json");
        std::fs::write(
            &path,
            serde_json::json!({ "vectors": [vector] }).to_string(),
        )
        .expect("write");
        let out = interspec(&[
            "vectors",
            "verify",
            "--cacophony",
            path.to_str().expect("path"),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }
}
