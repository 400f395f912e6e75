"""The fault-injecting proxy used by the engine's failure tests, against a real S3 server
(moto) on 127.0.0.1, so the engine's tests can trust what it does."""

from __future__ import annotations

import http.client
import http.server
import os
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import boto3
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from s3desk.core.storage.endpoint import S3Endpoint
from tests.faultproxy import FaultPlan, FaultProxy
from tests.helpers import list_keys, read_object, wait_for

MiB = 1024 * 1024


def _client(url: str, *, attempts: int = 1, read_timeout: float = 5.0, pool: int = 10) -> Any:
    # total_max_attempts counts the first try; botocore's max_attempts counts retries only,
    # so max_attempts=1 would still retry once.
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            read_timeout=read_timeout,
            connect_timeout=2,
            max_pool_connections=pool,
            s3={"addressing_style": "path"},
        ),
    )


@pytest.fixture
def proxy(moto_endpoint: S3Endpoint) -> Iterator[FaultProxy]:
    assert moto_endpoint.endpoint_url is not None
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        yield proxy
    assert proxy.threads() == [], "stop() left proxy threads running"


def _multipart(client: Any, bucket: str, key: str, parts: list[bytes]) -> None:
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        etag = client.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data
        )["ETag"]
        done.append({"ETag": etag, "PartNumber": number})
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
    )


# -- without faults ----------------------------------------------------------------------


def test_requests_pass_through_byte_identical_on_one_connection(
    proxy: FaultProxy, s3: Any, bucket: str
) -> None:
    client = _client(proxy.url, pool=1)  # one pooled connection: every call must reuse it
    small = os.urandom(100 * 1024)
    parts = [os.urandom(5 * MiB), os.urandom(1 * MiB)]

    client.put_object(Bucket=bucket, Key="small.bin", Body=small)
    client.put_object(Bucket=bucket, Key="empty.bin", Body=b"")
    assert client.get_object(Bucket=bucket, Key="small.bin")["Body"].read() == small
    ranged = client.get_object(Bucket=bucket, Key="small.bin", Range="bytes=10-19")
    assert ranged["Body"].read() == small[10:20]
    assert client.head_object(Bucket=bucket, Key="small.bin")["ContentLength"] == len(small)
    _multipart(client, bucket, "big.bin", parts)
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert {o["Key"]: o["Size"] for o in listed} == {
        "big.bin": 6 * MiB,
        "empty.bin": 0,
        "small.bin": len(small),
    }
    client.delete_object(Bucket=bucket, Key="empty.bin")  # a 204 without a body

    assert read_object(s3, bucket, "small.bin") == small
    assert read_object(s3, bucket, "big.bin") == b"".join(parts)
    assert list_keys(s3, bucket) == ["big.bin", "small.bin"]
    stats = proxy.stats()
    assert stats["requests"] == 11
    assert stats["forwarded"] == 11
    assert stats["faults"] == 0
    assert stats["connections"] == 1
    # boto3 sends Expect: 100-continue with every PutObject and UploadPart body.
    assert stats["continue_sent"] == 4


def test_chunked_request_body_and_keep_alive(proxy: FaultProxy, s3: Any, bucket: str) -> None:
    data = os.urandom(300 * 1024)
    host, port = proxy.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        pieces = (data[i : i + 70_000] for i in range(0, len(data), 70_000))
        conn.request("PUT", f"/{bucket}/chunked.bin", body=pieces, encode_chunked=True)
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        # moto refuses anonymous reads, so this one needs a signature.
        get = AWSRequest("GET", f"{proxy.url}/{bucket}/chunked.bin")
        S3SigV4Auth(Credentials("testing", "testing"), "s3", "us-east-1").add_auth(get)
        conn.request("GET", f"/{bucket}/chunked.bin", headers=dict(get.headers))
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == data
    finally:
        conn.close()
    assert read_object(s3, bucket, "chunked.bin") == data
    assert proxy.stats()["connections"] == 1


