"""Turn dropped paths (files and folders) into a flat list of files with their relative names.

Walking never follows links to folders (that is how symlink loops are avoided); a link to a
file is uploaded as the file it points to. Anything that is not a regular file is reported,
not silently dropped, so the user sees why it was left out.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from s3desk.core.phrases import phrase


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str
    relative: str  # "/"-separated name below the dropped item, including the item's own name
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    relative: str
    reason: str
    # True when the user expected this to upload (missing or unreadable): it counts as a
    # failure. False for what is left out on purpose (links to folders, pipes, devices).
    failed: bool = False
    size: int = 0  # known for files the upload rules refused; 0 where it is not


ScanItem = FoundFile | Skipped


def scan(paths: Iterable[str | os.PathLike[str]]) -> Iterator[ScanItem]:
    """Yield every file below ``paths`` in a stable order, and a Skipped item for each oddity."""
    for raw in paths:
        path = os.path.abspath(os.fspath(raw))
        name = os.path.basename(path.rstrip(os.sep)) or path
        yield from _scan_one(path, name)


def _scan_one(path: str, relative: str) -> Iterator[ScanItem]:
    try:
        st = os.stat(path)  # follows a link: a dropped link is taken for what it points to
    except FileNotFoundError:
        if os.path.islink(path):
            yield Skipped(path, relative, phrase("Broken link"))
        else:
            yield Skipped(path, relative, phrase("File no longer exists"), failed=True)
        return
    except PermissionError:
        yield Skipped(path, relative, phrase("Cannot read: permission denied"), failed=True)
        return
    except OSError as exc:  # e.g. ELOOP for a link that points at itself
        yield Skipped(path, relative, _cannot_read(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(path, relative)
    elif stat.S_ISREG(st.st_mode):
        yield FoundFile(path, relative, st.st_size, st.st_mtime_ns)
    else:
        yield Skipped(path, relative, phrase("Not a regular file (device, pipe or socket)"))


def _walk(folder: str, relative: str) -> Iterator[ScanItem]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except PermissionError:
        yield Skipped(
            folder, relative + "/", phrase("Folder cannot be read: permission denied"), True
        )
        return
    except OSError as exc:
        reason = phrase("Folder cannot be read: {reason}", reason=exc.strerror or str(exc))
        yield Skipped(folder, relative + "/", reason, failed=True)
        return
    for entry in entries:
        child = f"{relative}/{entry.name}"
        try:
            if entry.is_symlink() and entry.is_dir(follow_symlinks=True):
                yield Skipped(entry.path, child, phrase("Link to a folder (not followed)"))
                continue
        except OSError as exc:
            yield Skipped(entry.path, child, _cannot_read(exc))
            continue
        yield from _scan_one(entry.path, child)


def _cannot_read(exc: OSError) -> str:
    return phrase("Cannot read: {reason}", reason=exc.strerror or str(exc))
