//! Deliberate misbehaviours. Every field defaults to off; each one bends
//! exactly one thing in an otherwise valid output so the harness can check
//! that the implementation under test refuses it.
//!
//! Message knobs (everything except the two bundle knobs) are applied to a
//! scratch copy of the sending session: a message built under any of them does
//! not advance the honest sending chain, so the next un-knobbed message is
//! byte-for-byte what an honest sender would have sent next.

/// How to spoil the ratchet key carried in a SignalMessage (MAC still correct).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadRatchetKey {
    /// Type byte 0x06 instead of 0x05 (same 32 bytes).
    WrongType,
    /// Only 32 bytes (type byte kept, last key byte dropped).
    Truncated,
    /// `0x05 ||` a point of order 8 (u-coordinate from the standard small-order list).
    LowOrder,
    /// `0x05 ||` these 32 bytes: the e2ee suite sends every low-order
    /// encoding of Project Wycheproof's x25519 vectors
    /// (`crate::vectors::wycheproof::x25519_low_order_publics`).
    LowOrderPoint([u8; 32]),
    /// The real `0x05 || 32 bytes` with this many zero bytes after it. Not a
    /// must-refuse: libsignal-protocol-c refuses it, libsignal-protocol-java
    /// and libsignal read the first 33 bytes (`SignalConfig::ignore_trailing_key_bytes`).
    TrailingBytes(u8),
}

/// Change the length of the serialized output after everything else is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LengthChange {
    /// Drop this many bytes from the end.
    Truncate(usize),
    /// Append these bytes.
    Extend(Vec<u8>),
}

/// The misbehaviour switches of one peer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignalKnobs {
    /// Flip the low bit of the first MAC byte. Receiver: `BadMac`.
    pub wrong_mac: bool,
    /// Use this version byte (e.g. 0x23 or 0x43) in the SignalMessage; the MAC is
    /// computed over it, so only the version is wrong. Receiver: `BadVersion`.
    pub version_byte: Option<u8>,
    /// Skip this many message keys before encrypting (counter = next + N).
    /// Beyond the receiver's `max_forward_jump` it answers `TooFarForward`;
    /// within it the message is accepted and the skipped keys stored.
    pub counter_jump: Option<u32>,
    /// Re-encrypt under the counter and message key of the last message sent
    /// in this chain. Receiver: `DuplicateMessage`.
    pub reuse_counter: bool,
    /// Cut or extend the final serialized bytes. Receiver: `Malformed` or `BadMac`
    /// (a one-byte truncation is always `Malformed`: the protobuf's last field is cut).
    pub length_change: Option<LengthChange>,
    /// Served bundle: signed-prekey signature with one bit flipped. Receiver of the bundle: `BadSignature`.
    pub bundle_bad_signature: bool,
    /// Served bundle: a different identity key (derived from this seed), with the
    /// signed prekey properly signed by it. A receiver that already trusts the real
    /// identity answers `UntrustedIdentity`.
    pub bundle_substitute_identity: Option<[u8; 32]>,
    /// PreKeySignalMessage: claim this signed-prekey id (one the receiver does not hold).
    /// Receiver: `InvalidKeyId { kind: Signed, .. }`.
    pub prekey_signed_prekey_id: Option<u32>,
    /// PreKeySignalMessage: claim this one-time-prekey id (e.g. one the receiver
    /// already consumed). Receiver: `InvalidKeyId { kind: OneTime, .. }`.
    pub prekey_one_time_prekey_id: Option<u32>,
    /// Put a spoiled ratchet key in the SignalMessage (MAC correct). Receiver: `InvalidKey`.
    pub bad_ratchet_key: Option<BadRatchetKey>,
    /// Replace previousCounter with this value (MAC correct). libsignal never reads
    /// previousCounter, so a libsignal-faithful receiver (this one) accepts it.
    pub previous_counter: Option<u32>,
    /// Compute the MAC with receiver identity first, sender second. Receiver: `BadMac`.
    pub mac_identities_swapped: bool,
    /// Encrypt a block whose last byte is 0x11 (not valid PKCS#7) under the real
    /// keys with a correct MAC. Receiver: `InvalidPadding`.
    pub invalid_padding: bool,
    /// Zero-extend the plaintext to the sender's `max_body_len`, so the ciphertext
    /// exceeds it (MAC correct). Receiver with the same limit: `Oversized`.
    pub oversized_body: bool,
}

impl SignalKnobs {
    /// All off.
    pub fn honest() -> Self {
        Self::default()
    }

