//! No report file of a run that handled known secrets shows them: the
//! private keys of the fixed-key golden transcripts never appear (in hex or
//! base64, not even an 8-byte piece), and user plaintext appears only up to
//! the configured excerpt. The run uses a mutant, so the transcript
//! scenarios fail and their evidence (frames carrying those keys and
//! plaintexts) is in the report.

mod common;

use base64::Engine;

const EXCERPT: usize = 16;
/// Long enough not to match by chance, short enough to catch a partial leak.
const WINDOW: usize = 8;

fn hex_list(value: &serde_json::Value) -> Vec<Vec<u8>> {
    match value {
        serde_json::Value::String(s) => hex::decode(s).into_iter().collect(),
        serde_json::Value::Array(items) => items.iter().flat_map(hex_list).collect(),
        _ => Vec::new(),
    }
}

/// (secrets, plaintexts) of the session transcripts the e2ee suite replays.
fn known_values() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/signal/interspec-generated.json"
    ))
    .expect("vectors");
    let file: serde_json::Value = serde_json::from_str(&text).expect("json");
    let (mut secrets, mut plaintexts) = (Vec::new(), Vec::new());
    let vectors = file["vectors"].as_array().expect("vectors");
    for t in vectors.iter().filter(|v| v["kind"] == "session-transcript") {
        for party in [&t["alice"], &t["bob"]] {
            for field in [
                "identity_private",
                "signed_prekey_private",
                "ephemeral_privates",
            ] {
                secrets.extend(hex_list(&party[field]));
            }
            for otp in party["one_time_prekeys"].as_array().into_iter().flatten() {
                secrets.extend(hex_list(&otp["private"]));
            }
        }
        for m in t["messages"].as_array().expect("messages") {
            plaintexts.extend(hex_list(&m["plaintext"]));
        }
    }
    (secrets, plaintexts)
}

fn leaks(report: &str, bytes: &[u8]) -> Option<String> {
    for window in bytes.windows(WINDOW) {
        for shown in [hex::encode(window), hex::encode_upper(window)] {
            if report.contains(&shown) {
                return Some(shown);
            }
        }
    }
    // As text, the whole of it (an 8-byte piece of a sentence, " message",
    // would match the report's own words; a run of one character, such as
    // the vector's forty `*`, would match the mask itself).
    let one_repeated_byte = bytes.windows(2).all(|w| w[0] == w[1]);
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.len() >= WINDOW && !one_repeated_byte && report.contains(text) {
            return Some(text.to_string());
        }
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    report.contains(&b64).then_some(b64)
}

