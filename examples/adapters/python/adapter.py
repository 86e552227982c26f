#!/usr/bin/env python3
"""An interspec adapter in Python: the adapter, handshake and stanza suites.

Speaks the adapter protocol of docs/adapter.md: length-delimited protobuf
frames (a varint length, then a `Request`) on stdin, the `Response` frames on
stdout, logs on stderr. Run it as `interspec certify --target "exec:python3
adapter.py"`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from errors import Refused, Reply, Unsupported
from handshake import HandshakeSession
from protos import pb
from stanza import StanzaCodec

PROTOCOL = (1, 1)
NAME, VERSION = "interspec-python-example", "0.1.0"
# docs/adapter.md §Frames: at least 1 MiB + 64 bytes, at most 1 GiB.
MAX_FRAME = 16 * 1024 * 1024
MAX_VARINT_BYTES = 10

log = logging.getLogger("adapter")


class Adapter:
    """One connection's state: profile values, scratch map, suite state."""

    def __init__(self) -> None:
        self.stanza = StanzaCodec()
        self.handshake = HandshakeSession()
        self.remembered: dict[str, bytes] = {}

    def reset(self) -> None:
        # docs/adapter.md §Reset: drop all state but the profile values.
        self.remembered.clear()
        self.handshake = HandshakeSession()

    def handle(self, req: pb.Request) -> pb.Response:
        resp = pb.Response(id=req.id)
        op = req.WhichOneof("op")
        handler = self.HANDLERS.get(op or "")
        try:
            if handler is None:
                raise Unsupported(f"unknown operation {op or '(none)'}")
            field, result = handler(self, getattr(req, op))
            getattr(resp, field).CopyFrom(result)
        except Refused as r:
            log.info("%s refused: %s (%s)", op, r.category_name, r.detail)
            resp.rejected.category = r.category
            resp.rejected.detail = r.detail
        except Unsupported as u:
            resp.unsupported.detail = str(u)
        except Exception as e:  # a bug here must not kill the connection
            log.exception("%s failed", op)
            resp.internal_error.detail = f"{type(e).__name__}: {e}"
        return resp

    # --- adapter suite -------------------------------------------------

    def hello(self, req: pb.Hello) -> Reply:
        if req.protocol_major != PROTOCOL[0]:
            raise Refused(pb.VERSION_MISMATCH, f"protocol {req.protocol_major}.x is not spoken here")
        return "hello", pb.HelloResult(
            protocol_major=PROTOCOL[0],
            protocol_minor=PROTOCOL[1],
            implementation_name=NAME,
            implementation_version=VERSION,
            capabilities=[pb.HANDSHAKE, pb.STANZA, pb.HANDSHAKE_FIXED_KEYS],
            profiles=["default"],
            max_frame_size=MAX_FRAME,
        )

    def configure(self, req: pb.Configure) -> Reply:
        # Every value of the stanza and handshake tables can be honoured; the
        # handshake conventions also come with every HsStart.
        if req.HasField("stanza"):
            self.stanza.configure(req.stanza)
        log.info("configured for profile %r", req.profile)
        return "configure", pb.ConfigureResult()

    def do_reset(self, _req: pb.Reset) -> Reply:
        self.reset()
        return "reset", pb.ResetResult()

    def ping(self, req: pb.Ping) -> Reply:
        return "ping", pb.PingResult(payload=req.payload)

    def remember(self, req: pb.Remember) -> Reply:
        self.remembered[req.key] = req.value
        return "remember", pb.RememberResult()

    def recall(self, req: pb.Recall) -> Reply:
        value = self.remembered.get(req.key)
        return "recall", pb.RecallResult(found=value is not None, value=value or b"")

    HANDLERS: dict[str, Callable[[Adapter, Any], Reply]] = {
        "hello": hello,
        "configure": configure,
        "reset": do_reset,
        "ping": ping,
        "remember": remember,
        "recall": recall,
        "hs_start": lambda self, r: self.handshake.start(r),
        "hs_write": lambda self, r: self.handshake.write(r),
        "hs_read": lambda self, r: self.handshake.read(r),
        "hs_status": lambda self, r: self.handshake.status(r),
        "hs_seal": lambda self, r: self.handshake.seal(r),
        "hs_open": lambda self, r: self.handshake.open(r),
        "hs_rekey": lambda self, r: self.handshake.rekey(r),
        "hs_feed": lambda self, r: self.handshake.feed(r),
        "hs_set_nonce": lambda self, r: self.handshake.set_nonce(r),
        "stanza_parse": lambda self, r: self.stanza.parse_op(r),
        "stanza_serialize": lambda self, r: self.stanza.serialize_op(r),
        "stanza_payload_decode": lambda self, r: self.stanza.decode_op(r),
        "stanza_payload_encode": lambda self, r: self.stanza.encode_op(r),
    }


class FrameTooLarge(Exception):
    pass


def read_varint(stream: BinaryIO) -> int | None:
    """The frame length prefix; None at a clean end of input."""
    value = 0
    for i in range(MAX_VARINT_BYTES):
        b = stream.read(1)
        if not b:
            if i == 0:
                return None
            raise EOFError("input ended inside a length prefix")
        value |= (b[0] & 0x7F) << (7 * i)
        if not b[0] & 0x80:
            return value
    raise FrameTooLarge("length prefix longer than 10 bytes")


def read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("input ended inside a frame")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def write_frame(stream: BinaryIO, msg: pb.Response) -> None:
    body = msg.SerializeToString()
    n, prefix = len(body), bytearray()
    while True:
        if n < 0x80:
            prefix.append(n)
            break
        prefix.append((n & 0x7F) | 0x80)
        n >>= 7
    stream.write(bytes(prefix) + body)
    stream.flush()


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    adapter = Adapter()
    while True:
        try:
            length = read_varint(inp)
        except FrameTooLarge:
            length = MAX_FRAME + 1
        if length is None:
            return
        if length > MAX_FRAME:
            # docs/adapter.md §Frames: refuse at once, without the body, and
            # close (the frame boundary is lost).
            resp = pb.Response(id=0)
            resp.rejected.category = pb.LIMIT_EXCEEDED
            resp.rejected.detail = f"frame of {length} bytes is over {MAX_FRAME}"
            write_frame(out, resp)
            return
        body = read_exact(inp, length)
        req = pb.Request()
        try:
            req.ParseFromString(body)
        except Exception as e:  # protobuf's DecodeError, or worse
            resp = pb.Response(id=0)
            resp.rejected.category = pb.MALFORMED_INPUT
            resp.rejected.detail = f"not a Request: {e}"
            write_frame(out, resp)
            continue
        write_frame(out, adapter.handle(req))


def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s: %(message)s")
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except EOFError as e:
        log.error("%s", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
