#![no_main]
//! The JOSE parser (src/peer/jose/verify.rs, mod.rs): the input is a
//! compact JWS, a newline, and a JWK Set document; `split`,
//! `decode_unverified`, `find_key` and `verify`, and `unb64` on each part.
//! Without a newline the whole input is the token, checked against a fixed
//! JWKS so signatures are reached.

use interspec::peer::jose::{unb64, verify};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const FIXED_JWKS: &str = r#"{"keys":[
 {"kty":"OKP","crv":"Ed25519","kid":"ed","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
 {"kty":"EC","crv":"P-256","kid":"ec","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (token, jwks_text) = text.split_once('\n').unwrap_or((text, FIXED_JWKS));
    let Ok(jwks) = serde_json::from_str::<Value>(jwks_text) else {
        return;
    };
    if let Ok(parts) = verify::split(token) {
        for part in parts {
            let _ = unb64(part);
        }
    }
    if let Ok((header, _claims)) = verify::decode_unverified(token) {
        if let Some(kid) = header.get("kid").and_then(Value::as_str) {
            let _ = verify::find_key(&jwks, kid);
        }
    }
    let _ = verify::verify(token, &jwks);
});
