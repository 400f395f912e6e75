"""Content types: detected from the name, the account's table or the first bytes; editable
while an upload waits; stored on the server through the small-file and multipart paths; kept
across a restart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.compliance import content_types
from s3desk.core.compliance.content_types import InvalidContentType, check, check_table, detect
from s3desk.core.compliance.upload_options import UploadOptions
from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import Destination, JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.core.transfer.upload.journal import Journal
from tests.conftest import Server
from tests.helpers import SendGate

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)
ELF = b"\x7fELF\x02\x01\x01" + bytes(40)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("text/plain", "text/plain"),
        ("  Image/PNG ", "image/png"),
        ("text/plain; charset=UTF-8", "text/plain; charset=UTF-8"),
        ('multipart/form-data; boundary="a b"', 'multipart/form-data; boundary="a b"'),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)  # fmt: skip
def test_valid_types_are_tidied(given: str, stored: str) -> None:
    assert check(given) == stored


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("", "A content type is needed"),
        ("text", "is not a content type"),
        ("text/", "is not a content type"),
        ("text/plain\r\nX-Evil: 1", "is not a content type"),
        ("text/pl ain", "is not a content type"),
        ("tëxt/plain", "is not a content type"),
        ("text/plain; charset", "is not a content type"),
        ("a/" + "b" * 300, "too long"),
    ],
)
def test_invalid_types_are_refused_with_a_reason(given: str, says: str) -> None:
    with pytest.raises(InvalidContentType, match=says):
        check(given)


def test_an_account_table_is_checked_and_normalised() -> None:
    assert check_table({".LOG": "text/plain", "md": "Text/Markdown"}) == (
        ("log", "text/plain"), ("md", "text/markdown"),
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"Content types for \.log"):
        check_table({"log": "plain"})
    with pytest.raises(ValueError, match="not a file extension"):
        check_table({"a/b": "text/plain"})
    with pytest.raises(ValueError, match="Unknown upload option"):
        UploadOptions.from_dict({"content_type": {"log": "text/plain"}})
    assert UploadOptions.from_dict({"content_types": {"log": "text/x-log"}}).content_types == (
        ("log", "text/x-log"),
    )


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("report.pdf", b"", "application/pdf"),
        ("Photo.JPG", b"", "image/jpeg"),
        ("table.csv", b"", "text/csv"),
        # A compressed tarball is gzip data, not a tar with Content-Encoding (which browsers
        # would unpack while downloading).
        ("backup.tar.gz", b"\x1f\x8b\x08", "application/gzip"),
        # The name says nothing: the first bytes do.
        ("scan", PDF, "application/pdf"),
        ("image.dat", PNG, "image/png"),
        ("README", "Grüße, world\n".encode(), "text/plain; charset=utf-8"),
        ("server.log", b"2026-11-28 started\n", "text/plain; charset=utf-8"),
        ("blob.dat", bytes(range(256)), "application/octet-stream"),
        ("program", ELF, "application/octet-stream"),
        ("empty", b"", "application/octet-stream"),
    ],
)
def test_detection_by_name_then_content(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert detect(name, str(path)) == expected


def test_the_account_table_comes_before_the_systems(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# notes")
    table = check_table({"md": "text/markdown; charset=utf-8"})
    assert detect("notes.md", str(path), table) == "text/markdown; charset=utf-8"
    assert detect("notes.MD", str(path), table) == "text/markdown; charset=utf-8"
    assert detect("notes.txt", str(path), table) == "text/plain"


def test_a_vanished_file_gets_the_default_and_its_upload_says_what_happened(
    tmp_path: Path,
) -> None:
    assert detect("gone", str(tmp_path / "gone")) == content_types.DEFAULT


# -- through the engine, on a real S3 server -------------------------------------------------


def _engine(endpoint: S3Endpoint, journal: Journal | None = None, **options: Any) -> UploadEngine:
    config = EngineConfig(
        concurrency=1, multipart_threshold=5 * MiB, part_size=5 * MiB,
        conflict=ConflictPolicy.OVERWRITE, options=UploadOptions.from_dict(options),
    )  # fmt: skip
    return UploadEngine(endpoint, config, journal=journal)


def _stored_type(s3: Any, bucket: str, key: str) -> str:
    return str(s3.head_object(Bucket=bucket, Key=key)["ContentType"])


def test_detected_types_reach_the_server_on_both_paths(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    s3, bucket = server.client, server_bucket
    (tmp_path / "scan").write_bytes(PDF)
    (tmp_path / "notes.log").write_text("started\n")
    (tmp_path / "movie.mp4").write_bytes(os.urandom(11 * MiB))  # multipart
    (tmp_path / "big-no-extension").write_bytes(PNG + os.urandom(11 * MiB))
    engine = _engine(server.endpoint, content_types={"log": "text/x-log"})
    try:
        engine.submit_paths([tmp_path], Destination(bucket))
        assert engine.wait(60)
        views = {v.name: v for v in engine.jobs()}
    finally:
        engine.shutdown()
    expected = {
        "scan": "application/pdf",
        "notes.log": "text/x-log",
        "movie.mp4": "video/mp4",
        "big-no-extension": "image/png",
    }
    assert {name: v.content_type for name, v in views.items()} == expected
    assert {name: v.state for name, v in views.items()} == dict.fromkeys(expected, JobState.DONE)
    prefix = tmp_path.name + "/"
    assert {name: _stored_type(s3, bucket, prefix + name) for name in expected} == expected


def test_a_type_chosen_for_the_whole_drop_overrides_detection(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.pdf").write_bytes(PDF)
    engine = _engine(moto_endpoint)
    try:
        with pytest.raises(InvalidContentType):
            engine.submit_paths([tmp_path / "a.txt"], Destination(bucket), content_type="nope")
        engine.submit_paths(
            [tmp_path / "a.txt", tmp_path / "b.pdf"], Destination(bucket),
            content_type="application/x-evidence",
        )  # fmt: skip
        assert engine.wait(30)
    finally:
        engine.shutdown()
    assert _stored_type(s3, bucket, "a.txt") == "application/x-evidence"
    assert _stored_type(s3, bucket, "b.pdf") == "application/x-evidence"


def test_waiting_uploads_can_be_given_another_type_and_sending_ones_cannot(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    for name in ("first.txt", "second.txt", "third.html"):
        (tmp_path / name).write_text(name)
    (tmp_path / "big.bin").write_bytes(os.urandom(11 * MiB))
    engine = _engine(moto_endpoint)
    gate = SendGate(engine, "PutObject")  # one worker: the first file holds the rest back
    try:
        engine.submit_paths(
            [tmp_path / n for n in ("first.txt", "second.txt", "third.html", "big.bin")],
            Destination(bucket),
        )
        assert gate.reached.wait(30)
        views = {v.name: v for v in engine.jobs()}
        sending = next(v for v in views.values() if v.state is JobState.UPLOADING)
        waiting = [v for v in views.values() if v.state is JobState.QUEUED]
        assert len(waiting) == 3
        assert not sending.content_type_editable
        assert all(v.content_type_editable for v in waiting)
        assert views["third.html"].content_type == "text/html"

        with pytest.raises(InvalidContentType):
            engine.set_content_type([v.id for v in waiting], "html")
        ids = [v.id for v in views.values()]
        assert engine.set_content_type(ids, "text/markdown; charset=utf-8") == 3
        assert engine.set_content_type(ids, "text/markdown; charset=utf-8") == 0  # unchanged
        assert engine.job(sending.id).content_type == sending.content_type
        gate.remove()
        assert engine.wait(60)
        assert all(v.state is JobState.DONE for v in engine.jobs())
        assert not any(v.content_type_editable for v in engine.jobs())
        assert engine.set_content_type(ids, "text/plain") == 0  # all stored now
    finally:
        gate.remove()
        engine.shutdown()
    for view in views.values():
        expected = sending.content_type if view.id == sending.id else "text/markdown; charset=utf-8"
        assert _stored_type(s3, bucket, view.key) == expected


def test_a_started_multipart_upload_keeps_its_type(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "big.bin").write_bytes(os.urandom(11 * MiB))
    engine = _engine(moto_endpoint)
    gate = SendGate(engine, "UploadPart")
    try:
        engine.submit_paths([tmp_path / "big.bin"], Destination(bucket))
        assert gate.reached.wait(30)
        job_id = engine.jobs()[0].id
        assert engine.pause(job_id)
        gate.remove()
        assert engine.wait(30)
        view = engine.job(job_id)
        assert view.state is JobState.PAUSED
        assert not view.content_type_editable  # CreateMultipartUpload fixed it
        assert engine.set_content_type([job_id], "video/mp4") == 0
        assert engine.resume(job_id)
        assert engine.wait(60)
    finally:
        gate.remove()
        engine.shutdown()
    assert _stored_type(s3, bucket, "big.bin") == "application/octet-stream"


def test_an_edited_type_survives_a_restart(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.db")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    first = _engine(moto_endpoint, journal)
    gate = SendGate(first, "PutObject")
    try:
        first.submit_paths([tmp_path / "a.txt", tmp_path / "b.txt"], Destination(bucket))
        assert gate.reached.wait(30)
        waiting = next(v for v in first.jobs() if v.state is JobState.QUEUED)
        assert first.set_content_type([waiting.id], "text/csv") == 1
        assert first.pause(waiting.id)
        gate.remove()
    finally:
        gate.remove()
        first.shutdown(cancel=False)  # the app quits with one upload paused

    second = _engine(moto_endpoint, journal)
    try:
        assert second.restore() == 1
        restored = second.job(waiting.id)
        assert (restored.state, restored.content_type) == (JobState.PAUSED, "text/csv")
        assert second.resume(waiting.id)
        assert second.wait(30)
    finally:
        second.shutdown()
        journal.close()
    assert _stored_type(s3, bucket, waiting.key) == "text/csv"
