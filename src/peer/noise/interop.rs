//! Side-by-side runs against snow 0.9 (test-only module): with fixed keys
//! both engines must produce identical bytes and handshake hashes, during
//! the handshake and for transport messages after `Split()`.

#[cfg(test)]
mod tests {
    use super::super::dh::KeyPair;
    use super::super::handshake_state::{HandshakeConfig, HandshakeState};
    use super::super::patterns::{Protocol, Role};
    use super::super::transport::TransportState;

    const PROLOGUE: &[u8] = b"WA\x06\x03";
    const INIT_S: [u8; 32] = [0x11; 32];
    const INIT_E: [u8; 32] = [0x22; 32];
    const RESP_S: [u8; 32] = [0x33; 32];
    const RESP_E: [u8; 32] = [0x44; 32];

    fn snow_side(protocol: Protocol, role: Role) -> snow::HandshakeState {
        let params: snow::params::NoiseParams = protocol.name().parse().unwrap();
        let resp_pub = KeyPair::from_private(RESP_S).public();
        let builder = snow::Builder::new(params).prologue(PROLOGUE);
        match role {
            Role::Initiator => {
                let b = builder
                    .local_private_key(&INIT_S)
                    .fixed_ephemeral_key_for_testing_only(&INIT_E);
                let b = if protocol == Protocol::IK {
                    b.remote_public_key(&resp_pub)
                } else {
                    b
                };
                b.build_initiator().unwrap()
            }
            Role::Responder => builder
                .local_private_key(&RESP_S)
                .fixed_ephemeral_key_for_testing_only(&RESP_E)
                .build_responder()
                .unwrap(),
        }
    }

    fn peer_side(protocol: Protocol, role: Role) -> HandshakeState {
        let cfg = match role {
            Role::Initiator => {
                let c = HandshakeConfig::new(protocol, role)
                    .local_static(KeyPair::from_private(INIT_S))
                    .local_ephemeral(KeyPair::from_private(INIT_E));
                if protocol == Protocol::IK {
                    c.remote_static(KeyPair::from_private(RESP_S).public())
                } else {
                    c
                }
            }
            Role::Responder => HandshakeConfig::new(protocol, role)
                .local_static(KeyPair::from_private(RESP_S))
                .local_ephemeral(KeyPair::from_private(RESP_E)),
        };
        HandshakeState::new(cfg.prologue(PROLOGUE)).unwrap()
    }

    /// Run `peer` (our engine, in `peer_role`) against snow in the other
    /// role and, in parallel, a reference run of our engine against itself,
    /// checking every byte.
    fn side_by_side(protocol: Protocol, peer_role: Role) {
        let mut peer = peer_side(protocol, peer_role);
        let mut snow_hs = snow_side(protocol, peer_role.other());
        // A second pair, snow in peer_role, to compare our output bytes with
        // what snow would write in the same position.
        let mut snow_twin = snow_side(protocol, peer_role);
        let mut buf = vec![0u8; 65535];
        let mut pbuf = vec![0u8; 65535];
        let payloads: [&[u8]; 3] = [b"hello", b"", b"third"];
        let mut i = 0;
        while !peer.is_finished() {
            let payload = payloads[i];
            if peer.is_my_turn() {
                let ours = peer.write_message(payload).unwrap();
                let n = snow_twin.write_message(payload, &mut buf).unwrap();
                assert_eq!(ours, &buf[..n], "{protocol:?} message {i} bytes");
                let n = snow_hs.read_message(&ours, &mut pbuf).unwrap();
                assert_eq!(&pbuf[..n], payload);
            } else {
                let n = snow_hs.write_message(payload, &mut buf).unwrap();
                let got = peer.read_message(&buf[..n]).unwrap();
                assert_eq!(got, payload);
                // Keep the twin in step.
                let msg = buf[..n].to_vec();
                snow_twin.read_message(&msg, &mut pbuf).unwrap();
            }
            i += 1;
        }
        assert!(snow_hs.is_handshake_finished());
        assert_eq!(
            peer.handshake_hash().as_slice(),
            snow_hs.get_handshake_hash()
        );
        assert_eq!(
            peer.handshake_hash().as_slice(),
            snow_twin.get_handshake_hash()
        );
        assert_eq!(
            peer.remote_static().map(|k| k.to_vec()),
            snow_twin.get_remote_static().map(|k| k.to_vec())
        );

        let mut pt: TransportState = peer.into_transport().unwrap();
        let mut st = snow_hs.into_transport_mode().unwrap();
        let mut tw = snow_twin.into_transport_mode().unwrap();
        for k in 0..4u8 {
            let msg = vec![k; 10 + usize::from(k)];
            // peer -> snow, compared with the twin's bytes.
            let ours = pt.write_message(&msg).unwrap();
            let n = tw.write_message(&msg, &mut buf).unwrap();
            assert_eq!(ours, &buf[..n], "transport {k} peer->snow");
            let n = st.read_message(&ours, &mut pbuf).unwrap();
            assert_eq!(&pbuf[..n], msg.as_slice());
            // snow -> peer.
            let n = st.write_message(&msg, &mut buf).unwrap();
            assert_eq!(pt.read_message(&buf[..n]).unwrap(), msg);
        }
    }

