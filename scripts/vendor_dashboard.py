"""Re-vendor the dashboard's front-end libraries from npm, pinned, and check their digests.

The dashboard serves these files as they are published (no build step). This
script is how they got into `service/tenlog_server/dashboard/static/vendor/`:
`npm pack` each pinned version, copy the listed files and the license, and
compare every file with the digest recorded below. Run it to audit the
committed copies (`--check`) or after changing a version (then update DIGESTS).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "service/tenlog_server/dashboard/static/vendor"

# package@version -> [(file inside the package, name served)]
PACKAGES: dict[str, list[tuple[str, str]]] = {
    "preact@11.2.0": [
        ("dist/preact.mjs", "preact.mjs"),
        ("hooks/dist/hooks.mjs", "preact-hooks.mjs"),
        ("LICENSE", "LICENSE-preact.txt"),
    ],
    "htm@3.1.1": [("dist/htm.mjs", "htm.mjs"), ("LICENSE", "LICENSE-htm.txt")],
    "uplot@1.6.32": [
        ("dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
        ("dist/uPlot.min.css", "uPlot.min.css"),
        ("LICENSE", "LICENSE-uplot.txt"),
    ],
}

DIGESTS = {
    "preact.mjs": "bdcbd9abdf2c77c5c45326eab42191e949222d479d0d5f69467387a77040cb55",
    "preact-hooks.mjs": "e862ab2973aa6455eaa0f77c5d832d2157d6be59a17c8ba546550a575b58c6b4",
    "htm.mjs": "ab33dd3f38059b9be4d5f5350128eefb2356639c4e0bbe9d9e8b3ba75847e9e4",
    "uPlot.iife.min.js": "19c8d4c6ad88929a79f4ae49d6f7161566dfd0ba3d15cc495e974f787eb78f1f",
    "uPlot.min.css": "df630c6a8d6f8eeaff264b50f73ce5b114f646ffd9a0bb74f049b0a00135fa04",
}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> list[str]:
    """Names of committed files whose digest differs from the recorded one."""
    return [name for name, digest in DIGESTS.items() if sha256(VENDOR / name) != digest]


def vendor() -> None:
    """`npm pack` every pinned package and copy its files into the vendor folder."""
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in PACKAGES.items():
            out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True, text=True)
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            unpacked = Path(tmp) / spec.replace("@", "-")
            with tarfile.open(tarball) as archive:
                archive.extractall(unpacked, filter="data")
            for inner, served in files:
                shutil.copyfile(unpacked / "package" / inner, VENDOR / served)


def main() -> int:
    """Vendor the files (default) or only check the committed ones (`--check`)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only compare the committed files with DIGESTS")
    args = parser.parse_args()
    if not args.check:
        vendor()
    bad = check()
    for name in bad:
        print(f"digest mismatch: {name}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
