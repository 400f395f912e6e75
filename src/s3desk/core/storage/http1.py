"""A small HTTP/1.1 client for the lean S3 requests: one request, one response, kept-alive
connections, nothing else.

urllib3 and http.client spend about 0.25 ms of CPU on a request (header objects, email
parsing of the response head, several layers of wrappers); for thousands of small files that
is a fifth of all the work. This client writes the request head and a small body with one
``sendall`` and parses the response head by hand, at about a fifth of that cost. It speaks
only what S3 answers to PUT, HEAD and GET: status line, headers, and a body framed by
Content-Length, chunked transfer coding, or the end of the connection. ``request`` reads the
body whole (small answers); ``stream`` leaves a GET's body, framed by Content-Length, to the
caller to read into its own buffer (downloads).

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
_MAX_BODY = 16 * 1024 * 1024  # answers read whole are small; refuse a runaway one


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


@dataclass(slots=True)
class Stream:
    """An answer whose body the caller reads with ``readinto`` (see ConnectionPool.stream).
    ``length`` is the size of the body left to read; None if it is not framed by
    Content-Length (its connection is then closed, and nothing can be read). An answer that
    is not 200 or 206 is read whole into ``data``, like ``request``'s."""

    status: int
    headers: dict[str, str]  # names in lower case
    length: int | None
    data: bytes = b""
    _pool: ConnectionPool | None = None
    _connection: _Connection | None = None
    _keep: bool = False

    def readinto(self, buffer: memoryview) -> int:
        """Read up to ``len(buffer)`` bytes of the body into ``buffer``; 0 at its end. The
        connection goes back to the pool once the whole body has been read."""
        left = self.length or 0
        if not left or not len(buffer):
            return 0
        connection = self._connection
        if connection is None:
            raise ProtocolError("the answer was closed")
        try:
            n = connection.reader.readinto(buffer[:left] if len(buffer) > left else buffer)
        except BaseException:
            self.close()
            raise
        if not n:
            self.close()
            raise ProtocolError("the connection closed inside the response body")
        self.length = left - n
        if not self.length:
            self._release()
        return n

    def _release(self) -> None:
        """The body has been read: the connection serves the next request."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._keep and self._pool is not None:
            self._pool._put(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Done with the answer. A connection with some of the body unread is closed, since
        the rest would arrive as the answer to its next request."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


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
        connection, status_line = self._send(method, target, headers, body)
        try:
            response, keep = _read_response(connection, method, status_line)
        except BaseException:
            connection.close()
            raise
        if keep:
            self._put(connection)
        else:
            connection.close()
        return response

    def stream(self, method: str, target: str, headers: dict[str, str]) -> Stream:
        """Send one request without a body (a GET) and read the head of its answer; a 200 or
        206 answer's body is left to read (``Stream.readinto``) and holds the connection
        until it has been read or the stream closed. Other answers are read whole."""
        connection, status_line = self._send(method, target, headers, b"")
        response: Response | None = None
        try:
            version, status, headers = _read_head(connection.reader, status_line)
            if status in (200, 206):
                length = _content_length(headers)
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    length = None
            else:
                response, keep = _read_body(connection, method, version, status, headers)
        except BaseException:
            connection.close()
            raise
        if response is not None:  # an error answer, read whole
            if keep:
                self._put(connection)
            else:
                connection.close()
            return Stream(status, headers, 0, response.data)
        if length is None:  # not framed by Content-Length: the caller reads it otherwise
            connection.close()
            return Stream(status, headers, None)
        stream = Stream(
            status, headers, length, b"", self, connection, _keep_alive(version, headers)
        )
        if not length:
            stream._release()  # nothing to read
        return stream

    def _send(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[_Connection, bytes]:
        """Send the request; returns its connection and the first line of the answer."""
        head = [f"{method} {target} HTTP/1.1"]
        head.extend(f"{name}: {value}" for name, value in headers.items())
        if body or method not in ("GET", "HEAD"):  # no Content-Length where no body is meant
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
        except BaseException:
            connection.close()
            raise
        return connection, status_line

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
    version, status, headers = _read_head(connection.reader, status_line)
    return _read_body(connection, method, version, status, headers)


def _read_head(reader: object, status_line: bytes) -> tuple[str, int, dict[str, str]]:
    """The answer's HTTP version, status and headers, after any interim (1xx) answers."""
    while True:
        version, status = _parse_status(status_line)
        headers = _read_headers(reader)
        if not 100 <= status < 200:
            return version, status, headers
        status_line = reader.readline(_MAX_LINE + 1)  # type: ignore[attr-defined]


def _keep_alive(version: str, headers: dict[str, str]) -> bool:
    tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    return "close" not in tokens and (version == "HTTP/1.1" or "keep-alive" in tokens)


def _content_length(headers: dict[str, str]) -> int | None:
    length = headers.get("content-length")
    if length is None:
        return None
    try:
        size = int(length)
    except ValueError:
        raise ProtocolError(f"bad Content-Length {length!r}") from None
    if size < 0:
        raise ProtocolError(f"bad Content-Length {length!r}")
    return size


def _read_body(
    connection: _Connection, method: str, version: str, status: int, headers: dict[str, str]
) -> tuple[Response, bool]:
    reader = connection.reader
    keep = _keep_alive(version, headers)
    if method == "HEAD" or status in (204, 304):
        return Response(status, headers, b""), keep
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Response(status, headers, _read_chunked(reader)), keep
    size = _content_length(headers)
    if size is not None:
        if size > _MAX_BODY:
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
