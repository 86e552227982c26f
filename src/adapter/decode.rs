//! Readable evidence: a recorded frame rendered with its message and field
//! names (from the descriptors of `proto/*.proto`, built in by build.rs),
//! nested messages indented, enum values by name, bytes as hex with an
//! ASCII column, XML and other text as text, long values elided in the
//! middle with their length.
//!
//! The frame is hostile: it is walked with its own bounds (depth, output
//! lines, value sizes) and never makes this code panic. Bytes a redaction
//! mask marks are never shown, in any column.

use std::fmt::Write as _;
use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

/// Nested messages deeper than this are shown as bytes.
const MAX_DEPTH: usize = 24;
/// Lines of output per frame; the rest is summarised in one line.
const MAX_LINES: usize = 400;
/// Bytes values longer than this keep their head and tail only.
const BYTES_SHOWN: usize = 96;
/// Of an elided bytes value: leading and trailing bytes kept.
const BYTES_HEAD: usize = 64;
const BYTES_TAIL: usize = 16;
/// Text values (strings, XML) longer than this keep their head and tail.
const TEXT_SHOWN: usize = 2048;
const TEXT_HEAD: usize = 1536;
const TEXT_TAIL: usize = 256;
/// Bytes per hex-dump row.
const ROW: usize = 16;

/// What a recorded frame is expected to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A length-prefixed `Request` (what the harness sends).
    Request,
    /// A `Response` body, without its length prefix (decoded by the client).
    Response,
    /// Bytes that may be anything (deliberately invalid input, an
    /// undecodable reply): shown as text or hex.
    Opaque,
}

/// The adapter protocol's descriptors, built in at compile time.
fn pool() -> Option<&'static DescriptorPool> {
    static POOL: OnceLock<Option<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(
            &include_bytes!(concat!(env!("OUT_DIR"), "/adapter_descriptors.bin"))[..],
        )
        .ok()
    })
    .as_ref()
}

fn message(name: &str) -> Option<MessageDescriptor> {
    pool()?.get_message_by_name(name)
}

/// Renders `frame` as indented text. `mask[i]` marks byte `i` as never to
/// be shown (a mask shorter than the frame marks nothing past its end).
/// `full_len` is the frame's length on the wire, when only a prefix of it
/// was kept.
pub fn render(shape: Shape, frame: &[u8], mask: &[bool], full_len: usize) -> String {
    let mut out = Out {
        frame,
        mask,
        text: String::new(),
        lines: 0,
        truncated: full_len > frame.len(),
    };
    if full_len > frame.len() {
        out.line(
            0,
            &format!("(the first {} of {full_len} bytes were kept)", frame.len()),
        );
    }
    match shape {
        Shape::Request => match (
            message("interspec.adapter.v1.Request"),
            read_varint(frame, 0),
        ) {
            (Some(desc), Some((len, start))) => {
                let end = usize::try_from(len)
                    .map_or(frame.len(), |len| start.saturating_add(len))
                    .min(frame.len());
                out.line(
                    0,
                    &format!("{} ({len} bytes after the length prefix)", desc.name()),
                );
                out.fields(&desc, start, end, 1, 0);
                if end < frame.len() {
                    out.line(
                        0,
                        &format!("then {} bytes after the frame:", frame.len() - end),
                    );
                    out.opaque(end, frame.len(), 1);
                }
            }
            _ => out.opaque(0, frame.len(), 0),
        },
        Shape::Response => match message("interspec.adapter.v1.Response") {
            Some(desc) => {
                out.line(0, desc.name());
                out.fields(&desc, 0, frame.len(), 1, 0);
            }
            None => out.opaque(0, frame.len(), 0),
        },
        Shape::Opaque => out.opaque(0, frame.len(), 0),
    }
    out.finish()
}

/// Whether `bytes` reads as text: valid UTF-8, printable but for line
/// breaks and tabs, and not empty.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            !text.trim().is_empty()
                && text
                    .chars()
                    .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        }
        Err(_) => false,
    }
}

