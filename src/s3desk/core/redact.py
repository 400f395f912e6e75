"""Keep secrets out of logs: known secret values and AWS credential patterns become [REDACTED].

Log files end up in bug reports. botocore's debug output carries pre-signed URLs and
Authorization headers, and an exception message can quote a URL, so every record passes
through :class:`RedactingFilter` before a handler writes it.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words and numbers

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Pre-signed URL query values. A value ends at the next parameter, which is "&", or "%26"
    # when the whole URL is itself URL-encoded (a URL inside another URL's query).
    (
        re.compile(
            r"(X-Amz-(?:Signature|Credential|Security-Token)(?:=|%3D))(?:(?!%26)[^&\s\"'<>])+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # SigV4 Authorization header: "AWS4-HMAC-SHA256 Credential=..., Signature=<hex>".
    (re.compile(r"(?<![\w-])(Signature=)[0-9a-f]{16,}", re.IGNORECASE), rf"\1{MASK}"),
    # Credentials files, environment dumps and dict reprs: aws_secret_access_key = value,
    # "aws_session_token": "value".
    (
        re.compile(
            r"((?:aws_secret_access_key|aws_session_token)[\"']?\s*[=:]\s*[\"']?)[^\s\"',;&}]+",
            re.IGNORECASE,
        ),
        rf"\1{MASK}",
    ),
    # Bearer tokens (an upload service's), and its tokens wherever they appear.
    (re.compile(r"(Bearer\s+)[^\s\"',;]+", re.IGNORECASE), rf"\1{MASK}"),
    (re.compile(r"(?<![\w-])s3db_[A-Za-z0-9_-]{8,}"), MASK),
    # Access key ids (long-term AKIA, temporary ASIA).
    (re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"), MASK),
)


class _Registry:
    """Registered secrets and one regex matching any of them, rebuilt on each addition."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: set[str] = set()
        self.pattern: re.Pattern[str] | None = None

    def add(self, forms: set[str]) -> None:
        with self.lock:
            if forms <= self.values:
                return
            self.values |= forms
            # Longest first, so a secret that contains another is masked whole.
            ordered = sorted(self.values, key=len, reverse=True)
            self.pattern = re.compile("|".join(re.escape(form) for form in ordered))


_registry = _Registry()


def register_secret(value: str) -> None:
    """Never let ``value`` reach a log again (as is, or URL-encoded as in a query string)."""
    if len(value) >= _MIN_SECRET_LENGTH:
        _registry.add({value, quote(value, safe=""), quote_plus(value, safe="")})


def redact(text: str) -> str:
    """``text`` with every registered secret and AWS credential pattern replaced by [REDACTED]."""
    pattern = _registry.pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record in place so that no handler or formatter sees a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # Arguments that do not fit the format: keep them readable, but redacted, rather
            # than leave them for logging's error report, which prints them raw.
            message = f"{record.msg!s} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # A handler that renders exc_info itself would bypass the redacted text.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Redact every record ``logger`` (default: the root logger) and the root's handlers see.

    Handlers get the filter too because a logger's own filters skip records that propagate
    up from child loggers (botocore, urllib3). Calling it again adds nothing.
    """
    root = logging.getLogger()
    target = logger if logger is not None else root
    filterers: list[logging.Filterer] = [target, *target.handlers, *root.handlers]
    if logging.lastResort is not None:
        filterers.append(logging.lastResort)  # writes warnings when no handler is configured
    for filterer in filterers:
        if not any(isinstance(f, RedactingFilter) for f in filterer.filters):
            filterer.addFilter(_FILTER)
