"""File types for the service: the name's extension against the policy, the first bytes
against the name, worded as the service's refusals.

Detection itself is ``s3desk.core.compliance.sniff``, shared with the desktop app's upload
rules. A client
declares the first ``HEAD_BYTES`` bytes of the file when it asks to upload; they are checked
here before anything is signed, and compared with the stored object's first bytes after the
upload (a ranged GET), so a client cannot declare one thing and send another. The service is
strict: content with a recognised signature must carry one of that format's extensions.
"""

from __future__ import annotations

from s3desk.broker.errors import Refusal
from s3desk.core.compliance.sniff import (
    ANY_TYPE,
    HEAD_BYTES,
    TEXT_EXTENSIONS,
    Kind,
    detect,
    extension,
    mismatch,
    shown,
)

__all__ = [
    "ANY_TYPE",
    "HEAD_BYTES",
    "TEXT_EXTENSIONS",
    "Kind",
    "check_content",
    "check_extension",
    "detect",
    "extension",
    "shown",
]


def check_extension(ext: str, allowed: frozenset[str]) -> None:
    if ANY_TYPE in allowed or ext in allowed:
        return
    if not ext:
        raise Refusal(415, "type_not_allowed", "Files without an extension are not allowed")
    listed = ", ".join(f".{e}" if e else "(none)" for e in sorted(allowed))
    raise Refusal(
        415, "type_not_allowed", f"Files of type .{ext} are not allowed (allowed: {listed})"
    )


def check_content(ext: str, head: bytes) -> None:
    """Refuse ``head`` (a file's first bytes) if it contradicts the extension ``ext``."""
    found = mismatch(ext, head, strict=True)
    if found is not None:
        raise Refusal(415, "content_not_allowed", found.message())
