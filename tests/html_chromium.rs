//! report.html in a real headless Chromium: rendered, screenshotted, and the
//! screenshot checked for the verdict banner and the requirement matrix,
//! for a certified and a not-certified run. For the not-certified run the
//! first screen (1280x900) must hold the first unmet requirement's
//! statement and the reproduce command of its first failing scenario: a
//! copy of the page with a measuring script appended (report.html itself
//! has no script) writes their positions into the DOM Chromium dumps.
//! The screenshots are kept in `$CARGO_TARGET_TMPDIR/html_chromium/` to
//! look at. Skipped with a message when no Chromium is installed, unless
//! INTERSPEC_REQUIRE_CHROMIUM is set (as in .ci/run, which installs
//! Debian's `chromium`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Colours from the report's stylesheet (src/report/html.rs).
const CERTIFIED_GREEN: [u8; 3] = [0x1a, 0x7f, 0x37];
const NOT_CERTIFIED_RED: [u8; 3] = [0xcf, 0x22, 0x2e];
const MATRIX_HEADER_BLUE: [u8; 3] = [0x05, 0x50, 0xae];

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("INTERSPEC_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"].map(|name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
}

/// The first screen: the window the page is shown in.
const SCREEN: (usize, usize) = (1280, 900);

/// Flags for a sandboxed, offline, headless run (no background traffic),
/// in a window of `height` pixels.
fn headless(browser: &Path, profile: &Path, height: usize) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.arg(format!("--window-size={},{height}", SCREEN.0));
    command
}

/// Appended to a copy of report.html: writes where the first unmet
/// requirement's statement and its first reproduce command end (page
/// pixels from the top), and their text, into an element of the DOM.
const MEASURE: &str = r#"<script>
(function () {
  var req = document.querySelector('#unmet .req');
  function at(el) {
    if (!el) { return 'missing'; }
    var r = el.getBoundingClientRect();
    return Math.ceil(r.bottom + window.scrollY) + ' ' + encodeURIComponent(el.textContent);
  }
  var out = document.createElement('pre');
  out.id = 'interspec-measure';
  out.textContent = 'viewport ' + window.innerHeight + ' -\n' +
    'statement ' + at(req && req.querySelector('.statement')) + '\n' +
    'reproduce ' + at(req && req.querySelector('pre.reproduce')) + '\n';
  document.body.appendChild(out);
})();
</script>"#;

