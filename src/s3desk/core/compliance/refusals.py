"""Why a file is not uploaded: a refusal in plain words, with a stable code for programs and
tests. The upload rules (rules.py) and object keys (object_keys.py) both give them."""

from __future__ import annotations

from dataclasses import dataclass

from s3desk.core.compliance.sniff import visible


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one file is not uploaded. ``message`` is for people (it names the file); ``code``
    is stable, for programs and tests."""

    message: str
    code: str

    def __str__(self) -> str:
        return self.message


# Refusal codes
BLOCKED_TYPE = "blocked_type"  # the extension (or the group it is in) is blocked
TYPE_NOT_ALLOWED = "type_not_allowed"  # not among allowed_types
DISGUISED = "disguised"  # a program named like a document: invoice.pdf.exe
PROGRAM = "program"  # content that is a program, where programs are not allowed
CONTENT_MISMATCH = "content_mismatch"  # content that contradicts the extension
EMPTY = "empty"  # a 0-byte file of a type that cannot be empty
TOO_LARGE = "too_large"
UNREADABLE = "unreadable"  # vanished, no permission, not a regular file
BAD_KEY = "bad_key"  # no valid object key (too long, not UTF-8, no file name)


def elide(path: str, limit: int = 80) -> str:
    """``path`` for a message: visible, and its middle left out when long."""
    shown = visible(path)
    if len(shown) <= limit:
        return shown
    half = (limit - 1) // 2
    return f"{shown[:half]}…{shown[-half:]}"
