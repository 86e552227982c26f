//! X25519 public keys in their other encoding: the peer's genuine keys with
//! bit 255 set (Project Wycheproof's `NonCanonicalPublic` class, x25519
//! tcIds 87 to 99 for special values; here applied to real keys so the
//! handshake can complete).
//!
//! RFC 7748 §5: "When receiving such an array, implementations of X25519
//! (but not X448) MUST mask the most significant bit in the final byte."
//! Noise rev34 §12.1 makes `DH()` that X25519 and allows only one refusal,
//! of "inputs that produce an all-zeros output"; §4.1 says a public key
//! "encodes some value which is a generator in a large prime-order group
//! (which value may have multiple equivalent encodings)". A key with bit
//! 255 set is such an encoding of a valid key, its DH output is not all
//! zeros, so refusing it is not one of the allowed behaviours.

use super::drive::*;
use crate::ensure;
use crate::peer::noise::{NoiseKnobs, Protocol, Role};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// The peer sends its ephemeral and static keys with bit 255 set, hashing
/// the bytes it sent; the target completes the handshake (XX in both
/// roles, IK as responder), agrees on the handshake hash, and one
/// transport message goes each way.
pub fn high_bit_keys_accepted(ctx: &mut ScenarioCtx) -> Check {
    for (protocol, role) in [
        (Protocol::XX, Role::Responder),
        (Protocol::XX, Role::Initiator),
        (Protocol::IK, Role::Responder),
    ] {
        let setup = Setup::new(protocol, role).knobs(NoiseKnobs {
            high_bit_public_keys: true,
            ..NoiseKnobs::default()
        });
        let what = format!(
            "{} with the target as {role:?}, the peer's keys sent with bit 255 set",
            protocol.name()
        );
        let mut live = start(ctx, &setup)?;
        complete(ctx, &mut live).map_err(|mut f| {
            f.message = format!("{what}: {}", f.message);
            f
        })?;
        let status = hs_status(ctx)?;
        ensure!(
            status.complete && !status.failed,
            "{what}: the target reports complete={} failed={}",
            status.complete,
            status.failed
        );
        ensure!(
            status.handshake_hash == live.peer.handshake_hash(),
            "{what}: handshake hashes differ (target {}, peer {}): the target did not hash the key bytes as received",
            hex::encode(&status.handshake_hash),
            hex::encode(live.peer.handshake_hash())
        );
        // The remote static may be reported as received or masked.
        let genuine = live.peer_static.public();
        let mut sent = genuine;
        sent[31] |= 0x80;
        ensure!(
            status.remote_static == genuine || status.remote_static == sent,
            "{what}: the target reports remote static {}, neither the bytes sent ({}) nor the key they encode ({})",
            hex::encode(&status.remote_static),
            hex::encode(sent),
            hex::encode(genuine)
        );
        let mut transport = live
            .peer
            .into_transport()
            .map_err(|e| harness("split", e))?;
        let down = random_payload(ctx, 64);
        let m = transport
            .write_message(&down)
            .map_err(|e| harness("seal", e))?;
        let got = hs_open(
            ctx,
            &m,
            &format!("{what}: the peer's first transport message"),
        )?;
        ensure!(
            got == down,
            "{what}: the first transport message opened to other bytes"
        );
        let up = random_payload(ctx, 64);
        let sealed = hs_seal(ctx, &up)?;
        let got = transport.read_message(&sealed.message).map_err(|e| {
            Finding::fail(format!(
                "{what}: the peer could not open the target's first transport message: {e} (its DH did not use the masked key)"
            ))
        })?;
        ensure!(
            got == up,
            "{what}: the target's first transport message opened to other bytes"
        );
    }
    Ok(
        "keys with bit 255 set (XX both roles, IK responder): handshake complete, hashes agree, transport works"
            .into(),
    )
}
