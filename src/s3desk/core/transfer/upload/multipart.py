"""What a multipart upload's refused requests mean, decided from the backend's answers.

After a restart, or a completion refused over its parts, the engine asks which parts the
server confirms; when listing or completing fails, this module looks at the destination
(is the object there already, and is it the file's?) and says what comes next. It only
looks and decides; the upload engine applies the decision to the job and its books under
its lock, and writes the journal.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable

from s3desk.core.storage.errors import SourceChanged, has_code, parts_in_doubt
from s3desk.core.transfer.jobs import PartResult, UploadJob
from s3desk.core.transfer.upload.backends import UploadBackend
from s3desk.core.transfer.upload.object_match import bare_etag, holds_file, own_parts, parts_etag
from s3desk.core.transfer.upload.source import check_unchanged
from s3desk.core.transfer.upload.taken_names import TakenNames

log = logging.getLogger(__name__)

# How often a refused completion is answered by listing the parts again, sending those in
# doubt and completing again, before the job fails (keeping what was sent).
MAX_COMPLETE_ROUNDS = 3


class Next(enum.Enum):
    DONE = "done"  # the object is stored: the job is complete
    RESTART = "restart"  # the server no longer knows the upload: start it afresh
    FAIL = "fail"  # the file changed or cannot be read: the job fails, its upload aborted
    CHECK_PARTS = "check parts"  # list the parts again, send those in doubt, complete again
    RETRY = "retry"  # as any failed request: the scheduler retries it or gives up


class MultipartChecks:
    """Looks at a multipart upload through the backend. ``part_size`` is read at each use:
    the engine's settings can change while it runs."""

    def __init__(
        self, backend: UploadBackend, taken: TakenNames, *, part_size: Callable[[], int]
    ) -> None:
        self._backend = backend
        self._taken = taken
        self._part_size = part_size

    def confirmed_parts(self, job: UploadJob) -> dict[int, PartResult]:
        """The parts the server confirms. After a refused completion a part is confirmed
        only if its bytes are the file's (size, and ETag or checksum against what we read
        again). Raises what checking the file or listing raised."""
        check_unchanged(job)
        confirmed = self._backend.list_parts(job)
        if job.complete_rounds:
            confirmed = own_parts(job, confirmed)
        return confirmed

    def after_listing(self, job: UploadJob, exc: BaseException) -> Next:
        """Listing the parts (or checking the file first) failed with ``exc``."""
        if has_code(exc, "NoSuchUpload") and self.completed_meanwhile(job):
            return Next.DONE  # a completion the killed run sent got there
        if has_code(exc, "NoSuchUpload"):
            return Next.RESTART
        if isinstance(exc, SourceChanged | OSError):
            return Next.FAIL
        return Next.RETRY

    def after_completing(self, job: UploadJob, exc: BaseException, attempt: int) -> Next:
        """Completing the upload failed with ``exc`` at ``attempt``."""
        gone = has_code(exc, "NoSuchUpload")
        if gone and attempt > 1 and self._object_matches(job):
            return Next.DONE  # an earlier attempt completed it; only its answer was lost
        if gone and self.completed_meanwhile(job):
            return Next.DONE  # completed by a run killed while it waited for the answer
        if isinstance(exc, SourceChanged | OSError):
            return Next.FAIL
        if (gone or parts_in_doubt(exc)) and job.complete_rounds < MAX_COMPLETE_ROUNDS:
            return Next.CHECK_PARTS
        return Next.RETRY

    def completed_meanwhile(self, job: UploadJob) -> bool:
        """The upload is gone, but the object under its key is the one its parts make (its
        size, and the multipart ETag their ETags give), or holds the file's bytes (services
        such as rclone answer the whole file's MD5): a completion whose answer was lost, or
        that a killed run sent, got there."""
        if not self._backend.can_look:
            return False
        try:
            head = self._taken.head(job)
            if head is None or int(head.get("ContentLength", -1)) != job.size:
                return False
            if bare_etag(str(head.get("ETag", ""))) == parts_etag(job):
                return True
            return holds_file(job, head, self._part_size())
        except Exception as exc:  # cannot look, or the file changed: not shown to be done
            log.info("could not compare s3://%s/%s with its file: %r", job.bucket, job.key, exc)
            return False

    def _object_matches(self, job: UploadJob) -> bool:
        if not self._backend.can_look:
            return False  # the service answers a repeated completion itself
        try:
            head = self._backend.head(job.bucket, job.key, checksum=False)
        except Exception:
            return False
        return int(head.get("ContentLength", -1)) == job.size
