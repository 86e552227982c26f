//! Authentication: signed-prekey signatures, identity changes (untrusted
//! until the user approves), substituted identities, and safety numbers.

use super::harness::{
    approve_identity, expect_rejected, peer_device, process_bundle_op, safety_number, Conversation,
    Initiator,
};
use crate::adapter::proto::ErrorCategory;
use crate::ensure;
use crate::peer::signal::fingerprint;
use crate::peer::signal::SignalKnobs;
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

pub fn bad_signature_bundle_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 2)?;
    c.peer.knobs = SignalKnobs {
        bundle_bad_signature: true,
        ..Default::default()
    };
    let bad = c.peer.bundle();
    c.peer.knobs = SignalKnobs::default();
    let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &bad))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::BadSignature],
        "a bundle whose signed-prekey signature has one bit flipped",
    )?;
    c.no_session_after_refusal(ctx, "the only bundle")?;
    let good = c.peer.bundle();
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &good)?;
    c.target_to_peer(ctx, b"with the good bundle")?;
    Ok("a bad signature refused and no session made; the good bundle works".into())
}

/// The peer reinstalls (new identity, same address): the target refuses its
/// new bundle until the user approves the new identity.
pub fn identity_change_in_bundle_untrusted_until_approved(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Target, true)?;
    c.target_to_peer(ctx, b"before the change")?;
    c.peer_to_target(ctx, b"reply")?;
    let mut reinstalled = peer_device(ctx, &c.peer_addr.clone());
    let bundle = reinstalled.bundle();
    let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &bundle))?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::UntrustedIdentity],
        "a bundle with a changed identity key",
    )?;
    // The old session is untouched meanwhile.
    c.target_to_peer(ctx, b"old session still works")?;
    approve_identity(
        ctx,
        &c.target_addr,
        &c.peer_addr,
        reinstalled.identity_key(),
    )?;
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &bundle)?;
    c.peer = reinstalled;
    c.target_to_peer(ctx, b"to the new identity")?;
    c.peer_to_target(ctx, b"from the new identity")?;
    Ok("a changed identity refused until approved, then a new session works".into())
}

/// The same, when the changed identity arrives in a PreKeySignalMessage.
pub fn identity_change_in_message_untrusted_until_approved(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let old_identity = *c.peer.identity_key();
    let mut reinstalled = peer_device(ctx, &c.peer_addr.clone());
    let bundle = super::harness::get_bundle(ctx, &c.target_addr, true)?;
    reinstalled
        .process_bundle(&c.target_addr, &bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    let (kind, bytes) = reinstalled
        .encrypt(&c.target_addr, b"i have a new phone")
        .map_err(|e| Finding::error(format!("peer: {e}")))?;
    let wire = super::harness::Wire { kind, bytes };
    let reply = c.offer_to_target(ctx, &wire)?;
    expect_rejected(
        ctx,
        reply,
        &[ErrorCategory::UntrustedIdentity],
        "a PreKeySignalMessage from a changed identity",
    )?;
    ensure!(
        old_identity != *reinstalled.identity_key(),
        "internal: the reinstalled peer kept its identity"
    );
    // Until approved, the old identity's session still works.
    // The target speaks first: its session is still the old device's.
    c.target_to_peer(ctx, b"to the old device, still trusted")?;
    c.peer_to_target(ctx, b"old device, still trusted")?;
    approve_identity(
        ctx,
        &c.target_addr,
        &c.peer_addr,
        reinstalled.identity_key(),
    )?;
    c.peer = reinstalled;
    c.deliver_to_target(
        ctx,
        &wire,
        b"i have a new phone",
        "the message after approval",
    )?;
    c.target_to_peer(ctx, b"welcome back")?;
    Ok("a PreKeySignalMessage from a changed identity refused until approved".into())
}

/// A man in the middle serves a well-signed bundle under another identity.
pub fn substituted_identity_bundle_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::start(ctx, Initiator::Target, true)?;
    c.target_to_peer(ctx, b"first")?;
    c.peer.knobs = SignalKnobs {
        bundle_substitute_identity: Some([0x99; 32]),
        ..Default::default()
    };
    let forged = c.peer.bundle();
    c.peer.knobs = SignalKnobs::default();
    ensure!(
        forged.verify_signature().is_ok(),
        "internal: the forged bundle is not self-consistent"
    );
    let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &forged))?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::UntrustedIdentity],
        "a validly signed bundle under a substituted identity",
    )?;
    c.peer_to_target(ctx, b"reply on the real session")?;
    c.target_to_peer(ctx, b"still the real peer")?;
    Ok("a substituted identity refused; the real session continues".into())
}

