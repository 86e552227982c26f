//! Golden vectors fed to targets with the fixed-keys capability: the
//! session transcripts of vectors/signal/interspec-generated.json, byte for
//! byte, and the safety number of their two parties. Targets without the
//! capability answer Unsupported: not applicable.

use super::bundle;
use super::harness::{
    create_device, decrypt_raw, encrypt, get_bundle_proto, process_bundle, safety_number, Step,
    Wire,
};
use crate::adapter::client::Reply;
use crate::adapter::proto::{response, E2eeFixedKeys, E2eeFixedPreKey};
use crate::ensure;
use crate::peer::signal::{MessageType, PreKeyBundle};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::{unexpected, ScenarioCtx};
use crate::vectors::signal::{
    builtin_safety_number, builtin_transcripts, bytes, Party, Transcript,
};

/// The built-in transcripts, when the target speaks Signal's wire format.
fn transcripts(ctx: &ScenarioCtx) -> Step<Vec<(String, Transcript)>> {
    super::harness::require_signal_wire(ctx)?;
    builtin_transcripts()
        .map_err(|e| Finding::error(format!("the built-in vectors do not parse: {e}")))
}

fn vector_error(e: String) -> Finding {
    Finding::error(format!("the built-in vector is unusable: {e}"))
}

/// The party's fixed keys for E2eeCreateDevice, each private key registered
/// as a secret first so no report shows it.
fn fixed_keys(ctx: &mut ScenarioCtx, party: &Party) -> Step<E2eeFixedKeys> {
    let keys = fixed_keys_of(party)?;
    for secret in [&keys.identity_private, &keys.signed_prekey_private]
        .into_iter()
        .chain(keys.one_time_prekeys.iter().map(|k| &k.private_key))
        .chain(keys.ephemeral_privates.iter())
    {
        ctx.secret(secret);
    }
    Ok(keys)
}

fn fixed_keys_of(party: &Party) -> Step<E2eeFixedKeys> {
    let b = |h: &str| bytes(h).map_err(vector_error);
    let mut one_time_prekeys = Vec::new();
    for p in &party.one_time_prekeys {
        one_time_prekeys.push(E2eeFixedPreKey {
            id: p.id,
            private_key: b(&p.private)?,
        });
    }
    let mut ephemeral_privates = Vec::new();
    for e in &party.ephemeral_privates {
        ephemeral_privates.push(b(e)?);
    }
    // Alice's vector fixes no signed prekey; any valid one does (never used).
    let (spk_id, spk_private, spk_signature) = match (
        party.signed_prekey_id,
        &party.signed_prekey_private,
        &party.signed_prekey_signature,
    ) {
        (Some(id), Some(k), Some(s)) => (id, b(k)?, b(s)?),
        _ => (1, vec![0x11; 32], vec![0; 64]),
    };
    Ok(E2eeFixedKeys {
        identity_private: b(&party.identity_private)?,
        signed_prekey_id: spk_id,
        signed_prekey_private: spk_private,
        signed_prekey_signature: spk_signature,
        one_time_prekeys,
        ephemeral_privates,
    })
}

fn wire_of(m: &crate::vectors::signal::TranscriptMessage) -> Step<Wire> {
    Ok(Wire {
        kind: MessageType::from_wire_type(m.message_type)
            .map_err(|e| vector_error(e.to_string()))?,
        bytes: bytes(&m.ciphertext).map_err(vector_error)?,
    })
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("first difference at byte {i}"),
        None => format!("{} bytes instead of {}", a.len(), b.len()),
    }
}

/// The target's output for message `i` must be the vector's bytes.
fn same_bytes(i: usize, got: &Wire, want: &Wire) -> Step<()> {
    ensure!(
        got.kind == want.kind,
        "message {i}: type {:?}, the vector has {:?}",
        got.kind,
        want.kind
    );
    ensure!(
        got.bytes == want.bytes,
        "message {i}: the ciphertext differs from the vector ({})",
        first_difference(&got.bytes, &want.bytes)
    );
    Ok(())
}

fn target_decrypts(
    ctx: &mut ScenarioCtx,
    local: &crate::peer::signal::Address,
    remote: &crate::peer::signal::Address,
    i: usize,
    wire: &Wire,
    plaintext: &[u8],
) -> Step<()> {
    ctx.plaintext(plaintext);
    match decrypt_raw(ctx, local, remote, wire)? {
        Reply::Result(response::Reply::E2eeDecrypt(r)) => {
            ensure!(
                r.plaintext == plaintext,
                "message {i}: the vector's ciphertext decrypted to different bytes"
            );
            Ok(())
        }
        Reply::Rejected { .. } => Err(Finding::fail(format!(
            "message {i}: the vector's ciphertext was refused"
        ))),
        other => Err(unexpected(other, &format!("decrypting vector message {i}"))),
    }
}

