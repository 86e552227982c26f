//! Golden vectors: the files under `vectors/`, their SHA-256 manifest, and
//! the checks that replay them through the peer engines
//! (`interspec vectors verify`). Each suite registers one verifier for its
//! folder in [`VERIFIERS`].

pub mod embedded;
pub mod enlistment;
mod manifest;
pub mod media;
pub mod signal;
mod snow_replay;
pub mod wycheproof;

use std::path::Path;

pub use manifest::{check_manifest, write_manifest, MANIFEST_NAME};

/// The largest vector file read (they are hostile input like any other).
pub const MAX_VECTOR_FILE: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VectorStatus {
    Pass,
    Fail(String),
    /// The vector uses something the peer does not implement.
    NotRunnable(String),
}

/// The result of one vector (or of one file that could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorCheck {
    pub file: String,
    pub name: String,
    pub status: VectorStatus,
}

/// What vectors are replayed through besides the peer and independent
/// libraries: implementations the judge does not import, supplied by the
/// caller (the CLI passes the reference provider's).
#[derive(Debug, Clone, Copy)]
pub struct Replay {
    /// The provider's call-token verifier, for the token cases.
    pub call_token: enlistment::CallTokenVerifier,
}

/// Checks every vector in one file's text; `file` names it in results.
pub type Verifier = fn(file: &str, text: &str, replay: &Replay) -> Vec<VectorCheck>;

/// One verifier per `vectors/<folder>`.
pub const VERIFIERS: &[(&str, Verifier)] = &[
    ("noise", |file, text, _| noise::verify_text(file, text)),
    ("signal", |file, text, _| signal::verify_text(file, text)),
    ("stanza", |file, text, _| stanza::verify_case(file, text)),
    ("enlistment", enlistment::verify_text),
    ("wycheproof", wycheproof::verify_text),
    ("media", |file, text, _| media::verify_text(file, text)),
];

/// Checks the manifest, then every `*.json` file in each registered folder.
pub fn verify_tree(root: &Path, replay: &Replay) -> Result<Vec<VectorCheck>, String> {
    let mut checks = check_manifest(root)?;
    for (folder, verifier) in VERIFIERS {
        let dir = root.join(folder);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            checks.extend(verify_file(&path, *verifier, replay));
        }
    }
    Ok(checks)
}

/// Checks one file with `verifier`; an unreadable file is one failed check.
pub fn verify_file(path: &Path, verifier: Verifier, replay: &Replay) -> Vec<VectorCheck> {
    let name = path.display().to_string();
    match read_bounded(path) {
        Ok(text) => verifier(&name, &text, replay),
        Err(message) => file_failure(&name, message),
    }
}

/// The one check of a file that could not be read or parsed.
pub fn file_failure(file: &str, message: String) -> Vec<VectorCheck> {
    vec![VectorCheck {
        file: file.to_string(),
        name: "(file)".into(),
        status: VectorStatus::Fail(message),
    }]
}

/// The generated vector files: each committed one must be what its
/// generator produces now.
#[cfg(test)]
pub(crate) mod generated {
    use std::path::Path;

    pub fn committed(path: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("read")
    }

    /// Every generated vector file and what its generator produces now.
    fn generators() -> [(&'static str, String); 2] {
        [
            (
                super::signal::generate::PATH,
                super::signal::generate::text(),
            ),
            (super::media::generate::PATH, super::media::generate::text()),
        ]
    }

    #[test]
    fn the_committed_generated_files_are_what_the_generators_produce() {
        for (path, text) in generators() {
            assert!(
                committed(path) == text,
                "{path} differs from its generator's output"
            );
        }
    }

    /// Run with `--ignored` after a deliberate change to the peer's output:
    /// rewrites every generated vector file.
    #[test]
    #[ignore]
    fn write_generated_vectors() {
        for (path, text) in generators() {
            std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(path), text).expect("write");
        }
    }
}

pub fn read_bounded(path: &Path) -> Result<String, String> {
    crate::bounded::read_text(path, MAX_VECTOR_FILE)
}

/// The bytes of a vector file, bounded like [`read_bounded`].
pub fn read_bounded_bytes(path: &Path) -> Result<Vec<u8>, String> {
    crate::bounded::read(path, MAX_VECTOR_FILE)
}

/// Counts of (pass, fail, not runnable).
pub fn tally(checks: &[VectorCheck]) -> (usize, usize, usize) {
    checks
        .iter()
        .fold((0, 0, 0), |(p, f, n), c| match c.status {
            VectorStatus::Pass => (p + 1, f, n),
            VectorStatus::Fail(_) => (p, f + 1, n),
            VectorStatus::NotRunnable(_) => (p, f, n + 1),
        })
}

pub mod noise {
    //! Cacophony-format Noise vectors, replayed through the Noise peer.

    use super::{VectorCheck, VectorStatus};
    use crate::peer::noise::vectors::{check_vector_file, from_json, VectorOutcome};

