"""Downloads against real S3 servers over HTTP (moto, and rclone where the path is not
moto-only): planning from listings, ranged multipart GETs, never overwriting silently,
pause/resume/cancel, objects that change or vanish, and the audit log."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance.audit import AuditLog
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.download.engine import DOWNLOAD_ID_BASE, DownloadEngine
from s3desk.core.transfer.download.job import HASH_BACKLOG
from s3desk.core.transfer.download.plan import DownloadItem, UnsafeKey, local_path, plan_download
from s3desk.core.transfer.jobs import JobState
from tests.conftest import Server
from tests.helpers import SendGate, list_keys

# Objects from 5 MiB on come in ranged parts of 5 MiB (the smallest S3 part size).
PARTS = EngineConfig(concurrency=3, multipart_threshold=5 * MiB, part_size=5 * MiB)


def _put(client: Any, bucket: str, key: str, data: bytes) -> None:
    client.put_object(Bucket=bucket, Key=key, Body=data)


def _plan(client: Any, bucket: str, keys: list[str], base: str, dest: Path) -> Any:
    """Plan as the browser does: objects with what the listing showed, folders by key."""
    selection = []
    for key in keys:
        if key.endswith("/"):
            selection.append((key, 0, "", None))
        else:
            head = client.head_object(Bucket=bucket, Key=key)
            selection.append((key, head["ContentLength"], head["ETag"], head["LastModified"]))
    return plan_download(client, bucket, selection, base, str(dest))


def _engine(endpoint: Any, config: EngineConfig = PARTS, **kwargs: Any) -> DownloadEngine:
    return DownloadEngine(endpoint, config, **kwargs)


def _count_gets(engine: DownloadEngine) -> list[str]:
    seen: list[str] = []
    engine.request_hooks.append(seen.append)
    return seen


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# ----------------------------------------------------------------------------- planning


def test_local_paths_stay_inside_the_chosen_folder(tmp_path: Path) -> None:
    dest = str(tmp_path)
    assert local_path("docs/a/b.txt", "docs/", dest) == os.path.join(dest, "a", "b.txt")
    assert local_path("docs/a/", "", dest) == os.path.join(dest, "docs", "a")
    for bad in ("docs/../etc/passwd", "docs/./x", "docs//x", "docs/a\0b"):
        with pytest.raises(UnsafeKey):
            local_path(bad, "docs/", dest)
    with pytest.raises(UnsafeKey, match="longer than a local file name"):
        local_path("docs/" + "é" * 200, "docs/", dest)
    # Windows forbids some characters and names; they become "_" there, as rclone does.
    windows = local_path("docs/a:b?.txt", "docs/", dest, windows=True)
    assert os.path.basename(windows) == "a_b_.txt"
    assert os.path.basename(local_path("docs/CON.txt", "docs/", dest, windows=True)) == "_CON.txt"
    assert os.path.basename(local_path("docs/a:b", "docs/", dest, windows=False)) == "a:b"


def test_a_folder_is_planned_from_its_listing_with_odd_names(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    client, bucket = server.client, server_bucket
    keys = ["top/a.txt", "top/sub/b+c %20.txt", "top/sub/deeper/émoji 😀.bin", "topper.txt"]
    for key in keys:
        _put(client, bucket, key, key.encode())
    plan = _plan(client, bucket, ["top/"], "", tmp_path)
    assert sorted(i.key for i in plan.items) == keys[:3]  # "topper.txt" is not in "top/"
    assert plan.total_size == sum(len(k.encode()) for k in keys[:3])
    assert not plan.taken and not plan.refused
    assert {i.etag for i in plan.items} == {hashlib.md5(k.encode()).hexdigest() for k in keys[:3]}


def test_taken_local_paths_and_unsafe_keys_are_reported_not_decided(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    for key in ("f/keep.txt", "f/new.txt", "f/../escape.txt", "f/marker/"):
        _put(s3, bucket, key, b"" if key.endswith("/") else b"x")
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "keep.txt").write_bytes(b"mine")
    plan = _plan(s3, bucket, ["f/"], "", tmp_path)
    assert [i.key for i in plan.taken] == ["f/keep.txt"]
    assert [key for key, _ in plan.refused] == ["f/../escape.txt"]
    assert "'..'" in plan.refused[0][1]
    assert plan.folders == [str(tmp_path / "f"), str(tmp_path / "f" / "marker")]
    assert (tmp_path / "f" / "keep.txt").read_bytes() == b"mine"  # planning touches nothing


# ----------------------------------------------------------------------------- downloading


def test_a_multipart_sized_object_arrives_byte_identical_in_ranged_parts(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    data = os.urandom(12 * MiB + 12345)
    _put(server.client, server_bucket, "big/data.bin", data)
    plan = _plan(server.client, server_bucket, ["big/data.bin"], "big/", tmp_path)
    engine = _engine(server.endpoint)
    requests = _count_gets(engine)
    try:
        (job_id,) = engine.submit(plan.items)
        assert engine.wait(60)
        view = engine.job(job_id)
        assert view.state is JobState.DONE, view.error
        assert job_id >= DOWNLOAD_ID_BASE
        assert (tmp_path / "data.bin").read_bytes() == data
        assert requests.count("GetObject") == 3  # 5 + 5 + 2 MiB
        assert os.listdir(tmp_path) == ["data.bin"]  # no temporary file left behind
        modified = server.client.head_object(Bucket=server_bucket, Key="big/data.bin")
        assert int((tmp_path / "data.bin").stat().st_mtime) == int(
            modified["LastModified"].timestamp()
        )
        totals = engine.totals()
        assert (totals.files_done, totals.bytes_done) == (1, len(data))
    finally:
        engine.shutdown()


def test_small_empty_and_nested_objects_of_a_folder(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    objects = {"p/one.txt": b"1", "p/empty": b"", "p/sub/two.bin": os.urandom(70_000)}
    for key, data in objects.items():
        _put(server.client, server_bucket, key, data)
    plan = _plan(server.client, server_bucket, ["p/"], "", tmp_path)
    engine = _engine(server.endpoint)
    try:
        engine.submit(plan.items, folders=plan.folders)
        assert engine.wait(30)
        assert _files(tmp_path) == {os.path.join(*k.split("/")): v for k, v in objects.items()}
    finally:
        engine.shutdown()


@pytest.mark.parametrize(
    ("policy", "expected_files", "state"),
    [
        (ConflictPolicy.RENAME, {"a.txt": b"mine", "a (1).txt": b"theirs"}, JobState.DONE),
        (ConflictPolicy.SKIP, {"a.txt": b"mine"}, JobState.SKIPPED),
        (ConflictPolicy.OVERWRITE, {"a.txt": b"theirs"}, JobState.DONE),
    ],
)
def test_an_existing_local_file_is_replaced_only_when_the_user_chose_so(
    s3: Any,
    bucket: str,
    tmp_path: Path,
    policy: ConflictPolicy,
    expected_files: dict[str, bytes],
    state: JobState,
    moto_endpoint: Any,
) -> None:
    _put(s3, bucket, "a.txt", b"theirs")
    (tmp_path / "a.txt").write_bytes(b"mine")
    plan = _plan(s3, bucket, ["a.txt"], "", tmp_path)
    assert [i.key for i in plan.taken] == ["a.txt"]
    engine = _engine(moto_endpoint)
    try:
        (job_id,) = engine.submit(plan.items, policy)
        assert engine.wait(30)
        assert engine.job(job_id).state is state
        assert _files(tmp_path) == expected_files
    finally:
        engine.shutdown()
    with pytest.raises(ValueError, match="ask the user"):
        _engine(moto_endpoint).submit(plan.items, ConflictPolicy.ASK)


def test_a_local_file_appearing_during_the_download_is_kept(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """ "Replace" covers the files that were there when the user chose; one created while
    the download runs is not replaced: both are kept."""
    _put(s3, bucket, "late.txt", b"from the bucket")
    plan = _plan(s3, bucket, ["late.txt"], "", tmp_path)
    assert not plan.taken
    engine = _engine(moto_endpoint)
    gate = SendGate(engine, "GetObject")
    try:
        (job_id,) = engine.submit(plan.items, ConflictPolicy.OVERWRITE)
        assert gate.reached.wait(10)
        (tmp_path / "late.txt").write_bytes(b"written meanwhile")
        gate.remove()
        assert engine.wait(30)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.DONE
    assert view.target == str(tmp_path / "late (1).txt")
    assert _files(tmp_path) == {
        "late.txt": b"written meanwhile",
        "late (1).txt": b"from the bucket",
    }


def test_a_file_system_without_hard_links_still_gets_every_file(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are claimed with a hard link; FAT, exFAT and some shares refuse those, and the
    files are renamed into place instead."""
    import errno

    refused: list[str] = []

    def no_links(source: str, target: str) -> None:
        refused.append(target)
        raise PermissionError(errno.EPERM, "Operation not permitted", target)

    names = [f"f{n}.txt" for n in range(10)]
    for name in names:
        _put(s3, bucket, name, name.encode())
    plan = _plan(s3, bucket, names, "", tmp_path)
    monkeypatch.setattr(os, "link", no_links)
    engine = _engine(moto_endpoint)
    try:
        ids = engine.submit(plan.items)
        assert engine.wait(30)
        assert [engine.job(i).state for i in ids] == [JobState.DONE] * len(names)
    finally:
        engine.shutdown()
    assert _files(tmp_path) == {name: name.encode() for name in names}
    # The folder is remembered: a refusal per worker at most, not one per file.
    assert 1 <= len(refused) <= PARTS.concurrency < len(names)