/// The bytes of the hex dumps in decoded evidence (`0000  0a 1f ** … |..*|`
/// rows), each unbroken run of shown bytes as one sequence: a value split
/// across rows is still found whole.
fn dumped_runs(report: &str) -> Vec<Vec<u8>> {
    let mut runs = vec![Vec::new()];
    for line in report.lines() {
        let row = line.trim_start();
        let Some((offset, rest)) = row.split_once("  ") else {
            runs.push(Vec::new());
            continue;
        };
        if offset.len() != 4
            || !offset.bytes().all(|b| b.is_ascii_hexdigit())
            || !rest.contains('|')
        {
            runs.push(Vec::new());
            continue;
        }
        for token in rest
            .split('|')
            .next()
            .unwrap_or_default()
            .split_whitespace()
        {
            match u8::from_str_radix(token, 16) {
                Ok(byte) if token.len() == 2 => runs.last_mut().expect("a run").push(byte),
                _ => runs.push(Vec::new()),
            }
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// Whether any [`WINDOW`]-byte piece of `bytes` is in a hex dump.
fn leaks_in_dumps(runs: &[Vec<u8>], bytes: &[u8]) -> bool {
    bytes
        .windows(WINDOW)
        .any(|w| runs.iter().any(|run| run.windows(WINDOW).any(|r| r == w)))
}

#[test]
fn reports_never_show_keys_or_more_than_an_excerpt_of_plaintext() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = common::interspec(&[
        "certify",
        "--suite",
        "e2ee",
        "--filter",
        "e2ee/transcript-*",
        "--target",
        "builtin:mutant/e2ee-constant-iv",
        "--plaintext-excerpt",
        &EXCERPT.to_string(),
        "--seed",
        "5",
        "--out",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (secrets, plaintexts) = known_values();
    assert!(secrets.len() >= 8 && plaintexts.len() >= 4);

    let json = std::fs::read_to_string(dir.path().join("report.json")).expect("report.json");
    assert!(
        json.contains("E2eeCreateDevice") && json.contains("**"),
        "the frames carrying the keys are in the evidence, masked"
    );

    // The decoded form of the same frames is there too, masked the same way.
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
    let decoded: Vec<String> = parsed["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .flat_map(|s| {
            s["evidence"]["decoded"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    let decoded = decoded.join("\n");
    assert!(
        decoded.contains("e2ee_create_device: E2eeCreateDevice") && decoded.contains("** **"),
        "the decoded frames carrying the keys are in the evidence, masked"
    );
    let runs = dumped_runs(&decoded);
    assert!(
        runs.iter().map(Vec::len).sum::<usize>() > 100,
        "hex dumps were read back"
    );
    for secret in &secrets {
        assert!(
            !leaks_in_dumps(&runs, secret),
            "a decoded frame shows a key"
        );
    }
    for plaintext in plaintexts.iter().filter(|p| p.len() > EXCERPT) {
        assert!(
            !leaks_in_dumps(&runs, &plaintext[EXCERPT..]),
            "a decoded frame shows plaintext past the excerpt"
        );
    }

    for file in ["report.json", "report.html", "report.md", "junit.xml"] {
        let report = std::fs::read_to_string(dir.path().join(file)).expect(file);
        // JSON strings escape line breaks: read the dumps of the text.
        let runs = dumped_runs(&report.replace("\\n", "\n"));
        for secret in &secrets {
            assert!(!leaks_in_dumps(&runs, secret), "{file}: a dump shows a key");
        }
        for secret in &secrets {
            assert_eq!(
                leaks(&report, secret),
                None,
                "{file} shows part of a private key"
            );
        }
        for plaintext in plaintexts.iter().filter(|p| p.len() > EXCERPT) {
            assert_eq!(
                leaks(&report, &plaintext[EXCERPT..]),
                None,
                "{file} shows plaintext past the excerpt"
            );
        }
    }
}

/// With `--plaintext-excerpt 0` no byte of user plaintext appears, not even
/// a plaintext the target got wrong: a mutant that skips the MAC check
/// decrypts a tampered message to bytes no scenario registered, and the
/// transcript still shows none of them.
#[test]
fn a_wrongly_decrypted_plaintext_is_redacted_too() {
    let (report, _) = common::certify_report(
        &[
            "--target",
            "builtin:mutant/e2ee-skips-mac-check",
            "--filter",
            "e2ee/flipped-bit-rejected",
            // With this seed the first tampered message the mutant accepts
            // decrypts before the scenario has registered any plaintext.
            "--seed",
            "12",
            "--plaintext-excerpt",
            "0",
        ],
        1,
    );
    let transcript = report["scenarios"][0]["evidence"]["transcript"]
        .as_array()
        .expect("a transcript")
        .iter()
        .filter_map(|l| l.as_str())
        .collect::<Vec<_>>();
    let decrypted: Vec<&&str> = transcript
        .iter()
        .filter(|l| l.starts_with("<- E2eeDecryptResult"))
        .collect();
    assert!(!decrypted.is_empty(), "{transcript:#?}");
    let mut checked = 0;
    for line in decrypted {
        // The frame ends with the plaintext, after its length byte: every
        // one of those bytes must be masked.
        let hex = line.rsplit(' ').next().unwrap_or_default();
        let shown = hex.trim_end_matches('*');
        let masked = (hex.len() - shown.len()) / 2;
        let length = shown
            .get(shown.len().saturating_sub(2)..)
            .and_then(|b| u8::from_str_radix(b, 16).ok())
            .expect("a length byte before the plaintext");
        if length >= 4 {
            assert_eq!(masked, usize::from(length), "plaintext shown: {line}");
            checked += 1;
        }
    }
    // The last one is the tampered message the mutant accepted.
    assert!(checked >= 1, "{checked} decryptions checked");
}
