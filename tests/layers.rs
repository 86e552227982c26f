//! The layers of `src/` (docs/architecture.md): which top-level module may
//! import which. Dependencies point one way, so there is no cycle, and the
//! judge (scenario, suites, peer, runner, report) never reaches
//! `src/targets`, not even through another module: a bug in a target is
//! never shared by the code that checks it.
//!
//! Imports are read from the source text (`crate::m`, and `super::m` paths
//! that climb to the crate root), outside `#[cfg(test)]` modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module, lowest layer first, with what it may import.
/// A module may import only modules listed before it.
const LAYERS: &[(&str, &[&str])] = &[
    ("bounded", &[]),
    ("redact", &[]),
    ("adapter", &["bounded", "redact"]),
    ("catalog", &["bounded", "adapter"]),
    ("peer", &["bounded", "adapter", "catalog"]),
    ("scenario", &["adapter", "catalog"]),
    ("vectors", &["bounded", "catalog", "peer"]),
    (
        "suites",
        &[
            "bounded", "adapter", "catalog", "peer", "scenario", "vectors",
        ],
    ),
    ("runner", &["bounded", "adapter", "catalog", "scenario"]),
    (
        "report",
        &[
            "bounded", "redact", "adapter", "catalog", "scenario", "runner",
        ],
    ),
    ("targets", &["bounded", "adapter", "catalog", "peer"]),
    (
        "selftest",
        &["catalog", "scenario", "suites", "runner", "targets"],
    ),
    (
        "bench",
        &[
            "bounded", "adapter", "catalog", "peer", "scenario", "suites", "runner", "targets",
        ],
    ),
    (
        "cli",
        &[
            "bounded", "adapter", "catalog", "scenario", "vectors", "suites", "runner", "report",
            "targets", "selftest", "bench",
        ],
    ),
];

/// The judge: these must not reach `targets` by any path.
const JUDGE: &[&str] = &["scenario", "suites", "peer", "runner", "report"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `src/suites/e2ee/mod.rs` is
/// `suites::e2ee`, `src/suites/e2ee/harness.rs` is `suites::e2ee::harness`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// Source text without `#[cfg(test)]` modules and without line comments.
fn code_outside_tests(text: &str) -> String {
    let mut code = String::new();
    let mut skipping_from: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let without_comment = match trimmed.find("//") {
            Some(i) => &trimmed[..i],
            None => trimmed,
        };
        if skipping_from.is_none() {
            if without_comment.starts_with("#[cfg(test)]") {
                pending_cfg_test = true;
                continue;
            }
            if pending_cfg_test && without_comment.starts_with("mod ") {
                pending_cfg_test = false;
                if without_comment.trim_end().ends_with(';') {
                    continue;
                }
                skipping_from = Some(depth);
            } else {
                pending_cfg_test = false;
            }
        }
        let opens = without_comment.matches('{').count();
        let closes = without_comment.matches('}').count();
        depth = (depth + opens).saturating_sub(closes);
        match skipping_from {
            Some(level) => {
                if depth <= level && closes > 0 {
                    skipping_from = None;
                }
            }
            None => {
                code.push_str(without_comment);
                code.push('\n');
            }
        }
    }
    code
}

/// The top-level modules `code` (in module `path`) names.
fn imports(code: &str, path: &[String], tops: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let word_at = |start: usize| -> String {
        code[start..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
            continue; // `$crate::` and the like
        }
        let word = word_at(i + "crate::".len());
        if tops.contains(word.as_str()) {
            found.insert(word);
        }
    }
    for (i, _) in code.match_indices("super::") {
        if i >= 2 && &code[i - 2..i] == "::" {
            continue; // counted from the first `super::`
        }
        let mut climbs = 0;
        let mut at = i;
        while code[at..].starts_with("super::") {
            climbs += 1;
            at += "super::".len();
        }
        if climbs == path.len() {
            let word = word_at(at);
            if tops.contains(word.as_str()) {
                found.insert(word);
            }
        }
    }
    if let Some(own) = path.first() {
        found.remove(own);
    }
    found
}

/// Which top-level module imports which, with the files that do it.
fn import_graph() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let tops: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in files {
        let path = module_path(&src, &file);
        let Some(top) = path.first() else {
            continue; // lib.rs, main.rs
        };
        if matches!(top.as_str(), "lib" | "main") {
            continue;
        }
        assert!(
            tops.contains(top.as_str()),
            "src/{top} is not in the LAYERS table of tests/layers.rs (and docs/architecture.md)"
        );
        let text = std::fs::read_to_string(&file).expect("read source");
        for import in imports(&code_outside_tests(&text), &path, &tops) {
            graph
                .entry(top.clone())
                .or_default()
                .entry(import)
                .or_default()
                .push(
                    file.strip_prefix(&src)
                        .expect("under src")
                        .display()
                        .to_string(),
                );
        }
    }
    graph
}

#[test]
fn the_layer_table_points_one_way() {
    for (position, (module, allowed)) in LAYERS.iter().enumerate() {
        let below: BTreeSet<&str> = LAYERS[..position].iter().map(|(m, _)| *m).collect();
        for dependency in *allowed {
            assert!(
                below.contains(dependency),
                "{module} may import {dependency}, which is not below it in LAYERS"
            );
        }
    }
}

#[test]
fn every_import_is_allowed_by_the_layer_table() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut offenders = Vec::new();
    for (module, imports) in import_graph() {
        let permitted = allowed.get(module.as_str()).copied().unwrap_or_default();
        for (import, files) in imports {
            if !permitted.contains(&import.as_str()) {
                offenders.push(format!("{module} imports {import} in {}", files.join(", ")));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "imports the layers forbid (docs/architecture.md):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_judge_does_not_reach_the_targets() {
    let graph = import_graph();
    for judge in JUDGE {
        let mut seen = BTreeSet::new();
        let mut queue = vec![judge.to_string()];
        while let Some(module) = queue.pop() {
            assert!(
                module != "targets",
                "{judge} reaches src/targets through its imports"
            );
            if seen.insert(module.clone()) {
                queue.extend(
                    graph
                        .get(&module)
                        .into_iter()
                        .flat_map(|m| m.keys().cloned()),
                );
            }
        }
    }
}

#[test]
fn the_import_reader_sees_what_it_must() {
    let tops: BTreeSet<&str> = ["targets", "peer", "suites"].into_iter().collect();
    let path = vec![
        "suites".to_string(),
        "e2ee".to_string(),
        "harness".to_string(),
    ];
    let code = code_outside_tests(
        "use crate::peer::x;\n\
         fn f() { super::super::super::targets::g(); }\n\
         // use crate::targets::commented;\n\
         #[cfg(test)]\nmod tests {\n    use crate::targets::in_tests;\n    fn h() { if x { } }\n}\n\
         fn after() { my_crate::targets::other(); super::super::suites_helper(); }\n",
    );
    let found = imports(&code, &path, &tops);
    assert_eq!(
        found,
        ["peer", "targets"].into_iter().map(String::from).collect()
    );
}

/// A file that does several jobs shows in its length: none under `src/` is
/// over 700 lines, its `#[cfg(test)]` module excepted.
#[test]
fn no_source_file_is_over_700_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let text = std::fs::read_to_string(file).expect("read source");
            let lines = code_outside_tests(&text).lines().count();
            (lines > 700).then(|| format!("{}: {lines} lines", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by job:\n{}", long.join("\n"));
}
