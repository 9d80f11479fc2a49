"""Generate the Python stubs for protos/ into a target folder (make protos).

The committed stubs under clients/python/src are the one copy shared by the
client and the server; tests regenerate into a temporary folder and compare.
"""

from __future__ import annotations

import sys
from pathlib import Path

import google.api  # googleapis-common-protos ships google/api/*.proto
import grpc_tools
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
DEFAULT_OUT = ROOT / "clients" / "python" / "src"


def generate(out: Path) -> None:
    """Run protoc for every tenlog proto, writing *_pb2.py, .pyi and *_pb2_grpc.py to out."""
    googleapis = Path(google.api.__path__[0]).parent.parent
    well_known = Path(grpc_tools.__path__[0]) / "_proto"
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.glob("tenlog/**/*.proto"))
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{googleapis}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for package_dir in {(out / p).parent for p in protos}:
        (package_dir / "__init__.py").touch()


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
