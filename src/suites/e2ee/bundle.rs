//! The judge's own conversion between prekey bundles and their adapter
//! message (`E2eeBundle`, docs/e2ee.md). Written apart from the reference
//! target's, so a mistake there is not shared by the code that checks it.

use crate::adapter::proto::E2eeBundle;
use crate::peer::signal::{PreKeyBundle, PublicKey};

/// The longest signature taken from a target's bundle (an XEdDSA signature
/// is 64 bytes; anything far longer is not one).
const MAX_SIGNATURE_BYTES: usize = 1024;

/// A bundle as the harness sends it.
pub fn to_message(bundle: &PreKeyBundle) -> E2eeBundle {
    let (has_one_time_prekey, one_time_prekey_id, one_time_prekey) = match &bundle.one_time_pre_key
    {
        Some((id, key)) => (true, *id, key.serialize().to_vec()),
        None => (false, 0, Vec::new()),
    };
    E2eeBundle {
        registration_id: bundle.registration_id,
        device_id: bundle.device_id,
        identity_key: bundle.identity_key.serialize().to_vec(),
        signed_prekey_id: bundle.signed_pre_key_id,
        signed_prekey: bundle.signed_pre_key.serialize().to_vec(),
        signed_prekey_signature: bundle.signed_pre_key_signature.clone(),
        has_one_time_prekey,
        one_time_prekey_id,
        one_time_prekey,
    }
}

/// A bundle a target served, or which of its fields is not valid.
pub fn from_target(message: &E2eeBundle) -> Result<PreKeyBundle, String> {
    let key = |field: &str, bytes: &[u8]| {
        PublicKey::deserialize(bytes)
            .map_err(|e| format!("{field} ({} bytes) is not a public key: {e}", bytes.len()))
    };
    if message.signed_prekey_signature.len() > MAX_SIGNATURE_BYTES {
        return Err(format!(
            "signed_prekey_signature is {} bytes long",
            message.signed_prekey_signature.len()
        ));
    }
    let one_time_pre_key = match message.has_one_time_prekey {
        true => Some((
            message.one_time_prekey_id,
            key("one_time_prekey", &message.one_time_prekey)?,
        )),
        false => None,
    };
    Ok(PreKeyBundle {
        registration_id: message.registration_id,
        device_id: message.device_id,
        identity_key: key("identity_key", &message.identity_key)?,
        signed_pre_key_id: message.signed_prekey_id,
        signed_pre_key: key("signed_prekey", &message.signed_prekey)?,
        signed_pre_key_signature: message.signed_prekey_signature.clone(),
        one_time_pre_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peer::signal::Device;

    #[test]
    fn a_bundle_survives_the_round_trip_and_a_bad_key_is_named() {
        let mut bob = Device::from_seed([7; 32], "bob", 5, 1);
        for bundle in [bob.bundle(), bob.bundle_without_one_time_prekey()] {
            let message = to_message(&bundle);
            let back = from_target(&message).expect("parses");
            assert_eq!(to_message(&back), message);
            assert_eq!(back.one_time_pre_key.is_some(), message.has_one_time_prekey);
        }
        let mut bad = to_message(&bob.bundle());
        bad.signed_prekey.truncate(32);
        let why = from_target(&bad).expect_err("a 32-byte key without its type byte");
        assert!(why.contains("signed_prekey (32 bytes)"), "{why}");
        bad = to_message(&bob.bundle());
        bad.signed_prekey_signature = vec![0; MAX_SIGNATURE_BYTES + 1];
        assert!(from_target(&bad).is_err());
    }
}
