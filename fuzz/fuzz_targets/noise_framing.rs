#![no_main]
//! The Noise socket framing (src/peer/noise/framing.rs): `FrameDecoder::push`
//! over the input cut into chunks, with and without the connection header,
//! with 2- and 3-byte length prefixes.

use interspec::peer::noise::framing::{ConnectionHeader, FrameDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let max = [0usize, 5, 300, usize::MAX][usize::from(mode & 3)];
    let decoder = if mode & 4 == 0 {
        FrameDecoder::new(ConnectionHeader::new(6, 3), max)
    } else {
        FrameDecoder::without_header(max)
    };
    let mut decoder = decoder.with_prefix_len(if mode & 8 == 0 { 3 } else { 2 });
    // The high nibble sets the chunk size, so frames straddle pushes.
    let chunk = usize::from(mode >> 4) + 1;
    for piece in rest.chunks(chunk) {
        match decoder.push(piece) {
            Ok(frames) => {
                let _ = frames.len() + decoder.buffered();
            }
            Err(_) => {
                // Poisoned: it must keep refusing.
                let _ = decoder.push(piece);
                break;
            }
        }
    }
});
