//! `report matrix`: real certifications of the reference, a mutant and a
//! variant (the adapter suite only, so it is fast) side by side; the
//! mutant's unmet requirements show unmet in its column and met in the
//! others, the page is well-formed, self-contained and escapes hostile text,
//! and reports of different catalogs are flagged.

mod common;

use std::path::Path;

use common::{interspec, read_json};
use interspec::report::matrix::{Cell, Matrix};
use interspec::report::Report;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

const MUTANT: &str = "adapter-reset-keeps-state";
const VARIANT: &str = "adapter-protocol-1-0";

fn certify(out: &Path, target: &str) -> Option<i32> {
    let out = out.to_str().expect("path");
    let args = [
        "certify", "--target", target, "--suite", "adapter", "--seed", "5", "--out", out,
    ];
    interspec(&args).status.code()
}

fn matrix(out: &Path, reports: &[&Path], labels: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["report", "matrix", "--out", out.to_str().expect("path")];
    for label in labels {
        args.extend(["--label", label]);
    }
    args.extend(reports.iter().map(|p| p.to_str().expect("path")));
    let result = interspec(&args);
    (
        result.status.code(),
        String::from_utf8_lossy(&result.stdout).into_owned(),
        String::from_utf8_lossy(&result.stderr).into_owned(),
    )
}

/// The elements a self-contained page may use: no script, image, link,
/// frame, object or form.
const ALLOWED: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "strong", "table", "thead",
    "tbody", "tr", "th", "td", "code", "ul", "li", "span",
];

/// Parses the page as XML (so it is well-formed), checks it uses only
/// [`ALLOWED`] elements and no attribute that loads anything, and returns
/// the text of every table row, cell by cell.
fn rows_of(html: &str) -> Vec<Vec<String>> {
    let mut reader = Reader::from_str(html);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Option<String> = None;
    loop {
        match reader.read_event().expect("well-formed page") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert!(ALLOWED.contains(&name.as_str()), "element <{name}>");
                for a in e.attributes() {
                    let a = a.expect("attribute");
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    assert!(
                        ["lang", "charset", "class", "colspan"].contains(&key.as_str()),
                        "attribute {key}"
                    );
                }
                match name.as_str() {
                    "tr" => rows.push(Vec::new()),
                    "td" | "th" => cell = Some(String::new()),
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(text) = cell.as_mut() {
                    text.push_str(&t.decode().expect("utf-8"));
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().expect("utf-8");
                let c = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "#39" => "'",
                    other => panic!("unexpected entity &{other};"),
                };
                if let Some(text) = cell.as_mut() {
                    text.push_str(c);
                }
            }
            Event::End(e) if matches!(e.name().as_ref(), b"td" | b"th") => {
                let text = cell.take().expect("cell open");
                rows.last_mut().expect("row open").push(text);
            }
            _ => {}
        }
    }
    rows
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(first))
        .unwrap_or_else(|| panic!("no row {first}"))
}

/// The cells of the Markdown table row whose first cell is `first`.
fn md_row(md: &str, first: &str) -> Vec<String> {
    let line = md
        .lines()
        .find(|l| l.starts_with(&format!("| {first} |")))
        .unwrap_or_else(|| panic!("no Markdown row {first}"));
    // Split on the pipes that are not escaped.
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in line.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => cells.last_mut().expect("cell").push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    cells[1..cells.len() - 1]
        .iter()
        .map(|c| c.trim().to_string())
        .collect()
}

