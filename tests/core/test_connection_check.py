"""Test connection: real servers (moto, rclone) and stub HTTP servers on 127.0.0.1 give each
kind of verdict, worded as a sentence, never as an exception."""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from s3desk.core.storage.connection_check import KINDS, Verdict, check_connection
from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint
from tests.conftest import Server
from tests.faultproxy import FaultPlan, FaultProxy

# An answer from a stub: status, headers, body.
Reply = tuple[int, dict[str, str], bytes]
Answer = Callable[[str, str, dict[str, str]], Reply]

_CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Exceeded)\b")


def assert_plain(verdict: Verdict, *secrets: str) -> None:
    """The message is a sentence for a person: no trace, no exception names, no secrets."""
    message = verdict.message
    assert verdict.kind in KINDS
    assert verdict.ok == (verdict.kind == "ok")
    assert message[:1].isupper(), message
    assert message.endswith("."), message
    assert "Traceback" not in message
    assert "botocore" not in message
    assert not _CLASS_NAME.search(message), message
    for secret in secrets:
        assert secret not in message


def s3_error(status: int, code: str, message: str, **extra: str) -> Reply:
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{fields}"
        "<RequestId>STUB</RequestId></Error>"
    )
    return status, {}, body.encode()


def bucket_list(*names: str) -> Reply:
    buckets = "".join(
        f"<Bucket><Name>{n}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>"
        for n in names
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<ListAllMyBucketsResult><Buckets>{buckets}</Buckets>"
        "<Owner><ID>stub</ID></Owner></ListAllMyBucketsResult>"
    )
    return 200, {}, body.encode()


