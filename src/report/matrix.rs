//! `interspec report matrix A B …`: an interop matrix of several reports,
//! implementations (columns) × suites and requirements (rows), as one
//! self-contained HTML page (`matrix.html`) and a Markdown table
//! (`matrix.md`), so a provider compares releases or libraries at a glance.
//!
//! Every report is hostile input: each is read within the report size
//! bound, only its summary is kept, every string is clipped and escaped
//! where it is shown, and the numbers of reports and rows are bounded.

mod render;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use render::{render_html, render_markdown};

use super::escape;
use super::model::{Report, RequirementStatus, SuiteStatus, VerdictState};
use crate::catalog::Level;

/// The most reports one matrix compares.
pub const MAX_REPORTS: usize = 64;
/// The most requirement rows (over all reports) one matrix shows.
pub const MAX_ROWS: usize = 5000;
/// The longest a label, name or id is shown (characters).
const MAX_NAME: usize = 120;
/// The longest a requirement statement is shown (characters).
const MAX_STATEMENT: usize = 400;

/// What one cell of the matrix says about one requirement in one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Every scenario of it passed.
    Met,
    /// A scenario of it failed (`error == false`) or errored.
    Unmet { error: bool },
    /// In the run's selection, but not shown: not run (filter, shard,
    /// interruption).
    NotDemonstrated,
    /// The target answered `Unsupported` (`opted_out == false`) or does not
    /// declare the optional capability it needs.
    NotApplicable { opted_out: bool },
    /// Not in the report at all: its suite was not selected, or the report
    /// comes from a catalog without it.
    OutOfScope,
}

impl Cell {
    fn from_status(status: RequirementStatus) -> Cell {
        match status {
            RequirementStatus::Pass => Cell::Met,
            RequirementStatus::Fail => Cell::Unmet { error: false },
            RequirementStatus::Error => Cell::Unmet { error: true },
            RequirementStatus::NotRun => Cell::NotDemonstrated,
            RequirementStatus::NotApplicable => Cell::NotApplicable { opted_out: false },
            RequirementStatus::OptedOut => Cell::NotApplicable { opted_out: true },
        }
    }

    /// A symbol that tells the cells apart without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Cell::Met => "✓",
            Cell::Unmet { .. } => "✗",
            Cell::NotDemonstrated => "?",
            Cell::NotApplicable { .. } => "–",
            Cell::OutOfScope => "·",
        }
    }

    /// The words the cell shows next to its symbol.
    pub fn text(self) -> &'static str {
        match self {
            Cell::Met => "met",
            Cell::Unmet { error: false } => "unmet",
            Cell::Unmet { error: true } => "unmet (error)",
            Cell::NotDemonstrated => "not demonstrated",
            Cell::NotApplicable { opted_out: false } => "not applicable",
            Cell::NotApplicable { opted_out: true } => "not applicable (opted out)",
            Cell::OutOfScope => "out of scope",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Cell::Met => "met",
            Cell::Unmet { .. } => "unmet",
            Cell::NotDemonstrated => "undemonstrated",
            Cell::NotApplicable { .. } => "na",
            Cell::OutOfScope => "oos",
        }
    }

    /// Index into [`Column::counts`].
    fn slot(self) -> usize {
        match self {
            Cell::Met => 0,
            Cell::Unmet { .. } => 1,
            Cell::NotDemonstrated => 2,
            Cell::NotApplicable { .. } => 3,
            Cell::OutOfScope => 4,
        }
    }
}

/// The five kinds of cell, in the order of [`Column::counts`], for legends
/// and totals.
const KINDS: [Cell; 5] = [
    Cell::Met,
    Cell::Unmet { error: false },
    Cell::NotDemonstrated,
    Cell::NotApplicable { opted_out: false },
    Cell::OutOfScope,
];

/// One report: a column of the matrix.
#[derive(Debug, Clone)]
pub struct Column {
    pub label: String,
    /// The path it was read from.
    pub source: String,
    pub spec: String,
    pub implementation: String,
    pub protocol_version: String,
    pub verdict: VerdictState,
    pub harness: String,
    pub catalog_sha256: String,
    pub seed: u64,
    pub profile: String,
    pub shard: Option<String>,
    pub merged_shards: u32,
    pub finished_at: String,
    suites: HashMap<String, SuiteStatus>,
    requirements: HashMap<String, RequirementStatus>,
    /// Met, unmet, not demonstrated, not applicable, out of scope.
    pub counts: [usize; 5],
}