fn failed_requirements(report: &Value) -> Vec<String> {
    report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn reference_mutant_and_variant_side_by_side() {
    let root = tempfile::tempdir().expect("tempdir");
    let reference = root.path().join("reference");
    let mutant = root.path().join("mutant");
    let variant = root.path().join("variant");
    assert_eq!(
        certify(&reference, "builtin"),
        Some(4),
        "one suite: incomplete"
    );
    let mutant_spec = format!("builtin:mutant/{MUTANT}");
    assert_eq!(
        certify(&mutant, &mutant_spec),
        Some(1),
        "the mutant is caught"
    );
    let variant_spec = format!("builtin:variant/{VARIANT}");
    assert_eq!(certify(&variant, &variant_spec), Some(4));

    let out = root.path().join("matrix");
    let (code, stdout, stderr) = matrix(&out, &[&reference, &mutant, &variant], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("warning"), "one catalog: {stderr}");
    assert!(stdout.contains("matrix of 3 reports"), "{stdout}");

    let unmet = failed_requirements(&read_json(&mutant.join("report.json")));
    assert!(unmet.contains(&"AD-005".to_string()), "{unmet:?}");
    let html = std::fs::read_to_string(out.join("matrix.html")).expect("matrix.html");
    let md = std::fs::read_to_string(out.join("matrix.md")).expect("matrix.md");
    let rows = rows_of(&html);

    // Each column is named by its target and told apart by its spec.
    let verdicts = row(&rows, "verdict");
    assert_eq!(
        verdicts,
        ["verdict", "INCOMPLETE", "NOT CERTIFIED", "INCOMPLETE"]
    );
    let target = row(&rows, "target");
    assert_eq!(target[1..], ["builtin", &mutant_spec, &variant_spec]);
    assert_eq!(row(&rows, "seed")[1..], ["5", "5", "5"]);
    let headers = rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some("requirement"));
    let headers = headers.expect("requirement header");
    assert_eq!(headers.len(), 6, "{headers:?}");
    assert!(headers[3].contains(MUTANT), "{headers:?}");
    assert!(headers[2] != headers[3] && headers[3] != headers[4]);

    let adapter_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[0].starts_with("AD-")).collect();
    assert!(adapter_rows.len() >= 9, "{adapter_rows:?}");
    for r in adapter_rows {
        let id = &r[0];
        let expected_mutant = if unmet.contains(id) {
            "✗ unmet"
        } else {
            "✓ met"
        };
        assert_eq!(r[2..5], ["✓ met", expected_mutant, "✓ met"], "{id}");
        assert_eq!(md_row(&md, &format!("{id} (MUST)"))[1..], r[2..5], "{id}");
        assert!(!r[5].is_empty(), "{id} has its statement");
    }
    let suite = row(&rows, "suite adapter");
    assert_eq!(suite[1..4], ["met", "not met", "met"]);
    assert_eq!(
        md_row(&md, "**suite adapter**")[1..],
        ["**met**", "**not met**", "**met**"]
    );
    // Suites the runs did not select are shown as such.
    assert_eq!(row(&rows, "suite e2ee")[1..4], ["not covered"; 3]);
}

/// A report whose strings try to inject markup, and whose catalog differs.
fn hostile_copy(reference: &Path, dir: &Path) {
    let mut report = read_json(&reference.join("report.json"));
    report["target"]["implementation_name"] = "<script>alert(1)</script> | **x**".into();
    report["target"]["spec"] = "exec:evil\u{1b}[31m`|`".into();
    report["catalog"]["sha256"] = "not-the-same<b>".into();
    let requirements = report["requirements"].as_array_mut().expect("requirements");
    requirements[0]["statement"] =
        "</td></tr><tr><td>AD-999\n# CERTIFIED &amp; [x](http://e)".into();
    for (k, status) in [
        (1, "not-applicable"),
        (2, "not-run"),
        (3, "opted-out"),
        (4, "error"),
    ] {
        requirements[k]["status"] = status.into();
    }
    requirements.push(serde_json::json!({
        "id": "XX-001 <i>", "suite": "only | here", "level": "SHOULD",
        "statement": "s", "source": "", "status": "pass", "scenarios": []
    }));
    std::fs::create_dir_all(dir).expect("mkdir");
    let text = serde_json::to_string(&report).expect("json");
    std::fs::write(dir.join("report.json"), text).expect("write");
}