/// The target is Bob: it must serve the vector's bundle, decrypt Alice's
/// messages and produce Bob's ciphertexts exactly.
pub fn transcript_target_as_bob(ctx: &mut ScenarioCtx) -> Check {
    let mut total = 0;
    for (name, t) in transcripts(ctx)? {
        ctx.call(crate::adapter::proto::request::Op::Reset(
            crate::adapter::proto::Reset {},
        ))?;
        let (bob, alice) = (t.bob_address(), t.alice_address());
        let keys = fixed_keys(ctx, &t.bob)?;
        let (identity, _) = create_device(ctx, &bob, 0, Some((keys, t.bob.registration_id)))?;
        let expected = Transcript::device(&t.bob).map_err(vector_error)?;
        ensure!(
            identity == *expected.identity_key(),
            "{name}: the fixed identity key came back as another key"
        );
        let served = get_bundle_proto(ctx, &bob, t.with_one_time_prekey)?;
        let mut bob_peer = expected;
        let want = if t.with_one_time_prekey {
            bob_peer.bundle()
        } else {
            bob_peer.bundle_without_one_time_prekey()
        };
        let want = bundle::to_message(&want);
        ensure!(
            served == want,
            "{name}: the served bundle differs from the vector's keys"
        );
        for (i, m) in t.messages.iter().enumerate() {
            let wire = wire_of(m)?;
            let plaintext = bytes(&m.plaintext).map_err(vector_error)?;
            if m.from == "alice" {
                target_decrypts(ctx, &bob, &alice, i, &wire, &plaintext)
                    .map_err(|f| named(f, &name))?;
            } else {
                let got = encrypt(ctx, &bob, &alice, &plaintext)?;
                same_bytes(i, &got, &wire).map_err(|f| named(f, &name))?;
            }
            total += 1;
        }
    }
    Ok(format!(
        "{total} transcript messages decrypted or reproduced byte for byte"
    ))
}

fn named(mut f: Finding, name: &str) -> Finding {
    f.message = format!("{name}: {}", f.message);
    f
}

/// The target is Alice: from the vector's bundle it must produce Alice's
/// ciphertexts exactly and decrypt Bob's.
pub fn transcript_target_as_alice(ctx: &mut ScenarioCtx) -> Check {
    let mut total = 0;
    for (name, t) in transcripts(ctx)? {
        ctx.call(crate::adapter::proto::request::Op::Reset(
            crate::adapter::proto::Reset {},
        ))?;
        let (bob, alice) = (t.bob_address(), t.alice_address());
        let keys = fixed_keys(ctx, &t.alice)?;
        create_device(ctx, &alice, 0, Some((keys, t.alice.registration_id)))?;
        let mut bob_peer = Transcript::device(&t.bob).map_err(vector_error)?;
        let bundle: PreKeyBundle = if t.with_one_time_prekey {
            bob_peer.bundle()
        } else {
            bob_peer.bundle_without_one_time_prekey()
        };
        process_bundle(ctx, &alice, &bob, &bundle)?;
        for (i, m) in t.messages.iter().enumerate() {
            let wire = wire_of(m)?;
            let plaintext = bytes(&m.plaintext).map_err(vector_error)?;
            if m.from == "alice" {
                let got = encrypt(ctx, &alice, &bob, &plaintext)?;
                same_bytes(i, &got, &wire).map_err(|f| named(f, &name))?;
            } else {
                target_decrypts(ctx, &alice, &bob, i, &wire, &plaintext)
                    .map_err(|f| named(f, &name))?;
            }
            total += 1;
        }
    }
    Ok(format!(
        "{total} transcript messages reproduced byte for byte or decrypted"
    ))
}

/// The safety number of the transcript's parties, as the vector states it.
pub fn safety_number_matches_vector(ctx: &mut ScenarioCtx) -> Check {
    let (name, t) = transcripts(ctx)?
        .into_iter()
        .next()
        .ok_or_else(|| Finding::error("no built-in transcript"))?;
    let expected = builtin_safety_number().map_err(vector_error)?;
    let (bob, alice) = (t.bob_address(), t.alice_address());
    let keys = fixed_keys(ctx, &t.alice)?;
    create_device(ctx, &alice, 0, Some((keys, t.alice.registration_id)))?;
    let mut bob_peer = Transcript::device(&t.bob).map_err(vector_error)?;
    let bundle = bob_peer.bundle();
    process_bundle(ctx, &alice, &bob, &bundle)?;
    let digits = safety_number(ctx, &alice, &bob)?;
    ensure!(
        digits == expected,
        "{name}: the target shows {digits}, the vector has {expected}"
    );
    Ok(format!("safety number {digits} equals the vector"))
}
