//! The byte stream around handshake and transport messages: an optional
//! connection header, then length-prefixed frames.

use super::{refuse, Refusal};
use crate::adapter::proto::{ErrorCategory, HsConventions};
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

/// The outgoing side of the stream: header once (initiator only), then
/// big-endian length prefixes.
pub(super) struct FrameOut {
    header: Vec<u8>,
    prefix: usize,
}

impl FrameOut {
    pub(super) fn pair(
        conventions: &HsConventions,
        initiator: bool,
    ) -> Result<(FrameOut, FrameIn), Refusal> {
        let prefix = conventions.length_prefix_bytes as usize;
        if !(2..=3).contains(&prefix) {
            return Err(refuse(
                ErrorCategory::SchemaViolation,
                "length_prefix_bytes must be 2 or 3",
            ));
        }
        if conventions.connection_header.len() > 64 {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                "connection_header longer than 64 bytes",
            ));
        }
        let most = (1usize << (8 * prefix)) - 1;
        let max_frame = match conventions.max_frame as usize {
            0 => most,
            m => m.min(most),
        };
        let (out_header, in_header) = if initiator {
            (conventions.connection_header.clone(), Vec::new())
        } else {
            (Vec::new(), conventions.connection_header.clone())
        };
        Ok((
            FrameOut {
                header: out_header,
                prefix,
            },
            FrameIn {
                header: in_header,
                header_seen: 0,
                prefix,
                max_frame,
                buffer: Vec::new(),
                broken: false,
            },
        ))
    }

    pub(super) fn encode(&mut self, body: &[u8], build: Build) -> Result<Vec<u8>, Refusal> {
        if body.len() >= 1 << (8 * self.prefix) {
            return Err(refuse(
                ErrorCategory::LimitExceeded,
                "frame too long for its length prefix",
            ));
        }
        let mut out = std::mem::take(&mut self.header);
        let mut prefix = (body.len() as u32).to_be_bytes()[4 - self.prefix..].to_vec();
        // The defect: the prefix in host (little-endian) order.
        if build.has(Mutant::HandshakeLittleEndianLength) {
            prefix.reverse();
        }
        out.extend_from_slice(&prefix);
        out.extend_from_slice(body);
        Ok(out)
    }
}

/// The incoming side of the stream: expects the header (responder), then
/// frames of at most `max_frame` bytes, refused from the prefix alone.
pub(super) struct FrameIn {
    header: Vec<u8>,
    header_seen: usize,
    prefix: usize,
    max_frame: usize,
    buffer: Vec<u8>,
    broken: bool,
}

impl FrameIn {
    pub(super) fn push(&mut self, mut data: &[u8], build: Build) -> Result<Vec<Vec<u8>>, Refusal> {
        if self.broken {
            return Err(refuse(
                ErrorCategory::InvalidState,
                "the stream was refused earlier",
            ));
        }
        if self.header_seen < self.header.len() {
            let take = (self.header.len() - self.header_seen).min(data.len());
            let expected = &self.header[self.header_seen..self.header_seen + take];
            if expected != &data[..take] {
                self.broken = true;
                return Err(refuse(
                    ErrorCategory::MalformedInput,
                    "the connection header differs from the expected one",
                ));
            }
            self.header_seen += take;
            data = &data[take..];
        }
        self.buffer.extend_from_slice(data);
        let mut frames = Vec::new();
        let mut at = 0;
        while let Some(prefix) = self.buffer.get(at..at + self.prefix) {
            let length = prefix
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            // The defect: the limit read as exclusive.
            let over = if build.has(Mutant::HandshakeFrameLimitExclusive) {
                length >= self.max_frame
            } else {
                length > self.max_frame
            };
            if over {
                self.broken = true;
                return Err(refuse(
                    ErrorCategory::LimitExceeded,
                    format!(
                        "a frame of {length} bytes is over the limit of {}",
                        self.max_frame
                    ),
                ));
            }
            let Some(body) = self.buffer.get(at + self.prefix..at + self.prefix + length) else {
                break;
            };
            frames.push(body.to_vec());
            at += self.prefix + length;
            if build.has(Mutant::HandshakeOneFramePerRead) {
                break;
            }
        }
        self.buffer.drain(..at);
        Ok(frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conventions(header: &[u8], prefix: u32, max_frame: u32) -> HsConventions {
        HsConventions {
            connection_header: header.to_vec(),
            length_prefix_bytes: prefix,
            max_frame,
            ..HsConventions::default()
        }
    }

    #[test]
    fn frames_come_out_whatever_the_chunking() {
        let (mut out, _) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), true).unwrap();
        let (_, mut inbound) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), false).unwrap();
        let mut wire = out.encode(b"first", Build::default()).unwrap();
        assert_eq!(&wire[..7], b"WA\x06\x03\x00\x00\x05");
        wire.extend(out.encode(b"", Build::default()).unwrap());
        wire.extend(out.encode(b"third", Build::default()).unwrap());
        let mut frames = Vec::new();
        for byte in &wire {
            frames.extend(
                inbound
                    .push(std::slice::from_ref(byte), Build::default())
                    .unwrap(),
            );
        }
        assert_eq!(frames, vec![b"first".to_vec(), vec![], b"third".to_vec()]);
    }

    #[test]
    fn wrong_header_and_oversized_prefix_are_refused_and_poison_the_stream() {
        let (_, mut inbound) = FrameOut::pair(&conventions(b"WA\x06\x03", 3, 100), false).unwrap();
        let err = inbound.push(b"WA\x05", Build::default()).unwrap_err();
        assert_eq!(err.0, ErrorCategory::MalformedInput);
        assert_eq!(
            inbound.push(b"", Build::default()).unwrap_err().0,
            ErrorCategory::InvalidState
        );
        let (_, mut inbound) = FrameOut::pair(&conventions(b"", 2, 100), false).unwrap();
        assert_eq!(
            inbound.push(&[0, 101], Build::default()).unwrap_err().0,
            ErrorCategory::LimitExceeded
        );
        assert!(FrameOut::pair(&conventions(b"", 4, 100), false).is_err());
    }
}
