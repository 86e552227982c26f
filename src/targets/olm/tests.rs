//! builtin:olm on its own: conversations, the envelope checks, and that a
//! refused message changes nothing.

use super::device::Device;
use super::envelope::Envelope;
use super::ops::{OlmOps, OPENING_TYPE, ORDINARY_TYPE};
use crate::adapter::proto::ErrorCategory;
use crate::peer::signal::Address;
use crate::targets::e2ee::{E2eeOps, NewDevice, Refusal};

fn ops() -> OlmOps {
    OlmOps {
        max_body_len: 1 << 16,
        mutant: None,
        variant: None,
    }
}

fn device(ops: &OlmOps, name: &str) -> Device {
    ops.create_device(NewDevice {
        address: Address::new(name, 1),
        registration_id: 0,
        one_time_prekeys: 2,
        fixed_keys: None,
    })
    .expect("device")
    .0
}

fn addr(name: &str) -> Address {
    Address::new(name, 1)
}

/// A starts a session with B from B's bundle (one-time key included).
fn start(ops: &OlmOps, a: &mut Device, b: &mut Device) {
    let bundle = ops.bundle(b, true);
    let read = ops.read_bundle(bundle).expect("bundle reads");
    ops.process_bundle(a, &b.address.clone(), read)
        .expect("bundle accepted");
}

