"""Per-account upload rules: which files may go up, how large, and under which object key.

``UploadRules`` is what an account's ``[accounts.rules]`` table (or the managed
configuration) says, checked when it is made; docs/rules.md describes the TOML. For each file
of a drop:

- ``check(path, size, head)`` judges its type and size: ``None`` to upload it, or a
  ``Refusal`` saying why not in plain words. Types are judged by the name's LAST extension and
  by its first bytes (``core/compliance/sniff.py``, shared with the upload service), so neither
  ``invoice.pdf.exe`` nor a program renamed ``.jpg`` gets through.
- ``key_for(relative_path, user, now)`` builds its object key from ``key_template`` and says
  what sanitising changed and why (``KeyMapping``), for the list shown before uploading.
- ``read_head(path)`` reads the first bytes for ``check``, turning a vanished or unreadable
  file into a Refusal; ``review(found, user, now)`` does all three for a scanned file.

A refusal concerns one file: the rest of the drop goes on.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Protocol

from s3desk.core.compliance.object_keys import (
    DEFAULT_TEMPLATE,
    PLACEHOLDER_PATTERN,
    PLACEHOLDERS,
    KeyMapping,
    key_for,
)
from s3desk.core.compliance.refusals import (
    BLOCKED_TYPE,
    CONTENT_MISMATCH,
    DISGUISED,
    EMPTY,
    PROGRAM,
    TOO_LARGE,
    TYPE_NOT_ALLOWED,
    UNREADABLE,
    Refusal,
)
from s3desk.core.compliance.sniff import (
    ANY_TYPE,
    HEAD_BYTES,
    INVISIBLE,
    PROGRAM_EXTENSIONS,
    SCRIPT,
    Kind,
    describe,
    detect,
    disguise,
    extension,
    mismatch,
    script_extensions,
    visible,
)
from s3desk.core.storage.keys import InvalidKey, check_size
from s3desk.core.storage.parts import MAX_OBJECT_SIZE
from s3desk.core.units import human_size

PROGRAMS = "programs"  # the type group: program extensions, and content that is a program
_TYPE = re.compile(r"[^./\\\s]*")  # one extension, without the dot ("" = no extension)

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
    "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4,
}  # fmt: skip
_BINARY_UNITS = (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024))


class FileToReview(Protocol):
    """What the rules judge a file by (a found file from the scan, for one): its path on
    disk, its "/"-separated name below what was dropped, and its size."""

    @property
    def path(self) -> str: ...
    @property
    def relative(self) -> str: ...
    @property
    def size(self) -> int: ...


class RulesError(ValueError):
    """Rules that cannot be used; the message says which setting and why."""


def parse_size(value: object, what: str) -> int:
    """A size from a configuration file: bytes (an integer) or a string with a unit, binary
    (``"5 GiB"``, ``"16M"``) or decimal (``"500 MB"``). RulesError names ``what``."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None:
        raise RulesError(f'{what}: {value!r} is not a size (e.g. 5368709120, "5 GiB", "500 MB")')
    return int(float(match[1]) * _SIZE_UNITS[(match[2] or "").lower()])


def format_size(size: int) -> int | str:
    """``size`` as ``parse_size`` reads it back: ``"5 GiB"`` when a whole number of a binary
    unit, else the number of bytes."""
    for unit, factor in _BINARY_UNITS:
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return size


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Verdict:
    """``review``'s answer for one scanned file."""

    path: str
    mapping: KeyMapping
    refusal: Refusal | None  # the file's (type, size, content, unreadable) or else its key's

    @property
    def ok(self) -> bool:
        return self.refusal is None


