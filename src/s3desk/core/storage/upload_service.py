"""The desktop side of an organisation's upload service (``s3desk-broker``, docs/broker.md):
its JSON API, and the PUTs to the pre-signed URLs it hands out. The app holds a token, never
AWS keys; the service decides where each file goes and checks it.

Failures come out as botocore's exception types, so the engine retries and words them as it
does for S3: network trouble as botocore's connection errors, S3's answers to a pre-signed PUT
as ``ClientError``, and the service's refusals as ``ServiceRefusal`` (a ``ClientError`` whose
``plain_message`` is the service's sentence, shown as it is).
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from typing import Any
from urllib.parse import quote, urlsplit

from botocore.exceptions import ClientError

from s3desk import __version__
from s3desk.core.storage.http1 import ConnectionPool
from s3desk.core.storage.lean_s3 import client_error, send_as_botocore

# The service's codes that mean the same as S3 error codes the engine already handles.
_AS_S3_CODE = {
    "not_found": "NoSuchUpload",  # unknown, someone else's, or cancelled: start afresh
    "unauthorized": "ServiceTokenRefused",  # the queue waits for a new token
    "storage_error": "ServiceUnavailable",
    "internal": "InternalError",
}


class ServiceRefusal(ClientError):
    """The upload service said no; ``plain_message`` is its sentence, written for the user."""

    def __init__(self, status: int, code: str, message: str, operation: str) -> None:
        response: Any = {
            "Error": {"Code": _AS_S3_CODE.get(code, code), "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        super().__init__(response, operation)
        self.status, self.service_code, self.plain_message = status, code, message


class UploadServiceClient:
    """Thread-safe; one kept-alive connection pool per host (the service, the storage)."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 120,
        max_connections: int = 16,
    ) -> None:
        parts = urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"The upload service's address must be an http(s) URL, not {url!r}")
        self.url = url.rstrip("/")
        self._base_path = parts.path
        self._token = token
        self._timeouts = (connect_timeout, read_timeout)
        self._max_connections = max_connections
        self._pools: dict[tuple[str, str, int], ConnectionPool] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    # -- the service's API -----------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """What this token may do: bucket, prefix, size limit, types, part size."""
        return self._call("GET", "/v1/me", None, "GetLimits")

    def create(self, name: str, size: int, crc32: bytes, head: bytes) -> dict[str, Any]:
        """Announce a file; the answer is a single PUT or a multipart upload, and its key."""
        body = {
            "name": name,
            "size": size,
            "checksum": {"algorithm": "crc32", "value": base64.b64encode(crc32).decode()},
            "head": base64.b64encode(head).decode(),
            "if_exists": "rename",
        }
        return self._call("POST", "/v1/uploads", body, "CreateUpload")

    def record(self, upload_id: str) -> dict[str, Any]:
        """The upload as the service knows it; a pending single upload's carries a fresh URL."""
        return self._call("GET", f"/v1/uploads/{quote(upload_id)}", None, "GetUpload")

    def sign_parts(self, upload_id: str, numbers: list[int]) -> dict[int, dict[str, Any]]:
        """Pre-signed URLs for parts ``numbers`` (at most 100): number -> {url, headers,
        expires}."""
        answer = self._call(
            "POST", f"/v1/uploads/{quote(upload_id)}/parts", {"numbers": numbers}, "SignParts"
        )
        expires = answer.get("expires")
        return {int(p["number"]): {**p, "expires": expires} for p in answer["parts"]}

    def list_parts(self, upload_id: str) -> dict[int, tuple[str, int]]:
        """The parts the storage has: number -> (ETag, size)."""
        answer = self._call("GET", f"/v1/uploads/{quote(upload_id)}/parts", None, "ListParts")
        return {int(p["number"]): (str(p["etag"]), int(p["size"])) for p in answer["parts"]}

    def complete(self, upload_id: str, parts: list[tuple[int, str]] | None) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if parts is not None:
            body["parts"] = [{"number": n, "etag": etag} for n, etag in parts]
        return self._call(
            "POST", f"/v1/uploads/{quote(upload_id)}/complete", body, "CompleteUpload"
        )

    def abort(self, upload_id: str) -> None:
        self._call("DELETE", f"/v1/uploads/{quote(upload_id)}", None, "AbortUpload")

    # -- the storage, through pre-signed URLs ------------------------------------------------

    def put(self, url: str, headers: dict[str, str], data: bytes, operation: str) -> str:
        """PUT ``data`` to a pre-signed URL with exactly the signed ``headers``; the ETag."""
        pool, target = self._pool_for(url)
        # The service signed Content-Length; the HTTP client sets it from the body.
        sent = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        sent.setdefault("host", urlsplit(url).netloc)
        sent.setdefault("user-agent", _USER_AGENT)
        response = send_as_botocore(pool, "PUT", target, sent, data, url.split("?", 1)[0])
        if response.status >= 300:
            raise client_error(response, operation)
        return str(response.headers.get("etag", ""))

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any, operation: str) -> dict[str, Any]:
        url = self.url + path
        pool, _ = self._pool_for(url)
        data = b"" if body is None else json.dumps(body).encode()
        headers = {
            "host": urlsplit(url).netloc,
            "authorization": f"Bearer {self._token}",
            "accept": "application/json",
            "user-agent": _USER_AGENT,
        }
        if body is not None:
            headers["content-type"] = "application/json"
        target = self._base_path + path
        response = send_as_botocore(pool, method, target, headers, data, self.url + path)
        try:
            answer = json.loads(response.data) if response.data else {}
        except ValueError:
            answer = None
        if response.status >= 300 or not isinstance(answer, dict):
            raise self._refusal(response.status, answer, operation)
        return answer

    def _refusal(self, status: int, answer: Any, operation: str) -> Exception:
        if isinstance(answer, dict) and isinstance(answer.get("message"), str):
            code = str(answer.get("error", status))
            return ServiceRefusal(status, code, answer["message"], operation)
        # Not the service's JSON: a proxy's error page, or another program on that address.
        message = (
            f"The upload service at {self.url} gave an unexpected answer (HTTP {status}); "
            "check its address"
        )
        code = "internal" if status >= 500 else "bad_answer"
        return ServiceRefusal(status, code, message, operation)

    def _pool_for(self, url: str) -> tuple[ConnectionPool, str]:
        parts = urlsplit(url)
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        host = parts.hostname or ""
        key = (parts.scheme, host, port)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                if tls and self._tls is None:
                    self._tls = ssl.create_default_context()
                connect, read = self._timeouts
                pool = ConnectionPool(
                    host, port, tls=self._tls if tls else None, connect_timeout=connect,
                    read_timeout=read, max_idle=self._max_connections,
                )  # fmt: skip
                self._pools[key] = pool
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return pool, target


_USER_AGENT = f"s3desk/{__version__}"
