"""Generated protobuf modules for proto/*.proto, built on first use.

The _pb2 modules are generated with the protoc bundled in `grpcio-tools`
from the repository's own proto files (../../../proto) into `generated/`
next to this file, and rebuilt whenever a .proto is newer than its module.
Nothing generated is committed: the protos stay the one source of truth.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

HERE = Path(__file__).resolve().parent
# The repository's proto/ (this file is examples/adapters/python/protos.py),
# or INTERSPEC_PROTO_DIR for a copy of the adapter kept elsewhere.
PROTO_DIR = Path(os.environ.get("INTERSPEC_PROTO_DIR") or HERE.parent.parent.parent / "proto")
# Where the modules go: `generated/` here, or INTERSPEC_PY_GENERATED.
OUT_DIR = Path(os.environ.get("INTERSPEC_PY_GENERATED") or HERE / "generated")
PROTOS = ("adapter.proto", "stanza_payload.proto", "gatekeeper_handshake.proto")


def _stale() -> bool:
    for name in PROTOS:
        src = PROTO_DIR / name
        out = OUT_DIR / (name.removesuffix(".proto") + "_pb2.py")
        if not out.exists() or out.stat().st_mtime < src.stat().st_mtime:
            return True
    return False


def _generate() -> None:
    from grpc_tools import protoc  # only needed when (re)generating

    OUT_DIR.parent.mkdir(parents=True, exist_ok=True)
    # Generate into a fresh directory and rename it into place, so that
    # several adapter processes starting at once never see a half-written set.
    tmp = Path(tempfile.mkdtemp(prefix=".generated-", dir=OUT_DIR.parent))
    args = ["protoc", f"-I{PROTO_DIR}", f"--python_out={tmp}", f"--pyi_out={tmp}", *PROTOS]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {PROTO_DIR}")
    old = OUT_DIR.with_name(f".generated-old-{os.getpid()}")
    try:
        if OUT_DIR.exists():
            OUT_DIR.rename(old)
        tmp.rename(OUT_DIR)
    except OSError:
        pass  # another process won the race: its output is the same
    for mine in (tmp, old):
        if mine.exists():
            shutil.rmtree(mine, ignore_errors=True)


def load() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Returns (adapter_pb2, stanza_payload_pb2, gatekeeper_handshake_pb2)."""
    if _stale():
        _generate()
    sys.path.insert(0, str(OUT_DIR))
    return (
        importlib.import_module("adapter_pb2"),
        importlib.import_module("stanza_payload_pb2"),
        importlib.import_module("gatekeeper_handshake_pb2"),
    )


if TYPE_CHECKING:  # with generated/ on MYPYPATH, the .pyi stubs type these
    import adapter_pb2 as pb
    import gatekeeper_handshake_pb2 as gk_pb
    import stanza_payload_pb2 as payload_pb
else:
    pb, payload_pb, gk_pb = load()