/// Mostly text: at least 3 of 4 bytes printable ASCII or whitespace (a
/// debug line cut by the frame reader is still recognised).
pub fn mostly_text(bytes: &[u8]) -> bool {
    let printable = bytes
        .iter()
        .filter(|b| b.is_ascii_graphic() || matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
        .count();
    bytes.len() >= 4 && printable * 4 >= bytes.len() * 3
}

struct Out<'a> {
    frame: &'a [u8],
    mask: &'a [bool],
    text: String,
    lines: usize,
    /// Only a prefix of the frame was kept: a value running past its end
    /// is shown up to there.
    truncated: bool,
}

/// One wire value: its field number, and what the wire type says it is.
enum Wire {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    /// A length-delimited value at `start..end` of the frame.
    Len(usize, usize),
}

impl Out<'_> {
    fn finish(mut self) -> String {
        if self.lines > MAX_LINES {
            let _ = writeln!(
                self.text,
                "[… {} more lines not shown]",
                self.lines - MAX_LINES
            );
        }
        while self.text.ends_with('\n') {
            self.text.pop();
        }
        self.text
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.lines += 1;
        if self.lines <= MAX_LINES {
            for _ in 0..indent.min(MAX_DEPTH + 2) {
                self.text.push_str("  ");
            }
            self.text.push_str(text);
            self.text.push('\n');
        }
    }

    fn masked(&self, at: usize) -> bool {
        self.mask.get(at).copied().unwrap_or(false)
    }

    /// Fields of one message of type `desc` at `start..end`.
    fn fields(
        &mut self,
        desc: &MessageDescriptor,
        start: usize,
        end: usize,
        indent: usize,
        depth: usize,
    ) {
        let mut at = start;
        while at < end {
            let Some((tag, next)) = read_varint(&self.frame[..end], at) else {
                self.line(indent, &format!("(a truncated field tag at byte {at})"));
                return;
            };
            let number = tag >> 3;
            let clamp = self.truncated && end == self.frame.len();
            let value = match read_value(&self.frame[..end], next, tag & 7, clamp) {
                Ok(value) => value,
                Err(why) => {
                    self.line(indent, &format!("#{number}: {why} at byte {at}; the rest:"));
                    self.opaque(at, end, indent + 1);
                    return;
                }
            };
            at = match &value {
                Wire::Varint(_) | Wire::Fixed64(_) | Wire::Fixed32(_) => {
                    next + wire_size(&value, &self.frame[..end], next)
                }
                Wire::Len(_, e) => *e,
            };
            let field = u32::try_from(number).ok().and_then(|n| desc.get_field(n));
            match field {
                Some(field) => self.field(
                    field.name(),
                    &field.kind(),
                    field.is_list(),
                    value,
                    indent,
                    depth,
                ),
                None => self.unknown(number, value, indent),
            }
        }
    }

    fn field(
        &mut self,
        name: &str,
        kind: &Kind,
        list: bool,
        value: Wire,
        indent: usize,
        depth: usize,
    ) {
        match (kind, value) {
            (Kind::Message(inner), Wire::Len(s, e)) => {
                if depth >= MAX_DEPTH {
                    self.line(
                        indent,
                        &format!("{name}: {} (nested too deep; bytes)", inner.name()),
                    );
                    self.bytes(s, e, indent + 1);
                } else {
                    self.line(indent, &format!("{name}: {}", inner.name()));
                    self.fields(inner, s, e, indent + 1, depth + 1);
                }
            }
            (Kind::String, Wire::Len(s, e)) => self.text_value(name, s, e, indent),
            (Kind::Bytes, Wire::Len(s, e)) => {
                let slice = &self.frame[s..e];
                if slice.trim_ascii_start().first() == Some(&b'<') && looks_like_text(slice) {
                    self.text_value(name, s, e, indent);
                } else {
                    self.line(indent, &format!("{name}: {} bytes", e - s));
                    self.bytes(s, e, indent + 1);
                }
            }
            (kind, Wire::Len(s, e)) if list => {
                // A packed repeated scalar.
                let mut items = Vec::new();
                let mut at = s;
                while at < e && items.len() < 64 {
                    let wire = match kind {
                        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => 1,
                        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => 5,
                        _ => 0,
                    };
                    let Ok(item) = read_value(&self.frame[..e], at, wire, false) else {
                        break;
                    };
                    at += wire_size(&item, &self.frame[..e], at);
                    items.push(scalar(kind, &item));
                }
                let more = if at < e { ", …" } else { "" };
                self.line(indent, &format!("{name}: [{}{more}]", items.join(", ")));
            }
            (kind, value @ (Wire::Varint(_) | Wire::Fixed32(_) | Wire::Fixed64(_))) => {
                let shown = scalar(kind, &value);
                self.line(indent, &format!("{name}: {shown}"));
            }
            (_, value) => {
                self.line(indent, &format!("{name}: (a value of the wrong wire type)"));
                self.raw_value(value, indent + 1);
            }
        }
    }

    fn unknown(&mut self, number: u64, value: Wire, indent: usize) {
        self.line(indent, &format!("#{number} (not in the adapter protocol):"));
        self.raw_value(value, indent + 1);
    }

    fn raw_value(&mut self, value: Wire, indent: usize) {
        match value {
            Wire::Varint(v) | Wire::Fixed64(v) => self.line(indent, &v.to_string()),
            Wire::Fixed32(v) => self.line(indent, &v.to_string()),
            Wire::Len(s, e) => self.opaque(s, e, indent),
        }
    }

    /// Text as text (escaped, masked), elided in the middle when long.
    fn text_value(&mut self, name: &str, s: usize, e: usize, indent: usize) {
        let len = e - s;
        let (head, tail) = if len > TEXT_SHOWN {
            (TEXT_HEAD, TEXT_TAIL)
        } else {
            (len, 0)
        };
        let mut shown = self.text_of(s, s + head);
        if tail > 0 {
            let _ = write!(shown, "[… {} of {len} bytes elided …]", len - head - tail);
            shown.push_str(&self.text_of(e - tail, e));
        }
        if shown.contains('\n') || len > 80 {
            self.line(indent, &format!("{name}: text, {len} bytes:"));
            for part in shown.split('\n') {
                self.line(indent + 1, &format!("| {part}"));
            }
        } else {
            self.line(indent, &format!("{name}: {shown:?}"));
        }
    }

    /// The bytes at `s..e` as text: masked runs become `[redacted]`, bytes
    /// that are not UTF-8 or are control characters are escaped.
    fn text_of(&self, s: usize, e: usize) -> String {
        let mut out = String::new();
        let mut at = s;
        while at < e {
            if self.masked(at) {
                out.push_str("[redacted]");
                while at < e && self.masked(at) {
                    at += 1;
                }
                continue;
            }
            let stop = (at..e).find(|&i| self.masked(i)).unwrap_or(e);
            for chunk in self.frame[at..stop].utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\n' | '\t' => out.push(c),
                        c if c.is_control() => {
                            let _ = write!(out, "\\u{{{:x}}}", c as u32);
                        }
                        c => out.push(c),
                    }
                }
                for b in chunk.invalid() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
            at = stop;
        }
        out
    }

    /// Bytes of unknown meaning: text when they read as text, hex otherwise.
    fn opaque(&mut self, s: usize, e: usize, indent: usize) {
        let slice = &self.frame[s..e];
        if mostly_text(slice) {
            self.text_value("reads as text", s, e, indent);
        } else {
            self.line(indent, &format!("{} bytes", e - s));
            self.bytes(s, e, indent + 1);
        }
    }

    /// A hex dump with an ASCII column; masked bytes show as `**` and `*`.
    fn bytes(&mut self, s: usize, e: usize, indent: usize) {
        let len = e - s;
        if len > BYTES_SHOWN {
            self.rows(s, s + BYTES_HEAD, s, indent);
            self.line(
                indent,
                &format!(
                    "[… {} of {len} bytes elided …]",
                    len - BYTES_HEAD - BYTES_TAIL
                ),
            );
            self.rows(e - BYTES_TAIL, e, s, indent);
        } else {
            self.rows(s, e, s, indent);
        }
    }

    fn rows(&mut self, s: usize, e: usize, base: usize, indent: usize) {
        let mut at = s;
        while at < e {
            let stop = (at + ROW).min(e);
            let mut hex = String::with_capacity(ROW * 3);
            let mut ascii = String::with_capacity(ROW);
            for i in at..stop {
                if self.masked(i) {
                    hex.push_str("** ");
                    ascii.push('*');
                } else {
                    let b = self.frame[i];
                    let _ = write!(hex, "{b:02x} ");
                    ascii.push(if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    });
                }
            }
            self.line(indent, &format!("{:04x}  {:<48} |{ascii}|", at - base, hex));
            at = stop;
        }
    }
}

