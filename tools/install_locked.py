"""Install s3desk's locked dependencies into this Python, then s3desk itself.

Every package comes from requirements/requirements.txt, pinned and hash-checked (one lock for Linux,
Windows and macOS); s3desk is then installed in place with no dependency of its own choosing,
built with the lock's setuptools. `make` and the release workflow install this way.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "requirements.txt"


def main() -> int:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", str(LOCK)], check=True)
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
