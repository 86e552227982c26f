//! How the client would open an attachment whose mimetype lies (ME-036, a
//! SHOULD; capability MEDIA_OPENS): the mimetype is the sender's word, so
//! content that is HTML or a program, labelled as an image or a PDF, must
//! not be opened as that type, nor as anything but a file to save or
//! plain text. Of three genuine files (a PNG, a GIF, a PDF) with their own
//! labels, at least one must be opened as its type, which shows that
//! `opened_as` is the client's own decision.

use sha2::{Digest, Sha256};

use super::downloads::host;
use super::drive::{fields_of, note_plaintext, random_key};
use crate::adapter::client::Reply;
use crate::adapter::proto::{request::Op, response, MediaDownload, MediaFields};
use crate::ensure;
use crate::peer::media::server::Answer;
use crate::peer::media::{encrypt, Knobs, MediaType};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};

/// A 1x1 grayscale PNG (signature, IHDR, IDAT, IEND; PNG spec, ISO/IEC
/// 15948 §5, §11.2), built for this scenario.
const ONE_PIXEL_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\0\0\0\0\x3a\x7e\x9b\x55\0\0\0\nIDATx\x9cc`\0\0\0\x02\0\x01H\xaf\xa4q\0\0\0\0IEND\xaeB`\x82";

/// A 1x1 GIF89a (header, logical screen descriptor, two-colour table,
/// graphic control extension, image descriptor, LZW data, trailer; GIF89a
/// specification §17-§27).
const ONE_PIXEL_GIF: &[u8] = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";

/// A one-page PDF with nothing on its page (catalog, page tree, page, and
/// a cross-reference table whose offsets are the objects'; ISO 32000-1
/// §7.5), built for this scenario.
const EMPTY_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n184\n%%EOF\n";

/// An HTML document with a script: what a browser-like viewer would run.
const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>document.title='opened'</script></body></html>";

/// The start of a Windows program: "MZ", a DOS stub, and the "PE\0\0"
/// signature at the offset the header names (Microsoft PE Format, "MS-DOS
/// Stub" and "Signature (Image Only)": the offset is at 0x3c).
fn program() -> Vec<u8> {
    let mut exe = vec![0u8; 0x80];
    exe[..2].copy_from_slice(b"MZ");
    exe[0x3c] = 0x40;
    exe[0x40..0x44].copy_from_slice(b"PE\0\0");
    exe
}

/// How a client may present content that contradicts its label: not at
/// all (a file to save), as an opaque file, or as plain text.
const SAFE: [&str; 3] = ["", "application/octet-stream", "text/plain"];

/// Longest `opened_as` read from a target (RFC 6838 §4.2: a type and a
/// subtype of at most 127 characters each).
const MAX_OPENED_AS: usize = 255;

/// Downloads `plaintext`, labelled `mimetype`, as an attachment of type
/// `t`: how the client opened it, or `None` if it refused it.
fn download(
    ctx: &mut ScenarioCtx,
    t: MediaType,
    plaintext: &[u8],
    mimetype: &str,
    what: &str,
) -> Result<Option<String>, Finding> {
    note_plaintext(ctx, plaintext);
    let key = random_key(ctx);
    ctx.secret(&key);
    let e = encrypt(t, &key, plaintext, Knobs::default());
    let fields = MediaFields {
        mimetype: mimetype.into(),
        ..fields_of(&e, &key, t)
    };
    let mut host = host()?;
    let (url, _) = host.add(Answer::Blob(e.blob));
    let reply = ctx.call(Op::MediaDownload(MediaDownload {
        media_type: t.name().into(),
        url,
        fields: Some(fields),
    }))?;
    match reply {
        Reply::Result(response::Reply::MediaDownload(r)) => {
            ensure!(
                r.plaintext_sha256 == Sha256::digest(plaintext).as_slice(),
                "{what}: reported a plaintext whose SHA-256 is not the attachment's"
            );
            ensure!(
                r.opened_as.len() <= MAX_OPENED_AS && r.opened_as.is_ascii(),
                "{what}: opened_as is not ASCII or longer than {MAX_OPENED_AS} bytes"
            );
            Ok(Some(r.opened_as.to_ascii_lowercase()))
        }
        Reply::Rejected { .. } => Ok(None),
        other => Err(unexpected(other, what)),
    }
}

/// Whether a client presents `opened` (None: refused) only as a file.
fn safe(opened: &Option<String>) -> bool {
    opened.as_deref().is_none_or(|t| SAFE.contains(&t))
}

/// ME-036: content that contradicts its mimetype is not opened by it.
pub fn lying_mimetypes_not_opened(ctx: &mut ScenarioCtx) -> Check {
    let genuine: [(MediaType, &[u8], &str); 3] = [
        (MediaType::Image, ONE_PIXEL_PNG, "image/png"),
        (MediaType::Image, ONE_PIXEL_GIF, "image/gif"),
        (MediaType::Document, EMPTY_PDF, "application/pdf"),
    ];
    let mut opened_as_labelled = Vec::new();
    for (t, plaintext, label) in genuine {
        let what = format!("MediaDownload of a genuine {label} file");
        let opened = download(ctx, t, plaintext, label, &what)?;
        if opened.as_deref() == Some(label) {
            opened_as_labelled.push(label);
        } else {
            ensure!(
                safe(&opened),
                "{what}: opened as {:?}, a type it is not",
                opened.unwrap_or_default()
            );
        }
    }
    ensure!(
        !opened_as_labelled.is_empty(),
        "none of a genuine PNG, GIF and PDF was opened as its type: a client declaring MEDIA_OPENS opens what it can show (or should not declare it)"
    );
    let exe = program();
    let cases: [(MediaType, &[u8], &str, &str); 4] = [
        (
            MediaType::Image,
            HTML,
            "image/png",
            "an HTML page labelled image/png",
        ),
        (
            MediaType::Image,
            &exe,
            "image/jpeg",
            "a Windows program labelled image/jpeg",
        ),
        (
            MediaType::Document,
            HTML,
            "application/pdf",
            "an HTML page labelled application/pdf",
        ),
        (
            MediaType::Sticker,
            &exe,
            "image/webp",
            "a Windows program labelled image/webp",
        ),
    ];
    let mut refused = 0;
    for (t, plaintext, label, case) in cases {
        if !ctx.profile.media.allows(t.name()) {
            continue;
        }
        let what = format!("MediaDownload of {case}");
        match download(ctx, t, plaintext, label, &what)? {
            None => refused += 1,
            Some(opened) => ensure!(
                SAFE.contains(&opened.as_str()),
                "{what}: opened as {opened:?}; content that is not what its mimetype claims is offered as a file ({})",
                SAFE.map(|s| if s.is_empty() { "\"\"" } else { s }).join(", ")
            ),
        }
    }
    Ok(format!(
        "genuine files opened as {}; HTML and programs under image and PDF labels {}",
        opened_as_labelled.join(", "),
        if refused == 0 {
            "only offered as files"
        } else {
            "refused or only offered as files"
        }
    ))
}
