"""Secrets and AWS credentials never reach a log: the patterns, and the filter on real loggers."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from s3desk.core.redact import MASK, RedactingFilter, install_redaction, redact, register_secret

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
TEMP_KEY = "ASIAY34FZKBOKMUTVV7A"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+abc="
SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
PRESIGNED = (
    "https://demo-bucket.s3.us-east-1.amazonaws.com/inbox/report.pdf"
    "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    f"&X-Amz-Credential={TEMP_KEY}%2F20240101%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600"
    f"&X-Amz-Security-Token={quote(TOKEN, safe='')}"
    f"&X-Amz-SignedHeaders=host&X-Amz-Signature={SIGNATURE}"
)
LEAKS = (ACCESS_KEY, TEMP_KEY, SECRET_KEY, TOKEN, quote(TOKEN, safe=""), SIGNATURE)


def assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text
    assert MASK in text


def test_access_key_ids() -> None:
    assert redact(f"using {ACCESS_KEY} then {TEMP_KEY}.") == f"using {MASK} then {MASK}."
    # Not key ids: too short, lower case, or part of a longer word.
    for text in ("AKIA1234", "akiaiosfodnn7example", f"X{ACCESS_KEY}9"):
        assert redact(text) == text


def test_presigned_url() -> None:
    text = redact(f"GET {PRESIGNED} -> 403")
    assert_clean(text)
    assert text == (
        "GET https://demo-bucket.s3.us-east-1.amazonaws.com/inbox/report.pdf"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={MASK}"
        "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600"
        f"&X-Amz-Security-Token={MASK}"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={MASK} -> 403"
    )


def test_presigned_url_inside_another_url() -> None:
    encoded = quote(PRESIGNED, safe="")
    text = redact(f"redirect=https://example.com/open?u={encoded}&lang=en")
    assert_clean(text)
    assert text.count(MASK) == 3
    # The parameters around the secret ones survive.
    assert "X-Amz-Expires%3D3600" in text
    assert text.endswith("&lang=en")


def test_authorization_header() -> None:
    header = (
        f"Authorization: AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20240101/us-east-1/s3/"
        "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        f"Signature={SIGNATURE}"
    )
    assert redact(header) == (
        f"Authorization: AWS4-HMAC-SHA256 Credential={MASK}/20240101/us-east-1/s3/"
        "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        f"Signature={MASK}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"aws_secret_access_key = {SECRET_KEY}\n", f"aws_secret_access_key = {MASK}\n"),
        (
            f"AWS_SECRET_ACCESS_KEY={SECRET_KEY} aws s3 ls",
            f"AWS_SECRET_ACCESS_KEY={MASK} aws s3 ls",
        ),
        (f"aws_session_token={TOKEN}", f"aws_session_token={MASK}"),
        (
            f"{{'aws_session_token': '{TOKEN}', 'region': 'eu-west-1'}}",
            f"{{'aws_session_token': '{MASK}', 'region': 'eu-west-1'}}",
        ),
        (f'{{"aws_secret_access_key": "{SECRET_KEY}"}}', f'{{"aws_secret_access_key": "{MASK}"}}'),
    ],
)
def test_secret_key_and_token_assignments(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_registered_secrets() -> None:
    secret = f"pa ss/{uuid.uuid4().hex}+x"
    assert redact(f"[{secret}]") == f"[{secret}]"
    register_secret(secret)
    assert redact(f"[{secret}]") == f"[{MASK}]"
    # As it would appear in a query string.
    assert redact(f"?p={quote(secret, safe='')}&q=1") == f"?p={MASK}&q=1"
    register_secret("abc")  # too short to tell from ordinary text
    assert redact("abc abcd") == "abc abcd"


def test_a_secret_that_contains_another_is_masked_whole() -> None:
    short = uuid.uuid4().hex[:8]
    long = f"{short}-{uuid.uuid4().hex}"
    register_secret(short)
    register_secret(long)
    assert redact(f"{long} {short}") == f"{MASK} {MASK}"


def test_text_without_secrets_is_unchanged() -> None:
    text = (
        "Uploaded inbox/report.pdf (12.5 MiB) to s3://demo-bucket/inbox/ in 3.2 s; "
        "Signature=pending, X-Amz-Date=20240101T000000Z, AKIA is a prefix, "
        "https://s3.amazonaws.com/demo-bucket/a.txt?versionId=3 aws_access_key_id"
    )
    assert redact(text) == text


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO, list[logging.LogRecord]]]:
    """A logger of its own with a handler that writes to a buffer and keeps each record."""
    name = f"s3desk.test.{uuid.uuid4().hex}"
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    buffer = io.StringIO()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)
            buffer.write(self.format(record) + "\n")

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    before = {id(f): list(f.filters) for f in _filterers(logger)}
    install_redaction(logger)
    yield logger, buffer, records
    # install_redaction changes process-wide logging (pytest's own handlers included): undo it.
    for filterer in _filterers(logger):
        filterer.filters[:] = before.get(id(filterer), [])
    logger.removeHandler(handler)


def _filterers(logger: logging.Logger) -> list[logging.Filterer]:
    found: list[logging.Filterer] = [logger, *logger.handlers, *logging.getLogger().handlers]
    if logging.lastResort is not None:
        found.append(logging.lastResort)
    return found


def test_a_logged_record_with_a_secret_argument(
    logged: tuple[logging.Logger, io.StringIO, list[logging.LogRecord]],
) -> None:
    logger, buffer, records = logged
    secret = f"secret-{uuid.uuid4().hex}"
    register_secret(secret)
    logger.info("signing with %s for %s", secret, ACCESS_KEY)
    assert buffer.getvalue() == f"INFO signing with {MASK} for {MASK}\n"
    (record,) = records
    assert record.args is None
    assert record.msg == f"signing with {MASK} for {MASK}"


def test_a_record_from_a_child_logger_is_redacted_by_the_handler(
    logged: tuple[logging.Logger, io.StringIO, list[logging.LogRecord]],
) -> None:
    logger, buffer, _ = logged
    logger.getChild("botocore.endpoint").debug("Sending request to %s", PRESIGNED)
    assert_clean(buffer.getvalue())


def test_an_exception_quoting_a_presigned_url(
    logged: tuple[logging.Logger, io.StringIO, list[logging.LogRecord]],
) -> None:
    logger, buffer, records = logged
    try:
        raise ConnectionError(f"Connection reset while fetching {PRESIGNED}")
    except ConnectionError as exc:
        logger.exception("upload failed: %s", exc)
    output = buffer.getvalue()
    assert_clean(output)
    assert "Traceback (most recent call last)" in output
    assert "ConnectionError: Connection reset while fetching https://demo-bucket" in output
    (record,) = records
    assert record.exc_info is None  # nothing left for a handler to render unredacted
    assert record.exc_text is not None
    assert SIGNATURE not in record.exc_text


def test_arguments_that_do_not_fit_the_format_are_still_redacted(
    logged: tuple[logging.Logger, io.StringIO, list[logging.LogRecord]],
) -> None:
    logger, buffer, _ = logged
    logger.warning("%d files", f"key={ACCESS_KEY}")
    assert buffer.getvalue() == f"WARNING %d files % ('key={MASK}',)\n"


def test_installing_twice_adds_one_filter(
    logged: tuple[logging.Logger, io.StringIO, list[logging.LogRecord]],
) -> None:
    logger, buffer, _ = logged
    install_redaction(logger)
    for filterer in (logger, *logger.handlers):
        assert sum(isinstance(f, RedactingFilter) for f in filterer.filters) == 1
    logger.info("once %s", ACCESS_KEY)
    assert buffer.getvalue() == f"INFO once {MASK}\n"
