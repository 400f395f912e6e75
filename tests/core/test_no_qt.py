"""The core and the CLI import no Qt: checked by import, and by import-linter's contract."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import s3desk.cli
import s3desk.core

ROOT = Path(__file__).resolve().parents[2]
QT_PACKAGES = ("PySide6", "shiboken6", "qasync")


def test_every_core_module_imports_without_qt() -> None:
    names = [m.name for m in pkgutil.walk_packages(s3desk.core.__path__, "s3desk.core.")]
    # The dispatcher as well: it imports the UI only to open the window.
    names += [
        "s3desk.cli",
        *(m.name for m in pkgutil.iter_modules(s3desk.cli.__path__, "s3desk.cli.")),
    ]
    assert len(names) > 5
    for name in names:
        importlib.import_module(name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in QT_PACKAGES)
    assert loaded == []


def test_import_linter_contract_holds() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint_imports is None:
        pytest.skip("import-linter is not installed")
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The core never imports Qt KEPT" in result.stdout
