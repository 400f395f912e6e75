"""Object keys, built by the service: the policy's prefix for this user, then a checked name.

A client names the file, never the key. The name must be a single path segment: no ``/`` or
``\\`` (so no folders, ``../`` or absolute paths), not ``.`` or ``..``, no control or
bidirectional-override characters (which can disguise ``exe.jpg`` as ``gpj.exe``). Names are
normalised to NFC, as the desktop app does, so the same name always gives the same key.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from s3desk.broker.errors import Refusal
from s3desk.core.storage.keys import InvalidKey, check_key

MAX_NAME_BYTES = 255  # what common file systems allow for one name
PLACEHOLDERS = ("{user}", "{date}")
_USER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")


def _bad_name(message: str) -> Refusal:
    return Refusal(400, "bad_name", message)


def check_user_name(user: str) -> None:
    """User names go into keys, so they are held to a path-safe alphabet (config check)."""
    if not _USER.match(user) or ".." in user:
        raise ValueError(
            f"user name {user!r} may contain only letters, digits and . _ @ + - "
            "(starting with a letter or digit, at most 128 characters)"
        )


def check_prefix_template(template: str) -> None:
    """A policy prefix: relative, "/"-separated, ending in "/", no empty or dot segments."""
    probe = template
    for placeholder in PLACEHOLDERS:
        probe = probe.replace(placeholder, "x")
    if "{" in probe or "}" in probe:
        raise ValueError(f"prefix {template!r}: only {' and '.join(PLACEHOLDERS)} can be filled in")
    if probe.startswith("/") or "\\" in probe or not probe.endswith("/"):
        raise ValueError(f"prefix {template!r} must be relative and end with '/'")
    if any(part in ("", ".", "..") for part in probe[:-1].split("/")):
        raise ValueError(f"prefix {template!r} has an empty, '.' or '..' folder")


def clean_name(name: object) -> str:
    """The client's file name as it will appear in the key; Refusal if it cannot be one."""
    if not isinstance(name, str) or not name:
        raise _bad_name("The file name is missing")
    name = unicodedata.normalize("NFC", name)
    if "/" in name or "\\" in name:
        raise _bad_name(f"The file name {name!r} contains a folder separator; send the name only")
    if name in (".", ".."):
        raise _bad_name(f"{name!r} is not a file name")
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise _bad_name(
                f"The file name contains a control character (U+{ord(ch):04X}); rename the file"
            )
    if name != name.strip():
        raise _bad_name("The file name starts or ends with a space; rename the file")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _bad_name(f"The file name is longer than {MAX_NAME_BYTES} bytes; shorten it")
    return name


def user_prefix(template: str, user: str, today: datetime.date | None = None) -> str:
    day = today or datetime.datetime.now(datetime.UTC).date()
    return template.replace("{user}", user).replace("{date}", day.isoformat())


def object_key(prefix: str, name: str) -> str:
    key = prefix + name
    try:
        check_key(key)
    except InvalidKey as exc:
        raise _bad_name(str(exc)) from None
    return key