/// One requirement row, as the first report that lists it states it.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub level: Level,
    pub statement: String,
}

/// A suite and its requirement rows.
#[derive(Debug, Clone)]
pub struct SuiteRows {
    pub suite: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default)]
pub struct Matrix {
    pub columns: Vec<Column>,
    /// Suites in the order the reports list them (catalog order).
    pub suites: Vec<SuiteRows>,
    /// What a reader must know before comparing the columns (different
    /// catalogs, harness versions or profiles), one line each.
    pub warnings: Vec<String>,
    /// Every requirement id with a row.
    row_ids: HashSet<String>,
    /// Where each suite is in `suites`.
    suite_at: HashMap<String, usize>,
}

impl Matrix {
    /// Reads each report folder (or report.json) in turn, keeping only
    /// what the matrix shows; `labels[k]` names the k-th report.
    pub fn load(paths: &[PathBuf], labels: &[String]) -> Result<Matrix, String> {
        check_counts(paths.len(), labels.len())?;
        let mut matrix = Matrix::default();
        for path in paths {
            let file = if path.is_dir() {
                path.join("report.json")
            } else {
                path.clone()
            };
            let report = Report::load(&file)?;
            matrix.add(&file.display().to_string(), &report)?;
        }
        matrix.finish(labels);
        Ok(matrix)
    }

    /// The matrix of reports already in memory, `(source, report)` each.
    pub fn build(reports: &[(String, Report)], labels: &[String]) -> Result<Matrix, String> {
        check_counts(reports.len(), labels.len())?;
        let mut matrix = Matrix::default();
        for (source, report) in reports {
            matrix.add(source, report)?;
        }
        matrix.finish(labels);
        Ok(matrix)
    }

    fn add(&mut self, source: &str, report: &Report) -> Result<(), String> {
        let mut requirements = HashMap::new();
        for r in &report.requirements {
            if requirements.insert(r.id.clone(), r.status).is_some() {
                return Err(format!(
                    "{}: requirement {} is listed twice",
                    escape::terminal(source),
                    escape::terminal(&clip(&r.id, MAX_NAME))
                ));
            }
            self.add_row(&r.suite, &r.id, r.level, &r.statement)?;
        }
        let mut suites = HashMap::new();
        for s in &report.verdict.suites {
            suites.entry(s.suite.clone()).or_insert(s.status);
            self.suite_index(&s.suite)?;
        }
        let t = &report.target;
        self.columns.push(Column {
            label: String::new(),
            source: source.to_string(),
            spec: t.spec.clone(),
            implementation: format!("{} {}", t.implementation_name, t.implementation_version),
            protocol_version: t.protocol_version.clone(),
            verdict: report.verdict.state,
            harness: format!("{} {}", report.harness.name, report.harness.version),
            catalog_sha256: report.catalog.sha256.clone(),
            seed: report.run.seed,
            profile: report.run.profile.clone(),
            shard: report.run.shard.clone(),
            merged_shards: report.run.merged_shards,
            finished_at: report.run.finished_at.clone(),
            suites,
            requirements,
            counts: [0; 5],
        });
        Ok(())
    }

    /// The index of `suite` in `suites`, added at the end when new.
    fn suite_index(&mut self, suite: &str) -> Result<usize, String> {
        if let Some(&at) = self.suite_at.get(suite) {
            return Ok(at);
        }
        if self.suites.len() >= MAX_ROWS {
            return Err(format!("the reports name more than {MAX_ROWS} suites"));
        }
        self.suites.push(SuiteRows {
            suite: suite.to_string(),
            rows: Vec::new(),
        });
        self.suite_at
            .insert(suite.to_string(), self.suites.len() - 1);
        Ok(self.suites.len() - 1)
    }

    fn add_row(
        &mut self,
        suite: &str,
        id: &str,
        level: Level,
        statement: &str,
    ) -> Result<(), String> {
        if self.row_ids.contains(id) {
            return Ok(());
        }
        if self.row_ids.len() >= MAX_ROWS {
            return Err(format!(
                "the reports hold more than {MAX_ROWS} requirements in all"
            ));
        }
        let at = self.suite_index(suite)?;
        self.row_ids.insert(id.to_string());
        self.suites[at].rows.push(Row {
            id: id.to_string(),
            level,
            statement: statement.to_string(),
        });
        Ok(())
    }

