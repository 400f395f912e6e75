"""Deleting in a bucket browser, against real servers: moto, and rclone where it has the
feature.

rclone serve s3 keeps objects as files in a folder, so it has no versioning
(ListObjectVersions answers NotImplemented), no Object Lock and no bucket policies, and a
key cannot be a file and a folder at once ("data" next to "data/x"). The tests of those run
on moto only.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from s3desk.core.bucket.deleting import (
    DeleteFailure,
    DeletePlan,
    DeleteTarget,
    PlanCancelled,
    delete,
    plan_delete,
)
from s3desk.core.bucket.incomplete_uploads import (
    abort_uploads,
    count_incomplete_uploads,
    list_incomplete_uploads,
)
from s3desk.core.bucket.versions import list_versions, restore_version
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.endpoint import S3Endpoint, make_client, make_session
from s3desk.core.storage.errors import has_code
from s3desk.core.storage.lean_s3 import LeanS3
from tests.conftest import NewBucket, Server
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, multipart_uploads, read_object, wait_for

MiB = 1024 * 1024


def put_many(server: Server, bucket: str, keys: Iterable[str], body: bytes = b"x") -> None:
    """Many small objects, quickly. moto's server runs inside the test process, where client
    and server threads share one GIL, so a thread pool gains nothing over its ~5 ms per PUT:
    the objects go straight into moto's store. rclone is another process: a thread pool
    sends them, through the engine's lean sender (botocore's own CPU per request would
    take five times as long)."""
    if server.name == "moto":
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
        for key in keys:
            backend.put_object(bucket, key, body)
        return
    sender = LeanS3(
        server.endpoint, make_session(server.endpoint), lambda: server.client,
        max_connections=16, connect_timeout=5, read_timeout=30,
    )  # fmt: skip

    def put(key: str) -> None:
        # rclone's VFS now and then answers InternalError ("Dir.Rename error: file does not
        # exist") to concurrent PUTs into a folder it is creating; botocore would retry.
        for attempt in range(5):
            try:
                sender.put(bucket, key, body, {})
                return
            except ClientError as exc:
                if attempt == 4 or not has_code(exc, "InternalError"):
                    raise

    try:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, keys))
    finally:
        sender.close()


@contextmanager
def proxied(
    endpoint: S3Endpoint, plan: FaultPlan | None = None
) -> Iterator[tuple[FaultProxy, Any]]:
    """A FaultProxy in front of the server, and a client that goes through it. One attempt
    per request: retries, where a test wants them, are deleting.py's own."""
    assert endpoint.endpoint_url
    with FaultProxy.for_url(endpoint.endpoint_url, plan) as proxy:
        yield proxy, make_client(replace(endpoint, endpoint_url=proxy.url), attempts=1)


def is_delete_objects(request: tuple[str, str]) -> bool:
    method, target = request
    return method == "POST" and "?delete" in target


def audit_rows(audit: AuditLog) -> list[dict[str, Any]]:
    """The entries without the parts that vary from run to run (time, OS user)."""
    return [{k: v for k, v in e.items() if k not in {"time", "user"}} for e in audit.entries()]


