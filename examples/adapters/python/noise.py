"""Noise Pipes (XX, IK, XXfallback) with 25519, AESGCM and SHA256.

The state machine of the Noise Protocol Framework, revision 34 (§5), on the
primitives of `cryptography` (X25519, AES-256-GCM, HKDF-SHA256). Section
numbers (§) are rev34's. Failures raise `Refused` with the category of
docs/handshake.md; the caller marks the handshake aborted.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from errors import Refused
from protos import pb

DHLEN, HASHLEN, TAGLEN = 32, 32, 16
MAX_MESSAGE = 65535  # §3
MAX_NONCE = 2**64 - 1  # reserved (§5.1)

XX = "Noise_XX_25519_AESGCM_SHA256"
IK = "Noise_IK_25519_AESGCM_SHA256"
XX_FALLBACK = "Noise_XXfallback_25519_AESGCM_SHA256"

# Handshake patterns (§7.5, §10.2) as (sent by Alice?, tokens). Tokens are
# read in Alice/Bob terms: "es" is Alice's ephemeral with Bob's static.
PATTERNS: dict[str, list[tuple[bool, tuple[str, ...]]]] = {
    XX: [(True, ("e",)), (False, ("e", "ee", "s", "es")), (True, ("s", "se"))],
    IK: [(True, ("e", "es", "s", "ss")), (False, ("e", "ee", "se"))],
    XX_FALLBACK: [(False, ("e", "ee", "s", "es")), (True, ("s", "se"))],
}


def public_bytes(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key(raw: bytes) -> X25519PrivateKey:
    if len(raw) != DHLEN:
        raise Refused(pb.INVALID_KEY, f"private key of {len(raw)} bytes")
    return X25519PrivateKey.from_private_bytes(raw)


def check_public(raw: bytes, what: str) -> None:
    """Refuses a key of the wrong size or of small order (§12.1).

    X25519 with any clamped scalar (a multiple of 8) sends every small-order
    point, in any encoding, to zero, and `cryptography` refuses an all-zero
    result: so one trial DH tells them apart.
    """
    if len(raw) != DHLEN:
        raise Refused(pb.INVALID_KEY, f"{what} of {len(raw)} bytes")
    try:
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(raw))
    except ValueError:
        raise Refused(pb.INVALID_KEY, f"{what} is of small order") from None


def dh(key: X25519PrivateKey, public: bytes) -> bytes:
    try:  # RFC 7748 §5 masks bit 255 of the received u-coordinate
        return key.exchange(X25519PublicKey.from_public_bytes(public))
    except ValueError:
        raise Refused(pb.INVALID_KEY, "DH with a small-order key") from None


def hkdf2(ck: bytes, ikm: bytes) -> tuple[bytes, bytes]:
    # §4.3 HKDF with two outputs is RFC 5869 with salt ck and empty info.
    out = HKDF(algorithm=hashes.SHA256(), length=2 * HASHLEN, salt=ck, info=b"").derive(ikm)
    return out[:HASHLEN], out[HASHLEN:]


@dataclass
class CipherState:
    """§5.1, AESGCM's nonce being 32 zero bits then the big-endian n (§12.4)."""

    k: bytes | None = None
    n: int = 0

    @staticmethod
    def nonce(n: int) -> bytes:
        return b"\0\0\0\0" + n.to_bytes(8, "big")

    def encrypt(self, ad: bytes, plaintext: bytes) -> bytes:
        if self.k is None:
            return plaintext
        if self.n >= MAX_NONCE:
            raise Refused(pb.INVALID_STATE, "nonce exhausted")
        out = AESGCM(self.k).encrypt(self.nonce(self.n), plaintext, ad)
        self.n += 1
        return out

    def decrypt(self, ad: bytes, ciphertext: bytes) -> bytes:
        if self.k is None:
            return ciphertext
        if self.n >= MAX_NONCE:
            raise Refused(pb.INVALID_STATE, "nonce exhausted")
        try:
            out = AESGCM(self.k).decrypt(self.nonce(self.n), ciphertext, ad)
        except InvalidTag:
            raise Refused(pb.BAD_MAC, "does not decrypt") from None  # n unchanged
        self.n += 1
        return out

    def rekey(self) -> None:
        # §4.2 REKEY(k): the first 32 bytes of ENCRYPT(k, 2^64-1, zerolen, zeros).
        if self.k is not None:
            self.k = AESGCM(self.k).encrypt(self.nonce(MAX_NONCE), bytes(32), b"")[:32]


@dataclass
class SymmetricState:
    """§5.2."""

    h: bytes
    ck: bytes = b""
    cipher: CipherState = field(default_factory=CipherState)

    @classmethod
    def initialize(cls, protocol_name: str) -> SymmetricState:
        name = protocol_name.encode()
        h = name.ljust(HASHLEN, b"\0") if len(name) <= HASHLEN else hashlib.sha256(name).digest()
        return cls(h=h, ck=h)

    def mix_key(self, ikm: bytes) -> None:
        self.ck, k = hkdf2(self.ck, ikm)
        self.cipher = CipherState(k)

    def mix_hash(self, data: bytes) -> None:
        self.h = hashlib.sha256(self.h + data).digest()

    def encrypt_and_hash(self, plaintext: bytes) -> bytes:
        out = self.cipher.encrypt(self.h, plaintext)
        self.mix_hash(out)
        return out

    def decrypt_and_hash(self, ciphertext: bytes) -> bytes:
        out = self.cipher.decrypt(self.h, ciphertext)
        self.mix_hash(ciphertext)
        return out

    def split(self) -> tuple[CipherState, CipherState]:
        k1, k2 = hkdf2(self.ck, b"")
        return CipherState(k1), CipherState(k2)


