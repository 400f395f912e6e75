"""``s3desk --self-test``: what IT runs after installing, and what the package tests run."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from io import StringIO
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

import s3desk.core.storage.demo
from s3desk import __version__
from s3desk.cli import main
from s3desk.self_test import OFFSCREEN_NOTE, run_self_test


@pytest.fixture(autouse=True)
def no_managed_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Whatever this machine's /etc/s3desk holds, the tests choose the managed config."""
    path = tmp_path / "managed.toml"
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    return path


CHECKS = (
    "program", "Qt", "icon, style sheet and translations", "keyring", "boto3",
    "transfer engine process", "main window",
)  # fmt: skip


def test_self_test_checks_qt_keyring_boto3_the_engine_and_the_window(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"s3desk {__version__} self-test\n")
    for name in CHECKS:
        assert f"  {name}: ok. " in out, out
    assert "platform 'offscreen'" in out
    assert "translations qtbase_en.qm, s3desk_en.qm" in out  # the tests' locale has no other
    assert "Secret Service (secretstorage" in out or sys.platform != "linux"
    assert "S3 clients built offline" in out
    packages = next(line for line in out.splitlines() if line.startswith("  packages: "))
    for package in ("boto3", "botocore", "keyring", "PySide6-Essentials", "qasync", "moto"):
        assert f"{package} {metadata.version(package)}" in packages
    assert "'s3desk' opened" in out
    assert f"settings: {os.environ['S3DESK_CONFIG_DIR']}" in out
    assert out.rstrip().endswith(f"Self-test passed: all {len(CHECKS)} checks succeeded.")
    assert not [w for w in qapp.topLevelWidgets() if w.isVisible()]  # the window is closed


@pytest.mark.skipif(sys.platform != "linux", reason="the Secret Service backend is Linux's")
def test_a_keyring_backend_that_cannot_load_fails_the_self_test(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a frozen build that lost the backend's modules looks like."""
    monkeypatch.setitem(sys.modules, "secretstorage", None)  # import now fails
    out = StringIO()
    assert run_self_test(out) == 1
    text = out.getvalue()
    assert "  keyring: FAILED. ModuleNotFoundError: import of secretstorage halted" in text
    assert "(this installation is incomplete: reinstall s3desk)" in text
    assert "  boto3: ok. " in text  # the other checks still ran
    assert "Self-test FAILED: 1 of 7 checks failed (keyring)." in text


def test_a_managed_configuration_is_checked_when_there_is_one(
    qapp: QApplication, no_managed_config: Path
) -> None:
    no_managed_config.write_text("version = 1\n")
    out = StringIO()
    assert run_self_test(out) == 0
    assert f"  managed configuration: ok. {no_managed_config}: read" in out.getvalue()

    no_managed_config.write_text('version = "first"\n')  # what IT could get wrong
    out = StringIO()
    assert run_self_test(out) == 1
    text = out.getvalue()
    assert "  managed configuration: FAILED. ManagedConfigError: " in text
    assert "version must be a whole number" in text
    assert "Self-test FAILED: 1 of 8 checks failed (managed configuration)." in text


def _without_display() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    return env


@pytest.mark.skipif(sys.platform != "linux", reason="DISPLAY matters on Linux only")
def test_without_a_display_the_self_test_uses_offscreen_and_says_so() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "s3desk", "--self-test"],
        env=_without_display(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert OFFSCREEN_NOTE in result.stdout
    assert "platform 'offscreen'" in result.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="DISPLAY matters on Linux only")
def test_without_a_display_the_app_says_so_instead_of_aborting() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "s3desk"],
        env=_without_display(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "s3desk needs a graphical desktop, and none was found" in result.stderr
    assert "xcb" not in result.stderr


def test_demo_without_the_demo_storage_installed_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Installers leave moto out: --demo says so rather than failing on an import."""
    monkeypatch.setattr(s3desk.core.storage.demo, "demo_available", lambda: False)
    assert main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert "The local demo storage is not part of this installation" in err
    assert "pip install 's3desk[demo]'" in err
