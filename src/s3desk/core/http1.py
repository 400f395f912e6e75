"""A small HTTP/1.1 client for the lean S3 requests: one request, one response, kept-alive
connections, nothing else.

urllib3 and http.client spend about 0.25 ms of CPU on a request (header objects, email
parsing of the response head, several layers of wrappers); for thousands of small files that
is a fifth of all the work. This client writes the request head and a small body with one
``sendall`` and parses the response head by hand, at about a fifth of that cost. It speaks
only what S3 answers to PUT and HEAD: status line, headers, and a body framed by
Content-Length, chunked transfer coding, or the end of the connection.

Errors are the builtin ones (``OSError`` and its subclasses, ``TimeoutError``,
``ssl.SSLError``) plus ``ProtocolError`` for a malformed answer; the caller maps them.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass

_MAX_LINE = 64 * 1024
_MAX_HEADERS = 200
_MAX_BODY = 16 * 1024 * 1024  # answers to PUT and HEAD are small; refuse a runaway one


class ProtocolError(OSError):
    """The server's answer is not HTTP/1.1 as expected, or the connection closed mid-way."""


class ConnectError(OSError):
    """The connection could not be made (refused, unreachable, DNS); ``__cause__`` says why."""


class ConnectTimeout(TimeoutError):
    """No connection within the connect timeout."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    data: bytes


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = sock.makefile("rb")

    def close(self) -> None:
        try:
            self.reader.close()
        finally:
            self.sock.close()


class ConnectionPool:
    """Kept-alive connections to one host; any number of threads may share it."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        connect_timeout: float = 10,
        read_timeout: float = 120,
        max_idle: int = 16,
    ) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.max_idle = max_idle
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for connection in idle:
            connection.close()

    def request(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Send one request and read its answer. A kept-alive connection the server closed
        while idle is replaced and the request sent once more, as browsers do: it failed
        before the server read a byte of it."""
        head = [f"{method} {target} HTTP/1.1"]
        head.extend(f"{name}: {value}" for name, value in headers.items())
        if method != "HEAD" or body:
            head.append(f"content-length: {len(body)}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        connection, reused = self._get()
        try:
            try:
                connection.sock.sendall(message)
                status_line = connection.reader.readline(_MAX_LINE + 1)
            except (ConnectionError, ssl.SSLEOFError):
                if not reused:
                    raise
                status_line = b""
            if not status_line and reused:
                connection.close()
                connection, reused = self._connect(), False
                connection.sock.sendall(message)
                status_line = connection.reader.readline(_MAX_LINE + 1)
            response, keep = _read_response(connection, method, status_line)
        except BaseException:
            connection.close()
            raise
        if keep:
            self._put(connection)
        else:
            connection.close()
        return response

    def _get(self) -> tuple[_Connection, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _put(self, connection: _Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.max_idle:
                self._idle.append(connection)
                return
        connection.close()

    def _connect(self) -> _Connection:
        try:
            sock = socket.create_connection((self.host, self.port), self.connect_timeout)
        except TimeoutError as exc:
            raise ConnectTimeout(f"no connection to {self.host}:{self.port}") from exc
        except OSError as exc:
            raise ConnectError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            sock.settimeout(self.read_timeout)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)


def _read_response(
    connection: _Connection, method: str, status_line: bytes
) -> tuple[Response, bool]:
    reader = connection.reader
    while True:
        version, status = _parse_status(status_line)
        headers = _read_headers(reader)
        if not 100 <= status < 200:
            break
        status_line = reader.readline(_MAX_LINE + 1)  # an interim answer: the real one follows
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    keep = "close" not in tokens and (version == "HTTP/1.1" or "keep-alive" in tokens)
    if method == "HEAD" or status in (204, 304):
        return Response(status, headers, b""), keep
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Response(status, headers, _read_chunked(reader)), keep
    length = headers.get("content-length")
    if length is not None:
        try:
            size = int(length)
        except ValueError:
            raise ProtocolError(f"bad Content-Length {length!r}") from None
        if not 0 <= size <= _MAX_BODY:
            raise ProtocolError(f"refusing a {size}-byte answer")
        return Response(status, headers, _read_exactly(reader, size)), keep
    data = reader.read(_MAX_BODY + 1)  # framed by the end of the connection
    if len(data) > _MAX_BODY:
        raise ProtocolError("answer too long")
    return Response(status, headers, data), False


def _parse_status(line: bytes) -> tuple[str, int]:
    if not line:
        raise ProtocolError("the server closed the connection without answering")
    if len(line) > _MAX_LINE or not line.endswith(b"\n"):
        raise ProtocolError("status line too long or cut off")
    parts = line.decode("latin-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP answer: {line[:80]!r}")
    return parts[0], int(parts[1])


def _read_headers(reader: object) -> dict[str, str]:
    headers: dict[str, str] = {}
    readline = reader.readline  # type: ignore[attr-defined]
    for _ in range(_MAX_HEADERS):
        line = readline(_MAX_LINE + 1)
        if not line:
            raise ProtocolError("the connection closed inside the response head")
        if line in (b"\r\n", b"\n"):
            return headers
        if len(line) > _MAX_LINE:
            raise ProtocolError("header line too long")
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise ProtocolError(f"bad header line {line[:80]!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    raise ProtocolError("too many header lines")


def _read_exactly(reader: object, size: int) -> bytes:
    data: bytes = reader.read(size)  # type: ignore[attr-defined]
    if len(data) != size:
        raise ProtocolError("the connection closed inside the response body")
    return data


def _read_chunked(reader: object) -> bytes:
    readline = reader.readline  # type: ignore[attr-defined]
    parts: list[bytes] = []
    total = 0
    while True:
        line = readline(_MAX_LINE + 1)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {line[:40]!r}") from None
        if size == 0:
            break
        total += size
        if total > _MAX_BODY:
            raise ProtocolError("answer too long")
        parts.append(_read_exactly(reader, size))
        if readline(_MAX_LINE + 1) not in (b"\r\n", b"\n"):
            raise ProtocolError("chunk not followed by a line end")
    while readline(_MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
        pass  # trailer fields: none that matter here
    return b"".join(parts)