pub fn safety_number_matches_peer(ctx: &mut ScenarioCtx) -> Check {
    let c = Conversation::talking(ctx)?;
    let theirs = safety_number(ctx, &c.target_addr, &c.peer_addr)?;
    let ours = c
        .peer
        .safety_number(&c.target_addr)
        .map_err(|e| Finding::error(format!("peer: {e}")))?;
    ensure!(
        theirs.len() == 60 && theirs.bytes().all(|b| b.is_ascii_digit()),
        "the safety number {theirs:?} is not 60 digits"
    );
    ensure!(theirs == ours, "the target shows {theirs}, the peer {ours}");
    // Computed from scratch too, not only through the peer device.
    let direct = fingerprint::safety_number(
        fingerprint::DEFAULT_ITERATIONS,
        c.peer_addr.name.as_bytes(),
        c.peer.identity_key(),
        c.target_addr.name.as_bytes(),
        &c.target_identity,
    );
    ensure!(
        theirs == direct,
        "the target shows {theirs}, expected {direct}"
    );
    // The number itself depends on the target's own random identity key:
    // not shown, so reports stay reproducible.
    Ok("the 60-digit safety number equals the peer's and a from-scratch computation".into())
}

/// Signed-prekey signatures of 0, 63 and 65 bytes do not verify: each
/// bundle is refused (BAD_SIGNATURE) and makes no session; the bundle with
/// its real signature then works.
pub fn bundle_signature_wrong_length_refused(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::devices(ctx, 0)?;
    let good = c.peer.bundle();
    for len in [0usize, 63, 65] {
        let mut bad = good.clone();
        bad.signed_pre_key_signature.resize(len, 0x5A);
        let what = format!("a bundle whose signed-prekey signature is {len} bytes");
        let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &bad))?;
        expect_rejected(ctx, reply, &[ErrorCategory::BadSignature], &what)?;
        c.no_session_after_refusal(ctx, &what)?;
    }
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &good)?;
    c.target_to_peer(ctx, b"with the real signature")?;
    Ok("signatures of 0, 63 and 65 bytes refused, no session made; the real one works".into())
}

/// A refusal of a changed identity does not trust it: seen through the
/// next genuine messages, not safety numbers (so it holds for a target
/// without them). The peer reinstalls (new identity, same address); its
/// bundle is refused, then its genuine PreKeySignalMessages are refused
/// too, twice, and its bundle again; meanwhile the old device's session
/// goes on both ways, the target speaking first. Approval then lets the
/// new identity in.
pub fn identity_refusal_does_not_trust(ctx: &mut ScenarioCtx) -> Check {
    let mut c = Conversation::talking(ctx)?;
    let mut reinstalled = peer_device(ctx, &c.peer_addr.clone());
    ensure!(
        reinstalled.identity_key() != c.peer.identity_key(),
        "internal: the reinstalled peer kept its identity"
    );
    let new_bundle = reinstalled.bundle();
    let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &new_bundle))?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::UntrustedIdentity],
        "a bundle with a changed identity key",
    )?;
    // The reinstalled device opens its own session with the target and
    // speaks: genuine messages, MAC-correct, from the untrusted identity.
    let target_bundle = super::harness::get_bundle(ctx, &c.target_addr, true)?;
    reinstalled
        .process_bundle(&c.target_addr, &target_bundle)
        .map_err(|e| Finding::fail(format!("the target's bundle was refused: {e}")))?;
    for n in 1..=2 {
        let (kind, bytes) = reinstalled
            .encrypt(&c.target_addr, format!("new phone, message {n}").as_bytes())
            .map_err(|e| Finding::error(format!("peer: {e}")))?;
        let wire = super::harness::Wire { kind, bytes };
        let reply = c.offer_to_target(ctx, &wire)?;
        c.refused(
            ctx,
            reply,
            &[ErrorCategory::UntrustedIdentity],
            &format!(
                "genuine message {n} from the changed identity after its bundle was refused (a refusal must not trust it)"
            ),
        )?;
    }
    let reply = ctx.call(process_bundle_op(&c.target_addr, &c.peer_addr, &new_bundle))?;
    c.refused(
        ctx,
        reply,
        &[ErrorCategory::UntrustedIdentity],
        "the changed identity's bundle offered again after its messages were refused",
    )?;
    c.peer_to_target(ctx, b"old device, still trusted")?;
    c.target_to_peer(ctx, b"to the old device")?;
    approve_identity(
        ctx,
        &c.target_addr,
        &c.peer_addr,
        reinstalled.identity_key(),
    )?;
    super::harness::process_bundle(ctx, &c.target_addr, &c.peer_addr, &new_bundle)?;
    c.peer = reinstalled;
    c.target_to_peer(ctx, b"to the approved identity")?;
    Ok("a changed identity stays untrusted through its bundle, two genuine messages and the bundle again; the old session goes on; approval lets it in".into())
}
