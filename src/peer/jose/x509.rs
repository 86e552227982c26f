//! A minimal self-signed X.509 certificate for an Ed25519 key (RFC 5280
//! §4.1, RFC 8410), DER-encoded by hand: what an attacker puts in a token's
//! `x5c` header or serves at its `x5u` (RFC 7515 §4.1.5, §4.1.6). Nothing
//! in the harness validates it; it only has to look like a certificate to
//! a verifier that trusts whatever key a header carries.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::keys::{GatekeeperKey, KeyKind};

/// id-Ed25519, 1.3.101.112 (RFC 8410 §3), as a DER OBJECT IDENTIFIER.
const ID_ED25519: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];
/// id-at-commonName, 2.5.4.3 (RFC 5280 Appendix A.1).
const ID_AT_COMMON_NAME: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];

/// One DER TLV (X.690 §8.1: definite length, short or long form).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A certificate for `key`, issued by itself; `None` for a P-256 key (the
/// scenarios only need Ed25519).
pub fn self_signed_ed25519(key: &GatekeeperKey, common_name: &str) -> Option<Vec<u8>> {
    let KeyKind::Ed25519(signing) = &key.key else {
        return None;
    };
    let algorithm = seq(&[ID_ED25519.to_vec()]);
    let name = seq(&[tlv(
        0x31,
        &seq(&[
            ID_AT_COMMON_NAME.to_vec(),
            tlv(0x0c, common_name.as_bytes()),
        ]),
    )]);
    let validity = seq(&[tlv(0x17, b"250101000000Z"), tlv(0x17, b"491231235959Z")]);
    let mut public_bits = vec![0u8];
    public_bits.extend_from_slice(signing.verifying_key().as_bytes());
    let spki = seq(&[algorithm.clone(), tlv(0x03, &public_bits)]);
    let tbs = seq(&[
        tlv(0xa0, &tlv(0x02, &[2])), // version v3
        tlv(0x02, &[1]),             // serialNumber
        algorithm.clone(),
        name.clone(),
        validity,
        name,
        spki,
    ]);
    let mut signature_bits = vec![0u8];
    signature_bits.extend_from_slice(&key.sign(&tbs));
    Some(seq(&[tbs, algorithm, tlv(0x03, &signature_bits)]))
}

/// `x5c` wants standard base64, not base64url (RFC 7515 §4.1.6).
pub fn x5c_entry(der: &[u8]) -> String {
    STANDARD.encode(der)
}

/// The PEM form served at an `x5u` (RFC 7515 §4.1.5, RFC 7468 §5).
pub fn pem(der: &[u8]) -> String {
    let text = STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_certificate_carries_the_key_in_its_spki() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let key = GatekeeperKey::ed25519("k", &mut rng);
        let der = self_signed_ed25519(&key, "attacker").expect("Ed25519");
        assert_eq!(der[0], 0x30);
        let public = match &key.key {
            KeyKind::Ed25519(k) => k.verifying_key().to_bytes(),
            KeyKind::P256(_) => unreachable!(),
        };
        let mut spki = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        spki.extend_from_slice(&public);
        assert!(der.windows(spki.len()).any(|w| w == spki.as_slice()));
        assert!(pem(&der).starts_with("-----BEGIN CERTIFICATE-----\n"));
    }
}
