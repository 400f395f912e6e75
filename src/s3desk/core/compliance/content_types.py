"""The Content-Type an upload is stored with: what browsers and share links serve it as.

Chosen, in order, by the person (edited in its row before it is sent), by the account's
``content_types`` table (extension → type), from the name, and for names that say nothing
(``README``, ``scan``, ``photo.dat``) from the first bytes. What the name or bytes do not
tell stays ``application/octet-stream``, as the SDKs and S3 itself do.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping

from s3desk.core.compliance import sniff

DEFAULT = "application/octet-stream"

# Offered in the editor; any valid type may be typed in.
COMMON = (
    "application/octet-stream", "application/pdf", "application/zip", "application/json",
    "application/xml", "application/gzip", "text/plain; charset=utf-8", "text/csv",
    "text/html; charset=utf-8", "text/markdown", "image/jpeg", "image/png", "image/gif",
    "image/webp", "image/svg+xml", "audio/mpeg", "video/mp4",
)  # fmt: skip

# RFC 9110: type "/" subtype, then "; name=value" parameters (value a token or quoted).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_VALID = re.compile(
    rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|\"[^\"\\\x00-\x1f\x7f]*\"))*"
)
_MAX_LENGTH = 255  # longer is surely a mistake, and some services refuse it

# Formats sniffing recognises whose own extension does not name them in mimetypes' table
# everywhere (the tables differ between systems).
_BY_KIND: dict[sniff.Kind, str] = {
    sniff.PDF: "application/pdf",
    sniff.PNG: "image/png",
    sniff.JPEG: "image/jpeg",
    sniff.GIF: "image/gif",
    sniff.WEBP: "image/webp",
    sniff.TIFF: "image/tiff",
    sniff.ZIP: "application/zip",
    sniff.GZIP: "application/gzip",
    sniff.SEVEN_ZIP: "application/x-7z-compressed",
    sniff.XZ: "application/x-xz",
    sniff.BZIP2: "application/x-bzip2",
    sniff.ZSTD: "application/zstd",
    sniff.OGG: "audio/ogg",
    sniff.FLAC: "audio/flac",
    sniff.WAV: "audio/wav",
    sniff.MATROSKA: "video/x-matroska",
}


class InvalidContentType(ValueError):
    """Not a type/subtype a service would store as Content-Type."""


def check(value: str) -> str:
    """``value`` tidied (spaces trimmed, type and subtype in lower case) when it is a valid
    Content-Type; InvalidContentType saying why otherwise."""
    value = value.strip()
    if not value:
        raise InvalidContentType("A content type is needed, such as text/plain or image/png")
    if len(value) > _MAX_LENGTH:
        raise InvalidContentType(f"A content type of {len(value)} characters is too long")
    if not _VALID.fullmatch(value):
        raise InvalidContentType(
            f"{value!r} is not a content type: it looks like type/subtype, such as "
            "text/plain or application/pdf, optionally followed by ; charset=utf-8"
        )
    essence, sep, parameters = value.partition(";")
    return essence.lower() + sep + parameters


def check_table(table: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """An account's extension → type table, checked: extensions without their dot, lower
    case; ValueError naming the first wrong entry."""
    entries: list[tuple[str, str]] = []
    for ext, value in table.items():
        name = str(ext).strip().lstrip(".").lower()
        if not name or "/" in name or any(c.isspace() for c in name):
            raise ValueError(f"Content types: {ext!r} is not a file extension")
        try:
            entries.append((name, check(str(value))))
        except InvalidContentType as exc:
            raise ValueError(f"Content types for .{name}: {exc}") from None
    return tuple(sorted(entries))


def from_name(name: str) -> str:
    """The type the name's extension stands for; "" when it tells nothing."""
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if encoding is not None:
        # "x.tar.gz" is a gzip file, not a tar stored with Content-Encoding: gzip (which
        # browsers would unpack on download).
        return _ENCODED.get(encoding, DEFAULT)
    return guessed or ""


_ENCODED = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "br": "application/octet-stream",
    "compress": "application/x-compress",
}


def from_head(head: bytes) -> str:
    """The type the first bytes announce; text without a signature is plain text; "" when
    nothing is recognised."""
    kind = sniff.detect(head)
    if kind is not None:
        return _BY_KIND.get(kind, "")
    if not head:
        return ""
    if b"\x00" in head:
        return ""
    try:
        # The head may end inside a multi-byte character.
        head.decode("utf-8") if len(head) < sniff.HEAD_BYTES else head[:-3].decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return "text/plain; charset=utf-8"


def read_head(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(sniff.HEAD_BYTES)
    except OSError:
        return b""  # reading for the upload will say what is wrong with the file


def detect(name: str, path: str = "", table: tuple[tuple[str, str], ...] = ()) -> str:
    """The type for a file named ``name`` (its key) at ``path``: the account's table, then
    the name, then (only when the name says nothing) the file's first bytes."""
    if table:
        ext = sniff.extension(name)
        for entry, value in table:
            if entry == ext:
                return value
    found = from_name(name)
    if found:
        return found
    if path:
        found = from_head(read_head(path))
    return found or DEFAULT
