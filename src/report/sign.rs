//! Tamper evidence for a report folder. `sign` writes `manifest.json` (the
//! SHA-256 of every file and the name of every folder under the report
//! folder, the harness version, catalog and vectors hashes, the target
//! identity, and the run's seed, profile, scope and verdict written out) and
//! `manifest.sig` (an Ed25519 signature over the manifest's exact bytes,
//! hex). `verify` recomputes every hash, checks the signature against a key
//! the caller trusts, checks the bound facts against `report.json`, and
//! says exactly what changed. Without a trusted key it fails: a manifest's
//! own key shows only that someone signed it.

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
/// The deepest folder and the most entries walked in a report folder.
const MAX_DEPTH: usize = 8;
const MAX_ENTRIES: usize = 10_000;
/// The most keys read from a trusted-keys file.
const MAX_TRUSTED_KEYS: usize = 1_000;
pub const MANIFEST_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub manifest_version: u32,
    pub harness_version: String,
    pub catalog_sha256: String,
    pub vectors_manifest_sha256: String,
    pub target: TargetInfo,
    /// What was certified, written out so the signature binds it directly.
    pub run: BoundRun,
    /// Hex Ed25519 public key of the signer.
    pub public_key: String,
    /// Relative path ('/'-separated) -> SHA-256 (hex) of every file under
    /// the folder, in subfolders too.
    pub files: BTreeMap<String, String>,
    /// Every subfolder, relative path.
    pub folders: Vec<String>,
}

/// The facts of a run a signature vouches for, copied from `report.json`
/// and checked against it again by `verify`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BoundRun {
    pub seed: u64,
    pub cases: u32,
    pub profile: String,
    pub suites: Vec<String>,
    pub filters: Vec<String>,
    pub shard: Option<String>,
    pub scope: String,
    /// The verdict's state (`certified`, `not-certified`, `incomplete`).
    pub verdict: String,
}

impl BoundRun {
    fn of(report: &Report) -> BoundRun {
        BoundRun {
            seed: report.run.seed,
            cases: report.run.cases,
            profile: report.run.profile.clone(),
            suites: report.run.suites.clone(),
            filters: report.run.filters.clone(),
            shard: report.run.shard.clone(),
            scope: report.verdict.scope.clone(),
            verdict: serde_json::to_value(report.verdict.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        }
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    crate::bounded::read(path, MAX_FILE)
}

/// What a report folder holds, found by walking it.
#[derive(Debug, Default)]
struct Contents {
    /// Relative path -> SHA-256 (hex), manifest and signature excepted.
    files: BTreeMap<String, String>,
    folders: Vec<String>,
    /// Entries that are neither files nor folders (symbolic links, ...).
    others: Vec<String>,
}

/// Walks `dir` (bounded in depth and entries; links are not followed).
fn contents(dir: &Path) -> Result<Contents, String> {
    let mut found = Contents::default();
    let mut pending = vec![(dir.to_path_buf(), String::new(), 0usize)];
    let mut entries_seen = 0usize;
    while let Some((folder, prefix, depth)) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| format!("cannot read {}: {e}", folder.display()))?;
        for entry in entries {
            entries_seen += 1;
            if entries_seen > MAX_ENTRIES {
                return Err(format!(
                    "{} holds more than {MAX_ENTRIES} entries",
                    dir.display()
                ));
            }
            let entry = entry.map_err(|e| e.to_string())?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    return Err(format!("{name}: folders nest deeper than {MAX_DEPTH}"));
                }
                found.folders.push(name.clone());
                pending.push((entry.path(), format!("{name}/"), depth + 1));
            } else if kind.is_file() {
                if prefix.is_empty() && (name == MANIFEST_FILE || name == SIGNATURE_FILE) {
                    continue;
                }
                let hash = hex::encode(Sha256::digest(read_bounded(&entry.path())?));
                found.files.insert(name, hash);
            } else {
                found.others.push(name);
            }
        }
    }
    found.folders.sort();
    found.others.sort();
    Ok(found)
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
    let found = contents(dir)?;
    if let Some(other) = found.others.first() {
        return Err(format!(
            "{other} is neither a file nor a folder (a link?); a signed report folder holds only files and folders"
        ));
    }
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        harness_version: report.harness.version.clone(),
        catalog_sha256: report.catalog.sha256.clone(),
        vectors_manifest_sha256: report.vectors.manifest_sha256.clone(),
        target: report.target.clone(),
        run: BoundRun::of(&report),
        public_key: hex::encode(key.verifying_key().as_bytes()),
        files: found.files,
        folders: found.folders,
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
    /// The signer's key is one the caller trusts (`--pubkey`); without it
    /// the verification fails, whatever else holds.
    pub key_pinned: bool,
    pub changed: Vec<String>,
    pub missing: Vec<String>,
    pub unlisted: Vec<String>,
    pub problems: Vec<String>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.signature_valid
            && self.key_pinned
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
                " against the key in the manifest itself"
            }
        );
        if !self.key_pinned {
            let _ = writeln!(
                out,
                "signer: NOT VERIFIED (no trusted key given: anyone can sign with a key of their own; pass --pubkey with the signer's public key or a file of trusted keys)"
            );
        }
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

