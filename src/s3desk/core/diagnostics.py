""" "Copy diagnostic info": what support needs to know, and never a secret.

Versions, the operating system, where settings and logs live, the storage in use (its
address, never its keys or token), the keyring backend, and the last warnings and errors
from the log, each line passed through the redaction filter once more.
"""

from __future__ import annotations

import platform
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from s3desk import __version__
from s3desk.core.logs import LOG_FILE
from s3desk.core.paths import config_dir, data_dir, log_dir
from s3desk.core.redact import redact
from s3desk.core.storage.endpoint import S3Endpoint

_LAST_PROBLEMS = 20


def reported_packages(platform_name: str = sys.platform) -> tuple[str, ...]:
    """The distributions whose versions support asks for first: what s3desk runs on (Qt's
    bindings ship as PySide6-Essentials), the keyring backend's own libraries on this system,
    and moto, the local demo storage, which installers leave out. The installers' spec copies
    these packages' metadata, so a frozen build reports them too."""
    common = (
        "boto3", "botocore", "s3transfer", "keyring", "platformdirs",
        "PySide6-Essentials", "shiboken6", "qasync",
    )  # fmt: skip
    if platform_name == "win32":
        backend: tuple[str, ...] = ("pywin32-ctypes",)
    elif platform_name == "darwin":
        backend = ()
    else:
        backend = ("SecretStorage", "jeepney")
    return (*common, *backend, "moto")


def package_versions() -> list[tuple[str, str]]:
    """(distribution, installed version or "not installed") for ``reported_packages()``."""
    return [(package, _version(package)) for package in reported_packages()]


def diagnostic_report(
    endpoint: S3Endpoint | None = None,
    settings: Mapping[str, Any] | None = None,
    extra: Iterable[tuple[str, str]] = (),
) -> str:
    """A plain-text report for a support ticket. ``settings`` are shown as given (pass the
    effective settings, which hold no secrets); ``extra`` adds lines such as the Qt
    platform, which the core does not know."""
    lines = [
        f"s3desk {__version__}",
        f"Python {platform.python_version()} ({sys.executable})",
        f"OS: {platform.platform()}",
    ]
    lines.extend(f"{package}: {version}" for package, version in package_versions())
    lines.append(f"keyring backend: {_keyring_backend()}")
    lines.extend(f"{name}: {value}" for name, value in extra)
    lines += [
        f"settings folder: {config_dir()}",
        f"data folder: {data_dir()}",
        f"log file: {log_dir() / LOG_FILE}",
    ]
    if endpoint is not None:
        lines += [
            f"storage: {endpoint.label}",
            f"  address: {endpoint.upload_service_url or endpoint.endpoint_url or 'Amazon S3'}",
            f"  region: {endpoint.region or '(default)'}",
            f"  credentials: {_credential_kind(endpoint)}",
            f"  path-style: {endpoint.path_style}, checksums: {endpoint.checksum_mode}",
        ]
    if settings:
        lines.append("settings:")
        lines.extend(f"  {name} = {value!r}" for name, value in sorted(settings.items()))
    problems = last_problems(log_dir() / LOG_FILE)
    lines.append(f"last warnings and errors ({len(problems)}):")
    lines.extend(f"  {line}" for line in problems)
    return redact("\n".join(lines)) + "\n"


def last_problems(path: Path, count: int = _LAST_PROBLEMS) -> list[str]:
    """The last ``count`` WARNING/ERROR lines of the log (the file is bounded in size)."""
    found: deque[str] = deque(maxlen=count)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if " WARNING " in line or " ERROR " in line or " CRITICAL " in line:
                    found.append(redact(line.rstrip("\n")))
    except OSError:
        return []
    return list(found)


def _credential_kind(endpoint: S3Endpoint) -> str:
    if endpoint.upload_service_url:
        return "organisation upload service token, stored in the OS keyring"
    if endpoint.access_key:
        return "access key, stored in the OS keyring"
    if endpoint.profile:
        return f"AWS profile '{endpoint.profile}'"
    return "the standard AWS credential chain"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _keyring_backend() -> str:
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring setup is worth reporting, not crashing on
        return f"unavailable ({type(exc).__name__})"
    return f"{type(backend).__module__}.{type(backend).__name__}"
