"""The engines' lean path (PutObject, HeadObject, GetObject): same results and same errors
as botocore."""

from __future__ import annotations

import http.server
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint, make_client, make_session
from s3desk.core.storage.lean_s3 import LeanBody, LeanS3, NotServed
from s3desk.core.transfer.download.engine import describe_download_error
from s3desk.core.transfer.download.plan import DownloadItem
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.conftest import NewBucket, Server
from tests.helpers import read_object

QUICK = EngineConfig(concurrency=2, max_attempts=2, backoff_base=0.01, connect_timeout=2)

ODD_KEYS = [
    "plain.txt",
    "with space & plus+sign.txt",
    "percent%20and~tilde.txt",
    "ünïcödé/日本語/файл.txt",
    "question?hash#semi;colon=eq.txt",
    "a/../dots/./kept.txt",  # goes through botocore: an HTTP library might rewrite it
    "trailing/slash/",
]


def _upload(endpoint: S3Endpoint, bucket: str, files: dict[str, Path]) -> dict[str, Any]:
    engine = UploadEngine(endpoint, QUICK)
    try:
        ids = {key: engine.submit_file(path, bucket, key) for key, path in files.items()}
        assert engine.wait(60)
        return {key: engine.job(job_id) for key, job_id in ids.items()}
    finally:
        engine.shutdown()


def test_odd_keys_arrive_under_exactly_their_names(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    files: dict[str, Path] = {}
    for n, key in enumerate(ODD_KEYS):
        path = tmp_path / f"f{n}"
        path.write_bytes(f"content of {key}".encode())
        files[key] = path
    jobs = _upload(server.endpoint, server_bucket, files)
    stored = list(ODD_KEYS)
    if server.name == "rclone":
        # rclone stores objects as files and refuses dot segments: said so, not hidden.
        dots = jobs.pop("a/../dots/./kept.txt")
        stored.remove("a/../dots/./kept.txt")
        assert dots.state is JobState.FAILED
        assert "unsupported characters" in dots.error
    assert {key: (job.state, job.error) for key, job in jobs.items()} == {
        key: (JobState.DONE, "") for key in stored
    }
    for key in stored:
        assert read_object(server.client, server_bucket, key) == f"content of {key}".encode()


def test_content_type_and_checksum_reach_the_server(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    (tmp_path / "page.html").write_text("<p>hello</p>")
    jobs = _upload(server.endpoint, server_bucket, {"page.html": tmp_path / "page.html"})
    assert jobs["page.html"].state is JobState.DONE
    head = server.client.head_object(Bucket=server_bucket, Key="page.html", ChecksumMode="ENABLED")
    assert head["ContentType"] == "text/html"
    assert head["ContentLength"] == len("<p>hello</p>")


def test_a_session_token_goes_with_a_signature_the_server_accepts(
    rclone_server: Server, new_bucket: NewBucket, tmp_path: Path
) -> None:
    # rclone checks every signature: a token header signed wrongly or not sent would fail.
    bucket = new_bucket(rclone_server.client)
    endpoint = replace(rclone_server.endpoint, session_token="a-session-token")
    (tmp_path / "a.txt").write_text("a")
    jobs = _upload(endpoint, bucket, {"a.txt": tmp_path / "a.txt"})
    assert (jobs["a.txt"].state, jobs["a.txt"].error) == (JobState.DONE, "")
    assert read_object(rclone_server.client, bucket, "a.txt") == b"a"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"secret_key": "not-the-secret"}, "The secret access key is wrong"),
        ({"access_key": "UNKNOWNKEY"}, "access key"),
    ],
    ids=["wrong-secret", "unknown-key"],
)
def test_wrong_credentials_fail_at_once_with_the_fix(
    rclone_server: Server,
    new_bucket: NewBucket,
    tmp_path: Path,
    change: dict[str, str],
    message: str,
) -> None:
    bucket = new_bucket(rclone_server.client)
    (tmp_path / "a.txt").write_text("a")
    jobs = _upload(replace(rclone_server.endpoint, **change), bucket, {"a.txt": tmp_path / "a.txt"})
    job = jobs["a.txt"]
    assert job.state is JobState.FAILED
    assert message in job.error
    assert "Retrying" not in job.note


