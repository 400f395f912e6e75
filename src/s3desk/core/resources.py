"""Files shipped with s3desk (icon, style sheet, .desktop file)."""

from __future__ import annotations

from importlib import resources


def resource_text(name: str) -> str:
    return (resources.files("s3desk") / "resources" / name).read_text(encoding="utf-8")


def resource_bytes(name: str) -> bytes:
    return (resources.files("s3desk") / "resources" / name).read_bytes()