/// (bottom in page pixels, text) of a measured element.
fn measured(dom: &str, name: &str) -> (usize, String) {
    let start = dom
        .find("id=\"interspec-measure\">")
        .expect("the measuring script ran");
    let line = dom[start..]
        .lines()
        .find_map(|l| l.split_once(&format!("{name} ")).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no {name} measured"));
    let (bottom, text) = line.split_once(' ').expect("bottom and text");
    let text = text.split('<').next().unwrap_or_default();
    (
        bottom.parse().expect("a position"),
        percent_decode(text.trim()),
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The page's `&amp;`-style escapes undone (the DOM dump escapes text).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

struct Pixels {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

fn decode(png_path: &Path) -> Pixels {
    let file = std::fs::File::open(png_path).expect("screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png header");
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).expect("png frame");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "a colour screenshot");
    let rgb = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    Pixels {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    }
}

impl Pixels {
    /// Pixels of `colour` (within a small tolerance) in rows `rows`.
    fn count(&self, colour: [u8; 3], rows: std::ops::Range<usize>) -> usize {
        let near = |p: &[u8; 3]| p.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 6);
        rows.flat_map(|y| (0..self.width).map(move |x| y * self.width + x))
            .filter(|&i| self.rgb.get(i).is_some_and(near))
            .count()
    }
}

fn check(browser: &Path, target: &str, certified: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let reports = dir.path().join("reports");
    let out = common::interspec(&[
        "certify",
        "--seed",
        "9",
        "--target",
        target,
        // Long enough for the media suite's dripped download (docs/media.md
        // §Downloads), short enough for a hanging mutant.
        "--call-timeout-ms",
        "10000",
        "--out",
        reports.to_str().expect("p"),
    ]);
    assert_eq!(out.status.code(), Some(if certified { 0 } else { 1 }));
    let page = format!("file://{}", reports.join("report.html").display());

    let dom = headless(browser, &dir.path().join("profile-dom"), 1400)
        .args(["--dump-dom", &page])
        .output()
        .expect("chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let headline = if certified {
        ">CERTIFIED</h1>"
    } else {
        ">NOT CERTIFIED</h1>"
    };
    assert!(dom.contains(headline), "the rendered DOM shows the verdict");
    assert!(
        dom.contains("Requirement matrix") && dom.contains("AD-001"),
        "the rendered DOM shows the matrix"
    );
    assert_eq!(
        dom.contains("id=\"unmet\""),
        !certified,
        "unmet requirements are listed exactly when there are some"
    );

    let shot = dir.path().join("report.png");
    let status = headless(browser, &dir.path().join("profile-shot"), SCREEN.1)
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("chromium");
    assert!(
        shot.is_file(),
        "Chromium wrote a screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html_chromium");
    let _ = std::fs::create_dir_all(&kept);
    let name = if certified { "passing" } else { "failing" };
    let _ = std::fs::copy(&shot, kept.join(format!("{name}.png")));
    let pixels = decode(&shot);
    assert_eq!(
        (pixels.width, pixels.height),
        SCREEN,
        "a screenshot of the first screen"
    );
    let banner = if certified {
        CERTIFIED_GREEN
    } else {
        NOT_CERTIFIED_RED
    };
    let top = 0..pixels.height / 6;
    assert!(
        pixels.count(banner, top.clone()) > 20_000,
        "the verdict banner is visible at the top"
    );
    let wrong = if certified {
        NOT_CERTIFIED_RED
    } else {
        CERTIFIED_GREEN
    };
    assert!(
        pixels.count(wrong, top) < 100,
        "and it is the right verdict"
    );
    if certified {
        assert!(
            pixels.count(MATRIX_HEADER_BLUE, 0..pixels.height) > 5_000,
            "with nothing unmet, the requirement matrix is on the first screen"
        );
        return;
    }

    // The first unmet requirement, as report.json has it.
    let report = common::read_json(&reports.join("report.json"));
    let first = report["verdict"]["must_unmet"][0]
        .as_str()
        .expect("an unmet MUST requirement");
    let requirement = report["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == first))
        .expect("the requirement");
    let failing = requirement["scenarios"]
        .as_array()
        .and_then(|ids| {
            ids.iter().find_map(|id| {
                report["scenarios"]
                    .as_array()?
                    .iter()
                    .find(|s| s["id"] == *id && (s["outcome"] == "fail" || s["outcome"] == "error"))
            })
        })
        .expect("a failing scenario of it");

    let html = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    assert!(
        !html.contains("<script"),
        "report.html itself has no script"
    );
    let measuring = reports.join("measure.html");
    std::fs::write(
        &measuring,
        html.replace("</body>", &format!("{MEASURE}</body>")),
    )
    .expect("write the measuring copy");
    let dom = headless(browser, &dir.path().join("profile-measure"), SCREEN.1)
        .args(["--dump-dom", &format!("file://{}", measuring.display())])
        .output()
        .expect("chromium");
    let dom = unescape(&String::from_utf8_lossy(&dom.stdout));
    // Headless Chromium's viewport is the window less its own chrome: the
    // first screen is the smaller of the two.
    let (viewport, _) = measured(&dom, "viewport");
    assert!(viewport > 400, "a viewport of {viewport} px");
    let screen = viewport.min(SCREEN.1);
    let (bottom, text) = measured(&dom, "statement");
    assert_eq!(text, requirement["statement"].as_str().expect("statement"));
    assert!(
        bottom <= screen,
        "the first unmet requirement's statement ends at {bottom} px, below the first screen"
    );
    let (bottom, text) = measured(&dom, "reproduce");
    assert_eq!(text, failing["reproduce"].as_str().expect("reproduce"));
    assert!(
        bottom <= screen,
        "its reproduce command ends at {bottom} px, below the first screen"
    );
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("INTERSPEC_REQUIRE_CHROMIUM").is_none(),
            "INTERSPEC_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!(
            "skipped: no Chromium installed (apt-get install chromium, or set INTERSPEC_CHROMIUM)"
        );
        return;
    };
    check(&browser, "builtin", true);
    check(&browser, "builtin:mutant/adapter-reset-keeps-state", false);
}
