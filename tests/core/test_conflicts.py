"""When the key exists: overwrite, skip, keep both, or ask — with conditional writes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.keys import numbered_key
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.conftest import Server
from tests.helpers import SendGate, list_keys, read_object

CONFIG = EngineConfig(concurrency=3, multipart_threshold=5 * MiB, part_size=5 * MiB)


@pytest.fixture
def engine(server: Server) -> Iterator[UploadEngine]:
    """On moto and on rclone (which ignores If-None-Match: the HEAD check still applies)."""
    engine = UploadEngine(server.endpoint, CONFIG)
    yield engine
    engine.shutdown()


@pytest.fixture
def client(server: Server) -> Any:
    return server.client


@pytest.fixture
def existing(client: Any, server_bucket: str) -> bytes:
    client.put_object(Bucket=server_bucket, Key="docs/report.pdf", Body=b"the old report")
    client.put_object(Bucket=server_bucket, Key="docs/report (1).pdf", Body=b"an older copy")
    return b"the old report"


def _submit(engine: UploadEngine, path: Path, server_bucket: str, policy: ConflictPolicy) -> int:
    return engine.submit_file(path, server_bucket, "docs/report.pdf", conflict=policy)


@pytest.mark.parametrize(
    ("key", "n", "expected"),
    [
        ("a.jpg", 1, "a (1).jpg"),
        ("photos/a.tar.gz", 2, "photos/a.tar (2).gz"),
        ("notes", 3, "notes (3)"),
        ("dir/.env", 1, "dir/.env (1)"),
    ],
)
def test_numbered_key(key: str, n: int, expected: str) -> None:
    assert numbered_key(key, n) == expected


@pytest.mark.parametrize("size", [100, 6 * MiB], ids=["single", "multipart"])
def test_overwrite_replaces(
    engine: UploadEngine,
    client: Any,
    server_bucket: str,
    existing: bytes,
    tmp_path: Path,
    size: int,
) -> None:
    data = os.urandom(size)
    (tmp_path / "report.pdf").write_bytes(data)
    job_id = _submit(engine, tmp_path / "report.pdf", server_bucket, ConflictPolicy.OVERWRITE)
    assert engine.wait(60)
    assert engine.job(job_id).state is JobState.DONE
    assert read_object(client, server_bucket, "docs/report.pdf") == data


@pytest.mark.parametrize("size", [100, 6 * MiB], ids=["single", "multipart"])
def test_skip_leaves_the_existing_object(
    engine: UploadEngine,
    client: Any,
    server_bucket: str,
    existing: bytes,
    tmp_path: Path,
    size: int,
) -> None:
    (tmp_path / "report.pdf").write_bytes(os.urandom(size))
    job_id = _submit(engine, tmp_path / "report.pdf", server_bucket, ConflictPolicy.SKIP)
    assert engine.wait(60)
    job = engine.job(job_id)
    assert (job.state, job.error) == (JobState.SKIPPED, "Already in the bucket (skipped)")
    assert read_object(client, server_bucket, "docs/report.pdf") == existing


@pytest.mark.parametrize("size", [100, 6 * MiB], ids=["single", "multipart"])
def test_rename_keeps_both_under_the_next_free_name(
    engine: UploadEngine,
    client: Any,
    server_bucket: str,
    existing: bytes,
    tmp_path: Path,
    size: int,
) -> None:
    data = os.urandom(size)
    (tmp_path / "report.pdf").write_bytes(data)
    job_id = _submit(engine, tmp_path / "report.pdf", server_bucket, ConflictPolicy.RENAME)
    assert engine.wait(60)
    job = engine.job(job_id)
    assert (job.state, job.key) == (JobState.DONE, "docs/report (2).pdf")
    assert read_object(client, server_bucket, "docs/report.pdf") == existing
    assert read_object(client, server_bucket, "docs/report (2).pdf") == data


def test_skip_uses_a_conditional_write_against_a_late_writer(
    engine: UploadEngine, server: Server, client: Any, server_bucket: str, tmp_path: Path
) -> None:
    if server.name == "rclone":
        pytest.skip("rclone serve s3 ignores If-None-Match: only the check before applies")
    (tmp_path / "report.pdf").write_text("mine")
    gate = SendGate(engine, "PutObject")
    job_id = _submit(engine, tmp_path / "report.pdf", server_bucket, ConflictPolicy.SKIP)
    assert gate.reached.wait(30)  # checked free, about to write...
    client.put_object(
        Bucket=server_bucket, Key="docs/report.pdf", Body=b"a colleague's"
    )  # ...too late
    gate.release.set()
    assert engine.wait(60)
    assert engine.job(job_id).state is JobState.SKIPPED
    assert read_object(client, server_bucket, "docs/report.pdf") == b"a colleague's"


def test_ask_waits_for_the_users_choice(
    engine: UploadEngine, client: Any, server_bucket: str, existing: bytes, tmp_path: Path
) -> None:
    for name in ("report.pdf", "new.pdf"):
        (tmp_path / name).write_text(f"fresh {name}")
    engine.submit_paths(
        [tmp_path / "report.pdf", tmp_path / "new.pdf"], Destination(server_bucket, "docs"),
        ConflictPolicy.ASK,
    )  # fmt: skip
    assert engine.wait(60)  # a question to the user does not keep the engine busy
    jobs = {j.key: j for j in engine.jobs()}
    assert jobs["docs/new.pdf"].state is JobState.DONE
    asking = jobs["docs/report.pdf"]
    assert asking.state is JobState.CONFLICT
    assert "already" in asking.note
    assert read_object(client, server_bucket, "docs/report.pdf") == existing

    assert engine.resolve_conflict(asking.id, ConflictPolicy.OVERWRITE)
    assert engine.wait(60)
    assert engine.job(asking.id).state is JobState.DONE
    assert read_object(client, server_bucket, "docs/report.pdf") == b"fresh report.pdf"
    assert list_keys(client, server_bucket, "docs/") == [
        "docs/new.pdf", "docs/report (1).pdf", "docs/report.pdf",
    ]  # fmt: skip


def test_keep_both_without_permission_to_look_numbers_on_at_each_refused_write(
    moto_endpoint: Any, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """Upload-only credentials get 403 for HEAD: every name looks free, and the write's
    If-None-Match is what finds "report.pdf" and "report (1).pdf" taken."""
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy

    s3.put_object(Bucket=bucket, Key="docs/report.pdf", Body=b"the old report")
    s3.put_object(Bucket=bucket, Key="docs/report (1).pdf", Body=b"an older copy")
    (tmp_path / "report.pdf").write_bytes(b"mine")
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.plan = FaultPlan(forbidden=1.0, only_methods=frozenset({"HEAD"}))
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), CONFIG)
        try:
            job_id = _submit(engine, tmp_path / "report.pdf", bucket, ConflictPolicy.RENAME)
            assert engine.wait(60)
            job = engine.job(job_id)
        finally:
            engine.shutdown()
        assert proxy.stats()["forbidden"] >= 3  # it could not look at any of the names
    assert (job.state, job.key) == (JobState.DONE, "docs/report (2).pdf")
    assert read_object(s3, bucket, "docs/report.pdf") == b"the old report"
    assert read_object(s3, bucket, "docs/report (1).pdf") == b"an older copy"
    assert read_object(s3, bucket, "docs/report (2).pdf") == b"mine"


def test_ask_without_permission_to_look_asks_when_the_write_finds_the_name_taken(
    moto_endpoint: Any, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """HEAD refused: the name looks free, but the write (If-None-Match) says it is not, and
    the job asks instead of overwriting."""
    from dataclasses import replace

    from tests.faultproxy import FaultPlan, FaultProxy

    s3.put_object(Bucket=bucket, Key="docs/report.pdf", Body=b"the old report")
    (tmp_path / "report.pdf").write_bytes(b"mine")
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        proxy.plan = FaultPlan(forbidden=1.0, only_methods=frozenset({"HEAD"}))
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), CONFIG)
        try:
            job_id = _submit(engine, tmp_path / "report.pdf", bucket, ConflictPolicy.ASK)
            assert engine.wait(60)
            asking = engine.job(job_id)
            assert read_object(s3, bucket, "docs/report.pdf") == b"the old report"
            assert engine.resolve_conflict(job_id, ConflictPolicy.RENAME)
            assert engine.wait(60)
            done = engine.job(job_id)
        finally:
            engine.shutdown()
    assert (asking.state, asking.note) == (
        JobState.CONFLICT, "Exists — an object with this name is already in the bucket",
    )  # fmt: skip
    assert (done.state, done.key) == (JobState.DONE, "docs/report (1).pdf")
    assert read_object(s3, bucket, "docs/report (1).pdf") == b"mine"
