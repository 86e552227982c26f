//! Laws of the adapter frame codec, checked with quickcheck: what is encoded
//! decodes to itself, and no byte sequence makes the decoder panic or read
//! past a limit.

use interspec::adapter::frame::{decode_frame, encode_frame, read_frame, FrameError};
use quickcheck::{QuickCheck, TestResult};

fn round_trip(body: Vec<u8>, trailing: Vec<u8>) -> bool {
    let mut wire = Vec::new();
    encode_frame(&body, &mut wire);
    let frame_len = wire.len();
    wire.extend_from_slice(&trailing);
    let from_slice = matches!(decode_frame(&wire, body.len()), Ok(Some((b, used))) if b == body.as_slice() && used == frame_len);
    let mut reader = wire.as_slice();
    let from_stream = matches!(read_frame(&mut reader, body.len()), Ok(b) if b == body);
    from_slice && from_stream && reader == trailing.as_slice()
}

fn arbitrary_bytes_never_panic(bytes: Vec<u8>, max: u16) -> TestResult {
    let max = usize::from(max);
    // Whatever the result, a body is never longer than the limit.
    let slice_ok = match decode_frame(&bytes, max) {
        Ok(Some((body, used))) => body.len() <= max && used <= bytes.len(),
        Ok(None) | Err(_) => true,
    };
    let mut reader = bytes.as_slice();
    let stream_ok = match read_frame(&mut reader, max) {
        Ok(body) => body.len() <= max,
        Err(FrameError::TooLarge { announced, .. }) => announced > max as u64,
        Err(_) => true,
    };
    TestResult::from_bool(slice_ok && stream_ok)
}

fn prefix_of_a_frame_needs_more(body: Vec<u8>, cut: usize) -> TestResult {
    let mut wire = Vec::new();
    encode_frame(&body, &mut wire);
    let cut = cut % wire.len();
    TestResult::from_bool(matches!(decode_frame(&wire[..cut], body.len()), Ok(None)))
}

#[test]
fn encoded_frames_decode_to_themselves() {
    QuickCheck::new()
        .tests(500)
        .quickcheck(round_trip as fn(Vec<u8>, Vec<u8>) -> bool);
}

#[test]
fn arbitrary_bytes_never_panic_the_decoder() {
    QuickCheck::new()
        .tests(2000)
        .quickcheck(arbitrary_bytes_never_panic as fn(Vec<u8>, u16) -> TestResult);
}

#[test]
fn a_truncated_frame_asks_for_more_bytes() {
    QuickCheck::new()
        .tests(500)
        .quickcheck(prefix_of_a_frame_needs_more as fn(Vec<u8>, usize) -> TestResult);
}
