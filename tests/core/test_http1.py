"""The small HTTP/1.1 client against scripted servers: framing, keep-alive, stale
connections, timeouts and malformed answers."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from s3desk.core.storage.http1 import ConnectError, ConnectionPool, ProtocolError

OK = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nETag: "e"\r\n\r\nok'


@dataclass
class ScriptedServer:
    """Answers each request with the next answer from ``answers``; an answer may be a
    callable that gets the socket (to hang up, stall, ...)."""

    answers: list[bytes | Callable[[socket.socket], None]]
    close_after_each: bool = False
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn:
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                self.requests.append(head + reader.read(length))
                answer = self.answers.pop(0)
                if callable(answer):
                    answer(conn)
                    return
                conn.sendall(answer)
                if self.close_after_each:
                    return

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def make(*answers: bytes | Callable[[socket.socket], None], **kw: bool) -> ScriptedServer:
        server = ScriptedServer(list(answers), **kw)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def _pool(server: ScriptedServer, **kw: float) -> ConnectionPool:
    return ConnectionPool("127.0.0.1", server.port, connect_timeout=2, read_timeout=2, **kw)


def test_a_kept_alive_connection_serves_the_next_request(
    serve: Callable[..., ScriptedServer],
) -> None:
    server = serve(OK, OK, OK)
    pool = _pool(server)
    for n in range(3):
        response = pool.request("PUT", f"/b/k{n}", {"host": "h"}, b"body")
        assert (response.status, response.data, response.headers["etag"]) == (200, b"ok", '"e"')
    pool.close()
    assert server.connections == 1
    assert server.requests[0].startswith(b"PUT /b/k0 HTTP/1.1\r\nhost: h\r\ncontent-length: 4")
    assert server.requests[0].endswith(b"\r\n\r\nbody")


def test_a_connection_the_server_dropped_while_idle_is_replaced(
    serve: Callable[..., ScriptedServer],
) -> None:
    # The server hangs up after each answer without saying so (no Connection: close), as
    # servers do when their keep-alive timeout runs out between two requests.
    server = serve(OK, OK, close_after_each=True)
    pool = _pool(server)
    assert pool.request("PUT", "/b/1", {}, b"1").status == 200
    assert pool.request("PUT", "/b/2", {}, b"2").status == 200
    assert server.connections == 2
    assert [r.endswith(b"1") or r.endswith(b"2") for r in server.requests] == [True, True]


def test_connection_close_and_http_1_0_are_honoured(serve: Callable[..., ScriptedServer]) -> None:
    server = serve(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        OK,
        close_after_each=True,
    )
    pool = _pool(server)
    for _ in range(3):
        assert pool.request("PUT", "/b/k", {}, b"").status == 200
    assert server.connections == 3


def test_chunked_and_close_delimited_bodies(serve: Callable[..., ScriptedServer]) -> None:
    server = serve(
        b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"7\r\n<Error>\r\n8;ext=1\r\n<Code>x<\r\n0\r\nTrailer: t\r\n\r\n",
        b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\neverything until the end",
    )
    pool = _pool(server)
    first = pool.request("PUT", "/b/k", {}, b"")
    assert (first.status, first.data) == (403, b"<Error><Code>x<")
    second = pool.request("PUT", "/b/k", {}, b"")
    assert (second.status, second.data) == (500, b"everything until the end")
    assert server.connections == 1


def test_head_answers_have_no_body_and_interim_answers_are_skipped(
    serve: Callable[..., ScriptedServer],
) -> None:
    server = serve(
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    )
    pool = _pool(server)
    head = pool.request("HEAD", "/b/k", {}, b"")
    assert (head.status, head.data, head.headers["content-length"]) == (200, b"", "1234")
    assert b"content-length" not in server.requests[0]
    assert pool.request("PUT", "/b/k", {}, b"x").status == 404
    assert server.connections == 1  # the HEAD's connection was reused


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"SSH-2.0-OpenSSH\r\n", ProtocolError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ProtocolError),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", ProtocolError),
        (lambda conn: None, ProtocolError),  # hangs up on a fresh connection
    ],
    ids=["not-http", "cut-off-body", "bad-length", "hang-up"],
)
def test_malformed_or_missing_answers_raise(
    serve: Callable[..., ScriptedServer], answer: object, expected: type[Exception]
) -> None:
    server = serve(answer)  # type: ignore[arg-type]
    with pytest.raises(expected):
        _pool(server).request("PUT", "/b/k", {}, b"x")


def test_a_silent_server_times_out(serve: Callable[..., ScriptedServer]) -> None:
    stalled = threading.Event()
    server = serve(lambda conn: stalled.wait(10))
    with pytest.raises(TimeoutError):
        ConnectionPool("127.0.0.1", server.port, read_timeout=0.3).request("PUT", "/k", {}, b"")
    stalled.set()


def test_refused_connections_and_tls_to_a_plain_server() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectError):
        ConnectionPool("127.0.0.1", port).request("PUT", "/k", {}, b"")
    # A plain HTTP server answers a TLS hello with a plain error: the handshake fails.
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_in_plain_text() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_plain_text, daemon=True)
    thread.start()
    tls = ssl.create_default_context()
    with listener, pytest.raises(ssl.SSLError):
        ConnectionPool("127.0.0.1", listener.getsockname()[1], tls=tls).request(
            "PUT", "/k", {}, b""
        )
    thread.join(5)
