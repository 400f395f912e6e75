"""The suite's own checks can fail: ``multipart_uploads``, which every "nothing left open"
assertion relies on, sees an upload left open on each server and never takes an error for
"none"."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import NewBucket, Server
from tests.helpers import multipart_uploads


def test_an_upload_left_open_is_seen(server: Server, server_bucket: str) -> None:
    client = server.client
    assert multipart_uploads(client, server_bucket) == []
    upload_id = client.create_multipart_upload(Bucket=server_bucket, Key="left/open")["UploadId"]
    client.upload_part(
        Bucket=server_bucket, Key="left/open", UploadId=upload_id, PartNumber=1, Body=b"part"
    )
    listed = multipart_uploads(client, server_bucket)
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("left/open", upload_id)]
    client.abort_multipart_upload(Bucket=server_bucket, Key="left/open", UploadId=upload_id)
    assert multipart_uploads(client, server_bucket) == []


def test_rclone_not_knowing_a_bucket_is_not_taken_for_none(
    rclone_server: Server, new_bucket: NewBucket
) -> None:
    # A bucket where rclone never saw a multipart upload begin: it answers NoSuchUpload
    # without looking, which the helper must not turn into "no uploads".
    name = new_bucket(rclone_server.client)
    with pytest.raises(ClientError) as caught:
        multipart_uploads(rclone_server.client, name)
    assert caught.value.response["Error"]["Code"] == "NoSuchUpload"
