#![no_main]
//! `interspec vectors verify` inputs (src/vectors/): a user's vector file,
//! checked by the verifier of the kind the first byte picks (noise, signal,
//! enlistment, stanza); for stanza the rest is the JSON expectation, a NUL,
//! then the XML it describes.

use interspec::catalog::profile::StanzaParams;
use interspec::peer::stanza::corpus::{check_case, Expectation};
use interspec::vectors::{self, enlistment, signal};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let replay = interspec::cli::reference_replay();
    match kind % 4 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = vectors::noise::verify_text("fuzz.json", text);
            }
        }
        1 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = signal::verify_text("fuzz.json", text);
            }
        }
        2 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = enlistment::verify_text("fuzz.json", text, &replay);
            }
        }
        _ => {
            let (json, xml) = match rest.iter().position(|&b| b == 0) {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (rest, &[][..]),
            };
            if let Ok(text) = std::str::from_utf8(json) {
                if let Ok(expectation) = Expectation::from_json(text) {
                    let _ = check_case(xml, &expectation, &StanzaParams::default());
                }
            }
        }
    }
});
