"""Where s3desk logs go: warnings to stderr, and a size-rotated file in the log folder, both
through the redaction filter, so no secret, token or signature is ever written."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from s3desk.core.paths import log_dir
from s3desk.core.redact import install_redaction

LOG_FILE = "s3desk.log"
_FORMAT = "%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s"


def configure_logging(stderr_level: int = logging.WARNING) -> Path | None:
    """Set up the root logger once per process; returns the log file, or None if the log
    folder cannot be written (logging then goes to stderr only)."""
    root = logging.getLogger()
    if any(getattr(h, "_s3desk", False) for h in root.handlers):
        return _current_file(root)
    root.setLevel(logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(stderr_level)
    console.setFormatter(logging.Formatter("s3desk: %(message)s"))
    console._s3desk = True  # type: ignore[attr-defined]
    root.addHandler(console)
    path: Path | None = log_dir() / LOG_FILE
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        # Several processes (the app and its engine) append to one file; rotation by size
        # keeps it bounded. Entries that matter for compliance go to the audit log instead.
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2 * 1024 * 1024, backupCount=3, encoding="utf-8"
        )
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._s3desk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    except OSError:
        path = None
    # Chatty libraries stay quiet unless something goes wrong.
    for name in ("botocore", "boto3", "urllib3", "s3transfer"):
        logging.getLogger(name).setLevel(logging.WARNING)
    install_redaction()
    return path


def _current_file(root: logging.Logger) -> Path | None:
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and getattr(handler, "_s3desk", False):
            return Path(handler.baseFilename)
    return None
