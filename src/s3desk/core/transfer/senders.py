"""One transfer engine's ways to S3, each made on first use and shared by its workers: a
botocore session (credentials, refreshed as they expire), a botocore client on it, and the
lean sender for the requests made once per file (``lean_s3.py``), which takes its
credentials from the same session, or from ``plain_credentials.py`` when the endpoint or
the environment gives them plainly.

Every request, on either path, calls the engine's request hooks with its operation name
first. ``reset`` drops everything when the endpoint or its credentials change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from s3desk.core.storage.endpoint import S3Endpoint, make_client, make_session
from s3desk.core.storage.lean_s3 import LeanS3
from s3desk.core.storage.plain_credentials import plain_session


class Senders:
    def __init__(
        self,
        endpoint: S3Endpoint,
        *,
        max_connections: int,
        connect_timeout: float,
        read_timeout: float,
        hooks: list[Callable[[str], None]],
        sign_payload: bool = True,
        prepare_client: Callable[[Any], None] | None = None,
    ) -> None:
        """``sign_payload=False`` for an engine that covers bodies with a checksum header;
        ``prepare_client`` adds an engine's own botocore handlers to a new client."""
        self.endpoint = endpoint
        self._max_connections = max_connections
        self._timeouts = (connect_timeout, read_timeout)
        self._hooks = hooks
        self._sign_payload = sign_payload
        self._prepare_client = prepare_client
        self._lock = threading.RLock()
        self._session: Any = None
        self._client: Any = None
        self._lean: LeanS3 | None = None

    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = make_session(self.endpoint)
            return self._session

    @property
    def client(self) -> Any:
        """The botocore client: retries are the engine's (one attempt per call)."""
        with self._lock:
            if self._client is None:
                connect, read = self._timeouts
                client = make_client(
                    self.endpoint, self._max_connections, session=self.session(),
                    sign_payload=self._sign_payload, attempts=1, connect_timeout=connect,
                    read_timeout=read,
                )  # fmt: skip
                if self._prepare_client is not None:
                    self._prepare_client(client)
                hooks = self._hooks

                def before_send(event_name: str, **_: Any) -> None:
                    for hook in hooks:
                        hook(event_name.rsplit(".", 1)[-1])  # before-send.s3.PutObject

                client.meta.events.register("before-send.s3", before_send)
                self._client = client
            return self._client

    def lean(self) -> LeanS3:
        lean = self._lean  # asked for once per file: no lock once it exists
        if lean is not None:
            return lean
        with self._lock:
            if self._lean is None:
                connect, read = self._timeouts
                # Keys and region given plainly need no botocore session (nor its import).
                session = plain_session(self.endpoint, self.session) or self.session()
                self._lean = LeanS3(
                    self.endpoint, session, lambda: self.client,
                    max_connections=self._max_connections, connect_timeout=connect,
                    read_timeout=read,
                )  # fmt: skip
                self._lean.hooks = self._hooks
            return self._lean

    def reset(self, endpoint: S3Endpoint | None = None) -> None:
        """New credentials or settings: the next request builds everything afresh."""
        with self._lock:
            if endpoint is not None:
                self.endpoint = endpoint
            self._client = self._session = None
            lean, self._lean = self._lean, None
        if lean is not None:
            lean.close()

    def close(self) -> None:
        with self._lock:
            lean, self._lean = self._lean, None
        if lean is not None:
            lean.close()