@dataclass
class HandshakeState:
    """§5.3 for one of PATTERNS; `alice` is the party sending `->` messages."""

    protocol: str
    alice: bool
    s: X25519PrivateKey
    e: X25519PrivateKey | None = None
    rs: bytes | None = None
    re: bytes | None = None
    # docs/handshake.md §Conventions: an empty payload processed before any
    # key exists is not hashed (the deployed deviation).
    skip_empty_payload_mixhash: bool = False
    fixed_e: X25519PrivateKey | None = None
    sym: SymmetricState = field(init=False)
    index: int = 0
    # rs came in a handshake message (not from a pre-message).
    rs_received: bool = False

    @classmethod
    def start(cls, protocol: str, alice: bool, prologue: bytes, **kw: object) -> HandshakeState:
        hs = cls(protocol, alice, **kw)  # type: ignore[arg-type]
        hs.sym = SymmetricState.initialize(protocol)
        hs.sym.mix_hash(prologue)
        if protocol == IK:  # pre-message "<- s"
            hs.sym.mix_hash(public_bytes(hs.s) if not alice else hs.rs or b"")
        elif protocol == XX_FALLBACK:  # pre-message "-> e"
            hs.sym.mix_hash(public_bytes(hs.e) if alice and hs.e else hs.re or b"")
        return hs

    @property
    def complete(self) -> bool:
        return self.index >= len(PATTERNS[self.protocol])

    def my_turn(self) -> bool:
        return not self.complete and PATTERNS[self.protocol][self.index][0] == self.alice

    def _tokens(self) -> tuple[str, ...]:
        return PATTERNS[self.protocol][self.index][1]

    def _dh(self, token: str) -> bytes:
        # ee: both ephemerals; ss: both statics; es/se: Alice's first key
        # letter, Bob's second, each side using its own private key.
        mine_first = token[0] if self.alice else token[1]
        theirs = token[1] if self.alice else token[0]
        key = self.e if mine_first == "e" else self.s
        remote = self.re if theirs == "e" else self.rs
        if key is None or remote is None:  # the patterns never get here
            raise RuntimeError(f"{token} before its keys")
        return dh(key, remote)

    def _payload_hashed(self, payload: bytes) -> bool:
        return not (self.skip_empty_payload_mixhash and not payload and self.sym.cipher.k is None)

    def write(self, payload: bytes) -> bytes:
        out = bytearray()
        for token in self._tokens():
            if token == "e":
                self.e = self.fixed_e or X25519PrivateKey.generate()
                out += public_bytes(self.e)
                self.sym.mix_hash(public_bytes(self.e))
            elif token == "s":
                out += self.sym.encrypt_and_hash(public_bytes(self.s))
            else:
                self.sym.mix_key(self._dh(token))
        if self._payload_hashed(payload):
            out += self.sym.encrypt_and_hash(payload)
        else:
            out += payload
        if len(out) > MAX_MESSAGE:
            raise Refused(pb.LIMIT_EXCEEDED, f"message of {len(out)} bytes")
        self.index += 1
        return bytes(out)

    def min_length(self) -> int:
        """The shortest message the next pattern can be (keys and tags)."""
        n, keyed = 0, self.sym.cipher.k is not None
        for token in self._tokens():
            if token == "e":
                n += DHLEN
            elif token == "s":
                n += DHLEN + (TAGLEN if keyed else 0)
            else:
                keyed = True
        return n + (TAGLEN if keyed else 0)

    def read(self, message: bytes) -> bytes:
        if len(message) > MAX_MESSAGE:
            raise Refused(pb.LIMIT_EXCEEDED, f"message of {len(message)} bytes")
        if len(message) < self.min_length():
            raise Refused(pb.MALFORMED_INPUT, f"message of {len(message)} bytes is too short")
        rest = message
        for token in self._tokens():
            if token == "e":
                self.re, rest = rest[:DHLEN], rest[DHLEN:]
                self.sym.mix_hash(self.re)
                check_public(self.re, "ephemeral key")
            elif token == "s":
                size = DHLEN + (TAGLEN if self.sym.cipher.k is not None else 0)
                rs = self.sym.decrypt_and_hash(rest[:size])
                rest = rest[size:]
                check_public(rs, "static key")
                self.rs, self.rs_received = rs, True
            else:
                self.sym.mix_key(self._dh(token))
        if self._payload_hashed(rest):
            payload = self.sym.decrypt_and_hash(rest)
        else:
            payload = rest
        self.index += 1
        return payload

    def clone(self) -> HandshakeState:
        """A copy to try a message on (keys are immutable and shared)."""
        twin = copy.copy(self)
        twin.sym = dataclasses.replace(self.sym, cipher=dataclasses.replace(self.sym.cipher))
        return twin

    def split(self) -> tuple[CipherState, CipherState]:
        """(sending, receiving). The first CipherState of Split() (§5.2)
        encrypts Alice's messages, those of `->`: the initiator's in XX and
        IK, and still the IK client's after the switch to XXfallback."""
        c1, c2 = self.sym.split()
        return (c1, c2) if self.alice else (c2, c1)

    def part_sizes(self, index: int) -> tuple[int, int]:
        """Sizes of the ephemeral and static parts of message `index`."""
        eph, stat, keyed = 0, 0, index > 0
        for token in PATTERNS[self.protocol][index][1]:
            if token == "e":
                eph = DHLEN
            elif token == "s":
                stat = DHLEN + (TAGLEN if keyed else 0)
            else:
                keyed = True
        return eph, stat