/// A scalar by its declared kind.
fn scalar(kind: &Kind, value: &Wire) -> String {
    let bits = match value {
        Wire::Varint(v) | Wire::Fixed64(v) => *v,
        Wire::Fixed32(v) => u64::from(*v),
        Wire::Len(s, e) => return format!("({} bytes)", e - s),
    };
    match kind {
        Kind::Bool => (bits != 0).to_string(),
        Kind::Int32 | Kind::Sfixed32 => (bits as u32 as i32).to_string(),
        Kind::Int64 | Kind::Sfixed64 => (bits as i64).to_string(),
        Kind::Sint32 | Kind::Sint64 => ((bits >> 1) as i64 ^ -((bits & 1) as i64)).to_string(),
        Kind::Double => f64::from_bits(bits).to_string(),
        Kind::Float => f32::from_bits(bits as u32).to_string(),
        Kind::Enum(desc) => match desc.get_value(bits as i32) {
            Some(v) => v.name().to_string(),
            None => format!("{} (not a value of {})", bits as i32, desc.name()),
        },
        _ => bits.to_string(),
    }
}

/// A base-128 varint at `at` (protobuf encoding guide, "Base 128 Varints"):
/// its value and the offset after it.
fn read_varint(data: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..10 {
        let byte = *data.get(at + i)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, at + i + 1));
        }
    }
    None
}