    /// True when any knob that changes outgoing messages is on.
    pub fn affects_messages(&self) -> bool {
        let SignalKnobs {
            wrong_mac,
            version_byte,
            counter_jump,
            reuse_counter,
            length_change,
            bundle_bad_signature: _,
            bundle_substitute_identity: _,
            prekey_signed_prekey_id,
            prekey_one_time_prekey_id,
            bad_ratchet_key,
            previous_counter,
            mac_identities_swapped,
            invalid_padding,
            oversized_body,
        } = self;
        *wrong_mac
            || version_byte.is_some()
            || counter_jump.is_some()
            || *reuse_counter
            || length_change.is_some()
            || prekey_signed_prekey_id.is_some()
            || prekey_one_time_prekey_id.is_some()
            || bad_ratchet_key.is_some()
            || previous_counter.is_some()
            || *mac_identities_swapped
            || *invalid_padding
            || *oversized_body
    }
}

/// A u-coordinate of order 8 on Curve25519 (from the well-known small-order list,
/// e.g. the blacklist in libsodium's crypto_scalarmult/curve25519/ref10).
pub const ORDER8_POINT: [u8; 32] = [
    0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
    0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00,
];

/// Every knob against an honest receiver: the knobbed output is refused with
/// the expected variant, nothing moves, and the next honest message decrypts.
#[cfg(test)]
mod tests {
    use super::super::device::tests::util::*;
    use super::super::device::{Address, Device, MessageType};
    use super::super::error::{PreKeyKind, SignalError};
    use super::super::wire::{compute_mac, PreKeySignalMessage, MAC_LEN};
    use super::*;

    /// Alice and Bob with a two-way session (Alice now sends SignalMessages).
    fn talking() -> (Device, Device) {
        let (mut alice, mut bob) = established(true);
        let (a, b) = (alice_addr(), bob_addr());
        send(&mut alice, &mut bob, &a, &b, b"hello");
        send(&mut bob, &mut alice, &b, &a, b"hello back");
        (alice, bob)
    }

    /// Encrypt under `knobs`, then switch them off again.
    fn knobbed(alice: &mut Device, knobs: SignalKnobs, text: &[u8]) -> (MessageType, Vec<u8>) {
        let before = snapshot(alice, &bob_addr());
        alice.knobs = knobs;
        let out = alice.encrypt(&bob_addr(), text).unwrap();
        alice.knobs = SignalKnobs::default();
        // A knobbed message never advances the honest sending chain.
        assert_eq!(snapshot(alice, &bob_addr()), before);
        out
    }

    /// The MAC on a knobbed SignalMessage is the honest one for its bytes
    /// (computed from Alice's state before the send).
    fn mac_is_correct(alice: &Device, signal_message: &[u8], counter_offset: u32) {
        let s = alice
            .session(&bob_addr())
            .unwrap()
            .current
            .as_ref()
            .unwrap();
        let mut ck = s.sender_chain.chain_key.clone();
        for _ in 0..counter_offset {
            ck = ck.next().unwrap();
        }
        let mk = ck.message_keys();
        let (data, mac) = signal_message.split_at(signal_message.len() - MAC_LEN);
        assert_eq!(
            compute_mac(&mk.mac_key, &s.local_identity, &s.remote_identity, data),
            mac
        );
    }

    fn refused_then_recovers(
        alice: &mut Device,
        bob: &mut Device,
        (t, m): (MessageType, Vec<u8>),
        expect: impl Fn(&SignalError) -> bool,
    ) {
        let a = alice_addr();
        let before = snapshot(bob, &a);
        let err = bob.decrypt(&a, t, &m).unwrap_err();
        assert!(expect(&err), "unexpected {err:?}");
        assert_eq!(snapshot(bob, &a), before, "state moved after {err:?}");
        send(alice, bob, &a, &bob_addr(), b"next honest message");
    }

    fn knob_case(knobs: SignalKnobs, expect: impl Fn(&SignalError) -> bool) {
        let (mut alice, mut bob) = talking();
        let out = knobbed(&mut alice, knobs, b"knobbed");
        refused_then_recovers(&mut alice, &mut bob, out, expect);
    }

    #[test]
    fn wrong_mac() {
        knob_case(
            SignalKnobs {
                wrong_mac: true,
                ..Default::default()
            },
            |e| *e == SignalError::BadMac,
        );
    }

