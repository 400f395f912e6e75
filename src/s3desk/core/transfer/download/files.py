"""The local side of a download: the hidden temporary file next to its target, a response
body written into it, its parts read back to hash them, and the checked file given its name.

Nothing here knows about jobs or the engine's lock: the download engine decides, under its
lock, whether a file may still be placed; these functions only touch the file system.
"""

from __future__ import annotations

import itertools
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from s3desk.core.storage.checksums import IntegrityError
from s3desk.core.storage.lean_s3 import LeanBody
from s3desk.core.transfer.bandwidth import BandwidthLimiter

log = logging.getLogger(__name__)

# How much of a response is read and written at a time: progress and cancel granularity.
# 256 KiB rather than 1 MiB: on a 2-core VM the ranged GETs of a 1 GiB object took a third
# less time and half the CPU, likely because each chunk's copies stay in the CPU's cache.
CHUNK = 256 * 1024


class Stopped(Exception):
    """The job was paused or cancelled while this unit was working."""


class LocalFiles:
    """Temporary files and folders of one download engine. Its sets are only added to, and
    a duplicate addition is harmless, so no lock is needed."""

    def __init__(self) -> None:
        # Local folders made or found: each is made once, not once per file.
        self._folders: set[str] = set()
        self._tag = uuid.uuid4().hex[:8]
        self._numbers = itertools.count(1)
        self._no_links: set[str] = set()  # folders on file systems without hard links

    def make_folders(self, folders: Iterable[str]) -> None:
        for folder in folders:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:  # the files inside it fail with their own message
                log.warning("could not create folder %s: %r", folder, exc)
            else:
                self._folders.add(folder)

    def new_temp(self, target: str) -> tuple[str, BinaryIO]:
        """Create a hidden temporary file next to ``target``: its name, open for writing."""
        folder = os.path.dirname(target)
        name = os.path.join(folder, f".s3desk-{self._tag}-{next(self._numbers)}.part")
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            f = open(name, "xb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError:  # the folder was removed since it was made: make it again
            os.makedirs(folder, exist_ok=True)
            f = open(name, "xb")  # noqa: SIM115
        return name, f

    def link_new(self, temp: str, target: str) -> bool:
        """Give the file ``temp`` the name ``target`` too, if no file has that name."""
        folder = os.path.dirname(target)
        if folder in self._no_links:
            return False
        try:
            os.link(temp, target)
        except FileExistsError:
            return False
        except OSError as exc:
            # FAT, exFAT and many network shares have no hard links, and each system says
            # so in its own words. Renaming is right everywhere, and reports real problems.
            log.info("no hard links in %s (%r): files are renamed into place", folder, exc)
            self._no_links.add(folder)
            return False
        return True


def copy_body(
    body: Any,
    f: Any,
    length: int,
    digest: Any,
    *,
    progress: Callable[[int], None],
    stopped: Callable[[], bool],
    limiter: BandwidthLimiter,
) -> None:
    """Write ``length`` bytes of ``body`` to ``f`` where it stands (and to ``digest``), and
    close ``body``. Bytes are counted as they arrive and taken back if the copy fails;
    Stopped once ``stopped()`` says so."""
    if isinstance(body, LeanBody):
        view = memoryview(bytearray(CHUNK))  # one buffer for the whole body

        def next_chunk(size: int) -> Any:
            return view[: body.readinto(view[:size])]

    else:
        next_chunk = body.read
    received = 0
    try:
        while received < length:
            if stopped():
                raise Stopped
            chunk = next_chunk(min(CHUNK, length - received))
            if not chunk:
                break
            if not limiter.consume(len(chunk), stopped):
                raise Stopped
            f.write(chunk)
            if digest is not None:
                digest.update(chunk)
            received += len(chunk)
            progress(len(chunk))
    except BaseException:
        progress(-received)  # the part will be fetched again
        raise
    finally:
        body.close()
    if received != length:
        progress(-received)
        raise IntegrityError(f"expected {length} bytes, received {received}")


def hash_range(path: str, start: int, length: int, digest: Any, buffer: bytearray) -> None:
    """Feed ``length`` bytes of ``path`` from ``start`` to ``digest``."""
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        f.seek(start)
        while length > 0:
            n = f.readinto(view[: min(len(buffer), length)])
            if not n:
                raise IntegrityError("the temporary file is shorter than the object")
            digest.update(view[:n])  # hashlib lets other threads run while it hashes
            length -= n


def remove(path: str) -> None:
    """Remove a file s3desk made; one that is gone already is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not remove %s: %r", path, exc)
