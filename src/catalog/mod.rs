//! The catalog: requirements and the scenarios that check them, one TOML
//! file per suite under `suites/`. It is data, embedded in the binary at
//! build time (so an installed `interspec` is self-contained) and validated
//! on load.

pub mod coverage;
pub mod profile;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The largest catalog file read from disk.
const MAX_CATALOG_FILE: u64 = 4 * 1024 * 1024;

/// The catalog files built into the binary, in a fixed order.
const BUILTIN: &[(&str, &str)] = &[
    ("adapter.toml", include_str!("../../suites/adapter.toml")),
    (
        "handshake.toml",
        include_str!("../../suites/handshake.toml"),
    ),
    ("e2ee.toml", include_str!("../../suites/e2ee.toml")),
    ("stanza.toml", include_str!("../../suites/stanza.toml")),
    (
        "enlistment.toml",
        include_str!("../../suites/enlistment.toml"),
    ),
    ("media.toml", include_str!("../../suites/media.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    /// A fixed sequence of checks.
    #[default]
    Example,
    /// Generated cases (`--cases`), shrunk to a minimal failing input.
    Property,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub level: Level,
    pub statement: String,
    pub source: String,
    /// About Signal v3's bytes rather than a guarantee: out of scope when a
    /// profile certifies the e2ee suite on the compatible path and the
    /// target speaks another wire (docs/e2ee.md §Two paths).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signal_wire: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub requirements: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub kind: ScenarioKind,
    /// Optional Hello capabilities the scenario needs (one of
    /// [`OPTIONAL_CAPABILITIES`]). A target that does not declare them has
    /// opted out of the scenario: it is not applicable and never decides
    /// the verdict.
    #[serde(default)]
    pub needs: Vec<String>,
}

/// The optional capabilities of adapter protocol 1.1, 1.2, 1.5 and 1.6
/// (proto/adapter.proto `Capability`): features a target may lack and still
/// be certified.
pub const OPTIONAL_CAPABILITIES: &[&str] = &[
    "E2EE_CLONE_DEVICE",
    "E2EE_FIXED_KEYS",
    "E2EE_SAFETY_NUMBERS",
    "ENLISTMENT_CLOCK",
    "HANDSHAKE_FIXED_KEYS",
    "MEDIA_CLOCK",
    "MEDIA_SERVER_STORE",
    "MEDIA_OPENS",
    "MEDIA_WRITES",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub suite: String,
    pub title: String,
    pub description: String,
    /// The Hello capability a target must declare for this suite to apply;
    /// absent for suites every target must pass (the adapter suite).
    #[serde(default)]
    pub capability: Option<String>,
    #[serde(rename = "requirement", default)]
    pub requirements: Vec<Requirement>,
    #[serde(rename = "scenario", default)]
    pub scenarios: Vec<Scenario>,
    /// The requirements' rules and the scenarios that send each
    /// ([`coverage`]).
    #[serde(rename = "rule", default)]
    pub rules: Vec<coverage::Rule>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub suites: Vec<Suite>,
    /// SHA-256 over every catalog file, recorded in reports.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read the catalog: {0}")]
    Io(String),
}

impl Catalog {
    /// The catalog compiled into this binary.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_files(BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    /// Every `*.toml` directly inside `dir` (profiles live in a subfolder).
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| CatalogError::Io(format!("{}: {e}", dir.display())))?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| CatalogError::Io(e.to_string()))?.path();
            if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text =
                    crate::bounded::read_text(&path, MAX_CATALOG_FILE).map_err(|message| {
                        CatalogError::Invalid {
                            file: name.clone(),
                            message,
                        }
                    })?;
                files.push((name, text));
            }
        }
        Catalog::from_files(files)
    }

    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalog, CatalogError> {
        let mut files: Vec<(String, String)> = files.into_iter().collect();
        files.sort();
        let mut hasher = Sha256::new();
        let mut suites = Vec::new();
        for (name, text) in &files {
            // Length-prefixed so file boundaries cannot be shifted unnoticed.
            hasher.update((name.len() as u64).to_be_bytes());
            hasher.update(name.as_bytes());
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
            let suite: Suite = toml::from_str(text).map_err(|e| CatalogError::Parse {
                file: name.clone(),
                message: e.to_string(),
            })?;
            validate_suite(name, &suite)?;
            suites.push(suite);
        }
        let mut seen = BTreeSet::new();
        for suite in &suites {
            if !seen.insert(suite.suite.as_str()) {
                return Err(CatalogError::Invalid {
                    file: suite.suite.clone(),
                    message: format!("suite {:?} is defined twice", suite.suite),
                });
            }
        }
        validate_global_ids(&suites)?;
        Ok(Catalog {
            suites,
            sha256: hex::encode(hasher.finalize()),
        })
    }

    pub fn suite(&self, name: &str) -> Option<&Suite> {
        self.suites.iter().find(|s| s.suite == name)
    }

    pub fn requirement(&self, id: &str) -> Option<(&Suite, &Requirement)> {
        self.suites
            .iter()
            .find_map(|s| s.requirements.iter().find(|r| r.id == id).map(|r| (s, r)))
    }

    pub fn scenario(&self, id: &str) -> Option<(&Suite, &Scenario)> {
        self.suites
            .iter()
            .find_map(|s| s.scenarios.iter().find(|c| c.id == id).map(|c| (s, c)))
    }

    pub fn scenario_count(&self) -> usize {
        self.suites.iter().map(|s| s.scenarios.len()).sum()
    }
}