/// The value of wire type `wire` at `at` (protobuf encoding guide,
/// "Message Structure": 0 VARINT, 1 I64, 2 LEN, 5 I32; 3 and 4 are the
/// deprecated groups).
/// With `clamp`, a length-delimited value running past the end of `data`
/// (a kept prefix of a longer frame) ends where `data` does.
fn read_value(data: &[u8], at: usize, wire: u64, clamp: bool) -> Result<Wire, String> {
    match wire {
        0 => read_varint(data, at)
            .map(|(v, _)| Wire::Varint(v))
            .ok_or_else(|| "a truncated varint".to_string()),
        1 => data
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(|b| Wire::Fixed64(u64::from_le_bytes(b)))
            .ok_or_else(|| "a truncated 8-byte value".to_string()),
        5 => data
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(|b| Wire::Fixed32(u32::from_le_bytes(b)))
            .ok_or_else(|| "a truncated 4-byte value".to_string()),
        2 => {
            let (len, start) =
                read_varint(data, at).ok_or_else(|| "a truncated length".to_string())?;
            let end = usize::try_from(len)
                .ok()
                .and_then(|l| start.checked_add(l))
                .map(|end| if clamp { end.min(data.len()) } else { end })
                .filter(|&end| end <= data.len() && start <= end)
                .ok_or_else(|| format!("a length of {len} bytes past the end"))?;
            Ok(Wire::Len(start, end))
        }
        other => Err(format!(
            "wire type {other}, which this protocol does not use"
        )),
    }
}

