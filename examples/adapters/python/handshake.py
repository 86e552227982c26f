"""The handshake suite's session (docs/handshake.md) on top of noise.py.

One session at a time: the Noise handshake (with Noise Pipes' switch from IK
to XXfallback), then the transport phase, and the byte stream of the
profile's conventions (connection header, length prefix, HandshakeMessage
wrapping).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from google.protobuf.message import DecodeError

from errors import Refused, Reply, Unsupported
from noise import (
    IK,
    MAX_MESSAGE,
    MAX_NONCE,
    TAGLEN,
    XX,
    XX_FALLBACK,
    CipherState,
    HandshakeState,
    check_public,
    private_key,
    public_bytes,
)
from protos import gk_pb, pb

MAX_TRANSPORT_PAYLOAD = MAX_MESSAGE - TAGLEN  # 65519


def invalid_state(detail: str) -> Refused:
    return Refused(pb.INVALID_STATE, detail)


class Session:
    def __init__(self, req: pb.HsStart) -> None:
        if req.role not in (pb.HS_ROLE_INITIATOR, pb.HS_ROLE_RESPONDER):
            raise Refused(pb.SCHEMA_VIOLATION, "no role")
        if req.protocol_name not in (XX, IK):
            raise Unsupported(f"protocol {req.protocol_name!r}")
        conv = req.conventions
        if conv.length_prefix_bytes not in (2, 3):
            raise Refused(pb.SCHEMA_VIOLATION, f"length prefix of {conv.length_prefix_bytes} bytes")
        self.alice = req.role == pb.HS_ROLE_INITIATOR
        self.conv = conv
        self.prologue = req.prologue
        self.allow_fallback = req.allow_fallback
        if req.HasField("local_static_private"):
            self.s = private_key(req.local_static_private)
        else:
            self.s = X25519PrivateKey.generate()
        rs = req.remote_static if req.HasField("remote_static") else None
        if rs is not None:
            check_public(rs, "remote static key")
        elif req.protocol_name == IK and self.alice:
            raise Refused(pb.SCHEMA_VIOLATION, "IK initiator without the server's key")
        self.fixed_e = None
        if req.HasField("fixed_ephemeral_private"):
            self.fixed_e = private_key(req.fixed_ephemeral_private)
        self.hs = HandshakeState.start(
            req.protocol_name,
            self.alice,
            self.prologue,
            s=self.s,
            rs=rs if req.protocol_name == IK and self.alice else None,
            skip_empty_payload_mixhash=conv.skip_empty_payload_mixhash,
            fixed_e=self.fixed_e,
        )
        self.failed = self.fell_back = self.ended = False
        self.send: CipherState | None = None
        self.recv: CipherState | None = None
        self.handshake_hash = b""
        # The byte stream (HsFeed, and the wire of HsWrite/HsSeal).
        self.header_sent = False
        self.header_pending = not self.alice and bool(conv.connection_header)
        self.stream_dead = False
        self.buffer = bytearray()

    # --- handshake -----------------------------------------------------

    def _usable(self) -> None:
        if self.failed:
            raise invalid_state("the handshake was aborted")
        if self.hs.complete:
            raise invalid_state("the handshake is complete")

    def write(self, payload: bytes) -> tuple[bytes, bytes]:
        self._usable()
        if not self.hs.my_turn():
            raise invalid_state("not our turn to write")
        if self.hs.min_length() + len(payload) > MAX_MESSAGE:
            raise Refused(pb.LIMIT_EXCEEDED, f"payload of {len(payload)} bytes")
        index = self.hs.index
        try:
            message = self.hs.write(payload)
        except Refused:
            self.failed = True
            raise
        wire = self._frame(self._wrap(message, index))
        self._maybe_finish()
        return message, wire

    def read(self, message: bytes) -> tuple[bytes, bool]:
        self._usable()
        if self.hs.my_turn():
            raise invalid_state("not our turn to read")
        try:
            payload, fell_back = self._read(message)
        except Refused:
            self.failed = True  # §5: the HandshakeState is deleted
            raise
        self._maybe_finish()
        return payload, fell_back

    def _read(self, message: bytes) -> tuple[bytes, bool]:
        hs = self.hs
        pipes = self.allow_fallback and hs.protocol == IK
        if pipes and not self.alice and hs.index == 0:
            # Noise Pipes, §10.4: a message 0 that does not decrypt (a stale
            # cached key) switches the responder to XXfallback.
            trial = hs.clone()
            try:
                payload = trial.read(message)
            except Refused as r:
                if r.category != pb.BAD_MAC:
                    raise
                self.hs = self._fallback(re=message[:32])
                self.fell_back = True
                return b"", True
            self.hs = trial
            return payload, False
        if pipes and self.alice and hs.index == 1:
            # §10.5: the initiator tells the two answers apart by trial
            # decryption, IK first.
            trial = hs.clone()
            try:
                payload = trial.read(message)
            except Refused as r:
                if r.category != pb.BAD_MAC:
                    raise
                fallback = self._fallback(e=hs.e)
                payload = fallback.read(message)
                self.hs, self.fell_back = fallback, True
                return payload, True
            self.hs = trial
            return payload, False
        return hs.read(message), False

    def _fallback(self, **keys: object) -> HandshakeState:
        return HandshakeState.start(
            XX_FALLBACK,
            self.alice,
            self.prologue,
            s=self.s,
            skip_empty_payload_mixhash=self.conv.skip_empty_payload_mixhash,
            fixed_e=self.fixed_e,
            **keys,
        )

    def _maybe_finish(self) -> None:
        if self.hs.complete and self.send is None:
            self.send, self.recv = self.hs.split()
            self.handshake_hash = self.hs.sym.h

    def status(self) -> pb.HsStatusResult:
        hs = self.hs
        out = pb.HsStatusResult(
            complete=self.send is not None,
            handshake_hash=self.handshake_hash,
            fell_back=self.fell_back,
            protocol_name=hs.protocol,
            failed=self.failed,
        )
        if hs.rs is not None and (hs.rs_received or hs.complete):
            out.remote_static = hs.rs
        return out

    # --- transport -----------------------------------------------------

    def _transport(self) -> tuple[CipherState, CipherState]:
        if self.failed or self.send is None or self.recv is None:
            raise invalid_state("no completed handshake")
        if self.ended:
            raise invalid_state("the session ended")
        return self.send, self.recv

    def seal(self, payload: bytes) -> tuple[bytes, bytes]:
        send, _ = self._transport()
        if len(payload) > MAX_TRANSPORT_PAYLOAD:
            raise Refused(pb.LIMIT_EXCEEDED, f"payload of {len(payload)} bytes")
        if send.n >= MAX_NONCE:
            self.ended = True  # §5: delete the CipherState, end the session
            raise invalid_state("sending nonce exhausted")
        message = send.encrypt(b"", payload)
        return message, self._frame(message)

    def open(self, message: bytes) -> bytes:
        _, recv = self._transport()
        if len(message) > MAX_MESSAGE:
            raise Refused(pb.LIMIT_EXCEEDED, f"message of {len(message)} bytes")
        if len(message) < TAGLEN:
            raise Refused(pb.MALFORMED_INPUT, "shorter than the tag")
        if recv.n >= MAX_NONCE:
            self.ended = True
            raise invalid_state("receiving nonce exhausted")
        # A message that does not decrypt is refused and changes nothing: the
        # session goes on with the nonce unchanged (§5.1, docs/handshake.md).
        return recv.decrypt(b"", message)

    def rekey(self, outgoing: bool, incoming: bool) -> None:
        send, recv = self._transport()
        if outgoing:
            send.rekey()
        if incoming:
            recv.rekey()

    def set_nonce(self, send_n: int | None, recv_n: int | None) -> None:
        send, recv = self._transport()
        if send_n is not None:
            send.n = send_n
        if recv_n is not None:
            recv.n = recv_n

    # --- the byte stream -----------------------------------------------

    def _frame(self, body: bytes) -> bytes:
        header = b""
        if self.alice and not self.header_sent:
            header, self.header_sent = self.conv.connection_header, True
        return header + len(body).to_bytes(self.conv.length_prefix_bytes, "big") + body

    def _wrap(self, message: bytes, index: int) -> bytes:
        if not self.conv.wrap_handshake_messages:
            return message
        eph, stat = self.hs.part_sizes(index)
        parts = message[:eph], message[eph : eph + stat], message[eph + stat :]
        wrapped = gk_pb.HandshakeMessage()
        if not self.alice:
            wrapped.serverHello.SetInParent()
            hello = wrapped.serverHello
            hello.ephemeral, hello.static, hello.payload = parts
        elif eph:
            wrapped.clientHello.SetInParent()
            hello = wrapped.clientHello
            hello.ephemeral, hello.static, hello.payload = parts
        else:
            wrapped.clientFinish.SetInParent()
            wrapped.clientFinish.static, wrapped.clientFinish.payload = parts[1], parts[2]
        return wrapped.SerializeToString()

    def _unwrap(self, frame: bytes) -> bytes:
        if not self.conv.wrap_handshake_messages:
            return frame
        malformed = Refused(pb.MALFORMED_INPUT, "not the HandshakeMessage due")
        wrapped = gk_pb.HandshakeMessage()
        try:
            wrapped.ParseFromString(frame)
        except DecodeError:
            raise malformed from None
        present = [f for f in ("clientHello", "serverHello", "clientFinish") if wrapped.HasField(f)]
        eph, stat = self.hs.part_sizes(self.hs.index)
        # An IK initiator with Noise Pipes may get an XXfallback answer.
        statics = {stat, 48} if self.allow_fallback and self.hs.protocol == IK else {stat}
        due = "serverHello" if self.alice else ("clientHello" if eph else "clientFinish")
        if present != [due]:
            raise malformed
        part = getattr(wrapped, due)
        ephemeral = b"" if due == "clientFinish" else part.ephemeral
        if len(ephemeral) != eph or len(part.static) not in statics:
            raise malformed
        return ephemeral + part.static + part.payload

    def feed(self, data: bytes) -> list[bytes]:
        if self.stream_dead:
            raise invalid_state("the stream was refused earlier")
        if self.failed:
            raise invalid_state("the handshake was aborted")
        if self.ended:
            raise invalid_state("the session ended")
        self.buffer += data
        if self.header_pending:
            header = self.conv.connection_header
            seen = bytes(self.buffer[: len(header)])
            if not header.startswith(seen):
                self.stream_dead = True
                raise Refused(pb.MALFORMED_INPUT, "wrong connection header")
            if len(seen) < len(header):
                return []
            del self.buffer[: len(header)]
            self.header_pending = False
        payloads: list[bytes] = []
        width = self.conv.length_prefix_bytes
        while len(self.buffer) >= width:
            size = int.from_bytes(self.buffer[:width], "big")
            if size > self.conv.max_frame:
                self.stream_dead = True
                raise Refused(pb.LIMIT_EXCEEDED, f"frame of {size} bytes announced")
            if len(self.buffer) < width + size:
                break
            frame = bytes(self.buffer[width : width + size])
            del self.buffer[: width + size]
            try:
                if self.send is None:
                    payloads.append(self.read(self._unwrap(frame))[0])
                else:
                    payloads.append(self.open(frame))
            except Refused:
                self.buffer.clear()  # frames after a refused one are discarded
                if self.send is None:
                    self.failed = True
                raise
        return payloads


class HandshakeSession:
    """The adapter operations 100-108 on the current session."""

    def __init__(self) -> None:
        self.session: Session | None = None

    def _current(self) -> Session:
        if self.session is None:
            raise invalid_state("no handshake session")
        return self.session

    def start(self, req: pb.HsStart) -> Reply:
        self.session = None
        session = Session(req)
        self.session = session
        return "hs_start", pb.HsStartResult(local_static_public=public_bytes(session.s))

    def write(self, req: pb.HsWrite) -> Reply:
        message, wire = self._current().write(req.payload)
        return "hs_write", pb.HsWriteResult(message=message, wire=wire)

    def read(self, req: pb.HsRead) -> Reply:
        payload, fell_back = self._current().read(req.message)
        return "hs_read", pb.HsReadResult(payload=payload, fell_back=fell_back)

    def status(self, _req: pb.HsStatus) -> Reply:
        return "hs_status", self._current().status()

    def seal(self, req: pb.HsSeal) -> Reply:
        message, wire = self._current().seal(req.payload)
        return "hs_seal", pb.HsSealResult(message=message, wire=wire)

    def open(self, req: pb.HsOpen) -> Reply:
        return "hs_open", pb.HsOpenResult(payload=self._current().open(req.message))

    def rekey(self, req: pb.HsRekey) -> Reply:
        self._current().rekey(req.outgoing, req.incoming)
        return "hs_rekey", pb.HsRekeyResult()

    def feed(self, req: pb.HsFeed) -> Reply:
        return "hs_feed", pb.HsFeedResult(payloads=self._current().feed(req.data))

    def set_nonce(self, req: pb.HsSetNonce) -> Reply:
        send = req.send if req.HasField("send") else None
        recv = req.recv if req.HasField("recv") else None
        self._current().set_nonce(send, recv)
        return "hs_set_nonce", pb.HsSetNonceResult()
