"""A fault-injecting HTTP/1.1 proxy for tests.

It sits between an S3 client and a local S3 server (both on loopback) and, for a seeded
share of requests, resets the connection, answers ``500 InternalError`` or
``503 SlowDown`` itself, holds the request for a while before forwarding it, or forwards it
and flips a byte of the answer's body (as a faulty network or middlebox might).

Requests are read whole (head and body) before they are forwarded, so the proxy answers
``Expect: 100-continue`` itself and never passes that header upstream: the server then
always gets the complete request in one go, and a fault can be injected after the body
has been received without confusing the client's 100-continue handling.

A stalled request is forwarded once the stall is over, unless its client has hung up by
then (typically after a read timeout): it is dropped instead, so it cannot reach the
server after, and overtake the effect of, the client's own retry.

    with FaultProxy.for_url(server_url, FaultPlan(reset=0.1, error500=0.1)) as proxy:
        client = make_client(proxy.url)
        ...
        assert proxy.stats()["faults"] > 0
"""

from __future__ import annotations

import contextlib
import ipaddress
import random
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["FAULT_KINDS", "FaultPlan", "FaultProxy", "Rule"]

FaultKind = Literal["reset", "error500", "slowdown", "stall", "expired", "forbidden", "corrupt"]
Action = Literal[
    "forward",
    "reset",
    "error500",
    "slowdown",
    "stall",
    "expired",
    "forbidden",
    "corrupt",
    "checksum_rejected",
    "invalid_part",
    "hold",
]

FAULT_KINDS: tuple[FaultKind, ...] = (
    "reset", "error500", "slowdown", "stall", "expired", "forbidden", "corrupt",
)  # fmt: skip

STAT_KEYS: tuple[str, ...] = (
    "connections",
    "requests",
    "forwarded",
    *FAULT_KINDS,
    "reset_before",
    "reset_partial",
    "stall_dropped",
    "continue_sent",
    "checksum_rejected",
    "corrupted",  # answers whose body was actually altered (a 2xx with a non-empty body)
)

_RECV_SIZE = 64 * 1024
_MAX_LINE = 64 * 1024
_MAX_HEADERS = 200
_MAX_INTERIM_RESPONSES = 10
_CLIENT_IDLE_TIMEOUT = 120.0
_UPSTREAM_TIMEOUT = 60.0
_CONNECT_TIMEOUT = 5.0
_ACCEPT_POLL = 0.5

_ERRORS: dict[str, tuple[int, str, str, str]] = {
    "error500": (
        500,
        "Internal Server Error",
        "InternalError",
        "We encountered an internal error. Please try again.",
    ),
    "slowdown": (503, "Slow Down", "SlowDown", "Please reduce your request rate."),
    "expired": (400, "Bad Request", "ExpiredToken", "The provided token has expired."),
    "forbidden": (403, "Forbidden", "AccessDenied", "Access Denied"),
    "checksum_rejected": (
        400,
        "Bad Request",
        "InvalidArgument",
        "Unsupported header 'x-amz-checksum-crc32' received for this API call.",
    ),
    "invalid_part": (
        400,
        "Bad Request",
        "InvalidPart",
        "One or more of the specified parts could not be found.",
    ),
}


@dataclass
class Rule:
    """Do ``action`` (an answer such as "invalid_part" or "forbidden", "reset", or "hold")
    to the next ``times`` requests with this method whose target contains ``target_has``
    (e.g. "partNumber=3", or "uploadId=" with POST for CompleteMultipartUpload).

    A held request has been read whole; it waits until ``release`` is set, then is
    forwarded, or dropped (its connection closed unanswered) if ``drop`` is set.
    ``reached`` is set when one arrives. Rules are looked at before the random plan."""

    method: str
    target_has: str
    action: Action
    times: int = 1
    drop: bool = False
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    seen: int = 0

    def matches(self, method: str, target: str) -> bool:
        return self.seen < self.times and method == self.method and self.target_has in target