    /// The peer engine's replay of every vector, then snow's replay of the
    /// XX and IK ones (the independent cross-check).
    pub fn verify_text(file: &str, text: &str) -> Vec<VectorCheck> {
        match check_vector_file(text) {
            Ok(reports) => {
                let mut checks: Vec<VectorCheck> = reports
                    .into_iter()
                    .map(|r| VectorCheck {
                        file: file.to_string(),
                        name: format!("#{} {}", r.index, r.protocol_name),
                        status: match r.outcome {
                            VectorOutcome::Pass => VectorStatus::Pass,
                            VectorOutcome::Fail(why) => VectorStatus::Fail(why),
                            VectorOutcome::NotRunnable(why) => VectorStatus::NotRunnable(why),
                        },
                    })
                    .collect();
                // The text parsed above, so it parses again.
                let vectors = from_json(text).map(|f| f.vectors).unwrap_or_default();
                for (index, vector) in vectors.iter().enumerate() {
                    let status = match super::snow_replay::replay(vector) {
                        Ok(false) => continue,
                        Ok(true) => VectorStatus::Pass,
                        Err(why) => VectorStatus::Fail(why),
                    };
                    checks.push(VectorCheck {
                        file: file.to_string(),
                        name: format!("#{index} {} (snow)", vector.protocol_name),
                        status,
                    });
                }
                checks
            }
            Err(err) => vec![VectorCheck {
                file: file.to_string(),
                name: "(file)".into(),
                status: VectorStatus::Fail(format!("not a cacophony vector file: {err}")),
            }],
        }
    }
}

pub mod stanza {
    //! The stanza corpus: each `NAME.json` expectation (a view or a refusal
    //! category, docs/stanza.md) beside its `NAME.xml` input, replayed
    //! through the peer's own parser with the default profile's limits.

    use std::path::Path;

    use super::{read_bounded_bytes, VectorCheck, VectorStatus};
    use crate::catalog::profile::StanzaParams;
    use crate::peer::stanza::corpus::{check_case, Expectation};

    pub fn verify_case(file: &str, text: &str) -> Vec<VectorCheck> {
        let name = Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let status = match run(file, text) {
            Ok(()) => VectorStatus::Pass,
            Err(why) => VectorStatus::Fail(why),
        };
        vec![VectorCheck {
            file: file.to_string(),
            name,
            status,
        }]
    }

    fn run(file: &str, text: &str) -> Result<(), String> {
        let expectation = Expectation::from_json(text)?;
        let xml = read_bounded_bytes(&Path::new(file).with_extension("xml"))?;
        check_case(&xml, &expectation, &StanzaParams::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_vector_tree_verifies() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
        let checks = verify_tree(&root, &crate::cli::reference_replay()).expect("verify");
        let failures: Vec<_> = checks
            .iter()
            .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
        assert!(
            tally(&checks).0 >= 5,
            "published and generated Noise vectors are checked"
        );
        let snow = checks
            .iter()
            .filter(|c| c.name.ends_with("(snow)") && c.status == VectorStatus::Pass)
            .count();
        assert_eq!(
            snow, 4,
            "XX and IK, published and generated, confirmed by snow"
        );
        let stanza_cases = checks
            .iter()
            .filter(|c| c.file.contains("stanza") && c.status == VectorStatus::Pass)
            .count();
        assert!(stanza_cases >= 60, "{stanza_cases} stanza cases passed");
    }

    #[test]
    fn a_wrong_stanza_expectation_fails() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/stanza");
        let file = dir.join("valid-basic-message.json");
        let text = std::fs::read_to_string(&file).expect("read");
        let name = file.display().to_string();
        assert_eq!(
            stanza::verify_case(&name, &text)[0].status,
            VectorStatus::Pass
        );
        let tampered = text.replace("3EB0A1", "3EB0A2");
        assert!(matches!(
            stanza::verify_case(&name, &tampered)[0].status,
            VectorStatus::Fail(_)
        ));
        let refused =
            r#"{"group": "g", "description": "d", "source": "s", "refused": "MALFORMED_INPUT"}"#;
        assert!(matches!(
            stanza::verify_case(&name, refused)[0].status,
            VectorStatus::Fail(_)
        ));
    }

    #[test]
    fn a_tampered_noise_vector_fails() {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/noise/interspec-generated.json");
        let text = std::fs::read_to_string(root).expect("read");
        // Change one hex digit of the first handshake hash.
        let at =
            text.find("\"handshake_hash\": \"").expect("field") + "\"handshake_hash\": \"".len();
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        let tampered = String::from_utf8(bytes).expect("utf8");
        let checks = noise::verify_text("t.json", &tampered);
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.status, VectorStatus::Fail(_)))
            .map(|c| c.name.as_str())
            .collect();
        // Both the peer engine and snow notice.
        assert_eq!(
            failed,
            [
                "#0 Noise_XX_25519_AESGCM_SHA256",
                "#0 Noise_XX_25519_AESGCM_SHA256 (snow)"
            ]
        );
    }
}
