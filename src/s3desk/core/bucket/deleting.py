"""Deleting in a bucket browser: what a selection covers, batched DeleteObjects, object
versions and incomplete multipart uploads. No Qt: the caller passes a boto3 client and runs
these off the UI thread.

A selection item ending in "/" is a folder (everything below it); any other item is one
key. ``plan_delete`` counts what a selection covers before anything is deleted, for the
confirmation ("Delete 2,500 objects, 1.2 GB?"); ``delete`` then sends DeleteObjects in
batches of up to 1,000 and records every outcome in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.errors import (
    error_outcome,
    is_transient,
    rejects_flexible_checksums,
)

if TYPE_CHECKING:
    from botocore.awsrequest import AWSRequest
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import (
        DeletedObjectTypeDef,
        DeleteObjectsOutputTypeDef,
        ErrorTypeDef,
        ListObjectsV2OutputTypeDef,
        ListObjectVersionsOutputTypeDef,
        ObjectIdentifierTypeDef,
    )

# DeleteObjects takes at most 1,000 keys per request.
MAX_BATCH = 1000
# Per-key errors inside a DeleteObjects answer that another attempt may clear.
_RETRY_KEY_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout"})
_MD5_HANDLER_ID = "s3desk-delete-objects-content-md5"
_Page = TypeVar("_Page")  # one page of a listing, as its paginator gives it


def _never() -> bool:
    return False


class PlanCancelled(Exception):
    """Counting a selection was cancelled; a partial count is never returned."""


class DeleteTarget(NamedTuple):
    """One object to delete: its key, and the version for a permanent delete."""

    key: str
    version_id: str | None = None


class DeleteFailure(NamedTuple):
    key: str
    version_id: str | None
    code: str
    message: str


@dataclass
class DeletePlan:
    """What a selection covers, counted before anything is deleted."""

    # (key, version_id) pairs; version_id is None except for permanent deletes.
    keys: list[DeleteTarget] = field(default_factory=list)
    total_size: int = 0
    # How many of ``keys`` are delete markers (permanent deletes only; they have no size).
    delete_markers: int = 0
    # Selected single keys that were not there (deleted meanwhile): left out of ``keys``,
    # since deleting a missing key on a versioned bucket would add a delete marker.
    missing: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.keys)


@dataclass
class DeleteResult:
    deleted: list[DeleteTarget] = field(default_factory=list)
    failed: list[DeleteFailure] = field(default_factory=list)
    # True if cancel stopped the delete: the keys after the last batch sent are untouched.
    cancelled: bool = False
    # key -> version id of the delete marker the delete created (versioned buckets);
    # deleting that marker brings the object back.
    delete_markers: dict[str, str] = field(default_factory=dict)


# -- counting -------------------------------------------------------------------------------


class _Entry(NamedTuple):
    key: str
    version_id: str | None
    size: int
    is_delete_marker: bool


def _pages(pages: Iterable[_Page], cancelled: Callable[[], bool]) -> Iterator[_Page]:
    """A paginated listing, checking cancel before each request."""
    page_iterator = iter(pages)
    while True:
        if cancelled():
            raise PlanCancelled
        page = next(page_iterator, None)
        if page is None:
            return
        yield page


def _object_entries(page: ListObjectsV2OutputTypeDef) -> list[_Entry]:
    return [_Entry(o["Key"], None, int(o.get("Size", 0)), False) for o in page.get("Contents", [])]


def _version_entries(page: ListObjectVersionsOutputTypeDef) -> list[_Entry]:
    entries = [
        _Entry(v["Key"], v["VersionId"], int(v.get("Size", 0)), False)
        for v in page.get("Versions", [])
    ]
    entries += [_Entry(m["Key"], m["VersionId"], 0, True) for m in page.get("DeleteMarkers", [])]
    return entries


def _listing(
    client: S3Client, bucket: str, versions: bool, cancelled: Callable[[], bool], **kwargs: Any
) -> Iterator[tuple[list[_Entry], bool]]:
    """Pages of entries: current objects (ListObjectsV2) or every version and delete marker
    (ListObjectVersions); and whether more pages follow. ``kwargs`` are the request's own
    (Prefix, Delimiter, MaxKeys), the same for either operation; Any, as the stubs' paginate
    types leave out MaxKeys, which botocore passes on as given."""
    if versions:
        version_pages = client.get_paginator("list_object_versions").paginate(
            Bucket=bucket, **kwargs
        )
        for versions_page in _pages(version_pages, cancelled):
            yield _version_entries(versions_page), bool(versions_page.get("IsTruncated"))
        return
    object_pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, **kwargs)
    for objects_page in _pages(object_pages, cancelled):
        yield _object_entries(objects_page), bool(objects_page.get("IsTruncated"))


def _find_single(
    client: S3Client, bucket: str, key: str, versions: bool, cancelled: Callable[[], bool]
) -> list[_Entry]:
    """The entries of exactly ``key``. A listing with the key as prefix, not HeadObject, so
    that planning needs the same permission as browsing; the key itself sorts before
    everything it is a prefix of ("data" < "data-old/x" < "data/x")."""
    if not versions:
        for entries, _ in _listing(client, bucket, False, cancelled, Prefix=key, MaxKeys=1):
            return [e for e in entries if e.key == key]
        return []
    found: list[_Entry] = []
    for entries, _ in _listing(client, bucket, True, cancelled, Prefix=key):
        found += [e for e in entries if e.key == key]
        if any(e.key != key for e in entries):
            break  # past the key: the remaining pages hold only longer keys
    return found


def _find_in_folder(
    client: S3Client, bucket: str, keys: list[str], versions: bool, cancelled: Callable[[], bool]
) -> dict[str, list[_Entry]]:
    """The entries of several keys in one folder, from a listing of that folder rather than
    a request per key. The listing stops past the last wanted key, and once the keys still
    missing are no more than the pages already read, the rest are looked up one by one: at
    most about two requests per key, however large the folder."""
    wanted = set(keys)
    found: dict[str, list[_Entry]] = {}
    # Character by character on purpose: S3 prefixes are strings, not paths.
    prefix = os.path.commonprefix(keys)  # noqa: RUF071
    last = max(keys)
    pages_read = 0
    if len(keys) > 1:
        # Delimiter "/" keeps subfolders out: the keys sit directly in one folder.
        pages = _listing(client, bucket, versions, cancelled, Prefix=prefix, Delimiter="/")
        for entries, more in pages:
            pages_read += 1
            for entry in entries:
                if entry.key in wanted:
                    found.setdefault(entry.key, []).append(entry)
            remaining = len(wanted) - len(found)
            page_last = max((e.key for e in entries), default="")
            if not remaining or page_last > last or remaining <= pages_read:
                if versions and more and page_last in found:
                    del found[page_last]  # its versions may go on in the next page
                break
    for key in keys:
        if key not in found:
            entries = _find_single(client, bucket, key, versions, cancelled)
            if entries:
                found[key] = entries
    return found


def plan_delete(
    client: S3Client,
    bucket: str,
    selection: Iterable[str],
    *,
    all_versions: bool = False,
    cancelled: Callable[[], bool] = _never,
) -> DeletePlan:
    """Count what deleting ``selection`` covers. With ``all_versions`` the plan holds every
    version and delete marker (a permanent delete); without, the current objects, which a
    versioned bucket keeps as older versions behind a new delete marker.

    Raises PlanCancelled when ``cancelled()`` turns true, and botocore errors as they are
    (ListObjectVersions answers NotImplemented on services without versioning)."""
    plan = DeletePlan()
    seen: set[DeleteTarget] = set()

    def add(entry: _Entry) -> None:
        target = DeleteTarget(entry.key, entry.version_id)
        if target in seen:
            return  # never the same object twice, however the selection overlaps
        seen.add(target)
        plan.keys.append(target)
        plan.total_size += entry.size
        plan.delete_markers += entry.is_delete_marker

    by_folder: dict[str, list[str]] = {}
    folders: list[str] = []
    for item in selection:
        if not item:
            raise ValueError("an empty selection item would mean the whole bucket")
        if item.endswith("/"):
            folders.append(item)
        else:
            by_folder.setdefault(item[: item.rfind("/") + 1], []).append(item)
    # A folder inside another selected folder is listed with it.
    folders = [
        f for f in dict.fromkeys(folders) if not any(f != g and f.startswith(g) for g in folders)
    ]
    listed: set[str] = set()
    for folder in folders:
        # No delimiter: everything below the folder, however deep.
        for entries, _ in _listing(client, bucket, all_versions, cancelled, Prefix=folder):
            for entry in entries:
                add(entry)
                listed.add(entry.key)
    for selected in by_folder.values():
        # A key inside a selected folder was listed with it already (or is not there).
        keys = sorted(k for k in set(selected) if not k.startswith(tuple(folders)))
        found = _find_in_folder(client, bucket, keys, all_versions, cancelled) if keys else {}
        for key in sorted(set(selected)):
            if key in found:
                for entry in found[key]:
                    add(entry)
            elif key not in listed:
                plan.missing.append(key)
    return plan


# -- deleting -------------------------------------------------------------------------------


def _content_md5_instead(request: AWSRequest, **_: object) -> None:
    """before-sign hook for DeleteObjects: Content-MD5 in place of the flexible checksum.

    botocore (1.36+) puts x-amz-checksum-crc32 on every DeleteObjects, even with
    request_checksum_calculation="when_required", because the operation requires *a*
    checksum; services that reject those headers accept the Content-MD5 S3 always took."""
    for name in list(request.headers.keys()):
        if name.lower().startswith(("x-amz-checksum-", "x-amz-sdk-checksum-")):
            del request.headers[name]
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    digest = hashlib.md5(body, usedforsecurity=False).digest()
    del request.headers["Content-MD5"]  # assigning adds a header; never send two
    request.headers["Content-MD5"] = base64.b64encode(digest).decode()


def _use_content_md5(client: S3Client) -> None:
    # unique_id: registering again for the same client is a no-op.
    client.meta.events.register(
        "before-sign.s3.DeleteObjects", _content_md5_instead, unique_id=_MD5_HANDLER_ID
    )


def _md5_mode(client: S3Client) -> bool:
    """make_client() builds clients for md5-mode endpoints with this setting."""
    config = getattr(client.meta, "config", None)
    return getattr(config, "request_checksum_calculation", None) == "when_required"


@dataclass
class _Batch:
    deleted: list[DeleteTarget] = field(default_factory=list)
    failed: list[DeleteFailure] = field(default_factory=list)
    markers: dict[str, str] = field(default_factory=dict)


class _Deleter:
    def __init__(
        self, client: S3Client, bucket: str, attempts: int, backoff: float, md5: bool
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.md5 = md5
        if md5:
            _use_content_md5(client)

    def _wait(self, attempt: int) -> None:
        # Exponential backoff with jitter, so many clients do not retry in step.
        time.sleep(self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))

    def run(self, batch: list[DeleteTarget]) -> _Batch:
        """One DeleteObjects batch: retried as a whole on network and server errors, and
        for the keys the server answered with a transient per-key error."""
        from botocore.exceptions import BotoCoreError, ClientError

        out = _Batch()
        pending = list(batch)
        attempt = 1
        while pending:
            objects = [_identifier(t) for t in pending]
            try:
                # Quiet=False: the server names every key it deleted, so the result and the
                # audit log hold what it confirmed, not what we inferred from silence. Both
                # moto and rclone answer it in full (with Quiet=True rclone lists only the
                # errors, while moto lists the deleted keys anyway).
                response = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": objects, "Quiet": False}
                )
            except (BotoCoreError, ClientError) as exc:
                if rejects_flexible_checksums(exc) and not self.md5:
                    # Not an attempt: the request never reached the delete itself.
                    self.md5 = True
                    _use_content_md5(self.client)
                    continue
                if is_transient(exc) and attempt < self.attempts:
                    self._wait(attempt)
                    attempt += 1
                    continue
                code, message = error_outcome(exc, self.bucket)
                out.failed += [DeleteFailure(t.key, t.version_id, code, message) for t in pending]
                return out
            pending = self._sort_answer(response, pending, out, retry=attempt < self.attempts)
            if pending:
                self._wait(attempt)
                attempt += 1
        return out

    def _sort_answer(
        self,
        response: DeleteObjectsOutputTypeDef,
        pending: list[DeleteTarget],
        out: _Batch,
        retry: bool,
    ) -> list[DeleteTarget]:
        """Match the answer's Deleted and Errors to the keys sent; the keys to send again."""
        open_: dict[DeleteTarget, None] = dict.fromkeys(pending)

        def take(entry: DeletedObjectTypeDef | ErrorTypeDef) -> DeleteTarget | None:
            target = DeleteTarget(entry.get("Key", ""), entry.get("VersionId") or None)
            if target in open_:
                del open_[target]
                return target
            # A server that does not echo the version id: the key's first open target.
            for candidate in open_:
                if candidate.key == target.key:
                    del open_[candidate]
                    return candidate
            return None

        for entry in response.get("Deleted", []):
            target = take(entry)
            if target is None:
                continue
            out.deleted.append(target)
            marker = entry.get("DeleteMarkerVersionId")
            if entry.get("DeleteMarker") and marker and not target.version_id:
                out.markers[target.key] = str(marker)
        again: list[DeleteTarget] = []
        for refusal in response.get("Errors", []):
            target = take(refusal)
            if target is None:
                continue
            code = str(refusal.get("Code") or "Error")
            if retry and code in _RETRY_KEY_CODES:
                again.append(target)
            else:
                message = str(refusal.get("Message") or code)
                out.failed.append(DeleteFailure(target.key, target.version_id, code, message))
        for target in open_:
            # Neither deleted nor refused in the answer: not claimed as deleted.
            out.failed.append(
                DeleteFailure(
                    target.key, target.version_id, "NoAnswer",
                    "The storage service did not confirm this delete",
                )
            )  # fmt: skip
        return again


