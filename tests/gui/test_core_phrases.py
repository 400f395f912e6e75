"""The core's sentences in the window: translated where the catalogue has them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

import s3desk.core
import s3desk.ui.common.core_phrases
from s3desk.core.phrases import phrase
from s3desk.core.storage.errors import retrying_note
from s3desk.core.transfer.jobs import JobState, JobView
from s3desk.ui.common.core_phrases import describe_error, shown
from s3desk.ui.transfers.model import status_text


def _calls(path: Path, names: set[str], argument: int) -> set[str]:
    """The literal ``argument``-th argument of every call to one of ``names`` in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id in names and len(node.args) > argument:
            arg = node.args[argument]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def test_every_template_of_the_core_is_listed_for_the_translators() -> None:
    core = Path(s3desk.core.__file__).parent
    templates = set()
    for path in core.rglob("*.py"):  # sub-packages too
        templates |= _calls(path, {"phrase", "template"}, 0)
    listed = _calls(Path(s3desk.ui.common.core_phrases.__file__), {"QT_TRANSLATE_NOOP"}, 1)
    assert len(templates) > 50
    assert sorted(templates - listed) == []  # add them to ui/common/core_phrases.py
    assert sorted(listed - templates) == []  # no longer made by the core: remove them


class Bracketed(QTranslator):
    """A catalogue with every core template, translated as "[template]"."""

    def translate(  # type: ignore[override]
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if context != "core":
            return None  # not found: the next catalogue, or the source
        # One translation whose field names do not match its template's, as a slip would.
        return "[{oops}]" if source == "Cannot read: {reason}" else f"[{source}]"


@pytest.fixture
def bracketed(qapp: QApplication) -> Iterator[None]:
    translator = Bracketed()
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def test_phrases_are_shown_in_the_catalogue_s_words_with_their_values(bracketed: None) -> None:
    exc = ClientError({"Error": {"Code": "NoSuchBucket", "Message": "x"}}, "PutObject")
    assert describe_error(exc, "archive-2019") == (
        "[Bucket 'archive-2019' does not exist. Check the bucket name in the destination]"
    )
    # Values that are phrases themselves are shown the same way.
    note = retrying_note(1, 5, ReadTimeoutError(endpoint_url="http://x"))
    assert shown(note) == "[Retrying (1/4) — [timed out]]"
    # Plain text from elsewhere (a service's own refusal) stays as it is.
    assert shown("Uploads to this folder are closed") == "Uploads to this folder are closed"
    # A translation whose fields do not match the template's falls back to English.
    assert shown(phrase("Cannot read: {reason}", reason="odd")) == "Cannot read: odd"


def test_the_transfer_table_shows_notes_and_errors_translated(bracketed: None) -> None:
    failed = JobView(
        id=1, source="/tmp/a.txt", bucket="b", key="a.txt", size=1, bytes_done=0,
        state=JobState.FAILED, error=phrase("File no longer exists"), note="", speed=0.0,
        eta=None,
    )  # fmt: skip
    assert status_text(failed) == "Failed — [File no longer exists]"
    waiting = JobView(
        id=2, source="/tmp/b.txt", bucket="b", key="b.txt", size=1, bytes_done=0,
        state=JobState.RETRYING, error="", note=phrase("Waiting for new credentials"),
        speed=0.0, eta=None,
    )  # fmt: skip
    assert status_text(waiting) == "[Waiting for new credentials]"


def test_names_the_core_gives_storage_and_locks_are_shown_translated(bracketed: None) -> None:
    from s3desk.core.config.accounts import AccountKind
    from s3desk.core.config.settings import LOCK_REASON
    from s3desk.core.storage.demo import DEMO_LABEL, DEMO_NOTE
    from s3desk.core.storage.endpoint import custom_endpoint

    assert shown(AccountKind.UPLOAD_SERVICE.display_name) == (
        "[Organisation upload service (no AWS keys)]"
    )
    assert shown(DEMO_LABEL) == "[Local demo storage]" and shown(DEMO_NOTE).startswith("[")
    assert shown(LOCK_REASON) == "[Set by your organisation]"
    endpoint = custom_endpoint("http://127.0.0.1:9000")
    assert shown(endpoint.display) == "[[S3-compatible storage] (http://127.0.0.1:9000)]"
    assert endpoint.display == "S3-compatible storage (http://127.0.0.1:9000)"  # CLI, logs