def test_an_unreachable_server_is_retried_then_explained(bucket: str, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "a.txt").write_text("a")
    endpoint = custom_endpoint(f"http://127.0.0.1:{port}", region="us-east-1")
    jobs = _upload(endpoint, bucket, {"a.txt": tmp_path / "a.txt"})
    job = jobs["a.txt"]
    assert job.state is JobState.FAILED
    assert job.error.startswith("Cannot reach the storage service")


class _Redirecting(http.server.BaseHTTPRequestHandler):
    """Answers every PUT the way S3 answers a request sent to the wrong region."""

    hits = 0

    def do_PUT(self) -> None:
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (
            b"<Error><Code>PermanentRedirect</Code><Message>Use the other endpoint</Message>"
            b"<Endpoint>elsewhere.example</Endpoint></Error>"
        )
        self.send_response(301)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def redirecting_server() -> Iterator[str]:
    _Redirecting.hits = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_hands_the_bucket_to_botocore(redirecting_server: str) -> None:
    endpoint = custom_endpoint(redirecting_server, region="us-east-1")
    session = make_session(endpoint)
    sender = LeanS3(
        endpoint, session, lambda: make_client(endpoint, 2, session=session),
        max_connections=2, connect_timeout=2, read_timeout=5,
    )  # fmt: skip
    try:
        with pytest.raises(NotServed):
            sender.put("bucket", "a.txt", b"a", {"content-type": "text/plain"})
        assert _Redirecting.hits == 1
        # From now on this bucket goes through botocore, without asking the server again.
        with pytest.raises(NotServed):
            sender.put("bucket", "b.txt", b"b", {"content-type": "text/plain"})
        assert _Redirecting.hits == 1
    finally:
        sender.close()


def test_head_tells_taken_names_from_free_ones(server: Server, server_bucket: str) -> None:
    server.client.put_object(Bucket=server_bucket, Key="taken/ä b.txt", Body=b"x")
    session = make_session(server.endpoint)
    sender = LeanS3(
        server.endpoint, session, lambda: make_client(server.endpoint, 2, session=session),
        max_connections=2, connect_timeout=2, read_timeout=5,
    )  # fmt: skip
    seen: list[str] = []
    sender.hooks.append(seen.append)
    try:
        assert sender.exists(server_bucket, "taken/ä b.txt")
        assert not sender.exists(server_bucket, "free/ä b.txt")
    finally:
        sender.close()
    assert seen == ["HeadObject", "HeadObject"]  # both went the lean way


