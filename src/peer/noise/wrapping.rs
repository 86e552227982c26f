//! The deployed gatekeeper's handshake wrapper: each Noise handshake message
//! travels inside a `HandshakeMessage` protobuf (see
//! `proto/gatekeeper_handshake.proto` for the sources) whose fields hold the
//! message's parts: `clientHello {ephemeral=1, static=2, payload=3}` for the
//! client's first message, `serverHello` (same fields) for the server's, and
//! `clientFinish {static=1, payload=2}` for the client's last. whatsmeow
//! `handshake.go` (`doHandshake`) and Baileys `src/Socket/socket.ts`
//! (`validateConnection`) build and read exactly these fields.
//!
//! The client is the pattern's initiator (Alice, also in XXfallback).

use prost::Message;

use super::cipher_state::TAGLEN;
use super::dh::DHLEN;
use super::error::{NoiseError, NoiseResult};
use super::patterns::{HandshakePattern, Role, Token};

/// Messages generated from `proto/gatekeeper_handshake.proto`.
#[allow(clippy::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/interspec.gatekeeper.rs"));
}

use proto::handshake_message::{ClientFinish, ClientHello, ServerHello};
use proto::HandshakeMessage;

/// The largest wrapped message read (a Noise message plus a few bytes of
/// protobuf tags and lengths).
pub const MAX_WRAPPED_LEN: usize = super::handshake_state::MAX_MESSAGE_LEN + 64;

/// Byte lengths of the ephemeral and static parts of message `index` of
/// `pattern`; the rest of the message is the payload.
fn part_lengths(pattern: HandshakePattern, index: usize) -> NoiseResult<(usize, usize)> {
    let messages = pattern.messages();
    let tokens = messages.get(index).ok_or(NoiseError::HandshakeFinished)?;
    // A key exists once any DH token has been processed (§5.3 MixKey).
    let mut has_key = messages[..index]
        .iter()
        .any(|m| m.iter().any(|t| !matches!(t, Token::E | Token::S)));
    let (mut e, mut s) = (0, 0);
    for token in tokens.iter() {
        match token {
            Token::E => e = DHLEN,
            Token::S => s = if has_key { DHLEN + TAGLEN } else { DHLEN },
            _ => has_key = true,
        }
    }
    Ok((e, s))
}

/// Wraps handshake message `index` of `pattern`.
pub fn wrap(pattern: HandshakePattern, index: usize, message: &[u8]) -> NoiseResult<Vec<u8>> {
    let (e, s) = part_lengths(pattern, index)?;
    if message.len() < e + s {
        return Err(NoiseError::MessageTooShort {
            needed: e + s,
            got: message.len(),
        });
    }
    let ephemeral = message[..e].to_vec();
    let static_key = message[e..e + s].to_vec();
    let payload = message[e + s..].to_vec();
    let mut wrapped = HandshakeMessage::default();
    match (pattern.sender_of(index), e > 0) {
        (Role::Initiator, true) => {
            wrapped.client_hello = Some(ClientHello {
                ephemeral,
                r#static: static_key,
                payload,
            })
        }
        (Role::Initiator, false) => {
            wrapped.client_finish = Some(ClientFinish {
                r#static: static_key,
                payload,
            })
        }
        (Role::Responder, _) => {
            wrapped.server_hello = Some(ServerHello {
                ephemeral,
                r#static: static_key,
                payload,
            })
        }
    }
    Ok(wrapped.encode_to_vec())
}

/// Unwraps handshake message `index` of `pattern`: the sub-message the
/// sender must use has to be present, alone, with parts of the right sizes.
pub fn unwrap(pattern: HandshakePattern, index: usize, wrapped: &[u8]) -> NoiseResult<Vec<u8>> {
    let malformed = NoiseError::MalformedWrapper;
    if wrapped.len() > MAX_WRAPPED_LEN {
        return Err(NoiseError::MessageTooLarge {
            len: wrapped.len(),
            max: MAX_WRAPPED_LEN,
        });
    }
    let (e, s) = part_lengths(pattern, index)?;
    let decoded =
        HandshakeMessage::decode(wrapped).map_err(|_| malformed("not a HandshakeMessage"))?;
    let present = [
        decoded.client_hello.is_some(),
        decoded.server_hello.is_some(),
        decoded.client_finish.is_some(),
    ];
    if present.iter().filter(|p| **p).count() != 1 {
        return Err(malformed("exactly one of its fields must be set"));
    }
    let (ephemeral, static_key, payload) = match (pattern.sender_of(index), e > 0) {
        (Role::Initiator, true) => decoded
            .client_hello
            .map(|h| (h.ephemeral, h.r#static, h.payload)),
        (Role::Initiator, false) => decoded
            .client_finish
            .map(|f| (Vec::new(), f.r#static, f.payload)),
        (Role::Responder, _) => decoded
            .server_hello
            .map(|h| (h.ephemeral, h.r#static, h.payload)),
    }
    .ok_or_else(|| malformed("the field this message needs is missing"))?;
    if ephemeral.len() != e || static_key.len() != s {
        return Err(malformed("ephemeral or static field of the wrong length"));
    }
    let mut message = ephemeral;
    message.extend_from_slice(&static_key);
    message.extend_from_slice(&payload);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_the_patterns() {
        use HandshakePattern::*;
        assert_eq!(part_lengths(XX, 0).unwrap(), (32, 0));
        assert_eq!(part_lengths(XX, 1).unwrap(), (32, 48));
        assert_eq!(part_lengths(XX, 2).unwrap(), (0, 48));
        assert_eq!(part_lengths(IK, 0).unwrap(), (32, 48));
        assert_eq!(part_lengths(IK, 1).unwrap(), (32, 0));
        assert_eq!(part_lengths(XXfallback, 0).unwrap(), (32, 48));
        assert_eq!(part_lengths(XXfallback, 1).unwrap(), (0, 48));
    }

    #[test]
    fn wrap_then_unwrap_is_identity_and_fields_are_the_published_ones() {
        let msg: Vec<u8> = (0..100u8).collect();
        let wrapped = wrap(HandshakePattern::XX, 1, &msg).unwrap();
        // serverHello is field 3, length-delimited: tag 0x1a.
        assert_eq!(wrapped[0], 0x1a);
        assert_eq!(unwrap(HandshakePattern::XX, 1, &wrapped).unwrap(), msg);
        let wrapped = wrap(HandshakePattern::XX, 0, &msg[..32]).unwrap();
        assert_eq!(wrapped[0], 0x12); // clientHello, field 2
        let wrapped = wrap(HandshakePattern::XX, 2, &msg[..64]).unwrap();
        assert_eq!(wrapped[0], 0x22); // clientFinish, field 4
        assert_eq!(
            unwrap(HandshakePattern::XX, 2, &wrapped).unwrap(),
            &msg[..64]
        );
        // The wrong sub-message for the position is refused.
        assert!(unwrap(HandshakePattern::XX, 1, &wrapped).is_err());
        assert!(unwrap(HandshakePattern::XX, 1, b"\xff\xff").is_err());
    }
}