#[test]
fn hostile_text_is_escaped_and_other_catalogs_are_flagged() {
    let root = tempfile::tempdir().expect("tempdir");
    let reference = root.path().join("reference");
    assert_eq!(certify(&reference, "builtin"), Some(4));
    let hostile = root.path().join("hostile");
    hostile_copy(&reference, &hostile);

    let out = root.path().join("matrix");
    let (code, _, stderr) = matrix(&out, &[&hostile, &reference], &["theirs <b>", "ours"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("different catalogs"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no terminal escape reaches stderr"
    );
    let html = std::fs::read_to_string(out.join("matrix.html")).expect("matrix.html");
    let md = std::fs::read_to_string(out.join("matrix.md")).expect("matrix.md");
    let rows = rows_of(&html);

    assert!(html.contains("class=\"warning\""), "the page says it too");
    assert!(md.contains("**Warning:** the reports come from different catalogs"));
    assert!(
        md.contains("not-the-same\\<b\\> in theirs \\<b\\>;"),
        "each hash with its columns"
    );
    let ids = row(&rows, "requirement");
    assert_eq!(ids[2..4], ["theirs <b>", "ours"]);
    let name = row(&rows, "implementation");
    assert!(name[1].starts_with("<script>alert(1)</script>"), "{name:?}");
    assert!(!html.contains("<script"), "shown as text, never as markup");
    assert!(row(&rows, "target")[1].contains("\\u{1b}"), "control shown");
    // The injected row is text inside the statement cell, not a row.
    assert!(!rows.iter().any(|r| r[0] == "AD-999"));
    let first = &rows
        .iter()
        .find(|r| r[0].starts_with("AD-"))
        .expect("AD row");
    assert!(first[4].starts_with("</td></tr>"), "{first:?}");

    let hostile_report = Report::load(&hostile.join("report.json")).expect("load");
    let cells: Vec<String> = hostile_report.requirements[1..5]
        .iter()
        .map(|r| row(&rows, &r.id)[2].clone())
        .collect();
    let expected = [
        "– not applicable",
        "? not demonstrated",
        "– not applicable (opted out)",
        "✗ unmet (error)",
    ];
    assert_eq!(cells, expected);
    // A requirement only one report has is out of scope in the other.
    assert_eq!(
        row(&rows, "XX-001 <i>")[1..4],
        ["SHOULD", "✓ met", "· out of scope"]
    );
    assert_eq!(
        row(&rows, "suite only | here")[1..3],
        ["out of scope", "out of scope"]
    );

    // Markdown: no heading, HTML or table cell can be injected.
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings,
        [
            "# Interop matrix",
            "## Reports",
            "## Suites and requirements"
        ]
    );
    // Outside code spans (whose text is never markup), no raw HTML.
    let outside_code: String = md.split('`').step_by(2).collect();
    assert!(
        !outside_code.replace("\\<", "").contains('<'),
        "no raw HTML"
    );
    assert!(md.contains("`<script>alert(1)</script> \\| **x** 0.1.0`"));
    assert!(md.contains("| theirs \\<b\\> | ours |"), "labels escaped");
    let escaped_row = md_row(&md, "XX-001 \\<i\\> (SHOULD)");
    assert_eq!(escaped_row[1..], ["✓ met", "· out of scope"]);
    assert_eq!(
        md_row(&md, "target")[1..],
        ["`exec:evil\\u{1b}[31m'\\|'`", "`builtin`"]
    );
}

#[test]
fn equal_targets_are_numbered_and_bad_input_is_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let reference = root.path().join("reference");
    assert_eq!(certify(&reference, "builtin"), Some(4));
    let report = Report::load(&reference.join("report.json")).expect("load");
    let twice = [("a".to_string(), report.clone()), ("b".to_string(), report)];
    let m = Matrix::build(&twice, &[]).expect("matrix");
    let labels: Vec<&str> = m.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "interspec-reference 0.1.0 (builtin) #1",
            "interspec-reference 0.1.0 (builtin) #2"
        ]
    );
    assert_eq!(m.cell(0, "AD-001"), Cell::Met);
    assert_eq!(m.cell(1, "NO-SUCH"), Cell::OutOfScope);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);

    // Bounded: too many requirement rows or reports are refused, not drawn.
    let mut huge = twice[0].1.clone();
    let one = huge.requirements[0].clone();
    huge.requirements = (0..=interspec::report::matrix::MAX_ROWS)
        .map(|k| {
            let mut r = one.clone();
            r.id = format!("R-{k}");
            r
        })
        .collect();
    let err = Matrix::build(&[("huge".into(), huge)], &[]).expect_err("bounded");
    assert!(err.contains("more than 5000 requirements"), "{err}");
    let many = vec![twice[0].clone(); interspec::report::matrix::MAX_REPORTS + 1];
    let err = Matrix::build(&many, &[]).expect_err("bounded");
    assert!(err.contains("at most 64 reports"), "{err}");

    let out = root.path().join("matrix");
    let (code, _, stderr) = matrix(&out, &[&reference], &["a", "b"]);
    assert_eq!(code, Some(2), "more labels than reports");
    assert!(stderr.contains("2 labels for 1 reports"), "{stderr}");
    let junk = root.path().join("junk.json");
    std::fs::write(&junk, b"{\"schema_version\": 3, \"target\": 1}").expect("write");
    let (code, _, stderr) = matrix(&out, &[&reference, &junk], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("not an interspec report"), "{stderr}");
    let (code, _, _) = matrix(&out, &[&root.path().join("missing")], &[]);
    assert_eq!(code, Some(2));
    assert!(
        !out.join("matrix.html").exists(),
        "nothing written on error"
    );
}