/// Bytes a fixed-size or varint value took on the wire at `at`.
fn wire_size(value: &Wire, data: &[u8], at: usize) -> usize {
    match value {
        Wire::Varint(_) => read_varint(data, at).map_or(1, |(_, next)| next - at),
        Wire::Fixed64(_) => 8,
        Wire::Fixed32(_) => 4,
        Wire::Len(_, end) => end - at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::proto::{request::Op, Ping, Request, StanzaParse};
    use prost::Message;

    fn framed(op: Op) -> Vec<u8> {
        Request {
            id: 7,
            op: Some(op),
        }
        .encode_length_delimited_to_vec()
    }

    #[test]
    fn names_messages_and_fields() {
        let frame = framed(Op::Ping(Ping {
            payload: b"\x00\x01hi".to_vec(),
        }));
        let text = render(Shape::Request, &frame, &[], frame.len());
        assert!(text.starts_with("Request ("), "{text}");
        assert!(text.contains("id: 7"), "{text}");
        assert!(text.contains("ping: Ping"), "{text}");
        assert!(text.contains("00 01 68 69"), "{text}");
        assert!(text.contains("|..hi|"), "{text}");
    }

    #[test]
    fn xml_is_text_and_long_values_are_elided() {
        let xml = format!("<message to='a'>{}</message>", "x".repeat(5000));
        let frame = framed(Op::StanzaParse(StanzaParse {
            xml: xml.into_bytes(),
        }));
        let text = render(Shape::Request, &frame, &[], frame.len());
        assert!(text.contains("| <message to='a'>xxx"), "{text}");
        assert!(text.contains("elided …]"), "{text}");
        assert!(text.contains("</message>"), "{text}");
        let big = framed(Op::Ping(Ping {
            payload: vec![0xab; 1000],
        }));
        let text = render(Shape::Request, &big, &[], big.len());
        assert!(text.contains("[… 920 of 1000 bytes elided …]"), "{text}");
    }

    #[test]
    fn masked_bytes_never_show() {
        let frame = framed(Op::Ping(Ping {
            payload: b"secret-bytes!".to_vec(),
        }));
        let at = frame.len() - 13;
        let mask: Vec<bool> = (0..frame.len()).map(|i| i >= at).collect();
        let text = render(Shape::Request, &frame, &mask, frame.len());
        assert!(
            !text.contains("secret") && !text.contains("73 65"),
            "{text}"
        );
        assert!(text.contains("** ** **"), "{text}");
    }

    #[test]
    fn hostile_bytes_do_not_panic() {
        let mut seed = 1u64;
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 56) as u8
                })
                .collect();
            for shape in [Shape::Request, Shape::Response, Shape::Opaque] {
                let _ = render(shape, &bytes, &[true; 3], len + 5);
            }
        }
        // Nesting as deep as the wire allows stays bounded.
        let mut nested = Vec::new();
        for _ in 0..200 {
            let mut outer = vec![0x0a];
            prost::encoding::encode_varint(nested.len() as u64, &mut outer);
            outer.extend_from_slice(&nested);
            nested = outer;
        }
        let text = render(Shape::Response, &nested, &[], nested.len());
        assert!(text.lines().count() <= MAX_LINES + 1);
    }

    #[test]
    fn a_kept_prefix_is_decoded_up_to_its_end() {
        let frame = framed(Op::Ping(Ping {
            payload: vec![7; 200_000],
        }));
        let kept = &frame[..1000];
        let text = render(Shape::Request, kept, &[], frame.len());
        assert!(text.starts_with("(the first 1000 of 200"), "{text}");
        assert!(text.contains("ping: Ping"), "{text}");
        assert!(text.contains("payload: 987 bytes"), "{text}");
    }

    #[test]
    fn a_debug_line_reads_as_text() {
        let text = render(Shape::Opaque, b"EBUG: starting up\n", &[], 18);
        assert!(text.contains("reads as text"), "{text}");
        assert!(text.contains("EBUG: starting up"), "{text}");
    }
}
