//! Compact JWS tokens built member by member (RFC 7515 §7.1). Members keep
//! their order, any value can be anything, and the signature can be
//! absent, wrong, an HMAC or a real one: each invalid token the scenarios
//! need is one change from a valid one.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{b64, GatekeeperKey};

/// JSON object members in order (the order is part of the bytes signed).
pub type Claims = Vec<(String, Value)>;

/// How the token is signed.
#[derive(Clone)]
pub enum Signer {
    Key(Box<GatekeeperKey>),
    /// `alg: none` style: an empty signature part (RFC 7519 §6.1).
    Unsigned,
    /// HMAC-SHA-256 with this secret (RFC 7518 §3.2).
    Hmac(Vec<u8>),
}

/// A token before encoding.
#[derive(Clone)]
pub struct TokenParts {
    pub header: Claims,
    pub claims: Claims,
    pub signer: Signer,
}

/// Serialises members in order as a JSON object.
pub fn object(members: &Claims) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(name.clone()).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

impl TokenParts {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.claims.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets a claim, keeping its position, or appends it.
    pub fn set(&mut self, name: &str, value: Value) {
        set_member(&mut self.claims, name, value);
    }

    pub fn remove(&mut self, name: &str) {
        self.claims.retain(|(n, _)| n != name);
    }

    pub fn set_header(&mut self, name: &str, value: Value) {
        set_member(&mut self.header, name, value);
    }

    /// The signing input: base64url(header) "." base64url(claims).
    pub fn signing_input(&self) -> String {
        format!(
            "{}.{}",
            b64(object(&self.header).as_bytes()),
            b64(object(&self.claims).as_bytes())
        )
    }

    pub fn signature(&self, input: &[u8]) -> Vec<u8> {
        match &self.signer {
            Signer::Key(key) => key.sign(input),
            Signer::Unsigned => Vec::new(),
            Signer::Hmac(secret) => {
                // HMAC takes keys of any length; this cannot fail.
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
                    .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
                mac.update(input);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    /// The compact serialisation.
    pub fn compact(&self) -> String {
        let input = self.signing_input();
        let signature = self.signature(input.as_bytes());
        format!("{input}.{}", b64(&signature))
    }
}

fn set_member(members: &mut Claims, name: &str, value: Value) {
    match members.iter_mut().find(|(n, _)| n == name) {
        Some(member) => member.1 = value,
        None => members.push((name.to_string(), value)),
    }
}
