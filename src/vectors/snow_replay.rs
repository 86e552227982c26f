//! The independent cross-check of XX and IK vectors: the same vector
//! replayed through snow, the well-kept Noise implementation, must give the
//! same ciphertexts and handshake hash. (XXfallback, which snow lacks, is
//! replayed with dissononce by `tools/xxfallback_replay.py` in CI.)

use crate::peer::noise::vectors::Vector;

/// Protocols this cross-check covers.
pub const PROTOCOLS: [&str; 2] = [
    "Noise_XX_25519_AESGCM_SHA256",
    "Noise_IK_25519_AESGCM_SHA256",
];

fn unhex(field: &str, value: &str) -> Result<Vec<u8>, String> {
    hex::decode(value).map_err(|e| format!("{field}: {e}"))
}

/// A key field: hex of exactly 32 bytes (X25519, RFC 7748 §5), checked
/// here because snow panics on a key of another length and the vector file
/// may be anyone's (`vectors verify --cacophony FILE`).
fn key(field: &str, value: &Option<String>) -> Result<Option<Vec<u8>>, String> {
    let Some(bytes) = value.as_deref().map(|v| unhex(field, v)).transpose()? else {
        return Ok(None);
    };
    if bytes.len() != 32 {
        return Err(format!(
            "{field}: a 25519 key is 32 bytes, this one is {}",
            bytes.len()
        ));
    }
    Ok(Some(bytes))
}

fn build(v: &Vector, initiator: bool) -> Result<snow::HandshakeState, String> {
    let params: snow::params::NoiseParams = v
        .protocol_name
        .parse()
        .map_err(|e| format!("snow cannot parse the protocol name: {e:?}"))?;
    let side = if initiator { "init" } else { "resp" };
    let (prologue, s, e, rs) = if initiator {
        (
            unhex("init_prologue", &v.init_prologue)?,
            key("init_static", &v.init_static)?,
            key("init_ephemeral", &v.init_ephemeral)?,
            key("init_remote_static", &v.init_remote_static)?,
        )
    } else {
        (
            unhex("resp_prologue", &v.resp_prologue)?,
            key("resp_static", &v.resp_static)?,
            key("resp_ephemeral", &v.resp_ephemeral)?,
            key("resp_remote_static", &v.resp_remote_static)?,
        )
    };
    let mut builder = snow::Builder::new(params).prologue(&prologue);
    if let Some(s) = &s {
        builder = builder.local_private_key(s);
    }
    if let Some(e) = &e {
        builder = builder.fixed_ephemeral_key_for_testing_only(e);
    }
    if let Some(rs) = &rs {
        builder = builder.remote_public_key(rs);
    }
    if initiator {
        builder.build_initiator()
    } else {
        builder.build_responder()
    }
    .map_err(|e| format!("snow refused the {side} keys: {e}"))
}

/// Replays `v` through snow; `Ok(false)` when the vector is outside this
/// cross-check (another protocol, or PSKs).
pub fn replay(v: &Vector) -> Result<bool, String> {
    let has_psks = |p: &Option<Vec<String>>| p.as_ref().is_some_and(|l| !l.is_empty());
    if !PROTOCOLS.contains(&v.protocol_name.as_str())
        || has_psks(&v.init_psks)
        || has_psks(&v.resp_psks)
    {
        return Ok(false);
    }
    let mut init = build(v, true)?;
    let mut resp = build(v, false)?;
    let mut buf = vec![0u8; 65535];
    let mut out = vec![0u8; 65535];
    let mut index = 0;
    let messages = &v.messages;
    while !(init.is_handshake_finished() && resp.is_handshake_finished()) {
        let m = messages
            .get(index)
            .ok_or("fewer messages than handshake messages")?;
        let payload = unhex("payload", &m.payload)?;
        let (sender, receiver) = if index % 2 == 0 {
            (&mut init, &mut resp)
        } else {
            (&mut resp, &mut init)
        };
        let n = sender
            .write_message(&payload, &mut buf)
            .map_err(|e| format!("message {index}: snow could not write: {e}"))?;
        if buf[..n] != unhex("ciphertext", &m.ciphertext)?[..] {
            return Err(format!(
                "message {index}: snow wrote {}, the vector says {}",
                hex::encode(&buf[..n]),
                m.ciphertext
            ));
        }
        let got = receiver
            .read_message(&buf[..n], &mut out)
            .map_err(|e| format!("message {index}: snow could not read: {e}"))?;
        if out[..got] != payload[..] {
            return Err(format!("message {index}: snow decrypted another payload"));
        }
        index += 1;
    }
    if let Some(h) = &v.handshake_hash {
        if init.get_handshake_hash() != unhex("handshake_hash", h)?.as_slice() {
            return Err(format!(
                "snow's handshake hash {} differs from the vector's {h}",
                hex::encode(init.get_handshake_hash())
            ));
        }
    }
    let mut it = init.into_transport_mode().map_err(|e| e.to_string())?;
    let mut rt = resp.into_transport_mode().map_err(|e| e.to_string())?;
    for (i, m) in messages.iter().enumerate().skip(index) {
        let payload = unhex("payload", &m.payload)?;
        let (sender, receiver) = if i % 2 == 0 {
            (&mut it, &mut rt)
        } else {
            (&mut rt, &mut it)
        };
        let n = sender
            .write_message(&payload, &mut buf)
            .map_err(|e| format!("transport message {i}: snow could not write: {e}"))?;
        if buf[..n] != unhex("ciphertext", &m.ciphertext)?[..] {
            return Err(format!("transport message {i}: snow wrote other bytes"));
        }
        receiver
            .read_message(&buf[..n], &mut out)
            .map_err(|e| format!("transport message {i}: snow could not read: {e}"))?;
    }
    Ok(true)
}
