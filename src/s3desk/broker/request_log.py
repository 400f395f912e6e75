"""The request log: one JSON line per HTTP request, and the service's other events (start,
sweeps, errors), each line passed through s3desk's redaction.

A request's line has method, path, status, time taken, client address and what the handler
noted (the user, the refusal code): never headers, query strings or bodies, so never a token
or a URL signature.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from s3desk.core.redact import redact

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LOG_KEY = "s3desk.broker.log"  # per-request fields handlers leave for the request log


def note(scope: MutableMapping[str, Any], **fields: Any) -> None:
    """Add ``fields`` to the log line of the request whose ASGI scope this is."""
    scope.setdefault(_LOG_KEY, {}).update(fields)


class RequestLog:
    """JSON lines to a file (appended) or a stream; each line passes through redact()."""

    def __init__(self, path: Path | None = None, stream: IO[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._own = path is not None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._stream = stream if stream is not None else sys.stderr

    def write(self, event: str, **fields: Any) -> None:
        entry = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "event": event,
            **fields,
        }
        line = redact(json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str))
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def close(self) -> None:
        if self._own:
            self._stream.close()


class LogRequests:
    """ASGI middleware: one log line per HTTP request, written when the response is done."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        fields: dict[str, Any] = {}
        scope[_LOG_KEY] = fields
        status = 500
        logged = False

        def write() -> None:
            nonlocal logged
            logged = True
            client = scope.get("client")
            self.log.write(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
                client=client[0] if client else None,
                **fields,
            )

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last byte goes out, so the line exists once the client has its
                # answer.
                write()
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        finally:
            if not logged:
                write()