class StubS3:
    """An HTTP server on 127.0.0.1 that answers every request with ``answer(method, path,
    headers)``; it sends only the headers it is given plus Content-Type/-Length (a Date header
    only when the answer has one), and records each request's method and path."""

    def __init__(self, answer: Answer) -> None:
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append((self.command, self.path))
                status, headers, body = answer(self.command, self.path, dict(self.headers))
                self.send_response_only(status)
                for name, value in {"Content-Type": "application/xml", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def endpoint(self, scheme: str = "http") -> S3Endpoint:
        return custom_endpoint(self.url.replace("http", scheme, 1), region="us-east-1")

    def __enter__(self) -> StubS3:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@contextlib.contextmanager
def raw_listener(on_connect: Callable[[socket.socket], None] | None) -> Iterator[str]:
    """A TCP port on 127.0.0.1. Without ``on_connect`` nobody ever accepts: the kernel still
    completes the handshake (backlog), so a client connects and then waits for an answer."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)  # lets the accept loop notice the stop
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                assert on_connect is not None
                on_connect(conn)

    thread = threading.Thread(target=accept_loop, daemon=True) if on_connect else None
    if thread:
        thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        if thread:
            thread.join()
        listener.close()


# -- real servers ---------------------------------------------------------------------------


def test_ok_lists_the_buckets(server: Server, server_bucket: str) -> None:
    verdict = check_connection(server.endpoint, timeout=5)
    assert verdict.kind == "ok"
    assert server_bucket in verdict.buckets
    assert verdict.message.startswith("Connected. These credentials can see")
    assert_plain(verdict, server.endpoint.secret_key or "testing")
    if len(verdict.buckets) > 5:  # moto is shared by the session: many buckets by now
        assert f"and {len(verdict.buckets) - 5} more" in verdict.message


def test_ok_with_the_bucket(server: Server, server_bucket: str) -> None:
    verdict = check_connection(server.endpoint, server_bucket, timeout=5)
    assert verdict.kind == "ok"
    assert verdict.message == f"Connected to bucket '{server_bucket}'."
    assert server_bucket in verdict.buckets
    assert_plain(verdict)


def test_missing_bucket(server: Server, server_bucket: str) -> None:
    verdict = check_connection(server.endpoint, "no-such-bucket-here", timeout=5)
    assert verdict.kind == "missing-bucket"
    assert "Bucket 'no-such-bucket-here' does not exist" in verdict.message
    assert server_bucket in verdict.buckets
    assert "These credentials can see" in verdict.message  # what to pick instead
    assert_plain(verdict)


def test_wrong_secret(rclone_server: Server) -> None:
    endpoint = replace(rclone_server.endpoint, secret_key="not-the-secret")
    verdict = check_connection(endpoint, timeout=5)
    assert verdict.kind == "wrong-secret"
    assert "secret access key" in verdict.message
    assert_plain(verdict, "not-the-secret", rclone_server.endpoint.secret_key or "")


def test_unknown_access_key(rclone_server: Server) -> None:
    # rclone answers 403 InvalidAccessKeyId, like AWS (to a HEAD it can only say "403").
    endpoint = replace(rclone_server.endpoint, access_key="nobody")
    verdict = check_connection(endpoint, "some-bucket", timeout=5)
    assert verdict.kind == "wrong-key"
    assert "access key ID" in verdict.message
    assert_plain(verdict, rclone_server.endpoint.secret_key or "")


def test_expired_session_token(moto_endpoint: S3Endpoint) -> None:
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan(expired=1.0)) as proxy:
        endpoint = replace(
            moto_endpoint, endpoint_url=proxy.url,
            access_key="ASIAKEY", secret_key="sekrit-key", session_token="tok-secret",
        )  # fmt: skip
        verdict = check_connection(endpoint, timeout=5)
    assert verdict.kind == "expired"
    assert "have expired" in verdict.message
    assert_plain(verdict, "sekrit-key", "tok-secret")


# -- nobody there, or something that is not S3 ---------------------------------------------


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 held by a socket that never listens: connecting is refused, and no
    other process can start listening there meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def test_unreachable_endpoint() -> None:
    with closed_port() as port:
        verdict = check_connection(custom_endpoint(f"http://127.0.0.1:{port}"), timeout=1)
    assert verdict.kind == "unreachable"
    assert f"127.0.0.1:{port}" in verdict.message
    assert_plain(verdict)


def test_connection_closed_without_an_answer_is_not_tried_again() -> None:
    connections: list[bytes] = []

    def hang_up(conn: socket.socket) -> None:
        connections.append(conn.recv(65536))

    with raw_listener(hang_up) as url:
        verdict = check_connection(custom_endpoint(url), timeout=2)
    assert verdict.kind == "unreachable"
    assert "closed the connection" in verdict.message
    assert_plain(verdict)
    # Gave up at the first failure (which is what makes it quick): one request, no retry.
    assert len(connections) == 1 and connections[0].startswith(b"GET / HTTP/1.1")


def test_silent_server_times_out() -> None:
    requests: list[bytes] = []
    hung_up = threading.Event()

    def say_nothing(conn: socket.socket) -> None:
        requests.append(conn.recv(65536))
        conn.settimeout(60)
        if conn.recv(65536) == b"":  # the check hung up first, tired of waiting
            hung_up.set()

    with raw_listener(say_nothing) as url:
        verdict = check_connection(custom_endpoint(url), timeout=0.5)
        assert hung_up.wait(60)
    assert verdict.kind == "timeout"
    assert "did not answer within 0.5 seconds" in verdict.message
    assert_plain(verdict)
    assert len(requests) == 1  # waited out once, not tried again


def test_https_to_a_plain_http_server() -> None:
    with StubS3(lambda *_: bucket_list()) as stub:
        verdict = check_connection(stub.endpoint("https"), timeout=2)
    assert verdict.kind == "tls"
    assert "https://" in verdict.message
    assert_plain(verdict)


def test_malformed_address() -> None:
    verdict = check_connection(S3Endpoint(endpoint_url="http://user:pw@"), timeout=1)
    assert verdict.kind == "failed"
    assert "not a valid URL" in verdict.message
    assert_plain(verdict, "pw")


# -- the clock ------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [3600, -3600])
@pytest.mark.parametrize("told_by", ["date-header", "error-body"])
def test_clock_skew(offset: int, told_by: str) -> None:
    def answer(method: str, path: str, headers: dict[str, str]) -> Reply:
        server_now = time.time() + offset
        if told_by == "date-header":
            status, _, body = s3_error(403, "RequestTimeTooSkewed", "Too skewed.")
            return status, {"Date": email.utils.formatdate(server_now, usegmt=True)}, body
        # As AWS does: the time the request was signed for, and the server's time; no Date.
        server_time = datetime.fromtimestamp(server_now, UTC).isoformat().replace("+00:00", "Z")
        return s3_error(
            403, "RequestTimeTooSkewed", "Too skewed.",
            RequestTime=headers["X-Amz-Date"], ServerTime=server_time,
            MaxAllowedSkewMilliseconds="900000",
        )  # fmt: skip

    with StubS3(answer) as stub:
        verdict = check_connection(stub.endpoint(), "photos", timeout=2)
    assert verdict.kind == "clock-skew"
    assert verdict.skew_seconds is not None
    assert abs(verdict.skew_seconds - offset) < 60  # the hour, give or take a slow answer
    side = "behind" if offset > 0 else "ahead of"
    assert f"clock is 1 hour {side} the storage service's clock" in verdict.message
    assert_plain(verdict)


# -- credentials that may not do everything -------------------------------------------------


def test_may_not_list_buckets_but_may_use_the_bucket() -> None:
    def answer(method: str, path: str, headers: dict[str, str]) -> Reply:
        if (method, path) == ("GET", "/"):
            return s3_error(403, "AccessDenied", "Access Denied")
        if (method, path) == ("HEAD", "/uploads"):
            return 200, {}, b""
        return s3_error(400, "Unexpected", f"the check sent {method} {path}")

    with StubS3(answer) as stub:
        verdict = check_connection(stub.endpoint(), "uploads", timeout=2)
    assert verdict.kind == "ok"
    assert verdict.message.startswith("Connected to bucket 'uploads'.")
    assert "may not list all buckets" in verdict.message
    assert verdict.buckets == ()
    assert_plain(verdict)


def test_may_not_list_buckets_and_no_bucket_named() -> None:
    with StubS3(lambda *_: s3_error(403, "AccessDenied", "Access Denied")) as stub:
        verdict = check_connection(stub.endpoint(), timeout=2)
    assert verdict.kind == "ok"
    assert "may not list buckets" in verdict.message
    assert "Enter the bucket name" in verdict.message
    assert_plain(verdict)


def test_denied_names_the_action() -> None:
    def answer(method: str, path: str, headers: dict[str, str]) -> Reply:
        if method == "HEAD":
            return 403, {}, b""  # HEAD answers carry no error code
        return s3_error(403, "AccessDenied", "Access Denied")

    with StubS3(answer) as stub:
        verdict = check_connection(stub.endpoint(), "reports", timeout=2)
        methods = [method for method, _ in stub.requests]
    assert verdict.kind == "denied"
    assert "may not list objects in bucket 'reports'" in verdict.message
    # The bare 403 to HEAD was followed by a GET whose answer says why.
    assert methods == ["GET", "HEAD", "GET"]
    assert_plain(verdict)


def test_bucket_in_another_region() -> None:
    def answer(method: str, path: str, headers: dict[str, str]) -> Reply:
        if method == "HEAD":
            return 301, {"x-amz-bucket-region": "eu-west-1"}, b""
        return bucket_list("archive")

    with StubS3(answer) as stub:
        verdict = check_connection(stub.endpoint(), "archive", timeout=2)
    assert verdict.kind == "failed"
    assert "Bucket 'archive' is in region eu-west-1" in verdict.message
    assert_plain(verdict)


# -- the local AWS set-up -------------------------------------------------------------------


def test_no_credentials(moto_endpoint: S3Endpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    verdict = check_connection(moto_endpoint, timeout=2)
    assert verdict.kind == "no-credentials"
    assert "No credentials" in verdict.message
    assert_plain(verdict)


def test_unknown_profile(moto_endpoint: S3Endpoint) -> None:
    verdict = check_connection(replace(moto_endpoint, profile="nope"), timeout=2)
    assert verdict.kind == "failed"
    assert "profile 'nope' does not exist" in verdict.message
    assert_plain(verdict)


def test_sso_profile_not_signed_in(
    moto_endpoint: S3Endpoint, sso_profile_not_signed_in: str
) -> None:
    profile = sso_profile_not_signed_in
    verdict = check_connection(replace(moto_endpoint, profile=profile), timeout=2)
    assert verdict.kind == "expired"
    assert "aws sso login --profile work" in verdict.message
    assert_plain(verdict)