    /// How many requirement rows the matrix has.
    pub fn row_count(&self) -> usize {
        self.suites.iter().map(|s| s.rows.len()).sum()
    }

    /// Names the columns, counts their cells and states the warnings.
    fn finish(&mut self, labels: &[String]) {
        let defaults: Vec<String> = self
            .columns
            .iter()
            .map(|c| c.implementation.clone())
            .collect();
        let mut names = Vec::with_capacity(self.columns.len());
        for (k, column) in self.columns.iter().enumerate() {
            let name = match labels.get(k) {
                Some(label) => label.clone(),
                None if defaults.iter().filter(|d| **d == defaults[k]).count() > 1 => {
                    format!("{} ({})", column.implementation, column.spec)
                }
                None => column.implementation.clone(),
            };
            names.push(clip(&name, MAX_NAME));
        }
        // Still equal (the same target twice, or equal labels): number them.
        let numbered: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(k, n)| {
                if names.iter().filter(|m| *m == n).count() > 1 {
                    format!("{n} #{}", k + 1)
                } else {
                    n.clone()
                }
            })
            .collect();
        for (column, label) in self.columns.iter_mut().zip(numbered) {
            column.label = label;
        }
        let ids: Vec<String> = self
            .suites
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.id.clone()))
            .collect();
        for k in 0..self.columns.len() {
            let mut counts = [0; 5];
            for id in &ids {
                counts[self.cell(k, id).slot()] += 1;
            }
            self.columns[k].counts = counts;
        }
        self.warnings = self.differences();
    }

    fn differences(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut differ = |what: &str, value: &dyn Fn(&Column) -> String| {
            let Some(first) = self.columns.first() else {
                return;
            };
            if self.columns.iter().all(|c| value(c) == value(first)) {
                return;
            }
            // Each value once, with the columns that have it.
            let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
            for c in &self.columns {
                let v = clip(&value(c), MAX_NAME);
                match groups.iter_mut().find(|(seen, _)| *seen == v) {
                    Some((_, labels)) => labels.push(&c.label),
                    None => groups.push((v, vec![&c.label])),
                }
            }
            let each: Vec<String> = groups
                .iter()
                .map(|(v, labels)| format!("{v} in {}", labels.join(", ")))
                .collect();
            warnings.push(format!(
                "the reports come from different {what}: {}",
                each.join("; ")
            ));
        };
        differ(
            "catalogs (the same requirement id may not mean the same check)",
            &|c| c.catalog_sha256.clone(),
        );
        differ("harness versions", &|c| c.harness.clone());
        differ("profiles", &|c| c.profile.clone());
        warnings
    }

    /// The cell of requirement `id` in column `k`.
    pub fn cell(&self, k: usize, id: &str) -> Cell {
        self.columns
            .get(k)
            .and_then(|c| c.requirements.get(id))
            .map_or(Cell::OutOfScope, |&s| Cell::from_status(s))
    }

    /// The verdict of `suite` in column `k`, `None` when the report does
    /// not judge it.
    pub fn suite_status(&self, k: usize, suite: &str) -> Option<SuiteStatus> {
        self.columns
            .get(k)
            .and_then(|c| c.suites.get(suite).copied())
    }

    /// Writes `matrix.html` and `matrix.md` into `dir`, returning their paths.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let html = dir.join("matrix.html");
        write_file(&html, render_html(self).as_bytes())?;
        let md = dir.join("matrix.md");
        write_file(&md, render_markdown(self).as_bytes())?;
        Ok(vec![html, md])
    }
}

fn check_counts(reports: usize, labels: usize) -> Result<(), String> {
    if reports == 0 {
        return Err("report matrix needs at least one report".into());
    }
    if reports > MAX_REPORTS {
        return Err(format!(
            "report matrix compares at most {MAX_REPORTS} reports, not {reports}"
        ));
    }
    if labels > reports {
        return Err(format!("{labels} labels for {reports} reports"));
    }
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    // Write then rename, so a reader never sees half a page.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// At most `max` characters of `text`, with `…` when cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