    #[test]
    fn wrong_mac_on_first_prekey_message_consumes_nothing() {
        let (mut alice, mut bob) = established(true);
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                wrong_mac: true,
                ..Default::default()
            },
            b"x",
        );
        assert_eq!(out.0, MessageType::PreKey);
        refused_then_recovers(&mut alice, &mut bob, out, |e| *e == SignalError::BadMac);
        assert_eq!(bob.one_time_prekey_ids(), vec![2, 3]);
    }

    #[test]
    fn wrong_version_with_correct_mac() {
        for vb in [0x23u8, 0x43] {
            let (mut alice, mut bob) = talking();
            let out = knobbed(
                &mut alice,
                SignalKnobs {
                    version_byte: Some(vb),
                    ..Default::default()
                },
                b"v",
            );
            assert_eq!(out.1[0], vb);
            mac_is_correct(&alice, &out.1, 0);
            refused_then_recovers(&mut alice, &mut bob, out, |e| {
                *e == SignalError::BadVersion(vb)
            });
        }
    }

    #[test]
    fn counter_jump_beyond_and_within_limit() {
        knob_case(
            SignalKnobs {
                counter_jump: Some(2001),
                ..Default::default()
            },
            |e| matches!(e, SignalError::TooFarForward { limit: 2000, .. }),
        );
        // Exactly at the limit is accepted (keys stored), and the honest
        // message at the skipped counter then decrypts from the stored key.
        let (mut alice, mut bob) = talking();
        let (t, m) = knobbed(
            &mut alice,
            SignalKnobs {
                counter_jump: Some(2000),
                ..Default::default()
            },
            b"far",
        );
        assert_eq!(bob.decrypt(&alice_addr(), t, &m).unwrap(), b"far");
        let s = bob
            .session(&alice_addr())
            .unwrap()
            .current
            .as_ref()
            .unwrap();
        assert_eq!(s.skipped_key_count(), 2000);
        send(&mut alice, &mut bob, &alice_addr(), &bob_addr(), b"honest");
    }

    #[test]
    fn reuse_counter() {
        let (mut alice, mut bob) = talking();
        send(
            &mut alice,
            &mut bob,
            &alice_addr(),
            &bob_addr(),
            b"used once",
        );
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                reuse_counter: true,
                ..Default::default()
            },
            b"used twice",
        );
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            matches!(e, SignalError::DuplicateMessage { .. })
        });
    }

    #[test]
    fn truncated_and_extended() {
        knob_case(
            SignalKnobs {
                length_change: Some(LengthChange::Truncate(1)),
                ..Default::default()
            },
            |e| matches!(e, SignalError::Malformed(_)),
        );
        knob_case(
            SignalKnobs {
                length_change: Some(LengthChange::Truncate(30)),
                ..Default::default()
            },
            |e| matches!(e, SignalError::Malformed(_) | SignalError::BadMac),
        );
        for extra in [vec![0u8], vec![0xAA; 3], vec![0x55; 40]] {
            knob_case(
                SignalKnobs {
                    length_change: Some(LengthChange::Extend(extra)),
                    ..Default::default()
                },
                |e| matches!(e, SignalError::Malformed(_) | SignalError::BadMac),
            );
        }
    }

    #[test]
    fn bundle_bad_signature() {
        let (mut alice, mut bob) = pair();
        bob.knobs.bundle_bad_signature = true;
        let bad = bob.bundle();
        assert_eq!(bad.verify_signature(), Err(SignalError::BadSignature));
        let before = snapshot(&alice, &bob_addr());
        assert_eq!(
            alice.process_bundle(&bob_addr(), &bad),
            Err(SignalError::BadSignature)
        );
        assert_eq!(snapshot(&alice, &bob_addr()), before);
        bob.knobs = SignalKnobs::default();
        let good = bob.bundle();
        alice.process_bundle(&bob_addr(), &good).unwrap();
        send(&mut alice, &mut bob, &alice_addr(), &bob_addr(), b"ok");
    }

    #[test]
    fn bundle_substitute_identity() {
        let (mut alice, mut bob) = talking();
        bob.knobs.bundle_substitute_identity = Some([0x99; 32]);
        let mitm = bob.bundle();
        bob.knobs = SignalKnobs::default();
        // Well-formed in every other respect: the signature verifies under the substitute key.
        assert_eq!(mitm.verify_signature(), Ok(()));
        assert_ne!(&mitm.identity_key, bob.identity_key());
        let before = snapshot(&alice, &bob_addr());
        assert_eq!(
            alice.process_bundle(&bob_addr(), &mitm),
            Err(SignalError::UntrustedIdentity)
        );
        assert_eq!(snapshot(&alice, &bob_addr()), before);
        send(
            &mut alice,
            &mut bob,
            &alice_addr(),
            &bob_addr(),
            b"still fine",
        );
    }

    #[test]
    fn unknown_signed_prekey_id() {
        let (mut alice, mut bob) = established(true);
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                prekey_signed_prekey_id: Some(999),
                ..Default::default()
            },
            b"x",
        );
        let parsed = PreKeySignalMessage::parse(&out.1, 1 << 20).unwrap();
        assert_eq!(parsed.signed_pre_key_id, 999);
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            *e == SignalError::InvalidKeyId {
                kind: PreKeyKind::Signed,
                id: 999,
            }
        });
    }

    #[test]
    fn already_consumed_one_time_prekey_id() {
        let (mut alice, mut bob) = pair();
        let mut carol = Device::from_seed([0xC0; 32], "+14154444444", 3333, 1);
        let c = Address::new("+14154444444", 1);
        let carol_bundle = bob.bundle(); // otp 1
        carol.process_bundle(&bob_addr(), &carol_bundle).unwrap();
        send(&mut carol, &mut bob, &c, &bob_addr(), b"carol consumes 1");
        assert_eq!(bob.one_time_prekey_ids(), vec![2, 3]);

        let alice_bundle = bob.bundle(); // otp 2
        alice.process_bundle(&bob_addr(), &alice_bundle).unwrap();
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                prekey_one_time_prekey_id: Some(1),
                ..Default::default()
            },
            b"x",
        );
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            *e == SignalError::InvalidKeyId {
                kind: PreKeyKind::OneTime,
                id: 1,
            }
        });
        assert_eq!(bob.one_time_prekey_ids(), vec![3]);
    }

    #[test]
    fn bad_ratchet_keys() {
        for kind in [
            BadRatchetKey::WrongType,
            BadRatchetKey::Truncated,
            BadRatchetKey::LowOrder,
        ] {
            let (mut alice, mut bob) = talking();
            let out = knobbed(
                &mut alice,
                SignalKnobs {
                    bad_ratchet_key: Some(kind),
                    ..Default::default()
                },
                b"k",
            );
            mac_is_correct(&alice, &out.1, 0);
            refused_then_recovers(&mut alice, &mut bob, out, |e| {
                matches!(e, SignalError::InvalidKey(_))
            });
        }
    }

    #[test]
    fn trailing_ratchet_key_bytes_are_refused_or_read_as_the_first_33() {
        let (mut alice, mut bob) = talking();
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                bad_ratchet_key: Some(BadRatchetKey::TrailingBytes(1)),
                ..Default::default()
            },
            b"t",
        );
        mac_is_correct(&alice, &out.1, 0);
        let mut lenient = bob.clone();
        lenient.config.ignore_trailing_key_bytes = true;
        assert_eq!(lenient.decrypt(&alice_addr(), out.0, &out.1).unwrap(), b"t");
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            matches!(e, SignalError::InvalidKey(_))
        });
    }

    #[test]
    fn altered_previous_counter_is_accepted_like_libsignal() {
        let (mut alice, mut bob) = talking();
        let (t, m) = knobbed(
            &mut alice,
            SignalKnobs {
                previous_counter: Some(77),
                ..Default::default()
            },
            b"pc",
        );
        mac_is_correct(&alice, &m, 0);
        let parsed = super::super::wire::SignalMessage::parse(&m, 1 << 20).unwrap();
        assert_eq!(parsed.previous_counter, 77);
        assert_eq!(bob.decrypt(&alice_addr(), t, &m).unwrap(), b"pc");
    }

    #[test]
    fn mac_with_identities_swapped() {
        knob_case(
            SignalKnobs {
                mac_identities_swapped: true,
                ..Default::default()
            },
            |e| *e == SignalError::BadMac,
        );
    }

    #[test]
    fn invalid_padding_under_correct_mac() {
        let (mut alice, mut bob) = talking();
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                invalid_padding: true,
                ..Default::default()
            },
            b"pad",
        );
        mac_is_correct(&alice, &out.1, 0);
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            *e == SignalError::InvalidPadding
        });
    }

    #[test]
    fn oversized_body() {
        let (mut alice, mut bob) = talking();
        alice.config.max_body_len = 1024;
        bob.config.max_body_len = 1024;
        let out = knobbed(
            &mut alice,
            SignalKnobs {
                oversized_body: true,
                ..Default::default()
            },
            b"big",
        );
        mac_is_correct(&alice, &out.1, 0);
        refused_then_recovers(&mut alice, &mut bob, out, |e| {
            *e == SignalError::Oversized {
                len: 1040,
                max: 1024,
            }
        });
    }

    #[test]
    fn default_is_honest_and_flags_are_detected() {
        assert!(!SignalKnobs::default().affects_messages());
        let k = SignalKnobs {
            bundle_bad_signature: true,
            ..Default::default()
        };
        assert!(!k.affects_messages());
        let k = SignalKnobs {
            invalid_padding: true,
            ..Default::default()
        };
        assert!(k.affects_messages());
        assert!(super::super::keys::is_low_order(&ORDER8_POINT));
    }
}
