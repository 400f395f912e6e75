"""How dropped files become upload jobs: the scan's files judged by the account's upload
rules, their keys checked, each job given its conflict policy and content type, and an audit
entry for every file accepted or refused.

Where an organisation's upload service stands in for S3, the service applies its own rules
and options (``local_rules`` is False), and chooses the key and the type and never
overwrites (``chooses_keys``): the intake then passes the scan through as it is. Both come
from the upload backend's capabilities.
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Iterable, Iterator

from s3desk.core.compliance import content_types
from s3desk.core.compliance.rules import UploadRules
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.keys import InvalidKey, check_key, check_size, join_key
from s3desk.core.transfer.audit_writer import AuditWriter
from s3desk.core.transfer.jobs import Destination, JobState, UploadJob
from s3desk.core.transfer.upload.scan import FoundFile, Skipped, scan

# A dropped item (found or skipped by the scan) with its bucket and key.
Item = tuple[FoundFile | Skipped, str, str]

BATCH = 500  # items queued at a time while a big folder is still being walked


class UploadIntake:
    def __init__(self, config: EngineConfig, *, local_rules: bool, chooses_keys: bool) -> None:
        self.config = config
        self.chooses_keys = chooses_keys
        self._rules: UploadRules | None = config.rules if local_rules else None
        # The upload options' refusal (e.g. encryption required but not set) fails every file.
        self._refusal = config.options.refusal() if local_rules else ""
        # What sanitising changed in a file's key, shown in its row until it starts.
        self._key_notes: dict[str, str] = {}
        self._lock = threading.Lock()

    def batches(self, paths: Iterable[str], dest: Destination) -> Iterator[list[Item]]:
        """The files below ``paths`` with their keys under ``dest``, judged by the rules,
        in batches, as the folders are walked."""
        user = self.config.user or _os_user()
        now = datetime.datetime.now()  # local time: {date} is the user's day
        batch: list[Item] = []
        for found in scan(paths):
            if self._rules is not None and isinstance(found, FoundFile):
                item, key = self._judge(found, self._rules, user, now, dest.prefix)
            else:
                item, key = found, join_key(dest.prefix, found.relative)
            batch.append((item, dest.bucket, key))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        yield batch

    @staticmethod
    def one(path: str | os.PathLike[str], bucket: str, key: str) -> Item:
        """One file under an exact key, as the scan finds it (no rules: the key is given)."""
        return next(scan([os.path.abspath(os.fspath(path))])), bucket, key

    def _judge(
        self, found: FoundFile, rules: UploadRules, user: str, now: datetime.datetime, prefix: str
    ) -> tuple[FoundFile | Skipped, str]:
        """The rules' verdict on one file: refused (a failed row saying why), or its key,
        with what sanitising changed noted for its row."""
        verdict = rules.review(found, user, now, prefix)
        if verdict.refusal is not None:
            refused = Skipped(found.path, found.relative, verdict.refusal.message, True, found.size)
            return refused, join_key(prefix, found.relative)  # named in its row as dropped
        changed = [c.message for c in verdict.mapping.changes if c.code != "nfc"]
        if changed:
            with self._lock:
                self._key_notes[found.path] = "Key: " + "; ".join(changed)
        return found, verdict.mapping.key

    def new_job(
        self,
        job_id: int,
        item: FoundFile | Skipped,
        bucket: str,
        key: str,
        conflict: ConflictPolicy,
        content_type: str,
    ) -> UploadJob:
        """The job for one scanned item: queued, or failed/skipped saying why."""
        if isinstance(item, Skipped):
            state = JobState.FAILED if item.failed else JobState.SKIPPED
            job = UploadJob(job_id, item.path, bucket, key, item.size, state=state)
            job.error = item.reason
            return job
        job = UploadJob(job_id, item.path, bucket, key, item.size, item.mtime_ns)
        job.note = self._key_note(item.path)
        try:
            check_key(key)
            check_size(item.size)
        except InvalidKey as exc:
            job.state, job.error = JobState.FAILED, str(exc)
        if self.chooses_keys:
            # An upload service chooses the key and the type itself and never overwrites.
            job.conflict = ConflictPolicy.OVERWRITE
        else:
            job.conflict = conflict
            job.content_type = content_type or content_types.detect(
                key, item.path, self.config.options.content_types
            )
        if self._refusal:
            job.state, job.error = JobState.FAILED, self._refusal
        return job

    def retry_conflict(self, job: UploadJob) -> None:
        """A file sent anew on retry is treated as this engine treats a taken name."""
        if not self.chooses_keys:
            job.conflict = self.config.conflict

    def _key_note(self, path: str) -> str:
        with self._lock:
            return self._key_notes.pop(path, "") if self._key_notes else ""


def audit_starts(audit: AuditWriter | None, account: str, jobs: list[UploadJob]) -> None:
    """An entry per file accepted for upload; refused files get theirs as failures."""
    if audit is None:
        return
    for job in jobs:
        fields = {
            "account": account, "bucket": job.bucket, "key": job.key,
            "size": job.size, "path": job.source,
        }  # fmt: skip
        if job.state is JobState.QUEUED:
            audit.put("upload-start", **fields, result="queued")
        elif job.state is JobState.FAILED:
            audit.put("upload", **fields, result="refused", error=job.error)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return ""
