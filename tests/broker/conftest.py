"""The broker served by uvicorn on 127.0.0.1 in a thread, in front of a real S3 server, and a
plain HTTP client (http.client) for its API and for the pre-signed URLs it hands out."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from s3desk.broker.auth import Policy, TokenEntry, hash_token, new_token
from s3desk.broker.config import BrokerConfig
from s3desk.core.storage.endpoint import S3Endpoint
from tests.helpers import wait_for

MiB = 1024 * 1024
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
ELF_HEAD = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00"
PE_HEAD = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def jpeg(size: int, seed: int = 1) -> bytes:
    """``size`` bytes that start like a JPEG file, the rest varied (no two parts alike)."""
    body = bytearray(JPEG_HEAD)
    counter = seed
    while len(body) < size:
        body += hashlib.sha256(counter.to_bytes(8, "big")).digest() * 64
        counter += 1
    return bytes(body[:size])


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def declaration(name: str, data: bytes, **extra: Any) -> dict[str, Any]:
    """The create-upload request for ``data``: size, CRC32 and first 512 bytes."""
    return {
        "name": name,
        "size": len(data),
        "checksum": {"algorithm": "crc32", "value": crc32_b64(data)},
        "head": base64.b64encode(data[:512]).decode(),
        **extra,
    }


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def send(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Reply:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        # Refused before the whole body was sent: the answer is waiting to be read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read())  # fmt: skip
    finally:
        connection.close()


def put(url: str, headers: dict[str, str], data: bytes) -> Reply:
    """A pre-signed PUT as a desktop client sends it: the headers it was told, then ``data``."""
    return send("PUT", url, data, headers)


@dataclass
class Api:
    """The broker's JSON API as one user (``token``) sees it."""

    base: str
    token: str | None

    def call(self, method: str, path: str, body: Any = None, token: str | None = "") -> Reply:
        headers = {"Content-Type": "application/json"}
        bearer = self.token if token == "" else token
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        data = None if body is None else json.dumps(body).encode()
        return send(method, self.base + path, data, headers)

    def create(self, name: str, data: bytes, **extra: Any) -> Reply:
        return self.call("POST", "/v1/uploads", declaration(name, data, **extra))

    def upload(self, name: str, data: bytes, **extra: Any) -> dict[str, Any]:
        """Create, upload (single or multipart) and complete; the completion's answer."""
        created = self.create(name, data, **extra)
        assert created.status == 201, created.body
        info = created.json
        upload_id = info["upload_id"]
        if info["kind"] == "single":
            assert put(info["url"], info["headers"], data).status == 200
            done = self.call("POST", f"/v1/uploads/{upload_id}/complete", {})
        else:
            etags = self.put_parts(info, data, range(1, info["part_count"] + 1))
            parts = [{"number": n, "etag": e} for n, e in sorted(etags.items())]
            done = self.call("POST", f"/v1/uploads/{upload_id}/complete", {"parts": parts})
        assert done.status == 200, done.body
        result: dict[str, Any] = done.json
        return result

    def put_parts(self, info: dict[str, Any], data: bytes, numbers: Any) -> dict[int, str]:
        """Sign and upload parts ``numbers`` of ``data``; their ETags."""
        signed = self.call(
            "POST", f"/v1/uploads/{info['upload_id']}/parts", {"numbers": list(numbers)}
        )
        assert signed.status == 200, signed.body
        etags = {}
        size = info["part_size"]
        for part in signed.json["parts"]:
            n = part["number"]
            reply = put(part["url"], part["headers"], data[(n - 1) * size : n * size])
            assert reply.status == 200, reply.body
            etags[n] = reply.headers["etag"]
        return etags


@dataclass
class Running:
    """A broker listening on ``url``, with a token per user."""

    url: str
    app: Any
    config: BrokerConfig
    tokens: dict[str, str]
    server: Any = None
    thread: threading.Thread | None = None
    api: dict[str, Api] = field(default_factory=dict)

    def as_user(self, user: str) -> Api:
        return Api(self.url, self.tokens[user])

    @property
    def broker(self) -> Any:
        return self.app.state.broker

    def log_lines(self) -> list[dict[str, Any]]:
        assert self.config.request_log is not None
        text = self.config.request_log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    def audit(self) -> list[dict[str, Any]]:
        path = self.config.audit_log
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=30)
            assert not self.thread.is_alive(), "the broker did not stop"
            self.server = self.thread = None


