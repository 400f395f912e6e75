"""``s3desk --help`` starts fast: building the parser imports neither boto3/botocore nor Qt.
Those load only once a command runs (or the window opens)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "PySide6", "shiboken6", "qasync")


def _imported(*args: str) -> set[str]:
    """The top-level packages ``python -m s3desk ARGS`` imports, from ``-X importtime``."""
    # Plain Python, Qt importable: an import of it shows up rather than failing.
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "s3desk", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "usage: s3desk" in run.stdout
    lines = [line for line in run.stderr.splitlines() if line.startswith("import time:")]
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in lines[1:]}
    assert "s3desk" in names  # the report is there to read
    return names


@pytest.mark.parametrize(
    "args", [("--help",), ("upload", "--help"), ("download", "--help"), ("admin", "--help")]
)
def test_help_imports_no_boto3_and_no_qt(args: tuple[str, ...]) -> None:
    assert _imported(*args) & set(HEAVY) == set()
