//! JOSE for the gatekeeper side: keys (Ed25519 `OKP`, RFC 8037; P-256
//! `EC`, RFC 7518 §6.2), compact JWS built field by field so that a
//! scenario can make a token wrong in exactly one way (`forge`), the
//! harness's own verification of provider proofs (`verify`), and the
//! loopback HTTP pieces (`http`, `jwks_server`).

pub mod forge;
pub mod http;
pub mod jwks_server;
pub mod keys;
pub mod verify;
pub mod x509;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub use forge::{Claims, Signer, TokenParts};
pub use keys::GatekeeperKey;

/// The largest token either side reads (profiles may lower it).
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// base64url without padding (RFC 7515 §2, "Base64url Encoding").
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url decoding: no padding, no other alphabet.
pub fn unb64(text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("not base64url: {e}"))
}

/// SHA-256 of a request body, base64url: the `body_sha256` claim.
pub fn body_hash(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    b64(&Sha256::digest(body))
}

/// Whether a JOSE `typ` value names the media type `expected` (given in its
/// short form, e.g. `enlistment-proof+jwt`), as RFC 7515 §4.1.9 says a
/// recipient compares it:
///
/// * "A recipient using the media type value MUST treat it as if
///   "application/" were prepended to any "typ" value not containing a
///   '/'": `enlistment-proof+jwt` and `application/enlistment-proof+jwt`
///   are the same value (producers are only RECOMMENDED to omit the
///   prefix);
/// * "Per RFC 2045, all media type values, subtype values, and parameter
///   names are case insensitive" (RFC 2045 §5.1: "Matching of media type
///   and subtype is ALWAYS case-insensitive"; likewise RFC 6838 §4.2 and
///   RFC 9110 §8.3.1): `Application/Enlistment-Proof+JWT` is that value too.
///
/// Media type parameters (`;...`) are not part of any `typ` this profile
/// defines, so a value carrying them names another media type here.
pub fn typ_matches(typ: &str, expected: &str) -> bool {
    let full = |value: &str| -> String {
        if value.contains('/') {
            value.to_ascii_lowercase()
        } else {
            format!("application/{}", value.to_ascii_lowercase())
        }
    };
    full(typ) == full(expected)
}

#[cfg(test)]
mod typ_tests {
    use super::typ_matches;

    #[test]
    fn typ_compares_as_a_media_type() {
        let short = "enlistment-proof+jwt";
        for same in [
            "enlistment-proof+jwt",
            "application/enlistment-proof+jwt",
            "application/enlistment-proof+JWT",
            "Enlistment-Proof+JWT",
            "APPLICATION/ENLISTMENT-PROOF+JWT",
        ] {
            assert!(typ_matches(same, short), "{same}");
        }
        for other in [
            "JWT",
            "gatekeeper-call+jwt",
            "text/enlistment-proof+jwt",
            "application/application/enlistment-proof+jwt",
            "enlistment-proof+jwt; charset=utf-8",
            " enlistment-proof+jwt",
            "enlistment-proof",
            "",
        ] {
            assert!(!typ_matches(other, short), "{other}");
        }
    }
}
