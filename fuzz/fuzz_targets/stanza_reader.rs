#![no_main]
//! The peer's stanza reader (src/peer/stanza/xml.rs, schema.rs, view.rs):
//! `stanza::parse` with the default profile's limits and with tight ones;
//! an accepted view is written back out, parsed again and taken through
//! its proto form, as the suite does with a target's view.

use interspec::catalog::profile::StanzaParams;
use interspec::peer::stanza::serialize::{serialize, Spelling};
use interspec::peer::stanza::{self, View};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let tight = StanzaParams {
        max_stanza_bytes: 512,
        max_depth: 3,
        max_attributes: 4,
        max_attribute_bytes: 16,
        max_children: 4,
        max_payload_bytes: 64,
        max_payload_depth: 2,
    };
    let _ = stanza::parse(data, &tight);
    if let Ok(view) = stanza::parse(data, &StanzaParams::default()) {
        let again = serialize(&view.root, &Spelling::default());
        let _ = stanza::parse(&again, &StanzaParams::default());
        let _ = View::from_proto(&view.to_proto(), 1024);
        let _ = serde_json::to_string(&view);
    }
});
