"""s3desk's version for the installers, from ``s3desk.__version__`` (the one place it is set).

python packaging/version.py            0.1.0     (the version as written)
python packaging/version.py --numeric  0.1.0.0   (four numbers: Windows, NSIS, WiX)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def version() -> str:
    sys.path.insert(0, str(SRC))
    try:
        import s3desk
    finally:
        sys.path.remove(str(SRC))
    return str(s3desk.__version__)


def numeric(text: str) -> tuple[int, int, int, int]:
    """The leading numbers of ``text`` as major.minor.patch.build ("1.2rc1" is 1.2.0.0)."""
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?", text)
    if match is None:
        raise ValueError(f"version {text!r} does not start with a number")
    major, minor, patch, build = (int(part or 0) for part in match.groups())
    return major, minor, patch, build


if __name__ == "__main__":
    current = version()
    if sys.argv[1:] == ["--numeric"]:
        print(".".join(str(n) for n in numeric(current)))
    elif sys.argv[1:]:
        sys.exit("usage: version.py [--numeric]")
    else:
        print(current)
