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