@dataclass(frozen=True)
class FaultPlan:
    """Probability of each fault per request; the rest are forwarded untouched.

    ``only_methods`` limits faults to those HTTP methods (e.g. ``{"PUT"}``); requests
    with other methods are always forwarded and do not consume random numbers.
    """

    reset: float = 0.0
    error500: float = 0.0
    slowdown: float = 0.0
    stall: float = 0.0
    expired: float = 0.0  # 400 ExpiredToken, as when temporary credentials run out
    forbidden: float = 0.0  # 403 AccessDenied, as for a policy without s3:GetObject (HEAD)
    # Forward, then flip the first byte of a successful answer's body (Content-Length framed)
    corrupt: float = 0.0
    stall_seconds: float = 2.0
    # Refuse every request carrying S3's flexible-checksum headers, as some S3-compatible
    # services did (answering like Backblaze B2).
    reject_checksums: bool = False
    seed: int = 0
    only_methods: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for kind in FAULT_KINDS:
            value = getattr(self, kind)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{kind} probability must be within [0, 1], not {value}")
        if self.total > 1.0 + 1e-9:
            raise ValueError(f"fault probabilities add up to {self.total}, more than 1")
        if self.stall_seconds < 0:
            raise ValueError("stall_seconds must not be negative")
        if self.only_methods is not None:
            # frozen dataclass: normalising needs object.__setattr__
            object.__setattr__(
                self, "only_methods", frozenset(m.upper() for m in self.only_methods)
            )

    @property
    def total(self) -> float:
        return sum(getattr(self, kind) for kind in FAULT_KINDS)


class _ProtocolError(Exception):
    """The peer sent something this proxy cannot frame; the connection is dropped."""


def _require_loopback(host: str) -> None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"upstream must be a loopback IP address, not {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"upstream must be a loopback IP address, not {host!r}")


class _Reader:
    """Buffered reads from a socket; ``b""`` means the peer closed its side."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = bytearray()

    def _fill(self) -> bool:
        data = self._sock.recv(_RECV_SIZE)
        if not data:
            return False
        self._buf += data
        return True

    def readline(self) -> bytes:
        while True:
            end = self._buf.find(b"\n")
            if end >= 0:
                line = bytes(self._buf[: end + 1])
                del self._buf[: end + 1]
                return line
            if len(self._buf) > _MAX_LINE:
                raise _ProtocolError("line too long")
            if not self._fill():
                if self._buf:
                    raise _ProtocolError("connection closed in the middle of a line")
                return b""

    def read_some(self, limit: int) -> bytes:
        if not self._buf and not self._fill():
            return b""
        piece = bytes(self._buf[:limit])
        del self._buf[:limit]
        return piece


def _is_blank(line: bytes) -> bool:
    return line in (b"\r\n", b"\n")


@dataclass
class _Head:
    """A request or response line plus its header fields, in their original order."""

    start_line: bytes
    headers: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def tokens(self, name: str) -> set[str]:
        name = name.lower()
        found: set[str] = set()
        for key, value in self.headers:
            if key.lower() == name:
                found.update(t.strip().lower() for t in value.split(",") if t.strip())
        return found

    def encode(self, drop: frozenset[str] = frozenset()) -> bytes:
        lines = [self.start_line.decode("latin-1")]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in drop]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_head(reader: _Reader) -> _Head | None:
    """The next message head, or None if the peer closed cleanly before sending one."""
    line = reader.readline()
    if _is_blank(line):  # a stray CRLF between messages is allowed
        line = reader.readline()
    if not line:
        return None
    headers: list[tuple[str, str]] = []
    for _ in range(_MAX_HEADERS):
        field = reader.readline()
        if not field:
            raise _ProtocolError("connection closed inside a message head")
        if _is_blank(field):
            return _Head(line.rstrip(b"\r\n"), headers)
        name, sep, value = field.decode("latin-1").partition(":")
        if not sep:
            raise _ProtocolError(f"malformed header line {field[:80]!r}")
        headers.append((name.strip(), value.strip()))
    raise _ProtocolError("too many header lines")


# Body framing: ("length", n), ("chunked", 0) or ("close", 0) for read-until-close.
_Framing = tuple[str, int]


def _content_length(head: _Head) -> int:
    raw = head.get("content-length")
    if raw is None:
        return 0
    try:
        length = int(raw)
    except ValueError:
        raise _ProtocolError(f"bad Content-Length {raw!r}") from None
    if length < 0:
        raise _ProtocolError(f"bad Content-Length {raw!r}")
    return length


def _request_framing(head: _Head) -> _Framing:
    if "chunked" in head.tokens("transfer-encoding"):
        return ("chunked", 0)
    return ("length", _content_length(head))


def _response_framing(head: _Head, method: str, status: int) -> _Framing:
    if method == "HEAD" or 100 <= status < 200 or status in (204, 304):
        return ("length", 0)
    if "chunked" in head.tokens("transfer-encoding"):
        return ("chunked", 0)
    if head.get("content-length") is not None:
        return ("length", _content_length(head))
    return ("close", 0)


def _iter_exact(reader: _Reader, size: int) -> Iterator[bytes]:
    remaining = size
    while remaining > 0:
        piece = reader.read_some(min(remaining, _RECV_SIZE))
        if not piece:
            raise _ProtocolError("connection closed in the middle of a body")
        remaining -= len(piece)
        yield piece


def _iter_body(reader: _Reader, framing: _Framing) -> Iterator[bytes]:
    """The body's raw bytes, chunk framing included, so it can be relayed unchanged."""
    kind, length = framing
    if kind == "length":
        yield from _iter_exact(reader, length)
    elif kind == "chunked":
        while True:
            size_line = reader.readline()
            if not size_line:
                raise _ProtocolError("connection closed in a chunked body")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _ProtocolError(f"bad chunk size line {size_line[:80]!r}") from None
            yield size_line
            if size == 0:
                for _ in range(_MAX_HEADERS):
                    trailer = reader.readline()
                    if not trailer:
                        raise _ProtocolError("connection closed in chunk trailers")
                    yield trailer
                    if _is_blank(trailer):
                        return
                raise _ProtocolError("too many trailer lines")
            yield from _iter_exact(reader, size + 2)  # data and its CRLF
    else:
        while piece := reader.read_some(_RECV_SIZE):
            yield piece


