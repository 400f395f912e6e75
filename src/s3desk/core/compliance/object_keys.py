"""Object keys from local names, as an account's upload rules make them: the key template
with its placeholders, sanitising (what it changed and why, for the list shown before
uploading), and the refusals when no valid key results."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from s3desk.core.compliance.refusals import BAD_KEY, Refusal, elide
from s3desk.core.compliance.sniff import BIDI_CONTROLS, INVISIBLE, visible
from s3desk.core.storage.keys import MAX_KEY_BYTES, InvalidKey, check_key, join_key

DEFAULT_TEMPLATE = "{path}"
PLACEHOLDERS = ("path", "name", "user", "date", "year", "month", "day")
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Change:
    """One thing sanitising changed between a local name and its key, and why."""

    # nfc, invisible, control, not_utf8, backslash, trailing, leading, dots, empty, user
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class KeyMapping:
    """Local name → object key, for the list shown before uploading."""

    local_name: str  # the relative path as given (show it with ``visible``)
    key: str  # "" when refused
    changes: tuple[Change, ...] = ()
    refusal: Refusal | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        target = self.key if self.refusal is None else f"(refused) {self.refusal.message}"
        return f"{visible(self.local_name)} → {target}"


def key_for(
    template: str,
    sanitise: bool,
    relative_path: str,
    user: str,
    now: datetime,
    prefix: str = "",
) -> KeyMapping:
    """The object key for the file at ``relative_path`` ("/"-separated, below the
    dropped item, as ``scan`` gives it), for ``user`` at ``now`` (its date fills
    ``{date}``; s3desk passes local time), below the destination ``prefix``.

    The mapping lists every change sanitising made, and carries a Refusal (and no key)
    when no valid key results: S3's 1,024-byte limit — saying so when it is the template
    that makes the key too long — a name that is not UTF-8, or no file name at all."""
    notes = _Notes()
    if unicodedata.normalize("NFC", relative_path) != relative_path:
        notes.add("nfc")
    parts = unicodedata.normalize("NFC", relative_path).split("/")
    if sanitise:
        segments = _clean_path(parts, notes)
    else:
        segments = parts[1:] if len(parts) > 1 and not parts[0] else parts
    if not segments or not segments[-1]:
        nameless = Refusal(f"{elide(relative_path)} has no file name", BAD_KEY)
        return KeyMapping(relative_path, "", notes.changes(), nameless)
    values = {
        "path": "/".join(segments),
        "name": segments[-1],
        "date": now.strftime("%Y-%m-%d"),
        "year": now.strftime("%Y"),
        "month": now.strftime("%m"),
        "day": now.strftime("%d"),
    }
    if "{user}" in template:
        values["user"] = _user_folder(user, sanitise, notes)
        if not values["user"]:
            missing = Refusal(
                f"There is no user name for {{user}} in the key template {template!r}",
                BAD_KEY,
            )
            return KeyMapping(relative_path, "", notes.changes(), missing)
    key = join_key(prefix, PLACEHOLDER_PATTERN.sub(lambda m: values[m[1]], template))
    refusal = _key_refusal(template, key, join_key(prefix, values["path"]), relative_path)
    if refusal is not None:
        return KeyMapping(relative_path, "", notes.changes(), refusal)
    return KeyMapping(relative_path, key, notes.changes())


def _user_folder(user: str, sanitise: bool, notes: _Notes) -> str:
    user = unicodedata.normalize("NFC", user)
    if not user.strip():
        return ""
    folder = user.replace("/", "_").replace("\\", "_")
    if sanitise:
        folder = _clean_segment(folder, _Notes())
    if folder != user:
        notes.add("user", f"The user name {visible(user)!r} became {folder!r}")
    return folder


def _key_refusal(template: str, key: str, plain: str, relative_path: str) -> Refusal | None:
    if not any("\udc80" <= ch <= "\udcff" for ch in key):
        size, plain_size = len(key.encode()), len(plain.encode())
        if size > MAX_KEY_BYTES >= plain_size:
            return Refusal(
                f"{elide(relative_path)}: the key template {template!r} makes "
                f"the object name {size:,} bytes long, {size - plain_size:,} more than the "
                f"file's path; S3 allows at most {MAX_KEY_BYTES:,}. Shorten the template or "
                "the path",
                BAD_KEY,
            )
    try:
        check_key(key)
    except InvalidKey as exc:
        return Refusal(f"{elide(relative_path)}: {exc}", BAD_KEY)
    return None


class _Notes:
    """What sanitising changed, gathered per kind of change, in a fixed order."""

    _ORDER = (
        "nfc", "invisible", "control", "not_utf8", "backslash", "trailing", "leading", "dots",
        "empty", "user",
    )  # fmt: skip

    def __init__(self) -> None:
        self._seen: dict[str, list[str]] = {}

    def add(self, code: str, detail: str = "") -> None:
        details = self._seen.setdefault(code, [])
        if detail and detail not in details:
            details.append(detail)

    def changes(self) -> tuple[Change, ...]:
        return tuple(
            Change(code, _change_message(code, self._seen[code]))
            for code in self._ORDER
            if code in self._seen
        )


def _change_message(code: str, details: list[str]) -> str:
    listed = ", ".join(details)
    if code == "nfc":
        return (
            "Accented letters were stored in composed form (Unicode NFC), as typed names are; "
            "the name looks the same"
        )
    if code == "invisible":
        return (
            f"Removed invisible characters ({listed}): they can make a name display as "
            "something else, e.g. hide a program's .exe"
        )
    if code == "control":
        return (
            f"Replaced control characters ({listed}) with '_': they break lists, logs and scripts"
        )
    if code == "not_utf8":
        return f"Replaced bytes that are not UTF-8 ({listed}) with '_': object names are UTF-8"
    if code == "backslash":
        return "Replaced '\\' with '_': Windows tools take it for a folder separator"
    if code == "trailing":
        return f"Removed dots and spaces at the end of {listed}: Windows drops them"
    if code == "leading":
        return f"Removed spaces at the start of {listed}: they are easy to miss and trip up scripts"
    if code == "dots":
        return (
            f"Replaced {listed} with '_': most tools take a name that is empty or only dots "
            "and spaces for this folder or the one above, or drop it"
        )
    if code == "empty":
        return "Removed empty folder names ('//' or a leading '/')"
    return details[0] if details else code  # "user": the message is the detail


def _clean_path(parts: list[str], notes: _Notes) -> list[str]:
    segments: list[str] = []
    for number, part in enumerate(parts):
        if not part and number < len(parts) - 1:  # an empty last part: "no file name"
            notes.add("empty")
            continue
        segments.append(_clean_segment(part, notes) if part else part)
    return segments


def _clean_segment(segment: str, notes: _Notes) -> str:
    out: list[str] = []
    for ch in segment:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            notes.add("not_utf8", f"0x{code - 0xDC00:02X}")
            out.append("_")
        elif ch in INVISIBLE:
            kind = " right-to-left control" if ch in BIDI_CONTROLS else ""
            notes.add("invisible", f"U+{code:04X}{kind}")
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            notes.add("control", f"U+{code:04X}")
            out.append("_")
        elif ch == "\\":
            notes.add("backslash")
            out.append("_")
        else:
            out.append(ch)
    text = "".join(out)
    if not text.strip(" ."):
        if segment:
            notes.add("dots", repr(visible(segment)))
        return "_"
    trimmed = text.rstrip(" .")
    if trimmed != text:
        notes.add("trailing", repr(visible(text)))
    text = trimmed.lstrip(" ")
    if text != trimmed:
        notes.add("leading", repr(visible(trimmed)))
    return text