def serve(app: Any) -> tuple[Any, threading.Thread, str]:
    """Run ``app`` under uvicorn in a thread on a free 127.0.0.1 port, once it is started."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), timeout=30, what="uvicorn to start")
    assert server.started, "uvicorn exited before it started serving"
    return server, thread, f"http://127.0.0.1:{port}"


def service_endpoint(broker: Running, user: str, token: str | None = None) -> S3Endpoint:
    """What an "Organisation upload service" account gives the engine: the service and a
    token. The S3 address is a closed port, so any request that bypassed the service fails."""
    return S3Endpoint(
        label="Organisation", endpoint_url="http://127.0.0.1:9", upload_service_url=broker.url,
        upload_service_token=token if token is not None else broker.tokens[user],
    )  # fmt: skip


USERS = {"alice": "staff", "bob": "staff", "carol": "small", "dave": "anything"}


def broker_config(
    tmp_path: Path, endpoint: S3Endpoint, bucket: str, **overrides: Any
) -> tuple[BrokerConfig, dict[str, str]]:
    tokens = {user: new_token() for user in USERS}
    policies = {
        "staff": Policy("staff", bucket, "uploads/{user}/", 64 * MiB,
                        frozenset({"jpg", "jpeg", "png", "pdf", "txt"})),
        "small": Policy("small", bucket, "small/{user}/", 12 * MiB, frozenset({"jpg"})),
        "anything": Policy("anything", bucket, "any/{user}/", 64 * MiB, frozenset({"*"})),
    }  # fmt: skip
    config = BrokerConfig(
        endpoint=endpoint,
        policies=policies,
        tokens=tuple(
            TokenEntry(user, policy, bytes.fromhex(hash_token(tokens[user])))
            for user, policy in USERS.items()
        ),
        state_db=tmp_path / "state.sqlite3",
        audit_log=tmp_path / "audit.jsonl",
        request_log=tmp_path / "requests.jsonl",
        multipart_threshold=6 * MiB,
        part_size=5 * MiB,
        sweep_interval=3600,
        verifies_checksums=False,  # moto stores what it is told without checking it
    )
    return replace(config, **overrides), tokens


StartBroker = Callable[..., Running]


@pytest.fixture(scope="session")
def moto_broker_client(moto_endpoint: S3Endpoint) -> Any:
    """The service's S3 client on moto, made once: building one costs a few hundred ms."""
    from s3desk.core.storage.endpoint import make_client

    return make_client(moto_endpoint, max_connections=50, attempts=3)


@pytest.fixture
def start_broker(
    tmp_path: Path, moto_endpoint: S3Endpoint, bucket: str, moto_broker_client: Any
) -> Iterator[StartBroker]:
    """Start a broker (config overrides as keywords; ``endpoint`` and ``bucket`` too);
    stopped after the test. Starting twice with the same ``tmp_path`` reuses its state."""
    from s3desk.broker.api import create_app

    running: list[Running] = []
    tokens_once: dict[str, str] = {}

    def start(
        *, endpoint: S3Endpoint | None = None, target_bucket: str | None = None, **overrides: Any
    ) -> Running:
        clock = overrides.pop("clock", None)
        client = overrides.pop("client", None if endpoint else moto_broker_client)
        config, tokens = broker_config(
            tmp_path, endpoint or moto_endpoint, target_bucket or bucket, **overrides
        )
        if tokens_once:  # a restart: the same users keep their tokens
            config = replace(config, tokens=tuple(
                TokenEntry(u, p, bytes.fromhex(hash_token(tokens_once[u])))
                for u, p in USERS.items()
            ))  # fmt: skip
            tokens = tokens_once
        tokens_once.update(tokens)
        kwargs: dict[str, Any] = {"client": client}
        if clock is not None:
            kwargs["clock"] = clock
        app = create_app(config, **kwargs)
        server, thread, url = serve(app)
        instance = Running(url, app, config, tokens, server, thread)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        instance.stop()


@pytest.fixture
def broker(start_broker: StartBroker) -> Running:
    return start_broker()


@pytest.fixture
def alice(broker: Running) -> Api:
    return broker.as_user("alice")
