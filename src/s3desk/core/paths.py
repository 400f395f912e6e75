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


def config_dir() -> Path:
    """Settings and accounts (never secrets). ``S3DESK_CONFIG_DIR`` overrides."""
    override = os.environ.get("S3DESK_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, False))


def log_dir() -> Path:
    """``S3DESK_LOG_DIR`` overrides; with ``S3DESK_DATA_DIR`` set, logs go below it."""
    override = os.environ.get("S3DESK_LOG_DIR")
    if override:
        return Path(override)
    if os.environ.get("S3DESK_DATA_DIR"):
        return data_dir() / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, False))


def journal_path() -> Path:
    return data_dir() / "journal.sqlite3"