class _FramingHandler(http.server.BaseHTTPRequestHandler):
    """Answers with the response framings moto never uses: chunked and read-until-close."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"hello ", b"chunked ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        else:
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until close")
            self.close_connection = True

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "12345")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_response_framings_beyond_content_length() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FramingHandler)
    server.daemon_threads = True
    serving = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    serving.start()
    try:
        with FaultProxy("127.0.0.1", server.server_address[1]) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                conn.request("GET", "/chunked")
                assert conn.getresponse().read() == b"hello chunked world"
                conn.request("HEAD", "/anything")
                head = conn.getresponse()
                assert head.getheader("Content-Length") == "12345"
                assert head.read() == b""
                conn.request("GET", "/close")
                last = conn.getresponse()
                assert last.getheader("Connection") == "close"
                assert last.read() == b"until close"
            finally:
                conn.close()
            stats = proxy.stats()
            assert stats["connections"] == 1
            assert stats["forwarded"] == 3
    finally:
        server.shutdown()
        server.server_close()


# -- one fault at a time -------------------------------------------------------------------


def _raises_connection_closed(call: Callable[[], Any]) -> None:
    with pytest.raises(ConnectionClosedError):
        call()


def _raises_client_error(code: str, status: int) -> Callable[[Callable[[], Any]], None]:
    def check(call: Callable[[], Any]) -> None:
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == code
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status

    return check


@pytest.mark.parametrize(
    ("kind", "plan", "check"),
    [
        ("reset", FaultPlan(reset=1.0), _raises_connection_closed),
        ("error500", FaultPlan(error500=1.0), _raises_client_error("InternalError", 500)),
        ("slowdown", FaultPlan(slowdown=1.0), _raises_client_error("SlowDown", 503)),
    ],
    ids=["reset", "error500", "slowdown"],
)
def test_each_fault_reaches_the_client_and_is_counted(
    proxy: FaultProxy,
    s3: Any,
    bucket: str,
    kind: str,
    plan: FaultPlan,
    check: Callable[[Callable[[], Any]], None],
) -> None:
    proxy.plan = plan
    client = _client(proxy.url)
    for n in range(6):
        check(partial(client.put_object, Bucket=bucket, Key=f"k{n}", Body=b"x" * 50_000))
    check(partial(client.list_objects_v2, Bucket=bucket))

    stats = proxy.stats()
    assert stats[kind] == 7
    assert stats["requests"] == 7
    assert stats["faults"] == 7
    assert stats["forwarded"] == 0
    if kind == "reset":
        # Both variants happen: nothing sent upstream, and a truncated body sent upstream.
        assert stats["reset_before"] >= 1
        assert stats["reset_partial"] >= 1
    assert list_keys(s3, bucket) == []

    proxy.plan = FaultPlan()  # faults off: the same client gets through again
    client.put_object(Bucket=bucket, Key="after.bin", Body=b"ok")
    assert read_object(s3, bucket, "after.bin") == b"ok"
    assert proxy.stats()[kind] == 7


def test_error_reply_to_head_has_no_body(proxy: FaultProxy, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    proxy.plan = FaultPlan(error500=1.0)
    client = _client(proxy.url, pool=1)
    for _ in range(2):  # the second call only works if the first left the connection clean
        with pytest.raises(ClientError) as caught:
            client.head_object(Bucket=bucket, Key="k")
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert proxy.stats()["connections"] == 1


def test_stall_times_out_a_client_with_a_short_read_timeout(
    proxy: FaultProxy, s3: Any, bucket: str
) -> None:
    proxy.plan = FaultPlan(stall=1.0, stall_seconds=1.0)
    client = _client(proxy.url, read_timeout=0.3)
    with pytest.raises(ReadTimeoutError):
        client.put_object(Bucket=bucket, Key="stalled.bin", Body=b"x" * 1000)
    assert proxy.stats()["stall"] == 1
    # Once the stall is over the client has hung up, so the request is dropped rather than
    # forwarded late, where it could overtake the client's own retry.
    wait_for(lambda: proxy.stats()["stall_dropped"] == 1, timeout=10, what="the stall to end")
    assert proxy.stats()["forwarded"] == 0
    assert list_keys(s3, bucket) == []


def test_stall_only_delays_a_patient_client(proxy: FaultProxy, s3: Any, bucket: str) -> None:
    proxy.plan = FaultPlan(stall=1.0, stall_seconds=5)
    client = _client(proxy.url, read_timeout=60)
    caller = threading.Thread(
        target=lambda: client.put_object(Bucket=bucket, Key="slow.bin", Body=b"patience")
    )
    caller.start()
    try:
        wait_for(lambda: proxy.stats()["stall"] == 1, timeout=30, what="the stall to begin")
        # Held, not lost: the server has not seen it yet, and the client still waits.
        assert proxy.stats()["forwarded"] == 0
        assert list_keys(s3, bucket) == []
        assert caller.is_alive()
    finally:
        caller.join(60)
    assert not caller.is_alive()
    assert read_object(s3, bucket, "slow.bin") == b"patience"
    stats = proxy.stats()
    assert (stats["stall"], stats["forwarded"], stats["stall_dropped"]) == (1, 1, 0)


def test_stop_interrupts_a_stall(moto_endpoint: S3Endpoint, bucket: str) -> None:
    assert moto_endpoint.endpoint_url is not None
    proxy = FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan(stall=1.0, stall_seconds=60))
    client = _client(proxy.start(), read_timeout=120)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.list_objects_v2(Bucket=bucket)
        except BaseException as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    try:
        wait_for(lambda: proxy.stats()["stall"] == 1, timeout=10, what="the stall to begin")
        proxy.stop()
        # Every thread has ended inside stop()'s wait: the 60-second stall was cut short.
        assert proxy.threads() == []
    finally:
        proxy.stop()
        caller.join(10)
    assert not caller.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConnectionClosedError)
    assert proxy.threads() == []


# -- configuration --------------------------------------------------------------------------


def _outcomes(moto_endpoint: S3Endpoint, bucket: str, plan: FaultPlan) -> list[bool]:
    assert moto_endpoint.endpoint_url is not None
    with FaultProxy.for_url(moto_endpoint.endpoint_url, plan) as proxy:
        client = _client(proxy.url)
        results = []
        for _ in range(20):
            try:
                client.list_objects_v2(Bucket=bucket)
                results.append(True)
            except ClientError:
                results.append(False)
    return results


def test_same_seed_gives_the_same_faults(moto_endpoint: S3Endpoint, bucket: str) -> None:
    first = _outcomes(moto_endpoint, bucket, FaultPlan(error500=0.5, seed=7))
    again = _outcomes(moto_endpoint, bucket, FaultPlan(error500=0.5, seed=7))
    other = _outcomes(moto_endpoint, bucket, FaultPlan(error500=0.5, seed=8))
    assert first == again
    assert first != other
    assert True in first
    assert False in first


def test_only_methods_limits_the_faults(proxy: FaultProxy, s3: Any, bucket: str) -> None:
    proxy.plan = FaultPlan(error500=1.0, only_methods=frozenset({"put"}))
    client = _client(proxy.url)
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    with pytest.raises(ClientError):
        client.put_object(Bucket=bucket, Key="k2", Body=b"data")
    stats = proxy.stats()
    assert (stats["requests"], stats["error500"], stats["forwarded"]) == (2, 1, 1)


def test_plan_and_upstream_are_validated() -> None:
    with pytest.raises(ValueError, match="add up"):
        FaultPlan(reset=0.6, error500=0.6)
    with pytest.raises(ValueError, match="within"):
        FaultPlan(stall=-0.1)
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy("192.0.2.1", 80)
    with pytest.raises(ValueError, match="loopback"):
        FaultProxy.for_url("http://example.com:80")


# -- many faults at once -----------------------------------------------------------------


def test_retrying_client_gets_everything_through_mixed_faults(
    proxy: FaultProxy, s3: Any, bucket: str
) -> None:
    proxy.plan = FaultPlan(
        reset=0.1, error500=0.1, slowdown=0.1, stall=0.04, stall_seconds=2.0, seed=3
    )
    client = _client(proxy.url, attempts=10, read_timeout=1.0)
    rng = random.Random(5)
    objects = {f"small/{n:02d}.bin": rng.randbytes(rng.randrange(0, 64 * 1024)) for n in range(30)}
    parts = [rng.randbytes(5 * MiB), rng.randbytes(1 * MiB)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [
            pool.submit(client.put_object, Bucket=bucket, Key=key, Body=data)
            for key, data in objects.items()
        ]
        jobs.append(pool.submit(_multipart, client, bucket, "big.bin", parts))
        for job in jobs:
            job.result()

    proxy.plan = FaultPlan()
    for key, data in objects.items():
        assert read_object(s3, bucket, key) == data, key
    assert read_object(s3, bucket, "big.bin") == b"".join(parts)
    assert list_keys(s3, bucket) == sorted([*objects, "big.bin"])

    stats = proxy.stats()
    assert stats["requests"] >= 34
    for kind in ("reset", "error500", "slowdown"):
        assert stats[kind] >= 1, stats
    assert stats["faults"] >= 0.1 * stats["requests"], stats
