#![no_main]
//! The adapter frame codec (src/adapter/frame.rs): `decode_frame` over a
//! buffer and `read_frame` over a stream, frame after frame.

use interspec::adapter::frame::{decode_frame, read_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the limit, so both sides of it are reached.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let max = [0usize, 1, 16, 300, 1 << 20][usize::from(pick) % 5];

    let mut buf = rest;
    while let Ok(Some((body, used))) = decode_frame(buf, max) {
        let _ = body.len();
        buf = &buf[used..];
    }

    let mut stream = rest;
    while read_frame(&mut stream, max).is_ok() {}
});
