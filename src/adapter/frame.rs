//! Frame codec: each frame is a protobuf message preceded by its length as a
//! base-128 varint (protobuf's length-delimited form). Lengths above the
//! configured maximum are a protocol violation reported before anything is
//! allocated.

use std::io::{self, Read};

/// A varint encodes at most 64 bits in 10 bytes (protobuf encoding guide,
/// "Base 128 Varints").
const MAX_VARINT_BYTES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// The stream ended cleanly between frames.
    #[error("the stream ended")]
    Eof,
    #[error("the stream ended inside a frame ({got} of {expected} bytes)")]
    Truncated { expected: u64, got: u64 },
    #[error("the stream ended inside a length prefix")]
    TruncatedPrefix,
    #[error("the length prefix is not a valid varint")]
    BadVarint,
    #[error("a frame of {announced} bytes was announced; the limit is {max}")]
    TooLarge { announced: u64, max: usize },
    #[error("timed out waiting for the peer")]
    TimedOut,
    #[error("i/o error: {0}")]
    Io(io::Error),
}

impl From<io::Error> for FrameError {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => FrameError::TimedOut,
            _ => FrameError::Io(err),
        }
    }
}

/// Appends `body` to `out` as one frame.
pub fn encode_frame(body: &[u8], out: &mut Vec<u8>) {
    prost::encoding::encode_varint(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// Reads one frame body from a stream, refusing lengths above `max`.
pub fn read_frame<R: Read>(reader: &mut R, max: usize) -> Result<Vec<u8>, FrameError> {
    let announced = read_varint(reader)?;
    if announced > max as u64 {
        return Err(FrameError::TooLarge { announced, max });
    }
    // Grow with the data actually received, so a peer that announces a
    // large frame and then stalls costs little memory.
    let mut body = Vec::with_capacity((announced as usize).min(64 * 1024));
    let got = reader.take(announced).read_to_end(&mut body)? as u64;
    if got < announced {
        return Err(FrameError::Truncated {
            expected: announced,
            got,
        });
    }
    Ok(body)
}

/// Reads a length prefix: bytes up to the first without the continuation
/// bit, at most [`MAX_VARINT_BYTES`] of them, then decoded by prost (which
/// also refuses a tenth byte carrying more than the 64th bit).
fn read_varint<R: Read>(reader: &mut R) -> Result<u64, FrameError> {
    let mut prefix = [0u8; MAX_VARINT_BYTES];
    let mut len = 0;
    loop {
        if len == MAX_VARINT_BYTES {
            return Err(FrameError::BadVarint);
        }
        let mut byte = [0u8; 1];
        let n = loop {
            match reader.read(&mut byte) {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err.into()),
            }
        };
        if n == 0 {
            return Err(if len == 0 {
                FrameError::Eof
            } else {
                FrameError::TruncatedPrefix
            });
        }
        prefix[len] = byte[0];
        len += 1;
        if byte[0] & 0x80 == 0 {
            break;
        }
    }
    prost::encoding::decode_varint(&mut &prefix[..len]).map_err(|_| FrameError::BadVarint)
}

/// Decodes one frame from the front of `buf`. `Ok(None)` means more bytes
/// are needed; on success returns the body and the bytes consumed.
pub fn decode_frame(buf: &[u8], max: usize) -> Result<Option<(&[u8], usize)>, FrameError> {
    let mut cursor = buf;
    let announced = match read_varint(&mut cursor) {
        Ok(len) => len,
        Err(FrameError::Eof | FrameError::TruncatedPrefix) => return Ok(None),
        Err(err) => return Err(err),
    };
    if announced > max as u64 {
        return Err(FrameError::TooLarge { announced, max });
    }
    let prefix = buf.len() - cursor.len();
    let len = announced as usize;
    if cursor.len() < len {
        return Ok(None);
    }
    Ok(Some((&cursor[..len], prefix + len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_matches_protobuf_encoding_guide() {
        // protobuf encoding guide: 150 is encoded as 96 01.
        let mut out = Vec::new();
        encode_frame(&[0u8; 150], &mut out);
        assert_eq!(out[..2], [0x96, 0x01]);
        assert_eq!(out.len(), 152);
    }

    #[test]
    fn ten_byte_prefixes_allow_only_the_64th_bit() {
        // Ten bytes whose last carries bit 63 only: u64::MAX is a valid
        // length (refused as too large, not as a bad varint).
        let mut max: &[u8] = &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert!(matches!(
            read_frame(&mut max, 10),
            Err(FrameError::TooLarge {
                announced: u64::MAX,
                ..
            })
        ));
        // A tenth byte with more than the 64th bit, with or without the
        // continuation bit: refused after exactly ten bytes.
        for tenth in [0x02, 0x7f, 0x80, 0x81, 0xff] {
            let mut bytes = vec![0x80; 9];
            bytes.push(tenth);
            bytes.push(0x00);
            let mut input: &[u8] = &bytes;
            assert!(
                matches!(read_frame(&mut input, 10), Err(FrameError::BadVarint)),
                "tenth byte {tenth:#04x}"
            );
            assert_eq!(input, [0x00], "tenth byte {tenth:#04x}");
        }
        // A redundant zero tenth byte is still a varint (as before prost).
        let mut bytes = vec![0x85];
        bytes.extend_from_slice(&[0x80; 8]);
        bytes.push(0x00);
        let mut input: &[u8] = &bytes;
        assert!(matches!(
            decode_frame(&bytes, 10),
            Ok(None) // 5 bytes announced, none present
        ));
        assert!(matches!(
            read_frame(&mut input, 10),
            Err(FrameError::Truncated {
                expected: 5,
                got: 0
            })
        ));
    }

    #[test]
    fn announced_gigabyte_is_refused_before_reading() {
        let mut input: &[u8] = &[0x80, 0x80, 0x80, 0x80, 0x04];
        match read_frame(&mut input, 1024) {
            Err(FrameError::TooLarge { announced, max }) => {
                assert_eq!(announced, 1 << 30);
                assert_eq!(max, 1024);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn eleven_byte_varint_is_refused() {
        let mut input: &[u8] = &[0xff; 11];
        assert!(matches!(
            read_frame(&mut input, usize::MAX),
            Err(FrameError::BadVarint)
        ));
    }

    #[test]
    fn clean_eof_and_truncation_are_distinct() {
        let mut empty: &[u8] = &[];
        assert!(matches!(read_frame(&mut empty, 10), Err(FrameError::Eof)));
        let mut short: &[u8] = &[5, 1, 2];
        assert!(matches!(
            read_frame(&mut short, 10),
            Err(FrameError::Truncated {
                expected: 5,
                got: 2
            })
        ));
        let mut half_prefix: &[u8] = &[0x80];
        assert!(matches!(
            read_frame(&mut half_prefix, 10),
            Err(FrameError::TruncatedPrefix)
        ));
    }
}
