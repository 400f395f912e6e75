"""The Incomplete uploads dialog: multipart uploads nobody completed, listed with what they
hold, and aborted after a confirmation."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from s3desk.core.bucket.incomplete_uploads import AbortFailure
from s3desk.core.compliance.audit import AuditLog
from s3desk.core.storage.endpoint import S3Endpoint, make_client
from s3desk.core.storage.parts import MiB
from s3desk.ui.browser.incomplete_uploads import (
    KEY,
    PARTS,
    SIZE,
    IncompleteUploadsDialog,
    abort_summary,
)
from tests.conftest import Server
from tests.gui.conftest import answer_questions
from tests.helpers import multipart_uploads

WAIT_MS = 15_000


@pytest.fixture
def uploads(s3: Any, bucket: str) -> dict[str, str]:
    """Two incomplete uploads (5 MiB in one part, and no parts) and one completed object;
    key -> upload id."""
    started = {}
    for key, size in (("videos/raw.mov", 5 * MiB), ("backups/empty.tar", 0)):
        upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        if size:
            s3.upload_part(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"v" * size
            )
        started[key] = upload_id
    s3.put_object(Bucket=bucket, Key="videos/done.mov", Body=b"done")
    return started


def _open(
    qtbot: QtBot, endpoint: S3Endpoint, bucket: str, audit: AuditLog | None = None
) -> IncompleteUploadsDialog:
    dialog = IncompleteUploadsDialog(
        lambda: make_client(endpoint, 2), bucket, audit=audit, account="Work"
    )
    qtbot.addWidget(dialog)
    return dialog


def _show_listed(qtbot: QtBot, dialog: IncompleteUploadsDialog) -> int:
    with qtbot.waitSignal(dialog.listed, timeout=WAIT_MS) as listed:
        dialog.show()
    return int(listed.args[0])


def _rows(dialog: IncompleteUploadsDialog) -> list[tuple[str, str, str]]:
    table = dialog.table
    return sorted(
        (table.item(r, KEY).text(), table.item(r, SIZE).text(), table.item(r, PARTS).text())
        for r in range(table.rowCount())
    )


def _select(dialog: IncompleteUploadsDialog, key: str) -> None:
    table = dialog.table
    row = next(r for r in range(table.rowCount()) if table.item(r, KEY).text() == key)
    table.selectRow(row)


def test_incomplete_uploads_are_listed_and_the_selected_one_aborted(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    uploads: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    dialog = _open(qtbot, moto_endpoint, bucket, audit)
    assert _show_listed(qtbot, dialog) == 2
    assert _rows(dialog) == [
        ("backups/empty.tar", "0 B", "0"),
        ("videos/raw.mov", "5.0 MiB", "1"),
    ]  # the completed object is not an incomplete upload
    assert dialog.status_label.text() == "2 incomplete uploads, 5.0 MiB in all"
    assert not dialog.abort_button.isEnabled()  # nothing selected yet

    _select(dialog, "videos/raw.mov")
    assert dialog.abort_button.isEnabled()
    asked = answer_questions(monkeypatch, yes=True)
    aborted: list[Any] = []
    dialog.aborted.connect(aborted.append)
    with qtbot.waitSignal(dialog.listed, timeout=WAIT_MS) as listed:
        dialog.abort_button.click()
    assert asked[0][0] == "Abort uploads?"
    assert "1 incomplete upload (5.0 MiB)" in asked[0][1]
    assert "parts already sent will be deleted" in asked[0][1]
    assert aborted == [[]]
    assert listed.args == [1]
    assert _rows(dialog) == [("backups/empty.tar", "0 B", "0")]
    assert dialog.message_label.text() == "Aborted 1 incomplete upload."
    assert dialog.status_label.text() == "1 incomplete upload, 0 B in all"

    remaining = multipart_uploads(s3, bucket)
    assert [(u["Key"], u["UploadId"]) for u in remaining] == [
        ("backups/empty.tar", uploads["backups/empty.tar"])
    ]
    assert [
        {k: e.get(k) for k in ("action", "account", "bucket", "key", "upload_id", "size", "result")}
        for e in audit.entries()
    ] == [
        {
            "action": "abort-upload", "account": "Work", "bucket": bucket,
            "key": "videos/raw.mov", "upload_id": uploads["videos/raw.mov"], "size": 5 * MiB,
            "result": "ok",
        }
    ]  # fmt: skip


def test_declining_the_confirmation_aborts_nothing(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
    uploads: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    dialog = _open(qtbot, moto_endpoint, bucket, audit)
    assert _show_listed(qtbot, dialog) == 2
    dialog.select_all_button.click()
    assert len(dialog.selected_uploads()) == 2
    asked = answer_questions(monkeypatch, yes=False)
    with qtbot.assertNotEmitted(dialog.aborted):
        dialog.abort_button.click()
    assert "2 incomplete uploads (5.0 MiB)" in asked[0][1]
    assert sorted(u["Key"] for u in multipart_uploads(s3, bucket)) == sorted(uploads)
    assert list(audit.entries()) == []
    assert dialog.abort_button.isEnabled()  # the selection stays, to try again


def test_a_bucket_without_incomplete_uploads_says_so(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    moto_endpoint: S3Endpoint,
    s3: Any,
    bucket: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    dialog = _open(qtbot, moto_endpoint, bucket)
    assert _show_listed(qtbot, dialog) == 0
    assert dialog.status_label.text() == f"No incomplete uploads in s3://{bucket}/"
    assert dialog.table.rowCount() == 0
    assert not dialog.select_all_button.isEnabled()


def test_a_missing_bucket_is_explained(
    qtbot: QtBot, event_loop_qt: asyncio.AbstractEventLoop, moto_endpoint: S3Endpoint
) -> None:
    dialog = _open(qtbot, moto_endpoint, "no-such-bucket-anywhere")
    with qtbot.waitSignal(dialog.failed, timeout=WAIT_MS) as failed:
        dialog.show()
    assert "'no-such-bucket-anywhere' does not exist" in failed.args[0]
    assert dialog.status_label.text() == failed.args[0]
    assert dialog.table.rowCount() == 0
    assert dialog.refresh_button.isEnabled()  # to try again


def test_rclone_bucket_that_never_had_an_upload(
    qtbot: QtBot,
    event_loop_qt: asyncio.AbstractEventLoop,
    rclone_server: Server,
    bucket: str,
) -> None:
    # rclone answers NoSuchUpload here, not an empty list: still "no incomplete uploads".
    name = f"{bucket[:55]}-rc"  # rclone's server lives for the whole session
    rclone_server.client.create_bucket(Bucket=name)
    rclone_server.client.put_object(Bucket=name, Key="a.txt", Body=b"a")
    dialog = _open(qtbot, rclone_server.endpoint, name)
    assert _show_listed(qtbot, dialog) == 0
    assert dialog.status_label.text() == f"No incomplete uploads in s3://{name}/"


def test_the_summary_names_what_could_not_be_aborted() -> None:
    denied = AbortFailure("big.iso", "u1", "AccessDenied", "Access Denied")
    assert abort_summary(3, []) == "Aborted 3 incomplete uploads."
    assert abort_summary(3, [denied]) == (
        "Aborted 2; 1 could not be aborted: big.iso — Access Denied"
    )
