"""The listing downloads are planned from, through the download engine's lean sender: the
same answers as botocore's client, on moto's server and on rclone's, without building one."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from s3desk.core.bucket.browse import iter_pages
from s3desk.core.transfer.download.engine import DownloadEngine
from s3desk.core.transfer.download.plan import plan_download
from tests.conftest import Server

KEYS = [
    "top/a.txt",
    "top/sub/b+c %20.txt",
    "top/sub/deeper/émoji 😀.bin",
    "top/sub/x&y<z>.txt",
    "top/z.txt",
    "topper.txt",
]


def _fill(client: Any, bucket: str) -> None:
    for key in KEYS:
        client.put_object(Bucket=bucket, Key=key, Body=key.encode())


def test_the_plan_from_the_lean_listing_is_botocores(
    server: Server, server_bucket: str, tmp_path: Path
) -> None:
    client, bucket = server.client, server_bucket
    _fill(client, bucket)
    engine = DownloadEngine(server.endpoint)
    try:
        lister = engine.lister()
        lean_pages = list(iter_pages(cast(Any, lister), bucket, "top/"))
        boto_pages = list(iter_pages(client, bucket, "top/"))
        selection = [(e.key, e.size, e.etag, e.modified) for p in lean_pages for e in p.entries]
        lean_plan = plan_download(lister, bucket, selection, "top/", str(tmp_path))
        boto_plan = plan_download(client, bucket, selection, "top/", str(tmp_path))
        head = lister.head_object(Bucket=bucket, Key="top/sub/b+c %20.txt")
        boto_head = client.head_object(Bucket=bucket, Key="top/sub/b+c %20.txt")
        # No botocore client was made: only the engine's session and lean connections.
        assert engine._senders._client is None
    finally:
        engine.shutdown()
    assert lean_pages == boto_pages
    assert lean_plan == boto_plan
    assert sorted(i.key for i in lean_plan.items) == KEYS[:5]
    assert all(i.modified is not None and i.modified.tzinfo for i in lean_plan.items)
    assert head["ContentLength"] == boto_head["ContentLength"] == len(b"top/sub/b+c %20.txt")
    assert head["ETag"] == boto_head["ETag"]
    assert head["LastModified"] == boto_head["LastModified"]


def test_lean_pages_follow_continuation_tokens(server: Server, server_bucket: str) -> None:
    client, bucket = server.client, server_bucket
    _fill(client, bucket)
    engine = DownloadEngine(server.endpoint)
    try:
        pages = list(
            engine.lister()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=bucket, Prefix="top/", MaxKeys=2)
        )
    finally:
        engine.shutdown()
    assert len(pages) == 3
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == KEYS[:5]


def test_missing_buckets_and_objects_fail_as_botocores_do(server: Server, bucket_name: str) -> None:
    engine = DownloadEngine(server.endpoint)
    try:
        lister = engine.lister(attempts=1)
        with pytest.raises(ClientError) as listed:
            lister.list_objects_v2(Bucket=bucket_name, Prefix="")
        with pytest.raises(ClientError) as headed:
            lister.head_object(Bucket=bucket_name, Key="nothing.txt")
    finally:
        engine.shutdown()
    assert listed.value.response["Error"]["Code"] == "NoSuchBucket"
    assert headed.value.response["Error"]["Code"] in ("404", "NoSuchBucket")


@pytest.fixture
def bucket_name(request: pytest.FixtureRequest) -> str:
    return f"never-made-{abs(hash(request.node.name)) % 10**8}"
