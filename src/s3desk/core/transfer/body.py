"""The request body the engine hands to boto3: counts bytes on the wire, and stops on cancel.

boto3 reads a body several times (checksum, signature, then the actual send); only the send
counts as progress. Like s3transfer, the engine switches counting off around signing with
botocore's ``request-created`` event, and a rewind during the send (a retry) is counted back.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from s3desk.core.transfer.bandwidth import BandwidthLimiter

# Report progress in steps of this many bytes: enough for a smooth bar, few enough callbacks.
REPORT_STEP = 256 * 1024


class UploadCancelled(Exception):
    """Raised from inside a read when the job was cancelled or paused."""


class ProgressBody(io.BytesIO):
    def __init__(
        self,
        data: bytes,
        on_progress: Callable[[int], None],
        should_stop: Callable[[], bool],
        limiter: BandwidthLimiter | None = None,
    ) -> None:
        super().__init__(data)
        self._length = len(data)
        self._on_progress = on_progress
        self._should_stop = should_stop
        self._limiter = limiter
        self._transferring = False
        self._reported = 0

    def __len__(self) -> int:
        return self._length

    def signal_transferring(self) -> None:
        self._transferring = True

    def signal_not_transferring(self) -> None:
        self._transferring = False

    def read(self, size: int | None = -1) -> bytes:
        if self._should_stop():
            raise UploadCancelled
        chunk = super().read(size)
        if self._transferring:
            if self._limiter is not None and not self._limiter.consume(
                len(chunk), self._should_stop
            ):
                raise UploadCancelled
            pos = self.tell()
            if pos - self._reported >= REPORT_STEP or pos == self._length:
                self._report_to(pos)
        return chunk

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        new = super().seek(pos, whence)
        if self._transferring and new < self._reported:
            self._report_to(new)
        return new

    def rewind(self) -> None:
        """Take back the progress reported so far: this attempt did not get through."""
        self._report_to(0)

    def _report_to(self, pos: int) -> None:
        delta = pos - self._reported
        if delta:
            self._reported = pos
            self._on_progress(delta)


_COUNTED_OPERATIONS = frozenset({"PutObject", "UploadPart"})


def _signal_not_transferring(request: Any, operation_name: str, **_: Any) -> None:
    if operation_name in _COUNTED_OPERATIONS:
        body = getattr(request, "body", None)
        if isinstance(body, ProgressBody):
            body.signal_not_transferring()


def _signal_transferring(request: Any, operation_name: str, **_: Any) -> None:
    if operation_name in _COUNTED_OPERATIONS:
        body = getattr(request, "body", None)
        if isinstance(body, ProgressBody):
            body.signal_transferring()


# Up to this size a body goes without "Expect: 100-continue": waiting for the server's
# go-ahead costs a round trip, and only pays off when a refusal would save a large body.
EXPECT_CONTINUE_ABOVE = 1024 * 1024


def _skip_expect_for_small_bodies(params: dict[str, Any], **_: Any) -> None:
    headers = params.get("headers", {})
    body = params.get("body")
    if "Expect" in headers and body is not None:
        from botocore.utils import determine_content_length

        length = determine_content_length(body)
        if length is not None and length <= EXPECT_CONTINUE_ABOVE:
            del headers["Expect"]


def register_engine_handlers(client: Any) -> None:
    """Count only the bytes that are sent, not those read for checksums and signatures; and
    send small bodies without the 100-continue round trip."""
    events = client.meta.events
    events.register("before-call.s3", _skip_expect_for_small_bodies, unique_id="s3desk-expect")
    events.register_first(
        "request-created.s3", _signal_not_transferring, unique_id="s3desk-not-transferring"
    )
    events.register_last(
        "request-created.s3", _signal_transferring, unique_id="s3desk-transferring"
    )