def _set_nodelay(sock: socket.socket) -> None:
    # Heads and bodies go out in separate sends; Nagle plus delayed ACKs would add ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _peer_closed(sock: socket.socket) -> bool:
    previous = sock.gettimeout()
    try:
        sock.settimeout(0)
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(previous)


def _error_response(kind: str, request_id: str, head_only: bool, close: bool) -> bytes:
    status, reason, code, message = _ERRORS[kind]
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{request_id}</RequestId></Error>"
    ).encode()
    connection = "Connection: close\r\n" if close else ""
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/xml\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"x-amz-request-id: {request_id}\r\n"
        f"{connection}\r\n"
    ).encode()
    return head if head_only else head + body


class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 that injects faults according to ``plan``.

    Use ``start()``/``stop()`` or ``with FaultProxy(...) as proxy:``; ``proxy.url`` is the
    endpoint to hand to the client. Assigning ``proxy.plan`` takes effect from the next
    request and restarts the random sequence from the new plan's seed.
    """

    def __init__(self, upstream_host: str, upstream_port: int, plan: FaultPlan | None = None):
        _require_loopback(upstream_host)
        self._upstream = (upstream_host, upstream_port)
        self._plan = plan if plan is not None else FaultPlan()
        self._rng = random.Random(self._plan.seed)
        self._lock = threading.Lock()
        self._stats = dict.fromkeys(STAT_KEYS, 0)
        self._log: list[tuple[str, str]] = []
        self._headers: list[dict[str, str]] = []
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._url: str | None = None
        self._started = False
        self._name = "faultproxy"
        # Called as (kind, method, target) in the connection's thread before an injected
        # error is answered: a test can hold one answer back until it is ready for it.
        self.before_error: Callable[[str, str, str], None] | None = None
        self._rules: list[Rule] = []

    @classmethod
    def for_url(cls, endpoint_url: str, plan: FaultPlan | None = None) -> FaultProxy:
        """A proxy in front of ``http://HOST:PORT`` (e.g. a test server's endpoint URL)."""
        parts = urlsplit(endpoint_url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"need an http://HOST:PORT URL, not {endpoint_url!r}")
        return cls(parts.hostname, parts.port, plan)

    # -- configuration and counters ---------------------------------------------------

    @property
    def plan(self) -> FaultPlan:
        with self._lock:
            return self._plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed)

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the proxy has not been started")
        return self._url

    def threads(self) -> list[threading.Thread]:
        """This proxy's threads that are still alive."""
        with self._lock:
            threads = [*self._threads, self._accept_thread]
        return [t for t in threads if t is not None and t.is_alive()]

    def stats(self) -> dict[str, int]:
        """A snapshot of the counters; ``faults`` is the sum over all fault kinds."""
        with self._lock:
            snapshot = dict(self._stats)
        snapshot["faults"] = sum(snapshot[kind] for kind in FAULT_KINDS)
        return snapshot

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = dict.fromkeys(STAT_KEYS, 0)

    def _count(self, key: str) -> None:
        with self._lock:
            self._stats[key] += 1

    def add_rule(self, rule: Rule) -> Rule:
        """Apply ``rule`` from the next request on; returns it (for its events)."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_rules(self) -> None:
        """Drop every rule; requests being held are released (and forwarded)."""
        with self._lock:
            rules, self._rules = self._rules, []
        for rule in rules:
            rule.release.set()

    def _rule_for(self, method: str, target: str) -> Rule | None:
        for rule in self._rules:  # under the lock
            if rule.matches(method, target):
                rule.seen += 1
                return rule
        return None

    def requests(self) -> list[tuple[str, str]]:
        """(method, target) of every request seen, in order: which parts were sent, etc."""
        with self._lock:
            return list(self._log)

    def request_headers(self) -> list[dict[str, str]]:
        """The headers (names in lower case) of every request seen, in the same order."""
        with self._lock:
            return list(self._headers)

    def _decide(
        self, method: str, target: str, headers: list[tuple[str, str]]
    ) -> tuple[Action, float, FaultPlan, Rule | None]:
        """The action for one request, plus a second random number for its details."""
        with self._lock:
            plan = self._plan
            self._stats["requests"] += 1
            self._log.append((method, target))
            self._headers.append({k.lower(): v for k, v in headers})
            rule = self._rule_for(method, target)
            if rule is not None:
                return rule.action, 0.0, plan, rule
            if plan.only_methods is not None and method not in plan.only_methods:
                return "forward", 0.0, plan, None
            roll, detail = self._rng.random(), self._rng.random()
            threshold = 0.0
            for kind in FAULT_KINDS:
                threshold += getattr(plan, kind)
                if roll < threshold:
                    self._stats[kind] += 1
                    return kind, detail, plan, None
            return "forward", detail, plan, None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> str:
        if self._started:
            raise RuntimeError("a FaultProxy can only be started once")
        self._started = True
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            # stop() shuts the socket down, which wakes accept() on Linux; the timeout
            # covers platforms where it does not.
            listener.settimeout(_ACCEPT_POLL)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        port = listener.getsockname()[1]
        self._url = f"http://127.0.0.1:{port}"
        self._name = f"faultproxy-{port}"
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(listener,), name=self._name, daemon=True
        )
        self._accept_thread.start()
        return self._url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, cut every open connection and wait for the threads to end."""
        self._stopping.set()
        with self._lock:
            listener, self._listener = self._listener, None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # wakes threads blocked on it
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        deadline = time.monotonic() + timeout
        if self._accept_thread is not None:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:  # only now: the accept loop may have added one more
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            leftovers = list(self._sockets)
            self._sockets.clear()
            for sock in leftovers:
                sock.close()

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- socket bookkeeping -------------------------------------------------------------

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            if self._stopping.is_set():
                sock.close()
                raise OSError("fault proxy is stopping")
            self._sockets.add(sock)

    def _close(self, sock: socket.socket, reset: bool = False) -> None:
        # Under the lock so stop() never shuts down a descriptor that is being reused.
        with self._lock:
            self._sockets.discard(sock)
            if reset:
                # Linger 0: close() sends RST instead of FIN.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def _open_upstream(self) -> socket.socket:
        sock = socket.create_connection(self._upstream, timeout=_CONNECT_TIMEOUT)
        self._track(sock)
        sock.settimeout(_UPSTREAM_TIMEOUT)
        _set_nodelay(sock)
        return sock

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed by stop()
            try:
                self._track(client)
            except OSError:
                return
            self._count("connections")
            thread = threading.Thread(
                target=self._serve, args=(client,), name=f"{self._name}-conn", daemon=True
            )
            with self._lock:
                self._threads.add(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            _Session(self, client).run()
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())


