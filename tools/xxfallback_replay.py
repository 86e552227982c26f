#!/usr/bin/env python3
"""Replay the Noise_XXfallback_25519_AESGCM_SHA256 vectors of a cacophony-format
vector file with the independent `dissononce` implementation (PyPI).

Usage: xxfallback_replay.py [VECTOR_FILE]
(default: vectors/noise/interspec-generated.json in this repository)

Conventions of the file (see src/peer/noise/vectors.rs): init_* is Alice, the IK
initiator, whose `init_ephemeral` is the XXfallback pre-message key;
`resp_remote_ephemeral` (or, if absent, the public key of `init_ephemeral`) is
that key as Bob knows it; message 0 is written by Bob (the responder) and the
senders alternate, continuing into transport messages after Split().

dissononce labels Alice `initiator=True` for XXfallback, as this engine does.
Exit status: 0 if every XXfallback vector matches byte for byte, 1 on any
mismatch or error, 2 if the file holds no XXfallback vector.
"""

import binascii
import json
import os
import sys

from dissononce.cipher.aesgcm import AESGCMCipher
from dissononce.dh.private import PrivateKey
from dissononce.dh.x25519.x25519 import X25519DH
from dissononce.extras.dh.dangerous.dh_nogen import NoGenDH
from dissononce.hash.sha256 import SHA256Hash
from dissononce.processing.handshakepatterns.interactive.XX import XXHandshakePattern
from dissononce.processing.impl.cipherstate import CipherState
from dissononce.processing.impl.handshakestate import HandshakeState
from dissononce.processing.impl.symmetricstate import SymmetricState
from dissononce.processing.modifiers.fallback import FallbackPatternModifier

PROTOCOL = "Noise_XXfallback_25519_AESGCM_SHA256"


def unhex(value):
    return binascii.unhexlify(value) if value else b""


def new_state(ephemeral_private):
    dh = X25519DH()
    if ephemeral_private:
        dh = NoGenDH(dh, PrivateKey(ephemeral_private))
    return HandshakeState(SymmetricState(CipherState(AESGCMCipher()), SHA256Hash()), dh)


def replay(vector):
    """Return None on success, or a description of the first mismatch."""
    x25519 = X25519DH()
    pattern = FallbackPatternModifier().modify(XXHandshakePattern())

    alice_e = x25519.generate_keypair(PrivateKey(unhex(vector["init_ephemeral"])))
    alice_s = x25519.generate_keypair(PrivateKey(unhex(vector["init_static"])))
    bob_s = x25519.generate_keypair(PrivateKey(unhex(vector["resp_static"])))
    re_hex = vector.get("resp_remote_ephemeral")
    bob_re = x25519.create_public(unhex(re_hex)) if re_hex else alice_e.public

    alice = new_state(None)
    bob = new_state(unhex(vector.get("resp_ephemeral")))
    alice.initialize(pattern, True, unhex(vector.get("init_prologue")), s=alice_s, e=alice_e)
    bob.initialize(pattern, False, unhex(vector.get("resp_prologue")), s=bob_s, re=bob_re)
    if alice.protocol_name != PROTOCOL:
        return "dissononce derived protocol name %r" % alice.protocol_name

    messages = vector["messages"]
    alice_cs = bob_cs = None
    index = 0
    # Handshake: Bob writes the even-numbered messages.
    while alice_cs is None or bob_cs is None:
        if index >= len(messages):
            return "vector ends before the handshake does"
        msg = messages[index]
        writer, reader = (bob, alice) if index % 2 == 0 else (alice, bob)
        out, got = bytearray(), bytearray()
        w_cs = writer.write_message(unhex(msg["payload"]), out)
        r_cs = reader.read_message(bytes(out), got)
        if bytes(out) != unhex(msg["ciphertext"]):
            return "handshake message %d: %s != %s" % (index, out.hex(), msg["ciphertext"])
        if bytes(got) != unhex(msg["payload"]):
            return "handshake message %d: payload differs" % index
        if index % 2 == 0:
            bob_cs, alice_cs = w_cs, r_cs
        else:
            alice_cs, bob_cs = w_cs, r_cs
        index += 1

    for party in (alice, bob):
        h = party.symmetricstate.get_handshake_hash().hex()
        if vector.get("handshake_hash") and h != vector["handshake_hash"]:
            return "handshake hash %s != %s" % (h, vector["handshake_hash"])

    # Transport: Split() gives (c1, c2); c1 encrypts Alice (initiator) -> Bob.
    for i in range(index, len(messages)):
        msg = messages[i]
        payload = unhex(msg["payload"])
        if i % 2 == 0:
            ct = bob_cs[1].encrypt_with_ad(b"", payload)
            pt = alice_cs[1].decrypt_with_ad(b"", ct)
        else:
            ct = alice_cs[0].encrypt_with_ad(b"", payload)
            pt = bob_cs[0].decrypt_with_ad(b"", ct)
        if bytes(ct) != unhex(msg["ciphertext"]) or bytes(pt) != payload:
            return "transport message %d: %s != %s" % (i, bytes(ct).hex(), msg["ciphertext"])
    return None


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    path = argv[1] if len(argv) > 1 else os.path.join(here, "..", "vectors", "noise", "interspec-generated.json")
    with open(path) as f:
        vectors = [v for v in json.load(f)["vectors"] if v.get("protocol_name") == PROTOCOL]
    if not vectors:
        print("no %s vector in %s" % (PROTOCOL, path))
        return 2
    failed = 0
    for n, vector in enumerate(vectors):
        try:
            problem = replay(vector)
        except Exception as exc:  # a malformed vector or a dissononce error
            problem = "error: %r" % (exc,)
        if problem:
            failed += 1
            print("vector %d: FAIL: %s" % (n, problem))
        else:
            print("vector %d: pass (%d messages)" % (n, len(vector["messages"])))
    print("%d passed, %d failed" % (len(vectors) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