def test_deleting_a_folder_takes_exactly_its_objects_in_batches_of_1000(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    inside = [f"data/{i // 100:02d}/{i:04d}.bin" for i in range(2500)]  # nested: recursive
    # Neighbours whose names start like the folder's. rclone cannot hold a key "data" next
    # to the folder "data/" (a file and a folder of one name), so that one is moto's.
    outside = ["data-old/x", "datafile", *(["data"] if server.name == "moto" else [])]
    put_many(server, server_bucket, inside + outside, body=b"12345")
    audit = AuditLog(tmp_path / "audit.jsonl")
    progress: list[tuple[int, int]] = []

    with proxied(server.endpoint) as (proxy, client):
        plan = plan_delete(client, server_bucket, ["data/"])
        listed = len(proxy.requests())
        result = delete(
            client, server_bucket, plan, on_progress=lambda *p: progress.append(p), audit=audit,
            account="Work",
        )  # fmt: skip
        sent = proxy.requests()[listed:]
        headers = proxy.request_headers()[listed:]

    assert (plan.count, plan.total_size) == (2500, 2500 * 5)
    assert listed == 3  # ListObjectsV2 pages of 1,000
    # Three DeleteObjects (1,000 + 1,000 + 500) and not one DELETE per key.
    assert len(sent) == 3 and all(is_delete_objects(r) for r in sent)
    assert progress == [(1000, 2500), (2000, 2500), (2500, 2500)]
    # botocore's default flexible checksum is accepted by both servers.
    assert all("x-amz-checksum-crc32" in h for h in headers)
    assert not result.failed and not result.cancelled
    assert sorted(t.key for t in result.deleted) == inside
    assert list_keys(server.client, server_bucket) == sorted(outside)
    rows = audit_rows(audit)
    assert len(rows) == 2500
    assert rows[0] == {
        "action": "delete", "account": "Work", "bucket": server_bucket, "key": inside[0],
        "result": "ok",
    }  # fmt: skip
    assert {(r["action"], r["result"]) for r in rows} == {("delete", "ok")}


def test_the_plan_counts_objects_and_bytes_before_anything_is_deleted(
    server: Server, server_bucket: str
) -> None:
    sizes = {"photos/a.jpg": 100, "photos/2024/b.jpg": 2000, "photos/2024/deep/c.jpg": 30}
    sizes |= {f"docs/f{i:02d}": i for i in range(60)}
    sizes |= {"top.txt": 7, "photos-old/z.jpg": 5000}
    for key, size in sizes.items():
        server.client.put_object(Bucket=server_bucket, Key=key, Body=b"x" * size)
    fifty = [f"docs/f{i:02d}" for i in range(50)]
    selection = ["photos/", *fifty, "docs/missing.txt", "photos/a.jpg", "photos/2024/", "top.txt"]

    with proxied(server.endpoint) as (proxy, client):
        plan = plan_delete(client, server_bucket, selection)
        requests = proxy.requests()

    expected = ["photos/a.jpg", "photos/2024/b.jpg", "photos/2024/deep/c.jpg", *fifty, "top.txt"]
    assert sorted(plan.keys) == sorted(DeleteTarget(key) for key in expected)
    assert plan.count == 54  # photos/a.jpg and photos/2024/ are in photos/: counted once
    assert plan.total_size == 2130 + sum(range(50)) + 7
    assert plan.missing == ["docs/missing.txt"] and plan.delete_markers == 0
    # Listings, not a request per key: the folder, one page of docs/ for the fifty keys, and
    # one look each for the missing key and top.txt.
    assert [method for method, _ in requests] == ["GET"] * 4
    assert list_keys(server.client, server_bucket) == sorted(sizes)  # nothing deleted


def test_counting_can_be_cancelled(server: Server, server_bucket: str) -> None:
    put_many(server, server_bucket, [f"logs/{i:03d}" for i in range(20)])
    checks = iter([False, True])
    with pytest.raises(PlanCancelled):
        plan_delete(server.client, server_bucket, ["logs/"], cancelled=lambda: next(checks))
    with proxied(server.endpoint) as (proxy, client):
        with pytest.raises(PlanCancelled):
            plan_delete(client, server_bucket, ["logs/", "a/b"], cancelled=lambda: True)
        assert proxy.requests() == []


def test_cancel_stops_after_the_batch_in_flight(server: Server, server_bucket: str) -> None:
    keys = [f"logs/{i:03d}" for i in range(250)]
    put_many(server, server_bucket, keys)
    plan = plan_delete(server.client, server_bucket, ["logs/"])
    client = make_client(server.endpoint)
    stop = threading.Event()
    # The user presses Cancel while the first DeleteObjects is on its way.
    client.meta.events.register("before-send.s3.DeleteObjects", lambda **_: stop.set())
    progress: list[int] = []

    result = delete(
        client, server_bucket, plan, batch_size=100, cancelled=stop.is_set,
        on_progress=lambda done, total: progress.append(done),
    )  # fmt: skip

    assert result.cancelled and not result.failed
    assert [t.key for t in result.deleted] == keys[:100]  # that batch was finished
    assert progress == [100]
    assert list_keys(server.client, server_bucket) == keys[100:]

    result = delete(client, server_bucket, plan_delete(client, server_bucket, ["logs/"]),
                    cancelled=lambda: True)  # fmt: skip
    assert result.cancelled and not result.deleted
    assert list_keys(server.client, server_bucket) == keys[100:]


@pytest.mark.parametrize("refusal", ["legal-hold", "bucket-policy"])
def test_keys_the_server_refuses_are_reported_and_the_others_deleted(
    refusal: str, s3: Any, bucket: str, tmp_path: Path
) -> None:
    # moto's server enforces both per key inside DeleteObjects, as S3 does; rclone has
    # neither Object Lock nor bucket policies.
    audit = AuditLog(tmp_path / "audit.jsonl")
    if refusal == "legal-hold":
        bucket = f"{bucket[:55]}-locked"
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
        for i in range(3):
            s3.put_object(Bucket=bucket, Key=f"kept/{i}", Body=b"k", ObjectLockLegalHoldStatus="ON")
        # A version under a legal hold cannot be deleted; only a permanent delete (with
        # version ids) runs into it, a plain delete just adds a delete marker.
        all_versions = True
    else:
        s3.put_bucket_policy(
            Bucket=bucket,
            Policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{bucket}/kept/*",
                }],
            }),
        )  # fmt: skip
        for i in range(3):
            s3.put_object(Bucket=bucket, Key=f"kept/{i}", Body=b"k")
        all_versions = False
    free = [f"free/{i}" for i in range(5)]
    for key in free:
        s3.put_object(Bucket=bucket, Key=key, Body=b"f")

    plan = plan_delete(s3, bucket, ["kept/", "free/"], all_versions=all_versions)
    result = delete(s3, bucket, plan, audit=audit, account="Work")

    assert sorted(t.key for t in result.deleted) == free
    assert sorted(f.key for f in result.failed) == ["kept/0", "kept/1", "kept/2"]
    for failure in result.failed:
        assert failure.code == "AccessDenied" and failure.message
        assert (failure.version_id is not None) == all_versions
    assert list_keys(s3, bucket) == ["kept/0", "kept/1", "kept/2"]
    rows = audit_rows(audit)
    action = "delete-version" if all_versions else "delete"
    assert sorted((r["key"], r["result"]) for r in rows) == [
        *[(f"free/{i}", "ok") for i in range(5)], *[(f"kept/{i}", "failed") for i in range(3)],
    ]  # fmt: skip
    assert {r["action"] for r in rows} == {action}
    refused = [r for r in rows if r["result"] == "failed"]
    assert all(r["error"].startswith("AccessDenied: ") for r in refused)


def test_a_batch_failing_as_a_whole_is_retried_then_its_keys_reported(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    keys = [f"x/{i:02d}" for i in range(30)]
    put_many(server, server_bucket, keys)
    plan = plan_delete(server.client, server_bucket, ["x/"])
    audit = AuditLog(tmp_path / "audit.jsonl")

    every_post_reset = FaultPlan(reset=1.0, only_methods=frozenset({"POST"}))
    with proxied(server.endpoint, every_post_reset) as (proxy, client):
        result = delete(
            client, server_bucket, plan, batch_size=20, attempts=3, backoff=0.001, audit=audit
        )
        posts = [r for r in proxy.requests() if is_delete_objects(r)]

    assert len(posts) == 6  # two batches, three attempts each
    assert not result.deleted and not result.cancelled
    assert [f.key for f in result.failed] == keys
    assert all("Cannot reach the storage service" in f.message for f in result.failed)
    assert list_keys(server.client, server_bucket) == keys  # nothing lost
    assert [(r["key"], r["result"]) for r in audit_rows(audit)] == [(k, "failed") for k in keys]

    # Half the requests fail: retries get every batch through.
    flaky = FaultPlan(error500=0.5, seed=3, only_methods=frozenset({"POST"}))
    with proxied(server.endpoint, flaky) as (proxy, client):
        result = delete(client, server_bucket, plan, batch_size=10, attempts=4, backoff=0.001)
        assert proxy.stats()["error500"] > 0
    assert not result.failed and sorted(t.key for t in result.deleted) == keys
    assert list_keys(server.client, server_bucket) == []


def test_services_refusing_flexible_checksums_get_content_md5(
    server: Server, server_bucket: str
) -> None:
    """Such services (older MinIO, B2, R2) refuse x-amz-checksum-*, which botocore puts on
    every DeleteObjects even in md5 mode: the operation requires some checksum."""
    put_many(server, server_bucket, [f"a/{i}" for i in range(10)])
    refuse = FaultPlan(reject_checksums=True)

    md5_endpoint = replace(server.endpoint, checksum_mode="md5")
    with proxied(md5_endpoint, refuse) as (proxy, client):
        # Neither server checks a DeleteObjects checksum (a wrong one passes), so the test
        # checks the Content-MD5 against the body that went out.
        bodies: list[tuple[bytes, str | bytes]] = []
        client.meta.events.register(
            "before-send.s3.DeleteObjects",
            lambda request, **_: bodies.append((request.body, request.headers["Content-MD5"])),
        )
        result = delete(client, server_bucket, plan_delete(client, server_bucket, ["a/0", "a/1"]))
        posts = [h for r, h in zip(proxy.requests(), proxy.request_headers(), strict=True)
                 if is_delete_objects(r)]  # fmt: skip
        assert proxy.stats()["checksum_rejected"] == 0
    assert not result.failed and len(result.deleted) == 2
    assert len(posts) == 1 and "content-md5" in posts[0]
    assert not any(name.startswith("x-amz-checksum-") for name in posts[0])
    [(body, content_md5)] = bodies
    assert b"<Key>a/0</Key>" in body
    expected = base64.b64encode(hashlib.md5(body).digest())
    assert content_md5 in (expected, expected.decode())  # botocore may hold it as bytes

    # An account left in crc32 mode: the first refusal switches this client over.
    with proxied(server.endpoint, refuse) as (proxy, client):
        plan = plan_delete(client, server_bucket, ["a/"])
        result = delete(client, server_bucket, plan, batch_size=4)
        assert proxy.stats()["checksum_rejected"] == 1
    assert not result.failed and len(result.deleted) == 8
    # rclone's directory cache may list a just-deleted key for a moment: wait for it to
    # catch up (a key really left behind still fails the test).
    wait_for(lambda: list_keys(server.client, server_bucket) == [], timeout=10,
             what="the listing to show the folder empty")  # fmt: skip


def test_versioned_bucket_markers_undelete_restore_and_permanent_delete(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    # rclone has no versioning: moto only.
    audit = AuditLog(tmp_path / "audit.jsonl")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"two")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc.txt.bak", Body=b"bak")

    # A plain delete is S3's own soft delete: a delete marker hides the object, the
    # versions stay.
    plan = plan_delete(s3, bucket, ["doc.txt"])
    assert plan.keys == [DeleteTarget("doc.txt")]
    result = delete(s3, bucket, plan, audit=audit)
    marker = result.delete_markers["doc.txt"]
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket=bucket, Key="doc.txt")
    assert raised.value.response["Error"]["Code"] == "NoSuchKey"
    assert list_keys(s3, bucket) == ["doc.txt.bak"]
    versions = list_versions(s3, bucket, "doc.txt")
    assert [(v.version_id, v.is_delete_marker, v.is_latest, v.size) for v in versions] == [
        (marker, True, True, 0), (v2, False, False, 3), (v1, False, False, 3),
    ]  # fmt: skip
    assert all(isinstance(v.modified, datetime.datetime) for v in versions)

    # Deleting the marker undoes the delete.
    delete(s3, bucket, DeletePlan([DeleteTarget("doc.txt", marker)]), audit=audit)
    assert read_object(s3, bucket, "doc.txt") == b"two"

    # Restoring an older version makes a new current version with its content.
    v3 = restore_version(s3, bucket, "doc.txt", v1, audit=audit)
    assert v3 not in {v1, v2}
    assert read_object(s3, bucket, "doc.txt") == b"one"
    assert [v.version_id for v in list_versions(s3, bucket, "doc.txt")] == [v3, v2, v1]

    # Permanent delete: every version and marker of the key, not of doc.txt.bak.
    delete(s3, bucket, plan_delete(s3, bucket, ["doc.txt"]))  # one more marker
    plan = plan_delete(s3, bucket, ["doc.txt"], all_versions=True)
    assert (plan.count, plan.delete_markers, plan.total_size) == (4, 1, 9)
    result = delete(s3, bucket, plan, audit=audit)
    assert not result.failed and len(result.deleted) == 4
    assert list_versions(s3, bucket, "doc.txt") == []
    assert [v.key for v in list_versions(s3, bucket, "doc.txt.bak")] == ["doc.txt.bak"]

    # A folder, permanently: versions and markers below it, however deep.
    for body in (b"1", b"22"):
        s3.put_object(Bucket=bucket, Key="f/a", Body=body)
    s3.put_object(Bucket=bucket, Key="f/c", Body=b"4444")
    s3.put_object(Bucket=bucket, Key="f/sub/b", Body=b"333")
    s3.delete_object(Bucket=bucket, Key="f/sub/b")
    # Two keys of one folder: found with one listing of its versions.
    with proxied(moto_endpoint) as (proxy, client):
        plan = plan_delete(client, bucket, ["f/a", "f/c"], all_versions=True)
        assert len(proxy.requests()) == 1
    assert sorted(t.key for t in plan.keys) == ["f/a", "f/a", "f/c"] and plan.total_size == 7
    plan = plan_delete(s3, bucket, ["f/", "f/sub/", "f/a"], all_versions=True)
    assert (plan.count, plan.delete_markers, plan.total_size) == (5, 1, 10)
    delete(s3, bucket, plan)
    assert list_versions(s3, bucket, "f/") == []

    actions = [(r["action"], r.get("version_id")) for r in audit_rows(audit)]
    assert actions[:3] == [
        ("delete", None), ("delete-version", marker), ("restore-version", v1),
    ]  # fmt: skip
    assert [a for a, _ in actions[3:]] == ["delete-version"] * 4


def test_a_version_larger_than_copy_object_takes_is_restored_in_parts(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = bytes(range(256)) * (6 * MiB // 256) + b"tail"
    v1 = s3.put_object(Bucket=bucket, Key="big.bin", Body=old, ContentType="video/mp4")
    s3.put_object(Bucket=bucket, Key="big.bin", Body=b"new")

    # A lower limit stands in for S3's 5 GiB, so the parts are 5 MiB here.
    new_id = restore_version(
        s3, bucket, "big.bin", v1["VersionId"], copy_limit=5 * MiB, part_size=5 * MiB
    )

    assert read_object(s3, bucket, "big.bin") == old
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["VersionId"] == new_id and head["ContentType"] == "video/mp4"
    assert multipart_uploads(s3, bucket) == []


def test_without_versioning_a_permanent_delete_is_refused_by_rclone(
    rclone_server: Server, new_bucket: NewBucket
) -> None:
    client = rclone_server.client
    bucket = new_bucket(client)
    client.put_object(Bucket=bucket, Key="a/b", Body=b"x")
    with pytest.raises(ClientError) as raised:
        plan_delete(client, bucket, ["a/"], all_versions=True)
    assert raised.value.response["Error"]["Code"] == "NotImplemented"
    assert list_keys(client, bucket) == ["a/b"]


def test_incomplete_uploads_are_listed_with_their_size_and_aborted(
    server: Server, server_bucket: str, new_bucket: NewBucket, tmp_path: Path
) -> None:
    client = server.client
    # rclone answers NoSuchUpload for a bucket that never had a multipart upload: none.
    assert list_incomplete_uploads(client, new_bucket(client)) == []
    assert list_incomplete_uploads(client, server_bucket) == []
    assert count_incomplete_uploads(client, new_bucket(client)) == 0
    started = {}
    for key, size in (("big/a.iso", 5 * MiB), ("big/b.iso", 5 * MiB), ("other/c", 1024)):
        upload_id = client.create_multipart_upload(Bucket=server_bucket, Key=key)["UploadId"]
        client.upload_part(
            Bucket=server_bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"p" * size
        )
        started[key] = upload_id

    found = list_incomplete_uploads(client, server_bucket, "big/")
    assert sorted((u.key, u.upload_id, u.size_so_far, u.parts) for u in found) == [
        ("big/a.iso", started["big/a.iso"], 5 * MiB, 1),
        ("big/b.iso", started["big/b.iso"], 5 * MiB, 1),
    ]  # fmt: skip
    # moto reports a fixed date in 2010 as every upload's start: only the type is checked.
    assert all(isinstance(u.started, datetime.datetime) for u in found)
    assert len(list_incomplete_uploads(client, server_bucket)) == 3
    assert count_incomplete_uploads(client, server_bucket) == 3
    assert count_incomplete_uploads(client, server_bucket, "big/") == 2

    audit = AuditLog(tmp_path / "audit.jsonl")
    assert abort_uploads(client, server_bucket, found, audit=audit, account="Work") == []
    assert [u["Key"] for u in multipart_uploads(client, server_bucket)] == ["other/c"]
    assert sorted(audit_rows(audit), key=lambda r: r["key"]) == [
        {
            "action": "abort-upload", "account": "Work", "bucket": server_bucket, "key": key,
            "upload_id": started[key], "size": 5 * MiB, "result": "ok",
        }
        for key in ("big/a.iso", "big/b.iso")
    ]  # fmt: skip
    # Aborted meanwhile (by another window, or expired): that is what was wanted.
    assert abort_uploads(client, server_bucket, found) == []


def test_the_audit_log_records_each_outcome(s3: Any, bucket: str, tmp_path: Path) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
                "Resource": f"arn:aws:s3:::{bucket}/locked.txt",
            }],
        }),
    )  # fmt: skip
    v1 = s3.put_object(Bucket=bucket, Key="a.txt", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"2")
    s3.put_object(Bucket=bucket, Key="locked.txt", Body=b"L")
    audit = AuditLog(tmp_path / "audit.jsonl")
    common = {"account": "Work", "bucket": bucket}

    result = delete(
        s3, bucket, plan_delete(s3, bucket, ["a.txt", "locked.txt"]), audit=audit, account="Work"
    )
    marker = result.delete_markers["a.txt"]
    assert result.failed == [DeleteFailure("locked.txt", None, "AccessDenied", "Access Denied")]
    restored = restore_version(s3, bucket, "a.txt", v1, audit=audit, account="Work")
    with pytest.raises(ClientError):
        restore_version(s3, bucket, "a.txt", "no-such-version", audit=audit, account="Work")

    rows = audit_rows(audit)
    assert rows[:3] == [
        {"action": "delete", **common, "key": "a.txt", "result": "ok",
         "delete_marker_version_id": marker},
        {"action": "delete", **common, "key": "locked.txt", "result": "failed",
         "error": "AccessDenied: Access Denied"},
        {"action": "restore-version", **common, "key": "a.txt", "version_id": v1,
         "new_version_id": restored, "result": "ok"},
    ]  # fmt: skip
    assert rows[3]["action"] == "restore-version" and rows[3]["result"] == "failed"
    assert rows[3]["version_id"] == "no-such-version" and rows[3]["error"]
    assert len(rows) == 4
    entries = list(audit.entries())
    assert all(e["user"] and e["time"].endswith("+00:00") for e in entries)


def test_every_key_is_matched_to_the_servers_answer() -> None:
    """Answers no local server gives: a per-key SlowDown (sent again), a key the answer
    leaves out (not claimed deleted), a version id not echoed. A scripted client stands in."""
    answers = iter([
        {
            "Deleted": [{"Key": "a"}, {"Key": "d"}],  # d was sent with a version id
            "Errors": [{"Key": "b", "Code": "SlowDown", "Message": "Reduce your rate"}],
        },
        {"Deleted": [{"Key": "b"}]},
    ])  # fmt: skip
    sent: list[list[dict[str, str]]] = []

    def delete_objects(**kwargs: Any) -> dict[str, Any]:
        sent.append(kwargs["Delete"]["Objects"])
        assert kwargs["Delete"]["Quiet"] is False
        return next(answers)

    client = SimpleNamespace(meta=SimpleNamespace(config=None), delete_objects=delete_objects)
    plan = DeletePlan([DeleteTarget("a"), DeleteTarget("b"), DeleteTarget("c"),
                       DeleteTarget("d", "v1")])  # fmt: skip

    result = delete(client, "bucket", plan, backoff=0)

    assert sent == [
        [{"Key": "a"}, {"Key": "b"}, {"Key": "c"}, {"Key": "d", "VersionId": "v1"}],
        [{"Key": "b"}],
    ]  # fmt: skip
    assert result.deleted == [DeleteTarget("a"), DeleteTarget("d", "v1"), DeleteTarget("b")]
    assert result.failed == [
        DeleteFailure("c", None, "NoAnswer", "The storage service did not confirm this delete")
    ]


def test_a_permanent_plan_finds_versions_across_listing_pages(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    # 995 keys, then ten versions of v/a: the first page of ListObjectVersions (1,000
    # entries) ends in the middle of v/a's versions.
    earlier = [f"v/{i:04d}" for i in range(995)]
    put_many(Server("moto", moto_endpoint, s3), bucket, [*earlier, *["v/a"] * 10, "v/b"])
    plan = plan_delete(s3, bucket, ["v/a", "v/b"], all_versions=True)
    assert sorted(t.key for t in plan.keys) == ["v/a"] * 10 + ["v/b"]
    assert len(set(plan.keys)) == 11 and plan.total_size == 11
    delete(s3, bucket, plan)
    assert len(list_versions(s3, bucket, "v/")) == 995