class _Session:
    """One client connection, served request by request, and its upstream connection."""

    def __init__(self, proxy: FaultProxy, client: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.client_reader = _Reader(client)
        self.upstream: socket.socket | None = None
        self.upstream_reader: _Reader | None = None
        self.reset_client = False

    def run(self) -> None:
        try:
            self.client.settimeout(_CLIENT_IDLE_TIMEOUT)
            _set_nodelay(self.client)
            while not self.proxy._stopping.is_set():
                head = _read_head(self.client_reader)
                if head is None or not self._handle(head):
                    break
        except (OSError, _ProtocolError):
            pass  # either side went away or sent garbage: drop the connection
        finally:
            self._drop_upstream()
            self.proxy._close(self.client, reset=self.reset_client)

    def _drop_upstream(self) -> None:
        if self.upstream is not None:
            self.proxy._close(self.upstream)
        self.upstream = None
        self.upstream_reader = None

    def _handle(self, head: _Head) -> bool:
        """Serve one request; False when the client connection must be closed."""
        parts = head.start_line.split()
        if len(parts) != 3:
            raise _ProtocolError(f"bad request line {head.start_line[:80]!r}")
        method = parts[0].decode("ascii", "replace").upper()
        version = parts[2].decode("ascii", "replace").upper()
        framing = _request_framing(head)
        has_body = framing != ("length", 0)
        if version == "HTTP/1.0":
            client_closes = "keep-alive" not in head.tokens("connection")
        else:
            client_closes = "close" in head.tokens("connection")

        target = parts[1].decode("ascii", "replace")
        action, detail, plan, rule = self.proxy._decide(method, target, head.headers)
        if plan.reject_checksums and any(
            k.lower().startswith(("x-amz-checksum-", "x-amz-sdk-checksum")) for k, _ in head.headers
        ):
            action = "checksum_rejected"
            self.proxy._count("checksum_rejected")

        if action == "reset" and (not has_body or detail < 0.5):
            self.proxy._count("reset_before")
            self.reset_client = True
            return False

        if version != "HTTP/1.0" and "100-continue" in head.tokens("expect"):
            self.client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.proxy._count("continue_sent")

        if action == "reset":
            self.proxy._count("reset_partial")
            self._forward_partial(head, framing, fraction=(detail - 0.5) * 2)
            self.reset_client = True
            return False

        body = b"".join(_iter_body(self.client_reader, framing))

        if action in _ERRORS:
            if self.proxy.before_error is not None:
                self.proxy.before_error(action, method, target)
            request_id = uuid.uuid4().hex[:16].upper()
            self.client.sendall(
                _error_response(action, request_id, method == "HEAD", client_closes)
            )
            return not client_closes

        if not self._waited(action, plan, rule):
            return False
        return self._forward(head, body, method, client_closes, corrupt=action == "corrupt")

    def _waited(self, action: Action, plan: FaultPlan, rule: Rule | None) -> bool:
        """Stall or hold the request as told; False if it is to be dropped instead."""
        if action == "hold" and rule is not None:
            rule.reached.set()
            while not rule.release.wait(0.1):
                if self.proxy._stopping.is_set():
                    return False
            return not rule.drop
        if action == "stall":
            if self.proxy._stopping.wait(plan.stall_seconds):
                return False
            if _peer_closed(self.client):
                # Forwarding now would race the client's retry of the same request.
                self.proxy._count("stall_dropped")
                return False
        return True

    def _forward_partial(self, head: _Head, framing: _Framing, fraction: float) -> None:
        """Send the head and a leading part of the body upstream, then hang up."""
        kind, length = framing
        budget = int((length if kind == "length" else _RECV_SIZE) * fraction)
        self._drop_upstream()
        upstream = self.proxy._open_upstream()
        try:
            upstream.sendall(head.encode(drop=frozenset({"expect"})))
            sent = 0
            for piece in _iter_body(self.client_reader, framing):
                if sent >= budget:
                    break
                part = piece[: budget - sent]
                upstream.sendall(part)
                sent += len(part)
        finally:
            self.proxy._close(upstream)

    def _upstream_connection(self) -> tuple[socket.socket, _Reader, bool]:
        if self.upstream is None or self.upstream_reader is None:
            self.upstream = self.proxy._open_upstream()
            self.upstream_reader = _Reader(self.upstream)
            return self.upstream, self.upstream_reader, False
        return self.upstream, self.upstream_reader, True

    def _send_upstream(self, request_head: bytes, body: bytes) -> tuple[_Reader, _Head]:
        """Send the request and read the final response head, retrying once if a reused
        keep-alive connection turns out to have been closed by the server."""
        for _ in range(2):
            upstream, reader, reused = self._upstream_connection()
            try:
                upstream.sendall(request_head)
                if body:
                    upstream.sendall(body)
            except OSError:
                self._drop_upstream()
                if reused:
                    continue
                raise
            response = _read_head(reader)
            if response is None:
                self._drop_upstream()
                if reused:
                    continue
                raise _ProtocolError("upstream closed without answering")
            return reader, response
        raise _ProtocolError("upstream keeps closing the connection")

    def _forward(
        self, head: _Head, body: bytes, method: str, client_closes: bool, corrupt: bool = False
    ) -> bool:
        reader, response = self._send_upstream(head.encode(drop=frozenset({"expect"})), body)
        self.proxy._count("forwarded")
        for _ in range(_MAX_INTERIM_RESPONSES):
            status = self._status(response)
            # The client already got our own 100 Continue; other interim answers are noise.
            if not 100 <= status < 200 or status == 101:
                break
            next_response = _read_head(reader)
            if next_response is None:
                raise _ProtocolError("upstream closed after an interim response")
            response = next_response
        else:
            raise _ProtocolError("too many interim responses")

        framing = _response_framing(response, method, status)
        version = response.start_line.split(None, 1)[0].upper()
        if version == b"HTTP/1.0":
            upstream_closes = "keep-alive" not in response.tokens("connection")
        else:
            upstream_closes = "close" in response.tokens("connection")
        upstream_closes = upstream_closes or framing[0] == "close"
        # Connection headers are per hop: moto (werkzeug) closes after every response,
        # but the client's connection stays open whenever the body has a known end.
        client_closes = client_closes or framing[0] == "close"
        hop_by_hop = frozenset({"connection", "keep-alive", "proxy-connection"})
        hop_by_hop |= response.tokens("connection")
        relayed = _Head(
            b"HTTP/1.1 " + response.start_line.split(None, 1)[1],
            [(k, v) for k, v in response.headers if k.lower() not in hop_by_hop],
        )
        if client_closes:
            relayed.headers.append(("Connection", "close"))

        corrupt = corrupt and 200 <= status < 300 and framing[0] == "length" and framing[1] > 0
        try:
            self.client.sendall(relayed.encode())
            for piece in _iter_body(reader, framing):
                sent = piece
                if corrupt and piece:
                    sent = bytes([piece[0] ^ 0xFF]) + piece[1:]
                    corrupt = False
                    self.proxy._count("corrupted")
                self.client.sendall(sent)
        except OSError:
            self._drop_upstream()  # left in the middle of a response
            raise
        if upstream_closes:
            self._drop_upstream()
        return not client_closes

    @staticmethod
    def _status(response: _Head) -> int:
        parts = response.start_line.split(None, 2)
        try:
            return int(parts[1])
        except (IndexError, ValueError):
            raise _ProtocolError(f"bad status line {response.start_line[:80]!r}") from None