def read_head(path: str | os.PathLike[str]) -> bytes | Refusal:
    """The first ``HEAD_BYTES`` bytes of the file at ``path`` (all of a shorter file), or a
    Refusal saying in plain words why it cannot be read. Never blocks on a pipe or device."""
    raw = os.fspath(path)
    name = visible(os.path.basename(raw.rstrip("/" + os.sep)) or raw)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(raw, flags)
    except FileNotFoundError:
        return Refusal(f"{name} no longer exists (moved or deleted after it was added)", UNREADABLE)
    except PermissionError:
        return Refusal(f"{name} cannot be read: permission denied", UNREADABLE)
    except OSError as exc:
        return Refusal(f"{name} cannot be read: {exc.strerror or exc}", UNREADABLE)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return Refusal(f"{name} is a folder, not a file", UNREADABLE)
        if not stat.S_ISREG(mode):
            return Refusal(f"{name} is not a regular file (a device, pipe or socket)", UNREADABLE)
        head = b""
        while len(head) < HEAD_BYTES:
            chunk = os.read(fd, HEAD_BYTES - len(head))
            if not chunk:
                break
            head += chunk
        return head
    except OSError as exc:
        return Refusal(f"{name} cannot be read: {exc.strerror or exc}", UNREADABLE)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class UploadRules:
    """What an account lets through. The defaults allow any type and size, keep relative
    paths as keys, and sanitise names; what is always refused even then: content that
    contradicts its extension's fixed signature (a program named ``.jpg``, an empty ``.pdf``)
    and programs named like documents (``invoice.pdf.exe``) unless programs are allowed by
    name.

    Types are extensions without the dot, case-insensitive ("" = files without one), or the
    group ``"programs"``. ``allowed_types`` None (or ``{"*"}``) allows any; blocked beats
    allowed. Values are normalised (``".PDF"`` → ``"pdf"``) and checked when made: RulesError.
    """

    allowed_types: frozenset[str] | None = None
    blocked_types: frozenset[str] = frozenset()
    max_size: int | None = None
    key_template: str = DEFAULT_TEMPLATE
    sanitise: bool = True

    def __post_init__(self) -> None:
        allowed = None
        if self.allowed_types is not None:
            allowed = _types(self.allowed_types, "allowed_types")
            if ANY_TYPE in allowed and len(allowed) > 1:
                raise RulesError('allowed_types: "*" already allows every type')
            if not allowed:
                raise RulesError(
                    "allowed_types: the list is empty, so no file could be uploaded; leave it "
                    'out (or write ["*"]) to allow any type'
                )
            if ANY_TYPE in allowed:
                allowed = None
        blocked = _types(self.blocked_types, "blocked_types")
        if ANY_TYPE in blocked:
            raise RulesError('blocked_types: "*" would refuse every file')
        size = self.max_size
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise RulesError(f"max_size: {size!r} is not a number of bytes")
        if size is not None and size > MAX_OBJECT_SIZE:
            raise RulesError("max_size: S3 stores objects of at most 5 TiB")
        _check_template(self.key_template)
        if not isinstance(self.sanitise, bool):
            raise RulesError("sanitise: expected true or false")
        object.__setattr__(self, "allowed_types", allowed)
        object.__setattr__(self, "blocked_types", blocked)

    # ------------------------------------------------------------------ TOML

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "[rules]") -> UploadRules:
        """Rules from a TOML table (``[accounts.rules]``, the managed configuration). Unknown
        keys are errors, so a misspelt ``blocked_types`` cannot silently block nothing.
        RulesError messages start with ``where``."""
        if not isinstance(data, Mapping):
            raise RulesError(f"{where} must be a table")
        known = [f.name for f in fields(cls)]
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise RulesError(f"{where}: unknown key {key!r}{hint}")
        try:
            changes: dict[str, Any] = {}
            for key in ("allowed_types", "blocked_types"):
                if key in data:
                    value = data[key]
                    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                        raise RulesError(
                            f'{key}: expected a list of extensions such as ["jpg", "pdf"]'
                        )
                    changes[key] = frozenset(value)
            if "max_size" in data:
                changes["max_size"] = parse_size(data["max_size"], "max_size")
            if "key_template" in data:
                changes["key_template"] = data["key_template"]
            if "sanitise" in data:
                changes["sanitise"] = data["sanitise"]
            return cls(**changes)
        except RulesError as exc:
            raise RulesError(f"{where} {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """The TOML table ``from_dict`` reads back; settings left at their default are left
        out."""
        data: dict[str, Any] = {}
        if self.allowed_types is not None:
            data["allowed_types"] = sorted(self.allowed_types)
        if self.blocked_types:
            data["blocked_types"] = sorted(self.blocked_types)
        if self.max_size is not None:
            data["max_size"] = format_size(self.max_size)
        if self.key_template != DEFAULT_TEMPLATE:
            data["key_template"] = self.key_template
        if not self.sanitise:
            data["sanitise"] = False
        return data

    # ------------------------------------------------------------------ files

    def check(self, path: str | os.PathLike[str], size: int, head: bytes) -> Refusal | None:
        """None if the file at ``path`` (``size`` bytes, starting with ``head``: its first
        ``HEAD_BYTES`` bytes, from ``read_head``) may be uploaded, else why not."""
        name = os.path.basename(os.fspath(path).rstrip("/" + os.sep))
        return self._check_name_and_size(name, size) or self._check_content(name, size, head)

    def review(self, found: FileToReview, user: str, now: datetime, prefix: str = "") -> Verdict:
        """``check`` (reading the file's first bytes) and ``key_for`` for a scanned file."""
        name = found.relative.rsplit("/", 1)[-1]
        refusal = self._check_name_and_size(name, found.size)
        if refusal is None:
            head = read_head(found.path)
            if isinstance(head, Refusal):
                refusal = head
            else:
                refusal = self._check_content(name, found.size, head)
        mapping = self.key_for(found.relative, user, now, prefix)
        return Verdict(found.path, mapping, refusal or mapping.refusal)

    def _check_name_and_size(self, name: str, size: int) -> Refusal | None:
        shown = visible(name)
        ext = extension(name)
        is_program = ext in PROGRAM_EXTENSIONS
        disguised = disguise(name)
        what = disguised or f"{shown} is {describe(ext)}"
        if ext in self.blocked_types:
            lead = f"{what};" if is_program else f"{shown}:"
            return Refusal(f"{lead} {_files_of(ext)} are not allowed", BLOCKED_TYPE)
        if is_program and PROGRAMS in self.blocked_types:
            return Refusal(f"{what}; programs are not allowed", BLOCKED_TYPE)
        named = self.allowed_types is not None and (
            ext in self.allowed_types or (is_program and PROGRAMS in self.allowed_types)
        )
        if disguised and not named:
            return Refusal(
                f"{disguised}. Programs named like documents are not uploaded", DISGUISED
            )
        if not (self.allowed_types is None or named):
            return Refusal(
                f"{shown}: {_files_of(ext)} are not allowed here "
                f"(allowed: {_listed(self.allowed_types)})",
                TYPE_NOT_ALLOWED,
            )
        if self.max_size is not None and size > self.max_size:
            return Refusal(
                f"{shown} is {human_size(size)}; the limit is {human_size(self.max_size)}",
                TOO_LARGE,
            )
        try:
            check_size(size)
        except InvalidKey as exc:
            return Refusal(f"{shown}: {exc}", TOO_LARGE)
        return None

    def _check_content(self, name: str, size: int, head: bytes) -> Refusal | None:
        shown = visible(name)
        ext = extension(name)
        wrong = mismatch(ext, head, strict=False)
        if wrong is not None:
            if wrong.found is not None:
                instead = wrong.expected.label if wrong.expected else "text"
                message = f"{shown} is {wrong.found.label}, not {instead}"
            elif size == 0 and wrong.expected is not None:
                return Refusal(
                    f"{shown} is empty (0 bytes), so it is not {wrong.expected.label}", EMPTY
                )
            else:
                instead = wrong.expected.label if wrong.expected else "text"
                message = f"{shown} is named .{ext} but its content is not {instead}"
            return Refusal(message, CONTENT_MISMATCH)
        found = detect(head)
        if found is None:
            return None
        if found.program:
            refusal = self._program_refusal(shown, ext, found)
            if refusal is not None:
                return refusal
        # The name says something else than the content: the content's type must pass too.
        types = _content_types(ext, found, head)
        blocked = sorted(types & self.blocked_types)
        if blocked:
            return Refusal(
                f"{shown} is {_content_label(found, blocked[0])}; files of type .{blocked[0]} "
                "are not allowed",
                BLOCKED_TYPE,
            )
        allowed = self.allowed_types
        if allowed is not None and types and not types & allowed and not found.program:
            # (programs were judged above, as programs)
            return Refusal(
                f"{shown} is {found.label}; files of type .{min(types)} are not allowed here "
                f"(allowed: {_listed(allowed)})",
                TYPE_NOT_ALLOWED,
            )
        return None

    def _program_refusal(self, shown: str, ext: str, found: Kind) -> Refusal | None:
        if PROGRAMS in self.blocked_types:
            return Refusal(f"{shown} is {found.label}; programs are not allowed", PROGRAM)
        allowed = self.allowed_types
        if allowed is None or PROGRAMS in allowed:
            return None
        if ext in allowed and ext in PROGRAM_EXTENSIONS:
            return None  # e.g. "sh" allowed, and this is a shell script named .sh
        return Refusal(
            f"{shown} is {found.label}; programs are not allowed here "
            f"(allowed: {_listed(allowed)})",
            PROGRAM,
        )

    # ------------------------------------------------------------------ keys

    def key_for(self, relative_path: str, user: str, now: datetime, prefix: str = "") -> KeyMapping:
        """The object key for the file at ``relative_path`` below ``prefix``, from this
        account's key template (see object_keys.key_for)."""
        return key_for(self.key_template, self.sanitise, relative_path, user, now, prefix)


# ---------------------------------------------------------------------------- helpers


def _types(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, str):
        raise RulesError(f'{what}: expected a list of extensions such as ["jpg", "pdf"]')
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            raise RulesError(f"{what}: {value!r} is not an extension")
        normal = value.strip().lstrip(".").lower()
        if normal == ANY_TYPE:
            found.add(normal)
            continue
        if not _TYPE.fullmatch(normal):
            last = normal.rsplit(".", 1)[-1]
            raise RulesError(
                f"{what}: {value!r} is not one extension; files are judged by their last "
                f"extension ({last!r})"
            )
        found.add(normal)
    return frozenset(found)


def _type(ext: str) -> str:
    return f".{ext}" if ext else "(no extension)"


def _content_types(ext: str, found: Kind, head: bytes) -> frozenset[str]:
    """The extensions ``found`` content stands for, when the name ``ext`` does not say it."""
    if found == SCRIPT:
        family = script_extensions(head)
        return frozenset() if ext in family else family
    if found.primary and ext not in found.extensions:
        return frozenset({found.primary})
    return frozenset()


def _content_label(found: Kind, ext: str) -> str:
    if found == SCRIPT and ext in PROGRAM_EXTENSIONS:
        return f"{PROGRAM_EXTENSIONS[ext]} (#!)"
    return found.label


def _files_of(ext: str) -> str:
    return f"files of type .{ext}" if ext else "files without an extension"


def _listed(types: frozenset[str]) -> str:
    shown = [t if t == PROGRAMS else _type(t) for t in sorted(types)]
    return ", ".join(shown)


def _check_template(template: object) -> None:
    if not isinstance(template, str) or not template:
        raise RulesError('key_template: expected a string such as "inbox/{user}/{path}"')
    for name in PLACEHOLDER_PATTERN.findall(template):
        if name not in PLACEHOLDERS:
            listed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            raise RulesError(f"key_template: {{{name}}} is not one of {listed}")
    probe = PLACEHOLDER_PATTERN.sub("x", template)
    if "{" in probe or "}" in probe:
        raise RulesError(f"key_template {template!r}: a brace without its partner")
    if "{path}" not in template and "{name}" not in template:
        raise RulesError(
            f"key_template {template!r} needs {{path}} or {{name}}, or every file would get "
            "the same key"
        )
    if probe.startswith("/") or "\\" in probe:
        raise RulesError(
            f"key_template {template!r} must be relative, with '/' between folders (it goes "
            "below the destination folder)"
        )
    if any(ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cs") for ch in probe):
        raise RulesError(f"key_template {visible(template)!r} contains a control character")
    for part in probe.split("/"):
        if part in ("", ".", "..") or part != part.strip(" ") or part.endswith("."):
            raise RulesError(
                f"key_template {template!r} has an empty, '.' or '..' folder, or one that "
                "starts or ends with a space or ends with a dot"
            )