fn invalid(file: &str, message: String) -> CatalogError {
    CatalogError::Invalid {
        file: file.to_string(),
        message,
    }
}

fn validate_suite(file: &str, suite: &Suite) -> Result<(), CatalogError> {
    if !is_slug(&suite.suite) {
        return Err(invalid(
            file,
            format!(
                "suite name {:?} must be lower-case letters, digits and '-'",
                suite.suite
            ),
        ));
    }
    let mut requirement_ids = BTreeSet::new();
    for req in &suite.requirements {
        if !is_requirement_id(&req.id) {
            return Err(invalid(
                file,
                format!("requirement id {:?} must look like AB-001", req.id),
            ));
        }
        if !requirement_ids.insert(req.id.as_str()) {
            return Err(invalid(
                file,
                format!("requirement {} is listed twice", req.id),
            ));
        }
        if req.statement.trim().is_empty() || req.source.trim().is_empty() {
            return Err(invalid(
                file,
                format!("requirement {} needs a statement and a source", req.id),
            ));
        }
    }
    let mut scenario_ids = BTreeSet::new();
    let mut checked = BTreeSet::new();
    let prefix = format!("{}/", suite.suite);
    for scenario in &suite.scenarios {
        if let Some(unknown) = scenario
            .needs
            .iter()
            .find(|n| !OPTIONAL_CAPABILITIES.contains(&n.as_str()))
        {
            return Err(invalid(
                file,
                format!(
                    "scenario {} needs {unknown:?}, which is not an optional capability ({})",
                    scenario.id,
                    OPTIONAL_CAPABILITIES.join(", ")
                ),
            ));
        }
        let rest = scenario.id.strip_prefix(&prefix);
        if !rest.is_some_and(is_slug) {
            return Err(invalid(
                file,
                format!(
                    "scenario id {:?} must be {prefix}<lower-case-slug>",
                    scenario.id
                ),
            ));
        }
        if !scenario_ids.insert(scenario.id.as_str()) {
            return Err(invalid(
                file,
                format!("scenario {} is listed twice", scenario.id),
            ));
        }
        if scenario.requirements.is_empty() {
            return Err(invalid(
                file,
                format!("scenario {} checks no requirement", scenario.id),
            ));
        }
        for req in &scenario.requirements {
            if !requirement_ids.contains(req.as_str()) {
                return Err(invalid(
                    file,
                    format!("scenario {} names unknown requirement {req}", scenario.id),
                ));
            }
            checked.insert(req.as_str());
        }
    }
    if let Some(unchecked) = requirement_ids.difference(&checked).next() {
        return Err(invalid(
            file,
            format!("requirement {unchecked} is checked by no scenario"),
        ));
    }
    coverage::validate_rules(file, suite)
}