    #[test]
    fn xx_matches_snow_as_responder() {
        side_by_side(Protocol::XX, Role::Responder);
    }

    #[test]
    fn xx_matches_snow_as_initiator() {
        side_by_side(Protocol::XX, Role::Initiator);
    }

    #[test]
    fn ik_matches_snow_as_responder() {
        side_by_side(Protocol::IK, Role::Responder);
    }

    #[test]
    fn ik_matches_snow_as_initiator() {
        side_by_side(Protocol::IK, Role::Initiator);
    }

    #[test]
    fn rekey_matches_snow() {
        let mut peer = peer_side(Protocol::XX, Role::Responder);
        let mut snow_hs = snow_side(Protocol::XX, Role::Initiator);
        let mut buf = vec![0u8; 1024];
        let mut pbuf = vec![0u8; 1024];
        while !peer.is_finished() {
            if peer.is_my_turn() {
                let m = peer.write_message(b"").unwrap();
                snow_hs.read_message(&m, &mut pbuf).unwrap();
            } else {
                let n = snow_hs.write_message(b"", &mut buf).unwrap();
                peer.read_message(&buf[..n]).unwrap();
            }
        }
        let mut pt = peer.into_transport().unwrap();
        let mut st = snow_hs.into_transport_mode().unwrap();
        // §11.3: both sides rekey the initiator->responder direction.
        st.rekey_outgoing();
        pt.rekey_incoming().unwrap();
        let n = st.write_message(b"after rekey", &mut buf).unwrap();
        assert_eq!(pt.read_message(&buf[..n]).unwrap(), b"after rekey");
        pt.rekey_outgoing().unwrap();
        st.rekey_incoming();
        let m = pt.write_message(b"and back").unwrap();
        let n = st.read_message(&m, &mut pbuf).unwrap();
        assert_eq!(&pbuf[..n], b"and back");
    }
    /// Our generated XX and IK vectors replayed through snow byte for byte
    /// (snow 0.9 has no fallback modifier, so XXfallback is skipped here and
    /// replayed with dissononce by `xxfallback_replay.py`).
    #[test]
    fn generated_vectors_replay_in_snow() {
        let file = super::super::vectors::generate_default_vectors().unwrap();
        let mut replayed = 0;
        for v in &file.vectors {
            let Ok(params) = v.protocol_name.parse::<snow::params::NoiseParams>() else {
                continue;
            };
            if v.protocol_name.contains("fallback") {
                continue;
            }
            let h = |s: &Option<String>| hex::decode(s.as_deref().unwrap()).unwrap();
            let (is, ie, rs, re) = (
                h(&v.init_static),
                h(&v.init_ephemeral),
                h(&v.resp_static),
                h(&v.resp_ephemeral),
            );
            let prologue = hex::decode(&v.init_prologue).unwrap();
            let mut ib = snow::Builder::new(params.clone())
                .prologue(&prologue)
                .local_private_key(&is)
                .fixed_ephemeral_key_for_testing_only(&ie);
            let remote;
            if v.init_remote_static.is_some() {
                remote = h(&v.init_remote_static);
                ib = ib.remote_public_key(&remote);
            }
            let mut init = ib.build_initiator().unwrap();
            let mut resp = snow::Builder::new(params)
                .prologue(&prologue)
                .local_private_key(&rs)
                .fixed_ephemeral_key_for_testing_only(&re)
                .build_responder()
                .unwrap();
            let mut buf = vec![0u8; 65535];
            let mut pbuf = vec![0u8; 65535];
            let mut msgs = v.messages.iter().enumerate();
            while !init.is_handshake_finished() {
                let (i, m) = msgs.next().unwrap();
                let (w, r) = if i % 2 == 0 {
                    (&mut init, &mut resp)
                } else {
                    (&mut resp, &mut init)
                };
                let n = w
                    .write_message(&hex::decode(&m.payload).unwrap(), &mut buf)
                    .unwrap();
                assert_eq!(
                    hex::encode(&buf[..n]),
                    m.ciphertext,
                    "{} msg {i}",
                    v.protocol_name
                );
                r.read_message(&buf[..n], &mut pbuf).unwrap();
            }
            assert_eq!(
                Some(hex::encode(init.get_handshake_hash())),
                v.handshake_hash.clone()
            );
            let mut it = init.into_transport_mode().unwrap();
            let mut rt = resp.into_transport_mode().unwrap();
            for (i, m) in msgs {
                let (w, r) = if i % 2 == 0 {
                    (&mut it, &mut rt)
                } else {
                    (&mut rt, &mut it)
                };
                let n = w
                    .write_message(&hex::decode(&m.payload).unwrap(), &mut buf)
                    .unwrap();
                assert_eq!(
                    hex::encode(&buf[..n]),
                    m.ciphertext,
                    "{} msg {i}",
                    v.protocol_name
                );
                r.read_message(&buf[..n], &mut pbuf).unwrap();
            }
            replayed += 1;
        }
        assert_eq!(replayed, 2);
    }
}