def _identifier(target: DeleteTarget) -> ObjectIdentifierTypeDef:
    if target.version_id:
        return {"Key": target.key, "VersionId": target.version_id}
    return {"Key": target.key}


def delete(
    client: S3Client,
    bucket: str,
    plan: DeletePlan,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = _never,
    audit: AuditLog | None = None,
    account: str = "",
    batch_size: int = MAX_BATCH,
    attempts: int = 4,
    backoff: float = 0.5,
) -> DeleteResult:
    """Delete what ``plan`` holds with DeleteObjects, ``batch_size`` (at most 1,000) keys
    per request. Cancel is checked before each batch; a batch that was sent is finished.
    ``on_progress(done, total)`` follows each batch. Every deleted or refused key goes to
    ``audit``: "delete" for a current object, "delete-version" for a version or marker.

    A batch failing as a whole on network or server errors is sent again up to
    ``attempts`` times with backoff, then its keys are reported failed; the other batches
    go on. Services that refuse S3's flexible checksum headers get Content-MD5 instead."""
    size = max(1, min(batch_size, MAX_BATCH))
    deleter = _Deleter(client, bucket, attempts, backoff, _md5_mode(client))
    result = DeleteResult()
    total = plan.count
    for start in range(0, total, size):
        if cancelled():
            result.cancelled = True
            break
        batch = deleter.run(plan.keys[start : start + size])
        result.deleted += batch.deleted
        result.failed += batch.failed
        result.delete_markers.update(batch.markers)
        if audit is not None:
            _audit_batch(audit, account, bucket, batch)
        if on_progress is not None:
            on_progress(min(start + size, total), total)
    return result


def _audit_batch(audit: AuditLog, account: str, bucket: str, batch: _Batch) -> None:
    def action(version_id: str | None) -> str:
        return "delete-version" if version_id else "delete"

    for target in batch.deleted:
        marker = None if target.version_id else batch.markers.get(target.key)
        audit.append(
            action(target.version_id), account=account, bucket=bucket, key=target.key,
            version_id=target.version_id, result="ok", delete_marker_version_id=marker,
        )  # fmt: skip
    for failure in batch.failed:
        audit.append(
            action(failure.version_id), account=account, bucket=bucket, key=failure.key,
            version_id=failure.version_id, result="failed",
            error=f"{failure.code}: {failure.message}",
        )  # fmt: skip
