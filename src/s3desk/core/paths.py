"""Where s3desk keeps its files: platformdirs' per-user folders, overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "s3desk"


def data_dir() -> Path:
    """The upload journal lives here. ``S3DESK_DATA_DIR`` overrides (tests, portable use)."""
    override = os.environ.get("S3DESK_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def journal_path() -> Path:
    return data_dir() / "journal.sqlite3"
