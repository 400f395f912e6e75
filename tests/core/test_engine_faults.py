"""The engine through a proxy that resets, stalls and answers 500 / 503 SlowDown."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.errors import describe_error, is_credentials_expired, is_transient
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, multipart_uploads, read_object, wait_for

# Short timeouts and backoff so a faulty run still takes seconds, not minutes.
FAST_RETRIES = EngineConfig(
    concurrency=4,
    multipart_threshold=5 * MiB,
    part_size=5 * MiB,
    max_attempts=12,
    backoff_base=0.05,
    backoff_cap=0.5,
    connect_timeout=2,
    read_timeout=1,
)


@pytest.fixture
def proxy(moto_endpoint: S3Endpoint) -> Iterator[FaultProxy]:
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        yield proxy


def _error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "PutObject",
    )


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (_error("SlowDown", 503), True),
        (_error("InternalError", 500), True),
        (_error("ServiceUnavailable", 503), True),
        (_error("AccessDenied", 403), False),
        (_error("NoSuchBucket", 404), False),
        (_error("InvalidAccessKeyId", 403), False),
        (_error("SignatureDoesNotMatch", 403), False),
        (_error("RequestTimeTooSkewed", 403), False),
        (_error("EntityTooLarge", 400), False),
        (ConnectionClosedError(endpoint_url="http://127.0.0.1:1"), True),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), True),
    ],
)
def test_which_failures_are_worth_another_attempt(exc: Exception, transient: bool) -> None:
    assert is_transient(exc) is transient
    message = describe_error(exc, "bucket", "key")
    assert "Traceback" not in message and message


def test_expired_token_is_a_credentials_problem() -> None:
    assert is_credentials_expired(_error("ExpiredToken", 400))
    assert not is_transient(_error("ExpiredToken", 400))
    assert "expired" in describe_error(_error("ExpiredToken", 400))


def test_every_file_arrives_intact_through_faults(
    moto_endpoint: S3Endpoint, proxy: FaultProxy, s3: Any, bucket: str, tmp_path: Path
) -> None:
    files = {f"small/{n:02d}.bin": os.urandom(20_000 + n) for n in range(40)}
    files |= {f"big/{n}.bin": os.urandom(12 * MiB + n) for n in range(2)}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(data)
    proxy.plan = FaultPlan(reset=0.1, error500=0.08, slowdown=0.08, stall=0.03,
                           stall_seconds=1.5, seed=7)  # fmt: skip
    engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), FAST_RETRIES)
    notes: set[str] = set()
    try:
        engine.submit_paths([tmp_path / "small", tmp_path / "big"], Destination(bucket))
        while not engine.wait(0.05):
            notes |= {j.note for j in engine.drain().jobs if j.note}
        jobs = engine.jobs()
    finally:
        engine.shutdown()

    assert [(j.key, j.state, j.error) for j in jobs if j.state is not JobState.DONE] == []
    assert list_keys(s3, bucket) == sorted(files)
    for key, data in files.items():
        assert read_object(s3, bucket, key) == data  # read directly, not through the proxy
    assert multipart_uploads(s3, bucket) == []
    stats = proxy.stats()
    assert stats["faults"] >= 0.1 * stats["requests"], stats
    assert any(n.startswith("Retrying (") for n in notes), notes


def test_expired_credentials_pause_the_queue_until_renewed(
    moto_endpoint: S3Endpoint, proxy: FaultProxy, s3: Any, bucket: str, tmp_path: Path
) -> None:
    for n in range(6):
        (tmp_path / f"{n}.txt").write_text(str(n))
    proxy.plan = FaultPlan(expired=1.0)
    engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), FAST_RETRIES)
    try:
        engine.submit_paths([tmp_path], Destination(bucket))
        wait_for(lambda: engine.blocked, what="the engine to notice the expired credentials")
        assert not engine.is_idle()  # nothing failed: everything waits
        update = engine.drain()
        assert "expired" in update.blocked
        assert {j.state for j in engine.jobs()} <= {JobState.QUEUED, JobState.UPLOADING}
        assert list_keys(s3, bucket) == []

        proxy.plan = FaultPlan()  # the user signed in again
        engine.unblock()
        assert engine.wait(30)
        assert engine.drain().blocked == ""
        assert {j.state for j in engine.jobs()} == {JobState.DONE}
        assert len(list_keys(s3, bucket)) == 6
    finally:
        engine.shutdown()


def test_an_expired_answer_to_a_request_sent_before_renewal_does_not_stop_the_queue_again(
    moto_endpoint: S3Endpoint, proxy: FaultProxy, s3: Any, bucket: str, tmp_path: Path
) -> None:
    """Two uploads in flight with old credentials: the first answer stops the queue, the
    user signs in again, then the second's (stale) "expired" answer arrives."""
    (tmp_path / "first.txt").write_text("first")
    (tmp_path / "second.txt").write_text("second")
    second_sent, release = threading.Event(), threading.Event()

    def hold_the_second(kind: str, method: str, target: str) -> None:
        if "second.txt" in target:
            second_sent.set()
            release.wait(30)

    proxy.before_error = hold_the_second
    proxy.plan = FaultPlan(expired=1.0, only_methods=frozenset({"PUT"}))
    engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), FAST_RETRIES)
    try:
        engine.submit_paths([tmp_path / "first.txt", tmp_path / "second.txt"], Destination(bucket))
        wait_for(lambda: engine.blocked and second_sent.is_set(), what="both PUTs answered")
        proxy.plan = FaultPlan()  # the user signed in again
        engine.unblock()
        release.set()  # now the old request's "expired" arrives
        wait_for(lambda: engine.is_idle() or engine.blocked, timeout=30, what="an outcome")
        assert engine.blocked == ""
        assert {j.state for j in engine.jobs()} == {JobState.DONE}
        assert list_keys(s3, bucket) == ["first.txt", "second.txt"]
    finally:
        release.set()
        engine.shutdown()


def test_an_expired_sso_sign_in_pauses_the_queue_and_says_to_sign_in_again(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path, sso_profile_not_signed_in: str
) -> None:
    (tmp_path / "a.txt").write_text("a")
    engine = UploadEngine(replace(moto_endpoint, profile=sso_profile_not_signed_in), FAST_RETRIES)
    try:
        engine.submit_file(tmp_path / "a.txt", bucket, "a.txt")
        wait_for(lambda: engine.blocked, what="the engine to notice the expired sign-in")
        assert "Sign in again" in engine.blocked and "aws sso login" in engine.blocked
        assert [j.state for j in engine.jobs()] == [JobState.QUEUED]
    finally:
        engine.shutdown()
    assert list_keys(s3, bucket) == []
