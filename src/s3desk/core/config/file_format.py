"""What the settings, accounts and favourites files share: the ``version = N`` line they
start with, and how they are written."""

from __future__ import annotations

import os
from pathlib import Path


def write_privately(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by the user alone: a new file, synced and renamed
    over the old one, so a crash leaves one or the other. Raises OSError."""
    import tempfile  # only to write: commands that only read settings start faster

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise


def version_problem(version: object, newest: int) -> str | None:
    """Why a file's format ``version`` cannot be read by this s3desk, or None if it can.

    A file from a newer s3desk is refused rather than guessed at, so that nothing it holds
    is lost when this version saves its own idea of the file."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return f"version must be a whole number, not {version!r}"
    if version > newest:
        return (
            f"it was written by a newer s3desk (format {version}; this one reads up to "
            f"{newest}): update s3desk"
        )
    return None
