//! Inputs that once made a parser panic or hang, found by the fuzz targets
//! under `fuzz/` or while writing them (docs/fuzzing.md), fed to the same
//! public function: each must now be refused with an error, quickly. Crash
//! inputs are kept as they were found in `tests/fuzz_regressions/`.

use std::time::{Duration, Instant};

use interspec::cli::reference_replay;
use interspec::vectors::{self, VectorStatus};

/// A Signal vector file asking for four billion safety-number iterations
/// (16 billion SHA-512s) hashed for hours; found reading the code behind
/// the `vectors_verify` target.
#[test]
fn a_huge_fingerprint_iteration_count_is_refused_not_computed() {
    let text = r#"{"schema_version":1,"provenance":"fuzz regression","vectors":[
        {"name":"hostile","source":"fuzz","kind":"numeric-fingerprint",
         "iterations":4000000000,
         "local_id":"+14152222222",
         "local_identity":"05406a62207ecaa822c7f356545a56164932b199950b39a09875f216d3d5381b61",
         "remote_id":"+14153333333",
         "remote_identity":"05d0dcce1aacc0233be6b8042e808c708b7b7b2df4aae1d4bb5f1fb8bfa4ced837",
         "displayable":"733181371147078767683725205766756794467817665867359480577228"}]}"#;
    let started = Instant::now();
    let checks = vectors::signal::verify_text("hostile.json", text);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(checks.len(), 1, "{checks:?}");
    match &checks[0].status {
        VectorStatus::Fail(why) => assert!(why.contains("iterations"), "{why}"),
        other => panic!("expected a failed check, got {other:?}"),
    }
}

/// The exact input (after the target's kind byte) on which the
/// `vectors_verify` target panicked in its first long run: a token case
/// whose JWK Set holds an Ed25519 key with a 24-byte `x`, which jsonwebtoken
/// sliced to 32 bytes inside the reference provider's call verifier.
#[test]
fn a_short_ed25519_jwk_in_token_cases_fails_the_case_not_the_process() {
    let input = include_bytes!("fuzz_regressions/vectors_verify-short-ed25519-x");
    let text = std::str::from_utf8(&input[1..]).expect("the input is text");
    let checks = vectors::enlistment::verify_text("hostile.json", text, &reference_replay());
    assert!(!checks.is_empty());
    for check in &checks {
        // Each case expects `accept`; none can be accepted with that key.
        assert!(
            matches!(check.status, VectorStatus::Fail(_)),
            "{}: {:?}",
            check.name,
            check.status
        );
    }
}

/// The same key with a 33-byte `x`: jsonwebtoken read its first 32 bytes
/// and accepted the signature; the key is now refused as not fitting.
#[test]
fn a_long_ed25519_jwk_is_refused_not_truncated() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/enlistment/interspec-token-cases.json"
    );
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    let keys = &mut file["token_cases"]["gatekeeper_jwks"]["keys"];
    let ed = keys
        .as_array_mut()
        .expect("keys")
        .iter_mut()
        .find(|k| k["crv"] == "Ed25519")
        .expect("an Ed25519 key");
    let x = ed["x"].as_str().expect("x").to_string();
    // 43 characters hold 32 bytes; two more add a 33rd.
    ed["x"] = format!("{x}AA").into();
    let cases = &mut file["token_cases"]["cases"];
    let valid = cases
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == "valid EdDSA")
        .expect("the valid EdDSA case")
        .clone();
    *cases = serde_json::json!([valid]);
    file["known_answers"] = serde_json::json!([]);
    let checks =
        vectors::enlistment::verify_text("long-x.json", &file.to_string(), &reference_replay());
    assert_eq!(checks.len(), 1, "{checks:?}");
    match &checks[0].status {
        VectorStatus::Fail(why) => assert!(why.contains("does not fit"), "{why}"),
        other => panic!("a 33-byte Ed25519 key was used: {other:?}"),
    }
}