def test_pause_keeps_finished_parts_and_resume_fetches_only_the_rest(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    data = os.urandom(20 * MiB)  # four parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=1, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    requests = _count_gets(engine)
    gate = SendGate(engine, "GetObject", let_through=2)
    try:
        (job_id,) = engine.submit(plan.items)
        assert gate.reached.wait(10)  # two parts are in, the third is held
        assert engine.pause(job_id)
        gate.remove()
        assert engine.wait(30)
        paused = engine.job(job_id)
        assert paused.state is JobState.PAUSED
        assert paused.bytes_done == 10 * MiB
        assert not (tmp_path / "big.bin").exists()
        assert engine.resume(job_id)
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.DONE
        # Parts 1 and 2, the held request for 3 (abandoned), then 3 and 4 after resuming.
        assert requests.count("GetObject") == 3 + 2
        assert (tmp_path / "big.bin").read_bytes() == data
        assert os.listdir(tmp_path) == ["big.bin"]
    finally:
        engine.shutdown()


def test_cancel_leaves_no_file_and_retry_starts_again(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    data = os.urandom(11 * MiB)
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint)
    gate = SendGate(engine, "GetObject", let_through=1)
    try:
        (job_id,) = engine.submit(plan.items)
        assert gate.reached.wait(10)
        assert engine.cancel(job_id)
        gate.remove()
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.CANCELLED
        assert os.listdir(tmp_path) == []  # the temporary file went with the job
        assert engine.totals().bytes_total == 0
        assert engine.retry(job_id)
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.DONE
        assert (tmp_path / "big.bin").read_bytes() == data
    finally:
        engine.shutdown()


def test_an_object_replaced_during_the_download_fails_clearly(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """Parts after the first ask for the listed ETag (If-Match): a new version in between
    must not be stitched onto the old one."""
    _put(s3, bucket, "doc.bin", os.urandom(11 * MiB))
    plan = _plan(s3, bucket, ["doc.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=1, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    gate = SendGate(engine, "GetObject", let_through=1)
    try:
        (job_id,) = engine.submit(plan.items)
        assert gate.reached.wait(10)
        _put(s3, bucket, "doc.bin", os.urandom(11 * MiB))
        gate.remove()
        assert engine.wait(30)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.FAILED
    assert "changed in the bucket while it was being downloaded" in view.error
    assert os.listdir(tmp_path) == []


def test_a_vanished_object_and_an_unwritable_folder_are_explained(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    client, bucket = server.client, server_bucket
    _put(client, bucket, "gone.txt", b"soon gone")
    _put(client, bucket, "fine.txt", b"fine")
    plan = _plan(client, bucket, ["gone.txt", "fine.txt"], "", tmp_path)
    client.delete_object(Bucket=bucket, Key="gone.txt")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    unwritable = DownloadItem(bucket, "fine.txt", 4, plan.items[1].etag, str(blocked / "x.txt"))
    engine = _engine(server.endpoint)
    try:
        gone, fine, cannot = engine.submit([*plan.items, unwritable])
        assert engine.wait(30)
        views = {i: engine.job(i) for i in (gone, fine, cannot)}
    finally:
        engine.shutdown()
    assert views[gone].state is JobState.FAILED
    assert "no longer in the bucket" in views[gone].error
    assert views[cannot].state is JobState.FAILED
    assert views[cannot].error.startswith("Cannot write")
    assert views[fine].state is JobState.DONE  # the others' failures stop nothing else
    assert (tmp_path / "fine.txt").read_bytes() == b"fine"


def test_downloads_go_through_resets_errors_and_stalls(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy

    objects = {f"f/{n}.bin": os.urandom(n * 97_000) for n in range(1, 9)}
    objects["f/big.bin"] = os.urandom(16 * MiB)
    for key, data in objects.items():
        _put(s3, bucket, key, data)
    plan = _plan(s3, bucket, ["f/"], "", tmp_path)
    config = EngineConfig(
        concurrency=4, multipart_threshold=5 * MiB, part_size=5 * MiB, max_attempts=12,
        backoff_base=0.05, backoff_cap=0.5, connect_timeout=2, read_timeout=1,
    )  # fmt: skip
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.plan = FaultPlan(reset=0.15, error500=0.1, slowdown=0.1, stall=0.05,
                               stall_seconds=2, seed=7)  # fmt: skip
        engine = _engine(replace(moto_endpoint, endpoint_url=proxy.url), config)
        try:
            ids = engine.submit(plan.items)
            assert engine.wait(120)
            states = {engine.job(i).state for i in ids}
        finally:
            engine.shutdown()
    assert states == {JobState.DONE}
    assert _files(tmp_path / "f") == {k[2:]: v for k, v in objects.items()}


def test_each_download_is_in_the_audit_log(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    _put(s3, bucket, "a.txt", b"audited")
    plan = _plan(s3, bucket, ["a.txt"], "", tmp_path)
    audit = AuditLog(tmp_path / "audit.jsonl")
    engine = _engine(moto_endpoint, audit=audit, account="Work")
    try:
        engine.submit(plan.items)
        assert engine.wait(30)
    finally:
        engine.shutdown()
    (entry,) = list(audit.entries())
    assert entry["action"] == "download"
    assert (entry["account"], entry["bucket"], entry["key"]) == ("Work", bucket, "a.txt")
    assert (entry["size"], entry["result"]) == (7, "ok")
    assert entry["path"] == str(tmp_path / "a.txt")
    assert list_keys(s3, bucket) == ["a.txt"]  # downloading changed nothing in the bucket


def test_an_object_that_is_not_the_listed_one_is_never_saved(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """Even a single GET names the listed ETag: the object replaced between listing and
    download is refused, not saved under the real name."""
    _put(s3, bucket, "a.txt", b"real bytes")
    good = _plan(s3, bucket, ["a.txt"], "", tmp_path).items[0]
    stale = DownloadItem(bucket, "a.txt", good.size, "0" * 32, good.target)
    engine = _engine(moto_endpoint)
    try:
        (job_id,) = engine.submit([stale])
        assert engine.wait(30)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.FAILED
    assert "changed in the bucket" in view.error
    assert os.listdir(tmp_path) == []


def test_requests_hold_until_new_credentials_arrive(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy

    _put(s3, bucket, "a.txt", b"later")
    plan = _plan(s3, bucket, ["a.txt"], "", tmp_path)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.plan = FaultPlan(expired=1.0)
        engine = _engine(replace(moto_endpoint, endpoint_url=proxy.url))
        try:
            (job_id,) = engine.submit(plan.items)
            from tests.helpers import wait_for

            wait_for(lambda: engine.blocked, what="the queue to wait for credentials")
            assert "expired" in engine.blocked
            # Back in the queue, as an upload is: the banner says why (see test_transfers).
            assert engine.job(job_id).state is JobState.QUEUED
            proxy.plan = FaultPlan()
            engine.unblock()
            assert engine.wait(30)
            assert engine.job(job_id).state is JobState.DONE
        finally:
            engine.shutdown()
    assert (tmp_path / "a.txt").read_bytes() == b"later"


def test_a_stale_expired_answer_after_renewal_does_not_stop_downloads_again(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """The first GET's "expired" stops the queue; the user signs in again; then the second
    GET, sent with the old credentials, is answered "expired" too: that one is stale."""
    import threading
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy
    from tests.helpers import wait_for

    _put(s3, bucket, "first.txt", b"one")
    _put(s3, bucket, "second.txt", b"two")
    plan = _plan(s3, bucket, ["first.txt", "second.txt"], "", tmp_path)
    second_sent, release = threading.Event(), threading.Event()

    def hold_the_second(kind: str, method: str, target: str) -> None:
        if "second.txt" in target:
            second_sent.set()
            release.wait(30)

    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.before_error = hold_the_second
        proxy.plan = FaultPlan(expired=1.0, only_methods=frozenset({"GET"}))
        engine = _engine(replace(moto_endpoint, endpoint_url=proxy.url))
        try:
            ids = engine.submit(plan.items)
            wait_for(lambda: engine.blocked and second_sent.is_set(), what="both GETs answered")
            proxy.plan = FaultPlan()
            engine.unblock()
            release.set()
            wait_for(lambda: engine.is_idle() or engine.blocked, timeout=30, what="an outcome")
            assert engine.blocked == ""
            assert [engine.job(i).state for i in ids] == [JobState.DONE, JobState.DONE]
        finally:
            release.set()
            engine.shutdown()
    assert (tmp_path / "second.txt").read_bytes() == b"two"


# ----------------------------------------------------------------------------- the fast paths


def _via_proxy(moto_endpoint: Any, url: str) -> Any:
    from dataclasses import replace

    return replace(moto_endpoint, endpoint_url=url)


def test_every_get_goes_the_lean_way_with_the_listed_etag(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """Small objects in one GET read whole, a medium one streamed, a big one's ranged parts:
    all through the lean sender (not botocore, whose cost per request dominated), and every
    request names the listed ETag."""
    from tests.faultproxy import FaultProxy

    objects = {"s.txt": b"small", "m.bin": os.urandom(2 * MiB), "big.bin": os.urandom(11 * MiB)}
    for key, data in objects.items():
        _put(s3, bucket, key, data)
    plan = _plan(s3, bucket, list(objects), "", tmp_path)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        engine = _engine(_via_proxy(moto_endpoint, proxy.url))
        requests = _count_gets(engine)
        try:
            ids = engine.submit(plan.items)
            assert engine.wait(30)
            states = [engine.job(i).state for i in ids]
        finally:
            engine.shutdown()
        sent = list(zip(proxy.requests(), proxy.request_headers(), strict=True))
    assert states == [JobState.DONE] * 3
    assert _files(tmp_path) == objects
    gets = [(target, headers) for (method, target), headers in sent if method == "GET"]
    assert len(gets) == requests.count("GetObject") == 1 + 1 + 3  # the hooks saw each one
    etags = {i.key: i.etag for i in plan.items}
    for target, headers in gets:
        key = target.rsplit("/", 1)[-1]
        assert headers["user-agent"].startswith("s3desk/"), headers  # not botocore's
        assert headers["if-match"] == f'"{etags[key]}"'
    assert sorted(h["range"] for t, h in gets if t.endswith("/big.bin")) == [
        "bytes=0-5242879", "bytes=10485760-11534335", "bytes=5242880-10485759",
    ]  # fmt: skip
    assert not any("range" in h for t, h in gets if not t.endswith("/big.bin"))


@pytest.mark.parametrize("size", [100, 11 * MiB], ids=["small", "parted"])
def test_an_object_replaced_since_the_listing_fails_clearly_on_both_servers(
    server: Server, server_bucket: str, tmp_path: Path, size: int
) -> None:
    """The lean GETs' If-Match: moto's 412 is the same clear failure as botocore's; rclone
    ignores If-Match, and the newer ETag in its answer is caught as the same change."""
    _put(server.client, server_bucket, "doc.bin", os.urandom(size))
    listed = _plan(server.client, server_bucket, ["doc.bin"], "", tmp_path).items[0]
    _put(server.client, server_bucket, "doc.bin", os.urandom(size))  # replaced after listing
    engine = _engine(server.endpoint)
    requests = _count_gets(engine)
    try:
        (job_id,) = engine.submit([listed])
        assert engine.wait(30)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.FAILED
    assert view.error == (
        "The object changed in the bucket while it was being downloaded; retry to fetch the "
        "new version"
    )
    assert "GetObject" in requests
    assert os.listdir(tmp_path) == []


def _note_hashed(engine: DownloadEngine) -> list[int]:
    """How many parts were hashed when each GetObject went out (white box)."""
    hashed: list[int] = []

    def hook(operation: str) -> None:
        if operation == "GetObject":
            (job,) = engine._jobs.values()
            hashed.append(job.hashed_parts)

    engine.request_hooks.append(hook)
    return hashed


def _corrupt_gets(engine: DownloadEngine, proxy: Any, which: set[int]) -> list[int]:
    """Through the engine's request hooks (run just before each request goes out, one at a
    time with one worker): the answers to GETs number ``which`` (from 1) get a byte flipped
    by the proxy. Returns how many parts were hashed when each GET went out."""
    from tests.faultproxy import FaultPlan

    count = 0

    def hook(operation: str) -> None:
        nonlocal count
        if operation == "GetObject":
            count += 1
            proxy.plan = FaultPlan(corrupt=float(count in which), only_methods={"GET"})

    engine.request_hooks.append(hook)
    return _note_hashed(engine)


def test_a_corrupted_part_is_caught_by_the_in_order_hash_and_fetched_again(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    from tests.faultproxy import FaultProxy

    data = os.urandom(20 * MiB)  # four parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    one = EngineConfig(concurrency=1, multipart_threshold=5 * MiB, part_size=5 * MiB)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        engine = _engine(_via_proxy(moto_endpoint, proxy.url), one)
        hashed = _corrupt_gets(engine, proxy, which={1})  # the first part's bytes
        try:
            (job_id,) = engine.submit(plan.items)
            assert engine.wait(60)
            view = engine.job(job_id)
        finally:
            engine.shutdown()
        corrupted = proxy.stats()["corrupted"]
    assert corrupted == 1
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    # Each part was hashed before the next one was asked for, so the last part's arrival
    # left only the comparison; it failed, and all four parts came again.
    assert hashed == [0, 1, 2, 3, 0, 1, 2, 3]
    assert os.listdir(tmp_path) == ["big.bin"]


def test_parts_corrupted_every_time_fail_after_two_fresh_starts(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    from tests.faultproxy import FaultProxy

    _put(s3, bucket, "big.bin", os.urandom(10 * MiB))  # two parts of 5 MiB
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    one = EngineConfig(concurrency=1, multipart_threshold=5 * MiB, part_size=5 * MiB)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        engine = _engine(_via_proxy(moto_endpoint, proxy.url), one)
        hashed = _corrupt_gets(engine, proxy, which={1, 3, 5})  # part 1 of every round
        try:
            (job_id,) = engine.submit(plan.items)
            assert engine.wait(60)
            view = engine.job(job_id)
        finally:
            engine.shutdown()
    assert view.state is JobState.FAILED
    assert "do not match" in view.error and "MD5" in view.error
    assert len(hashed) == 3 * 2  # the first try and two fresh starts
    assert os.listdir(tmp_path) == []


def test_a_corrupted_small_object_is_fetched_again(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    from tests.faultproxy import FaultProxy

    _put(s3, bucket, "a.bin", b"the real bytes")
    plan = _plan(s3, bucket, ["a.bin"], "", tmp_path)
    quick = EngineConfig(concurrency=1, backoff_base=0.01, backoff_cap=0.05)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        engine = _engine(_via_proxy(moto_endpoint, proxy.url), quick)
        _corrupt_gets(engine, proxy, which={1})
        requests = _count_gets(engine)
        try:
            (job_id,) = engine.submit(plan.items)
            assert engine.wait(30)
            view = engine.job(job_id)
        finally:
            engine.shutdown()
        assert proxy.stats()["corrupted"] == 1
    assert view.state is JobState.DONE, view.error
    assert requests.count("GetObject") == 2
    assert _files(tmp_path) == {"a.bin": b"the real bytes"}


@pytest.mark.parametrize("stop", ["pause", "cancel"])
def test_the_in_order_hash_survives_a_pause_and_starts_over_after_a_cancel(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, stop: str
) -> None:
    data = os.urandom(20 * MiB)  # four parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=1, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    hashed = _note_hashed(engine)
    gate = SendGate(engine, "GetObject", let_through=2)
    try:
        (job_id,) = engine.submit(plan.items)
        assert gate.reached.wait(10)  # parts 1 and 2 are in, the request for 3 is held
        assert engine.pause(job_id) if stop == "pause" else engine.cancel(job_id)
        gate.remove()
        assert engine.wait(30)
        assert engine.resume(job_id) if stop == "pause" else engine.retry(job_id)
        assert engine.wait(30)
        assert engine.job(job_id).state is JobState.DONE
    finally:
        engine.shutdown()
    assert (tmp_path / "big.bin").read_bytes() == data
    if stop == "pause":
        # Parts 1 and 2, hashed before the pause, stay hashed; parts 3 and 4 are hashed
        # onto them after the resume (the held request for 3 was abandoned).
        assert hashed == [0, 1, 2, 2, 3]
    else:  # the parts were thrown away with their hash: the retry hashes from the start
        assert hashed == [0, 1, 2, 0, 1, 2, 3]


def test_parts_next_in_line_are_hashed_as_they_arrive_not_read_back(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one worker every part is the next one the MD5 needs when its GET goes out: each
    is hashed from the bytes as they arrive, and none is read back from the file (which
    used to cost a second pass over the whole object, started only once part 1 was in)."""
    from s3desk.core.transfer.download import engine as engine_module

    read_back: list[int] = []
    real_hash_range = engine_module.hash_range

    def counting(path: str, start: int, length: int, digest: Any, buffer: bytearray) -> None:
        read_back.append(start)
        real_hash_range(path, start, length, digest, buffer)

    monkeypatch.setattr(engine_module, "hash_range", counting)
    data = os.urandom(20 * MiB)  # four parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=1, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    hashed = _note_hashed(engine)
    try:
        (job_id,) = engine.submit(plan.items)
        assert engine.wait(60)
        assert engine.job(job_id).state is JobState.DONE
    finally:
        engine.shutdown()
    assert (tmp_path / "big.bin").read_bytes() == data
    assert hashed == [0, 1, 2, 3]
    assert read_back == []


def test_with_many_workers_parts_are_hashed_in_order_once_each(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts that arrive while another is hashed as it arrives are read back in order
    afterwards; every part is hashed exactly once, either way."""
    from s3desk.core.transfer.download import engine as engine_module

    read_back: list[int] = []
    real_hash_range = engine_module.hash_range

    def counting(path: str, start: int, length: int, digest: Any, buffer: bytearray) -> None:
        read_back.append(start // (5 * MiB) + 1)
        real_hash_range(path, start, length, digest, buffer)

    monkeypatch.setattr(engine_module, "hash_range", counting)
    data = os.urandom(40 * MiB)  # eight parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=4, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    try:
        (job_id,) = engine.submit(plan.items)
        assert engine.wait(60)
        view = engine.job(job_id)
        (job,) = engine._jobs.values()
        hashed_parts = job.hashed_parts
    finally:
        engine.shutdown()
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    assert 1 not in read_back  # the first part is always hashed as it arrives
    assert read_back == sorted(set(read_back))
    assert hashed_parts == 8


def _put_multipart(client: Any, bucket: str, key: str, data: bytes, part: int) -> str:
    """Upload ``data`` in parts of ``part`` bytes; returns its multipart ETag."""
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for number, start in enumerate(range(0, len(data), part), 1):
        answer = client.upload_part(
            Bucket=bucket, Key=key, UploadId=upload, PartNumber=number,
            Body=data[start : start + part],
        )  # fmt: skip
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})
    done = client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
    )
    return str(done["ETag"]).strip('"')


# The engine's own part size differs from the uploader's 5 MiB.
EIGHT = EngineConfig(concurrency=3, multipart_threshold=5 * MiB, part_size=8 * MiB)


def test_a_multipart_object_comes_in_its_uploaded_parts_each_hashed_as_it_arrives(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A multipart ETag is the MD5 of the parts' MD5s: with the uploader's part size (asked
    for once), each part's MD5 is taken by the worker that fetches it, in parallel, and
    nothing is read back from the file."""
    from s3desk.core.transfer.download import engine as engine_module

    read_back: list[int] = []
    monkeypatch.setattr(engine_module, "hash_range", lambda *args: read_back.append(1))
    data = os.urandom(13 * MiB)
    etag = _put_multipart(s3, bucket, "big.bin", data, 5 * MiB)
    assert etag.endswith("-3")
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EIGHT)
    requests = _count_gets(engine)
    try:
        (job_id,) = engine.submit(plan.items)
        assert engine.wait(60)
        view = engine.job(job_id)
        (job,) = engine._jobs.values()
    finally:
        engine.shutdown()
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    assert requests == ["HeadObject", "HeadObject", "GetObject", "GetObject", "GetObject"]
    assert job.part_size == 5 * MiB and job.by_parts
    assert read_back == []


def test_a_corrupted_part_of_a_multipart_object_is_caught_and_fetched_again(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    """Multipart objects used to be saved unchecked: a flipped byte went into the file."""
    from tests.faultproxy import FaultProxy

    data = os.urandom(13 * MiB)
    _put_multipart(s3, bucket, "big.bin", data, 5 * MiB)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        one = EngineConfig(concurrency=1, multipart_threshold=5 * MiB, part_size=8 * MiB)
        engine = _engine(_via_proxy(moto_endpoint, proxy.url), one)
        _corrupt_gets(engine, proxy, which={2})  # the second part's bytes
        requests = _count_gets(engine)
        try:
            (job_id,) = engine.submit(plan.items)
            assert engine.wait(60)
            view = engine.job(job_id)
        finally:
            engine.shutdown()
        corrupted = proxy.stats()["corrupted"]
    assert corrupted == 1
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    assert requests.count("GetObject") == 6  # three parts, then all three again
    assert os.listdir(tmp_path) == ["big.bin"]


def test_a_paused_multipart_object_keeps_its_checked_parts_and_asks_for_sizes_once(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any
) -> None:
    data = os.urandom(13 * MiB)
    _put_multipart(s3, bucket, "big.bin", data, 5 * MiB)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    one = EngineConfig(concurrency=1, multipart_threshold=5 * MiB, part_size=8 * MiB)
    engine = _engine(moto_endpoint, one)
    requests = _count_gets(engine)
    gate = SendGate(engine, "GetObject", let_through=1)
    try:
        (job_id,) = engine.submit(plan.items)
        assert gate.reached.wait(10)  # part 1 is in, the request for part 2 is held
        assert engine.pause(job_id)
        gate.remove()
        assert engine.wait(30)
        (job,) = engine._jobs.values()
        kept = dict(job.part_md5s)
        assert engine.resume(job_id)
        assert engine.wait(30)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    assert list(kept) == [1]
    assert requests.count("HeadObject") == 2  # parts 1 and 3, once


def test_parts_wait_while_the_in_order_hash_lags_behind_them(
    s3: Any, bucket: str, tmp_path: Path, moto_endpoint: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where parts arrive faster than the MD5 takes them, no more are asked for until it
    catches up: the hash, which decides when the file is done, keeps its core."""
    import threading

    from s3desk.core.transfer.download import engine as engine_module

    held = threading.Event()
    real_lags = engine_module.hash_lags

    def lags(job: Any) -> bool:
        if real_lags(job):
            held.set()
            return True
        return False

    real_hash_range = engine_module.hash_range

    def slow_hash(path: str, start: int, length: int, digest: Any, buffer: bytearray) -> None:
        held.wait(30)  # the hash stays behind until a part was held back for it
        real_hash_range(path, start, length, digest, buffer)

    monkeypatch.setattr(engine_module, "hash_lags", lags)
    monkeypatch.setattr(engine_module, "hash_range", slow_hash)
    data = os.urandom(40 * MiB)  # eight parts of 5 MiB
    _put(s3, bucket, "big.bin", data)
    plan = _plan(s3, bucket, ["big.bin"], "", tmp_path)
    engine = _engine(moto_endpoint, EngineConfig(concurrency=4, multipart_threshold=5 * MiB,
                                                 part_size=5 * MiB))  # fmt: skip
    lag_at_send: list[int] = []

    def hook(operation: str) -> None:
        if operation == "GetObject":
            (job,) = engine._jobs.values()
            lag_at_send.append(len(job.done_parts) - job.hashed_parts)

    engine.request_hooks.append(hook)
    try:
        (job_id,) = engine.submit(plan.items)
        assert engine.wait(60)
        view = engine.job(job_id)
    finally:
        engine.shutdown()
    assert view.state is JobState.DONE, view.error
    assert (tmp_path / "big.bin").read_bytes() == data
    assert held.is_set()
    assert len(lag_at_send) == 8
    assert max(lag_at_send) <= HASH_BACKLOG


def test_parts_wait_for_a_lagging_hash_only_while_a_unit_is_hashing(tmp_path: Path) -> None:
    """After a pause and resume nobody hashes until a part arrives: holding parts back then
    would leave the job waiting for ever (white box: the scheduler's choice of the next
    part, with the job as a resume leaves it)."""
    import hashlib as md5s

    from s3desk.core.transfer.download.job import DownloadJob

    item = DownloadItem("b", "big.bin", 40 * MiB, "0" * 32, str(tmp_path / "big.bin"))
    engine = _engine(S3Endpoint(label="unused", endpoint_url="http://127.0.0.1:9"))
    job = DownloadJob(DOWNLOAD_ID_BASE, item, ConflictPolicy.RENAME, JobState.DOWNLOADING)
    job.part_size, job.hasher, job.hashed_parts = 5 * MiB, md5s.md5(), 2
    job.done_parts, job.pending = {1, 2, 3, 4, 5, 6}, [7, 8]
    try:
        with engine._cond:
            engine._multipart.append(job)
            job.checker = object()  # a unit is hashing part 3: part 7 waits for it
            assert engine._next_part() is None
            job.checker = None  # nobody is: part 7 goes, and its arrival hashes 3 to 6
            unit = engine._next_part()
    finally:
        engine.shutdown()
    assert unit is not None and unit.number == 7
