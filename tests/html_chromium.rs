//! report.html in a real headless Chromium: rendered, screenshotted, and the
//! screenshot checked for the verdict banner and the requirement matrix,
//! for a certified and a not-certified run. Skipped with a message when no
//! Chromium is installed, unless INTERSPEC_REQUIRE_CHROMIUM is set (as in
//! .ci/run, which installs Debian's `chromium`).

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

/// Flags for a sandboxed, offline, headless run (no background traffic).
fn headless(browser: &Path, profile: &Path) -> Command {
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
        "--window-size=1280,1400",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
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
        "--call-timeout-ms",
        "3000",
        "--out",
        reports.to_str().expect("p"),
    ]);
    assert_eq!(out.status.code(), Some(if certified { 0 } else { 1 }));
    let page = format!("file://{}", reports.join("report.html").display());

    let dom = headless(browser, &dir.path().join("profile-dom"))
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

    let shot = dir.path().join("report.png");
    let status = headless(browser, &dir.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .expect("chromium");
    assert!(
        shot.is_file(),
        "Chromium wrote a screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pixels = decode(&shot);
    assert!(pixels.height >= 1000, "{}x{}", pixels.width, pixels.height);
    let banner = if certified {
        CERTIFIED_GREEN
    } else {
        NOT_CERTIFIED_RED
    };
    let top = 0..pixels.height / 8;
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
    assert!(
        pixels.count(MATRIX_HEADER_BLUE, 0..pixels.height) > 5_000,
        "the requirement matrix is visible on the first screen"
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