fn category(r: Result<Vec<u8>, Refusal>) -> ErrorCategory {
    match r {
        Err(Refusal::Rejected { category, .. }) => category,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A fingerprint of a device's state: its account and sessions, pickled,
/// and its trust.
fn state(d: &Device) -> String {
    let account = serde_json::to_string(&d.account.pickle()).expect("pickle");
    let sessions: Vec<String> = d
        .sessions
        .values()
        .flatten()
        .map(|s| serde_json::to_string(&s.pickle()).expect("pickle"))
        .collect();
    format!("{account}|{sessions:?}|{:?}", d.trusted)
}

#[test]
fn a_conversation_round_trips_both_ways() {
    let ops = ops();
    let (mut a, mut b) = (device(&ops, "a"), device(&ops, "b"));
    start(&ops, &mut a, &mut b);
    let (t, c) = ops.encrypt(&mut a, &addr("b"), b"hi b").expect("encrypt");
    assert_eq!(t, OPENING_TYPE);
    assert_eq!(
        ops.decrypt(&mut b, &addr("a"), t, &c).expect("decrypt"),
        b"hi b"
    );
    let (t, c) = ops.encrypt(&mut b, &addr("a"), b"hi a").expect("encrypt");
    assert_eq!(t, ORDINARY_TYPE);
    assert_eq!(
        ops.decrypt(&mut a, &addr("b"), t, &c).expect("decrypt"),
        b"hi a"
    );
    let (t, c) = ops.encrypt(&mut a, &addr("b"), b"again").expect("encrypt");
    assert_eq!(t, ORDINARY_TYPE, "A heard B: ordinary messages from now on");
    assert_eq!(
        ops.decrypt(&mut b, &addr("a"), t, &c).expect("decrypt"),
        b"again"
    );
    // A replay is refused.
    assert_eq!(
        category(ops.decrypt(&mut b, &addr("a"), t, &c)),
        ErrorCategory::DuplicateMessage
    );
}

#[test]
fn a_tampered_opening_message_changes_nothing_and_keeps_the_one_time_key() {
    let ops = ops();
    let (mut a, mut b) = (device(&ops, "a"), device(&ops, "b"));
    start(&ops, &mut a, &mut b);
    let (t, c) = ops.encrypt(&mut a, &addr("b"), b"first").expect("encrypt");
    let before = state(&b);
    let mut bent = c.clone();
    if let Some(last) = bent.last_mut() {
        *last ^= 1;
    }
    assert!(ops.decrypt(&mut b, &addr("a"), t, &bent).is_err());
    for n in 0..c.len() {
        assert!(
            ops.decrypt(&mut b, &addr("a"), t, &c[..n]).is_err(),
            "prefix {n}"
        );
    }
    assert!(ops.decrypt(&mut b, &addr("a"), 7, &c).is_err());
    assert_eq!(state(&b), before, "a refused opening changed B");
    // The genuine message still opens the session (its one-time key kept).
    assert_eq!(
        ops.decrypt(&mut b, &addr("a"), t, &c).expect("decrypt"),
        b"first"
    );
}

#[test]
fn an_opening_with_a_bad_envelope_is_refused_and_commits_nothing() {
    // A is told B's bundle for the address "e": its envelope names e as the
    // recipient, and B must refuse it without using its one-time key.
    let ops = ops();
    let (mut a, mut b) = (device(&ops, "a"), device(&ops, "b"));
    let bundle = ops.bundle(&mut b, true);
    let read = ops.read_bundle(bundle).expect("bundle");
    ops.process_bundle(&mut a, &addr("e"), read)
        .expect("accepted");
    let (t, c) = ops.encrypt(&mut a, &addr("e"), b"to e").expect("encrypt");
    let before = state(&b);
    assert_eq!(
        category(ops.decrypt(&mut b, &addr("a"), t, &c)),
        ErrorCategory::WrongAudience
    );
    assert_eq!(state(&b), before, "the refused opening was committed");
    // Delivered as from another sender: the envelope says a.
    assert_eq!(
        category(ops.decrypt(&mut b, &addr("z"), t, &c)),
        ErrorCategory::Unauthenticated
    );
    assert_eq!(state(&b), before);
}

#[test]
fn a_changed_identity_is_untrusted_until_approved() {
    let ops = ops();
    let (mut a, mut b, mut e) = (device(&ops, "a"), device(&ops, "b"), device(&ops, "e"));
    start(&ops, &mut a, &mut b);
    let before = state(&a);
    // E's bundle offered as b's.
    let e_bundle = ops.bundle(&mut e, true);
    let identity = e_bundle.identity_key.clone();
    let read = ops.read_bundle(e_bundle).expect("bundle");
    let refused = ops.process_bundle(&mut a, &addr("b"), read.clone());
    assert!(
        matches!(
            refused,
            Err(Refusal::Rejected {
                category: ErrorCategory::UntrustedIdentity,
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(state(&a), before);
    ops.approve_identity(&mut a, &addr("b"), &identity)
        .expect("approve");
    ops.process_bundle(&mut a, &addr("b"), read)
        .expect("accepted once approved");
}

#[test]
fn a_bundle_with_a_substituted_or_unsigned_key_is_refused() {
    let ops = ops();
    let (mut b, mut e) = (device(&ops, "b"), device(&ops, "e"));
    let good = ops.bundle(&mut b, true);
    let other = ops.bundle(&mut e, true);
    let mut swapped = good.clone();
    swapped.signed_prekey = other.signed_prekey.clone();
    assert!(ops.read_bundle(swapped).is_err());
    let mut otk = good.clone();
    otk.one_time_prekey = other.one_time_prekey.clone();
    assert!(ops.read_bundle(otk).is_err());
    let mut sig = good.clone();
    sig.signed_prekey_signature[0] ^= 1;
    assert!(ops.read_bundle(sig).is_err());
    let mut short = good.clone();
    short.identity_key.truncate(33);
    assert!(ops.read_bundle(short).is_err());
    assert!(ops.read_bundle(good).is_ok());
}

#[test]
fn a_tampered_ordinary_message_changes_nothing() {
    let ops = ops();
    let (mut a, mut b) = (device(&ops, "a"), device(&ops, "b"));
    start(&ops, &mut a, &mut b);
    let (t, c) = ops.encrypt(&mut a, &addr("b"), b"open").expect("encrypt");
    ops.decrypt(&mut b, &addr("a"), t, &c).expect("decrypt");
    let (t, c) = ops.encrypt(&mut b, &addr("a"), b"reply").expect("encrypt");
    let before = state(&a);
    // vodozemac MACs its own re-encoding of the parsed message, not the
    // bytes received (src/olm/messages/message.rs `to_mac_bytes`), so a
    // bend prost reads as the same message (the chain-index tag 0x10 bent
    // into an unknown field's) may decrypt: then only to the same
    // plaintext, and the original is a duplicate afterwards.
    let mut accepted = None;
    for i in 0..c.len() {
        let mut bent = c.clone();
        bent[i] ^= 0x40;
        if let Ok(p) = ops.decrypt(&mut a, &addr("b"), t, &bent) {
            assert_eq!(p, b"reply", "byte {i} bent decrypted to other bytes");
            accepted = Some(i);
            break;
        }
        assert_eq!(state(&a), before, "a refused bend at byte {i} changed A");
    }
    match accepted {
        None => assert_eq!(
            ops.decrypt(&mut a, &addr("b"), t, &c).expect("decrypt"),
            b"reply"
        ),
        Some(_) => assert_eq!(
            category(ops.decrypt(&mut a, &addr("b"), t, &c)),
            ErrorCategory::DuplicateMessage
        ),
    }
}

#[test]
fn an_envelope_naming_another_sender_key_is_untrusted() {
    // B trusts A's Ed25519 key from the opening; an envelope with another
    // sender key inside a genuine session is refused.
    let ops = ops();
    let (mut a, mut b) = (device(&ops, "a"), device(&ops, "b"));
    start(&ops, &mut a, &mut b);
    let (t, c) = ops.encrypt(&mut a, &addr("b"), b"open").expect("encrypt");
    ops.decrypt(&mut b, &addr("a"), t, &c).expect("decrypt");
    let forged = Envelope {
        sender: addr("a"),
        recipient: addr("b"),
        sender_ed25519: [9; 32],
        recipient_ed25519: *b.identity.ed.as_bytes(),
        body: b"forged".to_vec(),
    }
    .encode();
    let session = a
        .sessions
        .get_mut(&addr("b"))
        .and_then(|l| l.first_mut())
        .expect("session");
    let (_, bytes) = session.encrypt(&forged).expect("encrypt").to_parts();
    let before = state(&b);
    assert!(ops
        .decrypt(&mut b, &addr("a"), OPENING_TYPE, &bytes)
        .is_err());
    assert_eq!(state(&b), before);
}

#[test]
fn configure_takes_vodozemacs_bounds_and_refuses_others() {
    use super::{check_configure, OLM_MAX_FORWARD_JUMP};
    use crate::adapter::proto::{response::Reply, Configure, E2eeLimits};
    use crate::catalog::profile::Profile;
    let configure = |profile: &Profile| Configure {
        profile: profile.name.clone(),
        e2ee: Some(E2eeLimits {
            max_forward_jump: profile.e2ee.max_forward_jump,
            max_skipped_keys: profile.e2ee.max_skipped_keys,
            max_body_len: profile.e2ee.max_body_len,
            min_skipped_keys: profile.e2ee.min_skipped_keys.unwrap_or(0),
        }),
        ..Configure::default()
    };
    // The compatible path's range (32 to 2000) holds vodozemac's 40.
    let compatible = Profile::load("compatible-e2ee").expect("profile");
    assert_eq!(
        check_configure(&configure(&compatible)),
        Ok(Some(compatible.e2ee.max_body_len as usize))
    );
    // The default profile asks exactly 2000 skipped keys.
    let default = Profile::load("default").expect("profile");
    assert!(matches!(
        check_configure(&configure(&default)),
        Err(Reply::Rejected(_))
    ));
    let limits = |max_forward_jump, min_skipped_keys, max_skipped_keys, max_body_len| Configure {
        e2ee: Some(E2eeLimits {
            max_forward_jump,
            max_skipped_keys,
            max_body_len,
            min_skipped_keys,
        }),
        ..Configure::default()
    };
    assert!(check_configure(&limits(OLM_MAX_FORWARD_JUMP, 40, 40, 1024)).is_ok());
    for (jump, min, max) in [
        (OLM_MAX_FORWARD_JUMP - 1, 32, 2000),
        (OLM_MAX_FORWARD_JUMP + 1, 32, 2000),
        (25_000, 32, 2000),
        (OLM_MAX_FORWARD_JUMP, 41, 2000),
        (OLM_MAX_FORWARD_JUMP, 32, 39),
        (OLM_MAX_FORWARD_JUMP, 0, 39),
    ] {
        assert!(
            matches!(
                check_configure(&limits(jump, min, max, 1024)),
                Err(Reply::Rejected(_))
            ),
            "{jump} {min}..={max} accepted"
        );
    }
    assert!(check_configure(&limits(OLM_MAX_FORWARD_JUMP, 32, 2000, u32::MAX)).is_err());
    assert_eq!(check_configure(&Configure::default()), Ok(None));
}

#[test]
fn a_ciphertext_over_the_body_bound_is_refused_and_changes_nothing() {
    let small = OlmOps {
        max_body_len: 300,
        mutant: None,
        variant: None,
    };
    let (mut a, mut b) = (device(&small, "a"), device(&small, "b"));
    start(&small, &mut a, &mut b);
    let before = state(&a);
    let refused = small.encrypt(&mut a, &addr("b"), &[7; 200]);
    assert!(
        matches!(
            refused,
            Err(Refusal::Rejected {
                category: ErrorCategory::LimitExceeded,
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(state(&a), before);
    assert!(small
        .decrypt(&mut b, &addr("a"), OPENING_TYPE, &[0; 301])
        .is_err());
}
