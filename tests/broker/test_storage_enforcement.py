"""What the storage itself enforces on the service's pre-signed URLs, against rclone's S3
server, which checks SigV4 signatures and expiry as S3 does (moto checks neither).

These also prove that the headers the service tells a client to send are exactly the ones it
signed: on a server that checks signatures, one header too many or too few fails.
"""

from __future__ import annotations

import datetime
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.broker.conftest import Api, MiB, Running, StartBroker, jpeg, put
from tests.conftest import Server
from tests.helpers import list_keys, multipart_uploads, read_object, wait_for


@pytest.fixture
def on_rclone(start_broker: StartBroker, rclone_server: Server, rclone_bucket: str) -> Running:
    # rclone stores checksum headers without checking them: the service downloads to check.
    return start_broker(
        endpoint=rclone_server.endpoint, target_bucket=rclone_bucket, verifies_checksums=False
    )


def _expiry(answer: dict[str, Any]) -> float:
    return datetime.datetime.fromisoformat(answer["expires"]).timestamp()


def _lifetime(url: str) -> str:
    """The seconds a pre-signed URL is valid for, as signed into it."""
    return parse_qs(urlsplit(url).query)["X-Amz-Expires"][0]


def test_uploads_through_a_server_that_checks_signatures(
    on_rclone: Running, rclone_server: Server, rclone_bucket: str
) -> None:
    alice = on_rclone.as_user("alice")
    small, large = jpeg(70_000), jpeg(11 * MiB, seed=5)
    assert alice.upload("small.jpg", small)["checksum_verified"] is True
    assert alice.upload("large.jpg", large)["checksum_verified"] is True
    client = rclone_server.client
    assert read_object(client, rclone_bucket, "uploads/alice/small.jpg") == small
    assert read_object(client, rclone_bucket, "uploads/alice/large.jpg") == large


@pytest.mark.parametrize("sent_size", [2000, 999], ids=["more", "fewer"])
def test_a_body_of_another_length_than_signed_is_refused_by_the_storage(
    on_rclone: Running, rclone_server: Server, rclone_bucket: str, sent_size: int
) -> None:
    alice = on_rclone.as_user("alice")
    declared = jpeg(1000)
    info = alice.create("photo.jpg", declared).json
    refused = put(
        info["url"], {**info["headers"], "Content-Length": str(sent_size)}, jpeg(sent_size)
    )
    assert refused.status == 403
    assert b"SignatureDoesNotMatch" in refused.body
    assert list_keys(rclone_server.client, rclone_bucket) == []
    done = alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {})
    assert (done.status, done.json["error"]) == (409, "not_uploaded")
    # The same URL still takes the declared bytes.
    assert put(info["url"], info["headers"], declared).status == 200
    assert alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {}).status == 200


def test_a_part_of_another_length_than_signed_is_refused_by_the_storage(
    on_rclone: Running, rclone_server: Server, rclone_bucket: str
) -> None:
    alice = on_rclone.as_user("alice")
    data = jpeg(11 * MiB)
    info = alice.create("photo.jpg", data).json
    signed = alice.call("POST", f"/v1/uploads/{info['upload_id']}/parts", {"numbers": [3]})
    [part3] = signed.json["parts"]
    bigger = jpeg(2 * MiB)
    reply = put(part3["url"], {"Content-Length": str(len(bigger))}, bigger)
    assert reply.status == 403
    listed = alice.call("GET", f"/v1/uploads/{info['upload_id']}/parts").json["parts"]
    assert listed == []


def test_an_expired_url_is_refused_by_the_storage(
    start_broker: StartBroker, rclone_server: Server, rclone_bucket: str
) -> None:
    on_storage = {"endpoint": rclone_server.endpoint, "target_bucket": rclone_bucket,
                  "verifies_checksums": False}  # fmt: skip
    broker = start_broker(url_lifetime=1, **on_storage)
    alice: Api = broker.as_user("alice")
    data = jpeg(1000)
    info = alice.create("photo.jpg", data).json
    multi = alice.create("big.jpg", jpeg(11 * MiB)).json
    signed = alice.call("POST", f"/v1/uploads/{multi['upload_id']}/parts", {"numbers": [3]}).json
    [part] = signed["parts"]
    assert {_lifetime(info["url"]), _lifetime(part["url"])} == {"1"}
    expires = max(_expiry(info), _expiry(signed))
    wait_for(lambda: time.time() > expires, timeout=10, what="the URLs to expire")

    refused = put(info["url"], info["headers"], data)
    assert refused.status in (400, 403), refused.body
    assert b"AccessDenied" in refused.body
    assert put(part["url"], part["headers"], jpeg(1 * MiB)).status in (400, 403)
    assert list_keys(rclone_server.client, rclone_bucket) == []

    # A fresh URL for the same upload works. Signed for the default lifetime, by the same
    # service restarted on its state: a one-second URL could expire before it is used.
    broker.stop()
    alice = start_broker(**on_storage).as_user("alice")
    fresh = alice.call("GET", f"/v1/uploads/{info['upload_id']}").json
    assert _lifetime(fresh["url"]) == "900"
    assert put(fresh["url"], fresh["headers"], data).status == 200
    assert alice.call("POST", f"/v1/uploads/{info['upload_id']}/complete", {}).status == 200
    assert alice.call("GET", f"/v1/uploads/{multi['upload_id']}/parts").json["parts"] == []
    assert alice.call("DELETE", f"/v1/uploads/{multi['upload_id']}").status == 200
    assert multipart_uploads(rclone_server.client, rclone_bucket) == []
