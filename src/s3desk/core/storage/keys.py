"""Object keys from local names: S3's limits and the checks that give readable refusals."""

from __future__ import annotations

import unicodedata

MAX_KEY_BYTES = 1024


class InvalidKey(ValueError):
    """A file that cannot become an object (its name or its size); the message is for the
    user."""


def check_size(size: int) -> None:
    """Raise InvalidKey (the "cannot be stored" error) for a file over S3's 5 TiB limit."""
    from s3desk.core.storage.parts import MAX_OBJECT_SIZE
    from s3desk.core.units import human_size

    if size > MAX_OBJECT_SIZE:
        raise InvalidKey(
            f"This file is {human_size(size)}; S3 stores objects of at most 5 TiB. Split it "
            "(e.g. into a multi-volume archive) and upload the parts"
        )


def join_key(prefix: str, relative: str) -> str:
    """Place ``relative`` (a "/"-separated local name) under ``prefix``.

    Names are normalised to NFC so a file dropped from macOS (which stores NFD) gets the same
    key as the name a user types. A prefix without a trailing slash is taken as a folder.
    """
    prefix = prefix.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return unicodedata.normalize("NFC", prefix + relative.lstrip("/"))


def check_key(key: str) -> None:
    """Raise InvalidKey with a user-facing message if S3 would refuse ``key``."""
    if not key:
        raise InvalidKey("The object name is empty")
    if any("\udc80" <= ch <= "\udcff" for ch in key):
        shown = key.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        raise InvalidKey(
            f"The file name {shown!r} is not valid UTF-8, so it cannot be stored as an object "
            "name; rename the file and try again"
        )
    size = len(key.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise InvalidKey(
            f"The object name is {size:,} bytes long; S3 allows at most {MAX_KEY_BYTES:,}. "
            "Shorten the file or folder names, or choose a shorter destination folder"
        )


def numbered_key(key: str, n: int) -> str:
    """``photos/a.jpg`` → ``photos/a (1).jpg``: how "keep both" names the new object."""
    folder, _, name = key.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not stem:  # no extension, or a dot file like ".env"
        stem, dot, ext = name, "", ""
    numbered = f"{stem} ({n}){dot}{ext}"
    return f"{folder}/{numbered}" if folder else numbered
