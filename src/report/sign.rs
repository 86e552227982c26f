//! Tamper evidence for a report folder. `sign` writes `manifest.json` (the
//! SHA-256 of every report file, the harness version, catalog and vectors
//! hashes and the target identity) and `manifest.sig` (an Ed25519 signature
//! over the manifest's exact bytes, hex). `verify` recomputes every hash,
//! checks the signature, and says exactly what changed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::{Report, TargetInfo};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const SIGNATURE_FILE: &str = "manifest.sig";
/// Report files larger than this are not hashed (nothing we write comes near).
const MAX_FILE: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    pub harness_version: String,
    pub catalog_sha256: String,
    pub vectors_manifest_sha256: String,
    pub target: TargetInfo,
    /// Hex Ed25519 public key of the signer.
    pub public_key: String,
    /// File name -> SHA-256 (hex) of every file in the folder.
    pub files: BTreeMap<String, String>,
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    crate::bounded::read(path, MAX_FILE)
}

/// Every regular file in `dir` except the manifest and its signature.
fn hash_files(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if !path.is_file() || name == MANIFEST_FILE || name == SIGNATURE_FILE {
            continue;
        }
        files.insert(name, hex::encode(Sha256::digest(read_bounded(&path)?)));
    }
    Ok(files)
}

/// Reads a key file: 64 hex digits (a 32-byte Ed25519 seed or public key).
fn read_key_bytes(path: &Path) -> Result<[u8; 32], String> {
    let text = String::from_utf8(read_bounded(path)?)
        .map_err(|_| format!("{} is not text", path.display()))?;
    let bytes =
        hex::decode(text.trim()).map_err(|_| format!("{} does not hold hex", path.display()))?;
    bytes
        .try_into()
        .map_err(|_| format!("{} must hold 32 bytes (64 hex digits)", path.display()))
}

/// Writes `PATH` (the private seed, mode 0600) and `PATH.pub`.
pub fn keygen(path: &Path) -> Result<String, String> {
    if path.exists() {
        return Err(format!(
            "{} exists; refusing to overwrite a key",
            path.display()
        ));
    }
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = SigningKey::from_bytes(&seed);
    let public = hex::encode(key.verifying_key().as_bytes());
    write_private(path, &format!("{}\n", hex::encode(seed)))?;
    let pub_path = format!("{}.pub", path.display());
    std::fs::write(&pub_path, format!("{public}\n"))
        .map_err(|e| format!("cannot write {pub_path}: {e}"))?;
    Ok(public)
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Signs the report folder `dir` (which must hold report.json).
pub fn sign(dir: &Path, key_path: &Path) -> Result<Manifest, String> {
    let key = SigningKey::from_bytes(&read_key_bytes(key_path)?);
    let report = Report::load(&dir.join("report.json"))?;
    let manifest = Manifest {
        manifest_version: 1,
        harness_version: report.harness.version.clone(),
        catalog_sha256: report.catalog.sha256.clone(),
        vectors_manifest_sha256: report.vectors.manifest_sha256.clone(),
        target: report.target.clone(),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        files: hash_files(dir)?,
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())? + "\n";
    let signature = key.sign(text.as_bytes());
    std::fs::write(dir.join(MANIFEST_FILE), &text)
        .map_err(|e| format!("cannot write the manifest: {e}"))?;
    std::fs::write(
        dir.join(SIGNATURE_FILE),
        format!("{}\n", hex::encode(signature.to_bytes())),
    )
    .map_err(|e| format!("cannot write the signature: {e}"))?;
    Ok(manifest)
}

/// What `verify` found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verification {
    pub signature_valid: bool,
    /// The key was given by the caller (not only taken from the manifest).
    pub key_pinned: bool,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub unlisted: Vec<String>,
    pub problems: Vec<String>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.signature_valid
            && self.changed.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.problems.is_empty()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "signature: {}{}",
            if self.signature_valid {
                "valid"
            } else {
                "INVALID"
            },
            if self.key_pinned {
                ""
            } else {
                " (checked against the key in the manifest itself: this shows integrity, not who signed; pass --pubkey to pin the signer)"
            }
        );
        for (label, items) in [
            ("changed", &self.changed),
            ("missing", &self.missing),
            ("not in the manifest", &self.unlisted),
            ("problem", &self.problems),
        ] {
            for item in items {
                let _ = writeln!(out, "{label}: {item}");
            }
        }
        let _ = writeln!(out, "verify: {}", if self.ok() { "OK" } else { "FAILED" });
        out
    }
}

/// Checks `dir` against its manifest and signature. `pubkey` is a key file
/// (or 64 hex digits); without it the manifest's own key is used.
pub fn verify(dir: &Path, pubkey: Option<&str>) -> Result<Verification, String> {
    let manifest_bytes = read_bounded(&dir.join(MANIFEST_FILE))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| format!("{MANIFEST_FILE} is not a report manifest: {e}"))?;
    let mut result = Verification::default();

    let key_hex = match pubkey {
        Some(given) if Path::new(given).is_file() => hex::encode(read_key_bytes(Path::new(given))?),
        Some(given) => given.trim().to_string(),
        None => manifest.public_key.clone(),
    };
    result.key_pinned = pubkey.is_some();
    if pubkey.is_some() && !key_hex.eq_ignore_ascii_case(&manifest.public_key) {
        result
            .problems
            .push("the manifest names a different signing key than the one given".into());
    }
    let signature_text =
        String::from_utf8(read_bounded(&dir.join(SIGNATURE_FILE))?).unwrap_or_default();
    result.signature_valid = match (decode32(&key_hex), hex::decode(signature_text.trim())) {
        (Some(key), Ok(sig)) => match (VerifyingKey::from_bytes(&key), Signature::from_slice(&sig))
        {
            (Ok(key), Ok(sig)) => key.verify_strict(&manifest_bytes, &sig).is_ok(),
            _ => false,
        },
        _ => false,
    };

    let actual = hash_files(dir)?;
    for (name, hash) in &manifest.files {
        match actual.get(name) {
            Some(found) if found == hash => {}
            Some(found) => result
                .changed
                .push(format!("{name} (SHA-256 {found}, signed as {hash})")),
            None => result.missing.push(name.clone()),
        }
    }
    result.unlisted = actual
        .keys()
        .filter(|n| !manifest.files.contains_key(*n))
        .cloned()
        .collect();
    Ok(result)
}

fn decode32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}
