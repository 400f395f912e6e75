"""A download job as the engine keeps it, and how its bytes are checked: which ETags say
what, the multipart ETag of the parts' MD5s, and when parts wait for the in-order hash.

Everything here is used under the download engine's lock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.storage.checksums import multipart_etag
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import JobState

# Arrived parts the in-order MD5 may lag behind before a job's further parts wait for it.
HASH_BACKLOG = 3
_PLAIN_MD5 = re.compile(r"^[0-9a-f]{32}$")
_MULTIPART_ETAG = re.compile(r"^[0-9a-f]{32}-([1-9][0-9]{0,4})$")


@dataclass(slots=True, eq=False)
class DownloadJob:
    """One object to fetch. Mutated only under the engine's lock."""

    id: int
    item: DownloadItem
    conflict: ConflictPolicy  # for a local file that exists when the download is done
    state: JobState = JobState.QUEUED
    bytes_done: int = 0
    error: str = ""
    note: str = ""
    generation: int = 0  # bumped by pause, cancel, retry: older units stop and count for nothing
    temp: str = ""  # the hidden file the bytes go to
    part_size: int = 0
    pending: list[int] = field(default_factory=list)  # heap of part numbers still to fetch
    in_flight: set[int] = field(default_factory=set)  # handed out, not yet back
    done_parts: set[int] = field(default_factory=set)
    workers: int = 0  # units working on it right now, stale ones included
    restarts: int = 0  # whole-file checksum failures so far
    saved_as: str = ""  # where the file ended up (a "keep both" name may differ)
    # Parted downloads with a plain-MD5 ETag: the MD5 of parts 1..hashed_parts, hashed in
    # order as they arrive. Reset (with done_parts) whenever the parts are thrown away.
    hasher: Any = None
    hashed_parts: int = 0
    # Held by the one unit that hashes parts or checks and places the file (see _finish_parts).
    checker: object | None = None
    # Multipart ETags: whether the uploader's part size was asked for (a HeadObject of
    # parts 1 and N), and once known, each part's MD5 as it arrived, to check the ETag.
    layout_asked: bool = False
    by_parts: bool = False
    part_md5s: dict[int, bytes] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.item.size

    @property
    def bucket(self) -> str:
        return self.item.bucket

    @property
    def key(self) -> str:
        return self.item.key


class Unit(NamedTuple):
    job: DownloadJob
    number: int  # part number; 0 for a whole-object GET
    generation: int
    attempt: int = 1


def checkable(item: DownloadItem) -> bool:
    """A plain MD5 ETag: the object was stored in one request without KMS or customer keys.
    (A multipart ETag is an MD5 of part MD5s, checked part by part: ``parts_etag``.)"""
    return bool(_PLAIN_MD5.match(item.etag))


def hash_lags(job: DownloadJob) -> bool:
    """(Locked) A unit is hashing the job's parts in order (it wakes a waiting worker
    after each part), ``HASH_BACKLOG`` or more arrived parts behind, and the next part to
    hand out is not the one it waits for. Nobody hashing (after a resume, say): nothing
    waits, since only an arriving part sets the hash going again."""
    if job.checker is None or job.hasher is None or job.pending[0] == job.hashed_parts + 1:
        return False
    return len(job.done_parts) - job.hashed_parts >= HASH_BACKLOG


def etag_parts(item: DownloadItem) -> int:
    """The number of parts a multipart ETag ("md5-N") names; 0 for any other ETag."""
    match = _MULTIPART_ETAG.match(item.etag.lower())
    return int(match.group(1)) if match else 0


def parts_etag(job: DownloadJob, count: int) -> str:
    """The multipart ETag of the parts' MD5s as they arrived ("" if one is missing)."""
    if len(job.part_md5s) != count or count != etag_parts(job.item):
        return ""
    return multipart_etag([job.part_md5s[n] for n in range(1, count + 1)])


def reset_hash(job: DownloadJob) -> None:
    """The job's parts were thrown away: so is their hash (and the check, if held)."""
    job.hasher = None
    job.hashed_parts = 0
    job.checker = None
    job.part_md5s.clear()
