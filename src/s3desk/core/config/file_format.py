"""The ``version = N`` line that the settings, accounts and managed files start with."""

from __future__ import annotations


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
