"""What downloading a selection means on disk: which objects, to which local paths, which of
those paths are taken already, and which keys cannot be local files at all.

Counted from listings (size and ETag come with each listed object), never a request per
object. The planner decides nothing about taken paths: the caller asks the user first.
"""

from __future__ import annotations

import datetime
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The longest file name most local file systems take (ext4, APFS, NTFS: 255 bytes/units).
NAME_MAX = 255
_WINDOWS_BAD = set('<>:"|?*\\') | {chr(c) for c in range(32)}
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10)
}


class PlanCancelled(Exception):
    """The user cancelled while the selection was still being counted."""


class UnsafeKey(ValueError):
    """The key cannot be saved under the chosen folder as it is named."""


@dataclass(frozen=True, slots=True)
class DownloadItem:
    bucket: str
    key: str
    size: int
    etag: str  # without quotes; "" when unknown
    target: str  # the local file it becomes
    modified: datetime.datetime | None = None
    version_id: str = ""


@dataclass(slots=True)
class DownloadPlan:
    items: list[DownloadItem] = field(default_factory=list)
    # Local folders to create even if nothing lands in them (folder markers, empty folders).
    folders: list[str] = field(default_factory=list)
    # Items whose local file exists already: the user decides, never the planner.
    taken: list[DownloadItem] = field(default_factory=list)
    # (key, why) for keys that cannot become a local file under the chosen folder.
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        return sum(item.size for item in self.items)


def local_path(key: str, base_prefix: str, dest_dir: str, windows: bool | None = None) -> str:
    """The local path for ``key`` below ``dest_dir``: the key's part after ``base_prefix``,
    with "/" turned into folders. Raises UnsafeKey for keys that would leave ``dest_dir``
    ("..", absolute parts) or that the file system cannot name; on Windows characters it
    forbids become "_", as rclone and Cyberduck do.
    """
    windows = sys.platform == "win32" if windows is None else windows
    if not key.startswith(base_prefix):
        raise UnsafeKey(f"'{key}' is not inside '{base_prefix}'")
    relative = key[len(base_prefix) :].rstrip("/")
    if not relative:
        raise UnsafeKey("the key names the folder itself")
    segments = relative.split("/")
    safe: list[str] = []
    for original in segments:
        segment = original
        if segment in ("", ".", ".."):
            shown = segment or "an empty name"
            raise UnsafeKey(f"the key has a path part '{shown}' that a local folder cannot have")
        if "\0" in segment:
            raise UnsafeKey("the key contains a NUL character")
        if windows:
            segment = "".join("_" if ch in _WINDOWS_BAD else ch for ch in segment)
            segment = segment.rstrip(" .") or "_"
            if segment.split(".")[0].upper() in _WINDOWS_RESERVED:
                segment = "_" + segment
        if len(segment.encode("utf-8")) > NAME_MAX:
            raise UnsafeKey(
                f"the name '{segment[:40]}…' is longer than a local file name can be "
                f"({len(segment.encode('utf-8'))} bytes; the limit is {NAME_MAX})"
            )
        safe.append(segment)
    path = os.path.join(dest_dir, *safe)
    root = os.path.abspath(dest_dir)
    if os.path.commonpath([root, os.path.abspath(path)]) != root:
        raise UnsafeKey("the key would be saved outside the chosen folder")
    return path


def free_path(path: str) -> str:
    """``path``, or "name (1).ext", "name (2).ext", … if it exists: "keep both"."""
    if not os.path.lexists(path):
        return path
    stem, ext = os.path.splitext(path)
    n = 1
    while os.path.lexists(f"{stem} ({n}){ext}"):
        n += 1
    return f"{stem} ({n}){ext}"


def _never() -> bool:
    return False


def plan_download(
    client: Any,
    bucket: str,
    selection: Iterable[tuple[str, int, str, datetime.datetime | None]],
    base_prefix: str,
    dest_dir: str,
    *,
    cancelled: Callable[[], bool] = _never,
) -> DownloadPlan:
    """Plan downloading ``selection`` — (key, size, etag, modified) as the listing showed
    them; a key ending in "/" is a folder, listed recursively — into ``dest_dir``, keeping
    the paths below ``base_prefix`` (the folder shown when the user chose)."""
    plan = DownloadPlan()
    seen: set[str] = set()

    def add(key: str, size: int, etag: str, modified: datetime.datetime | None) -> None:
        if key in seen:
            return
        seen.add(key)
        try:
            target = local_path(key, base_prefix, dest_dir)
        except UnsafeKey as exc:
            plan.refused.append((key, str(exc)))
            return
        if key.endswith("/"):
            plan.folders.append(target)  # a folder marker: the folder, no file
            return
        item = DownloadItem(bucket, key, size, etag.strip('"'), target, modified)
        plan.items.append(item)
        if os.path.lexists(target):
            plan.taken.append(item)

    for key, size, etag, modified in selection:
        if not key.endswith("/"):
            add(key, size, etag, modified)
            continue
        add(key, 0, "", None)
        paginator = client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=key):
            if cancelled():
                raise PlanCancelled
            for obj in page.get("Contents", ()):
                add(obj["Key"], obj["Size"], obj.get("ETag", ""), obj.get("LastModified"))
    return plan
