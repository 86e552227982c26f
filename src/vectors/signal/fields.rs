//! Reading a vector's hex fields, and comparing a computed value with one.

use crate::peer::signal::PublicKey;

pub fn bytes(h: &str) -> Result<Vec<u8>, String> {
    hex::decode(h).map_err(|e| format!("bad hex {h:.16}..: {e}"))
}

pub fn key32(h: &str) -> Result<[u8; 32], String> {
    bytes(h)?
        .try_into()
        .map_err(|_| format!("{h:.16}.. is not 32 bytes"))
}

pub fn public(h: &str) -> Result<PublicKey, String> {
    PublicKey::deserialize(&bytes(h)?).map_err(|e| format!("public key {h:.16}..: {e}"))
}

pub(super) fn same(what: &str, got: &[u8], want_hex: &str) -> Result<(), String> {
    let want = bytes(want_hex)?;
    if got == want.as_slice() {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, expected {want_hex}",
            hex::encode(got)
        ))
    }
}
