#![no_main]
//! The stanza payload decoder (src/peer/stanza/payload.rs): `decode` with
//! the default and tight limits, and the iterative `nesting_depth` walk.

use interspec::catalog::profile::StanzaParams;
use interspec::peer::stanza::payload;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tight = StanzaParams {
        max_payload_bytes: 256,
        max_payload_depth: 2,
        ..StanzaParams::default()
    };
    let _ = payload::decode(data, &tight);
    if let Ok(message) = payload::decode(data, &StanzaParams::default()) {
        let _ = payload::encode(&message);
    }
    for max in [0, 1, 64, u32::MAX] {
        let _ = payload::nesting_depth(data, max);
    }
});
