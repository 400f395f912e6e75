"""Advisory file locks between processes: ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on
Windows, the one helper the audit log and the upload journal's claims both use.

The operating system drops a lock when its process ends, however it ends (SIGKILL, a
crash, a power cut), so a lock never outlives its holder. Each lock belongs to one open file:
opening the file anew and locking it conflicts with other threads and other objects of the
same process too. On Windows the lock covers the file's first byte.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

if sys.platform == "win32":
    import msvcrt

    def lock_file(f: IO[bytes], shared: bool = False) -> None:
        """Wait for the lock on ``f``. No shared locks on Windows: readers take the
        exclusive one, briefly."""
        f.seek(0)
        while True:
            try:
                msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError as exc:
                if exc.errno != errno.EDEADLOCK:  # anything but "still locked" is real
                    raise
                # LK_LOCK gives up after about 10 seconds of another holder: keep waiting

    def try_lock_file(f: IO[bytes]) -> bool:
        """Take the exclusive lock on ``f`` if nobody holds it; False if somebody does."""
        f.seek(0)
        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLOCK):
                return False
            raise
        return True

    def unlock_file(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock_file(f: IO[bytes], shared: bool = False) -> None:
        """Wait for the lock on ``f``, shared (readers) or exclusive."""
        fcntl.flock(f.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)

    def try_lock_file(f: IO[bytes]) -> bool:
        """Take the exclusive lock on ``f`` if nobody holds it; False if somebody does."""
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def unlock_file(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def file_lock(path: Path, shared: bool = False, required: bool = True) -> Iterator[None]:
    """Hold the lock on ``path`` (created if missing) for the ``with`` block. Not
    ``required`` (readers): a lock file that cannot be opened (a read-only folder) means
    going on without it."""
    try:
        f = open(path, "a+b")  # noqa: SIM115 - closed by the with below
    except OSError:
        if required:
            raise
        f = None
    if f is None:
        yield
        return
    with f:
        lock_file(f, shared)
        try:
            yield
        finally:
            unlock_file(f)