fn validate_global_ids(suites: &[Suite]) -> Result<(), CatalogError> {
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for suite in suites {
        for req in &suite.requirements {
            if let Some(other) = owners.insert(&req.id, &suite.suite) {
                return Err(invalid(
                    &suite.suite,
                    format!("requirement {} is also defined by suite {other}", req.id),
                ));
            }
        }
    }
    Ok(())
}

fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
}

fn is_requirement_id(text: &str) -> bool {
    match text.split_once('-') {
        Some((prefix, number)) => {
            (1..=4).contains(&prefix.len())
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && number.len() == 3
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Catalog, CatalogError> {
        Catalog::from_files([("t.toml".to_string(), text.to_string())])
    }

    const HEADER: &str = "suite = \"t\"\ntitle = \"T\"\ndescription = \"d\"\n";

    fn err_of(text: &str) -> String {
        match load(text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("catalog should have been refused"),
        }
    }

    #[test]
    fn builtin_catalog_loads() {
        let catalog = Catalog::builtin().expect("the built-in catalog is valid");
        assert!(catalog.suite("adapter").is_some());
        assert_eq!(catalog.sha256.len(), 64);
    }

    #[test]
    fn unknown_requirement_is_refused() {
        let text = format!(
            "{HEADER}[[requirement]]\nid=\"T-001\"\nlevel=\"MUST\"\nstatement=\"s\"\nsource=\"x\"\n\
             [[scenario]]\nid=\"t/a\"\ntitle=\"a\"\nrequirements=[\"T-001\",\"T-002\"]\n"
        );
        assert!(err_of(&text).contains("unknown requirement T-002"));
    }

    #[test]
    fn unchecked_requirement_is_refused() {
        let text = format!(
            "{HEADER}[[requirement]]\nid=\"T-001\"\nlevel=\"MUST\"\nstatement=\"s\"\nsource=\"x\"\n\
             [[requirement]]\nid=\"T-002\"\nlevel=\"MAY\"\nstatement=\"s\"\nsource=\"x\"\n\
             [[scenario]]\nid=\"t/a\"\ntitle=\"a\"\nrequirements=[\"T-001\"]\n"
        );
        assert!(err_of(&text).contains("T-002 is checked by no scenario"));
    }

    #[test]
    fn duplicate_scenario_is_refused() {
        let text = format!(
            "{HEADER}[[requirement]]\nid=\"T-001\"\nlevel=\"MUST\"\nstatement=\"s\"\nsource=\"x\"\n\
             [[scenario]]\nid=\"t/a\"\ntitle=\"a\"\nrequirements=[\"T-001\"]\n\
             [[scenario]]\nid=\"t/a\"\ntitle=\"b\"\nrequirements=[\"T-001\"]\n"
        );
        assert!(err_of(&text).contains("listed twice"));
    }

    #[test]
    fn scenario_outside_its_suite_prefix_is_refused() {
        let text = format!(
            "{HEADER}[[requirement]]\nid=\"T-001\"\nlevel=\"MUST\"\nstatement=\"s\"\nsource=\"x\"\n\
             [[scenario]]\nid=\"other/a\"\ntitle=\"a\"\nrequirements=[\"T-001\"]\n"
        );
        assert!(err_of(&text).contains("must be t/"));
    }

    #[test]
    fn unknown_field_and_bad_level_are_refused() {
        assert!(err_of(&format!("{HEADER}colour = 1\n")).contains("colour"));
        let text = format!("{HEADER}[[requirement]]\nid=\"T-001\"\nlevel=\"OUGHT\"\nstatement=\"s\"\nsource=\"x\"\n");
        assert!(err_of(&text).contains("OUGHT"));
    }
}