def test_https_to_a_plain_http_server_fails_at_once_as_a_tls_problem(
    redirecting_server: str, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    endpoint = custom_endpoint(
        redirecting_server.replace("http://", "https://"), region="us-east-1"
    )
    jobs = _upload(endpoint, "bucket", {"a.txt": tmp_path / "a.txt"})
    assert jobs["a.txt"].state is JobState.FAILED
    assert jobs["a.txt"].error.startswith("Secure connection failed")
    assert "Retrying" not in jobs["a.txt"].note


# ----------------------------------------------------------------------------- GetObject

GET_KEYS = [k for k in ODD_KEYS if k != "a/../dots/./kept.txt" and not k.endswith("/")]


def _sender(endpoint: S3Endpoint, max_connections: int = 2) -> LeanS3:
    session = make_session(endpoint)
    return LeanS3(
        endpoint, session, lambda: make_client(endpoint, 2, session=session),
        max_connections=max_connections, connect_timeout=2, read_timeout=5,
    )  # fmt: skip


def _read_all(body: LeanBody) -> bytes:
    chunks = []
    buffer = memoryview(bytearray(4096))
    while n := body.readinto(buffer):
        chunks.append(bytes(buffer[:n]))
    return b"".join(chunks)


def test_get_answers_with_the_bytes_botocore_reads(server: Server, server_bucket: str) -> None:
    bodies = {key: os.urandom(5000) + key.encode() for key in GET_KEYS}
    for key, body in bodies.items():
        server.client.put_object(Bucket=server_bucket, Key=key, Body=body)
    sender = _sender(server.endpoint)
    seen: list[str] = []
    sender.hooks.append(seen.append)
    try:
        for key, body in bodies.items():
            listed = server.client.head_object(Bucket=server_bucket, Key=key)["ETag"]
            assert read_object(server.client, server_bucket, key) == body
            whole = sender.get(server_bucket, key, {"if-match": listed})
            assert (whole.status, whole.data, whole.headers["etag"]) == (200, body, listed)
            part = sender.get(server_bucket, key, {"if-match": listed, "range": "bytes=10-19"})
            ranged = server.client.get_object(Bucket=server_bucket, Key=key, Range="bytes=10-19")
            # 206 from moto; rclone says 200, with the range's bytes and Content-Range
            status = ranged["ResponseMetadata"]["HTTPStatusCode"]
            assert (part.status, part.data) == (status, body[10:20])
            assert part.headers["content-range"] == ranged["ContentRange"]
            stream = sender.get_stream(server_bucket, key, {"range": "bytes=100-"})
            assert stream.length == len(body) - 100
            assert stream.headers["content-range"] == f"bytes 100-{len(body) - 1}/{len(body)}"
            assert _read_all(stream) == body[100:]
        with pytest.raises(NotServed):  # a path an HTTP library might rewrite: botocore's
            sender.get(server_bucket, "a/../dots/./kept.txt", {})
    finally:
        sender.close()
    assert seen == ["GetObject"] * 3 * len(bodies)  # all went the lean way, hooks called


def test_a_get_naming_an_old_etag_fails_as_botocores_does(
    server: Server, server_bucket: str
) -> None:
    server.client.put_object(Bucket=server_bucket, Key="doc.txt", Body=b"the new version")
    old = '"' + "0" * 32 + '"'
    item = DownloadItem(server_bucket, "doc.txt", 15, "0" * 32, "/nowhere/doc.txt")
    sender = _sender(server.endpoint, max_connections=1)
    try:
        if server.name == "rclone":
            # rclone ignores If-Match and answers with the object as it is now (its ETag
            # tells; the download engine checks it), exactly as it does for botocore.
            answer = sender.get(server_bucket, "doc.txt", {"if-match": old})
            boto = server.client.get_object(Bucket=server_bucket, Key="doc.txt", IfMatch=old)
            assert (answer.status, answer.data) == (200, boto["Body"].read())
            assert answer.headers["etag"] == boto["ETag"] != old
            return
        with pytest.raises(ClientError) as by_botocore:
            server.client.get_object(Bucket=server_bucket, Key="doc.txt", IfMatch=old)
        with pytest.raises(ClientError) as whole:
            sender.get(server_bucket, "doc.txt", {"if-match": old})
        with pytest.raises(ClientError) as streamed:
            sender.get_stream(server_bucket, "doc.txt", {"if-match": old, "range": "bytes=0-3"})
        expected = by_botocore.value.response["Error"]
        for caught in (whole, streamed):
            error = caught.value.response["Error"]
            assert {k: error[k] for k in ("Code", "Message")} == {
                k: expected[k] for k in ("Code", "Message")
            }
            assert error["Code"] == "PreconditionFailed"
            assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
            assert describe_download_error(caught.value, item) == describe_download_error(
                by_botocore.value, item
            )
        # The error answers were read to their end: the one connection serves the next GET.
        assert sender.get(server_bucket, "doc.txt", {}).data == b"the new version"
    finally:
        sender.close()


def test_a_version_is_fetched_by_its_id(s3: Any, bucket: str, moto_endpoint: S3Endpoint) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v.txt", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="v.txt", Body=b"two")
    sender = _sender(moto_endpoint)
    try:
        assert sender.get(bucket, "v.txt", {}, version_id=first).data == b"one"
        assert _read_all(sender.get_stream(bucket, "v.txt", {}, version_id=first)) == b"one"
        assert sender.get(bucket, "v.txt", {}).data == b"two"
    finally:
        sender.close()


@pytest.mark.parametrize("version", ["null", "a b+c/=~"])
def test_a_version_id_is_signed_as_botocore_signs_it(
    rclone_server: Server, new_bucket: NewBucket, version: str
) -> None:
    # rclone checks every signature, query string included, and has no versions: whatever
    # it answers botocore, it answers the lean sender (not SignatureDoesNotMatch).
    bucket = new_bucket(rclone_server.client)
    rclone_server.client.put_object(Bucket=bucket, Key="k", Body=b"k")
    sender = _sender(rclone_server.endpoint)
    try:
        try:
            expected: Any = rclone_server.client.get_object(
                Bucket=bucket, Key="k", VersionId=version
            )["Body"].read()
        except ClientError as exc:
            expected = exc.response["Error"]["Code"]
        try:
            got: Any = sender.get(bucket, "k", {}, version_id=version).data
        except ClientError as exc:
            got = exc.response["Error"]["Code"]
    finally:
        sender.close()
    assert got == expected
    assert got != "SignatureDoesNotMatch"


def test_a_body_read_to_its_end_frees_its_connection_and_an_unread_one_does_not(
    rclone_server: Server,
    new_bucket: NewBucket,
) -> None:
    """rclone keeps connections alive (moto closes each one); the proxy counts them."""
    from tests.faultproxy import FaultProxy

    bucket = new_bucket(rclone_server.client)
    big = os.urandom(3 * 1024 * 1024)
    rclone_server.client.put_object(Bucket=bucket, Key="big.bin", Body=big)
    rclone_server.client.put_object(Bucket=bucket, Key="small.txt", Body=b"small")
    assert rclone_server.endpoint.endpoint_url
    with FaultProxy.for_url(rclone_server.endpoint.endpoint_url) as proxy:
        sender = _sender(replace(rclone_server.endpoint, endpoint_url=proxy.url), 1)
        try:
            assert _read_all(sender.get_stream(bucket, "big.bin", {})) == big
            assert sender.get(bucket, "small.txt", {}).data == b"small"
            assert proxy.stats()["connections"] == 1  # the same connection, reused
            stream = sender.get_stream(bucket, "big.bin", {})
            assert stream.readinto(memoryview(bytearray(1000))) == 1000
            stream.close()  # most of the body unread: its connection must not be reused
            assert sender.get(bucket, "small.txt", {}).data == b"small"
            assert proxy.stats()["connections"] == 2
        finally:
            sender.close()


@pytest.mark.parametrize(
    ("proxy_env", "served"),
    [
        ({}, True),
        ({"http_proxy": "http://127.0.0.1:9"}, False),  # botocore would use the proxy
        ({"HTTP_PROXY": "http://127.0.0.1:9"}, False),
        ({"http_proxy": "http://127.0.0.1:9", "no_proxy": "127.0.0.1"}, True),
        ({"https_proxy": "http://127.0.0.1:9"}, True),  # not for plain HTTP
    ],
)
def test_a_proxy_from_the_environment_leaves_the_bucket_to_botocore(
    rclone_server: Server, rclone_bucket: str, proxy_env: dict[str, str], served: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    for name, value in proxy_env.items():
        monkeypatch.setenv(name, value)
    sender = _sender(rclone_server.endpoint)
    try:
        if served:
            sender.put(rclone_bucket, "proxy.txt", b"p", {"content-type": "text/plain"})
            assert read_object(rclone_server.client, rclone_bucket, "proxy.txt") == b"p"
        else:
            with pytest.raises(NotServed):
                sender.put(rclone_bucket, "proxy.txt", b"p", {"content-type": "text/plain"})
    finally:
        sender.close()