/// The keys the caller trusts: a `.pub` file, a file of keys (one per line,
/// `#` comments), or 64 hex digits.
fn trusted_keys(given: &str) -> Result<Vec<String>, String> {
    let path = Path::new(given);
    if !path.is_file() {
        return Ok(vec![given.trim().to_ascii_lowercase()]);
    }
    let text = String::from_utf8(read_bounded(path)?)
        .map_err(|_| format!("{} is not text", path.display()))?;
    let keys: Vec<String> = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .take(MAX_TRUSTED_KEYS + 1)
        .map(str::to_ascii_lowercase)
        .collect();
    if keys.is_empty() || keys.len() > MAX_TRUSTED_KEYS {
        return Err(format!(
            "{} must hold between 1 and {MAX_TRUSTED_KEYS} keys, one per line",
            path.display()
        ));
    }
    if let Some(bad) = keys.iter().find(|k| decode32(k).is_none()) {
        return Err(format!(
            "{}: {bad:?} is not a public key (64 hex digits)",
            path.display()
        ));
    }
    Ok(keys)
}

/// Checks `dir` against its manifest and signature. `trusted` names the
/// signer's key (see [`trusted_keys`]); without it the signature is checked
/// against the manifest's own key and the verification fails.
pub fn verify(dir: &Path, trusted: Option<&str>) -> Result<Verification, String> {
    let manifest_bytes = read_bounded(&dir.join(MANIFEST_FILE))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| {
        format!("{MANIFEST_FILE} is not a version {MANIFEST_VERSION} report manifest: {e}")
    })?;
    let mut result = Verification::default();
    if manifest.manifest_version != MANIFEST_VERSION {
        result.problems.push(format!(
            "manifest_version {}; this interspec verifies version {MANIFEST_VERSION}",
            manifest.manifest_version
        ));
    }

    let signer = manifest.public_key.to_ascii_lowercase();
    if let Some(given) = trusted {
        let keys = trusted_keys(given)?;
        result.key_pinned = keys.contains(&signer);
        if !result.key_pinned {
            result
                .problems
                .push("the manifest names a signing key that is not among the trusted keys".into());
        }
    }
    let signature_text =
        String::from_utf8(read_bounded(&dir.join(SIGNATURE_FILE))?).unwrap_or_default();
    result.signature_valid = match (decode32(&signer), hex::decode(signature_text.trim())) {
        (Some(key), Ok(sig)) => match (VerifyingKey::from_bytes(&key), Signature::from_slice(&sig))
        {
            (Ok(key), Ok(sig)) => key.verify_strict(&manifest_bytes, &sig).is_ok(),
            _ => false,
        },
        _ => false,
    };

    let found = contents(dir)?;
    for (name, hash) in &manifest.files {
        match found.files.get(name) {
            Some(actual) if actual == hash => {}
            Some(actual) => result
                .changed
                .push(format!("{name} (SHA-256 {actual}, signed as {hash})")),
            None => result.missing.push(name.clone()),
        }
    }
    for folder in &manifest.folders {
        if !found.folders.contains(folder) {
            result.missing.push(format!("{folder}/"));
        }
    }
    result.unlisted = found
        .files
        .keys()
        .filter(|n| !manifest.files.contains_key(*n))
        .cloned()
        .chain(
            found
                .folders
                .iter()
                .filter(|f| !manifest.folders.contains(f))
                .map(|f| format!("{f}/")),
        )
        .chain(found.others.iter().cloned())
        .collect();

    // The bound facts must be those of the report.json the hashes cover.
    match Report::load(&dir.join("report.json")) {
        Ok(report) => {
            if BoundRun::of(&report) != manifest.run {
                result.problems.push(
                    "the run the manifest vouches for (seed, profile, scope, verdict) is not the one in report.json".into(),
                );
            }
            if report.target != manifest.target {
                result
                    .problems
                    .push("the manifest names another target than report.json".into());
            }
        }
        Err(e) => result.problems.push(format!("report.json: {e}")),
    }
    Ok(result)
}

fn decode32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}
