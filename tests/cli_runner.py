"""Running ``s3desk`` as a user does: a separate process, with Qt made unimportable (which
also proves the command line needs no GUI libraries)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# No OS keyring: the ``fail`` backend, as on a machine without one.
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def run_cli(
    *args: str,
    prefix: list[str] | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk", *args]
    return subprocess.run(
        [*(prefix or []), *command],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        input=stdin,
    )
