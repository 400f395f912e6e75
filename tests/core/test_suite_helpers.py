"""The suite's own tools can fail: ``multipart_uploads``, which every "nothing left open"
assertion relies on, sees an upload left open on each server and never takes an error for
"none"; ``start_listening`` never takes another process's listener for the server it
started."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.conftest import NewBucket, Server
from tests.helpers import multipart_uploads
from tests.servers import start_listening, stop_process


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


# A server that listens on the port it is given and greets each connection with its word.
_GREETER = """
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
print("listening", flush=True)
while True:
    conn, _ = listener.accept()
    with conn:
        conn.sendall(sys.argv[2].encode() + b"\\n")
"""


def _greeting(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        return conn.makefile("rb").readline().strip()


def test_a_server_is_trusted_only_once_it_answers_as_ours() -> None:
    """Another process takes the port first: ours fails to bind, and the other one (which
    answers as "theirs") is not taken for ours; the next attempt on a new port is."""
    taken: list[int] = []
    theirs: list[subprocess.Popen[str]] = []

    def launch(port: int) -> subprocess.Popen[str]:
        if not taken:  # the first port: the other process binds it before ours starts
            taken.append(port)
            other = subprocess.Popen(
                [sys.executable, "-c", _GREETER, str(port), "theirs"],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            theirs.append(other)
            assert other.stdout is not None and other.stdout.readline() == "listening\n"
        return subprocess.Popen(
            [sys.executable, "-c", _GREETER, str(port), "ours"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip

    def is_ours(port: int) -> bool:
        try:
            return _greeting(port) == b"ours"
        except OSError:
            return False

    try:
        ours, port = start_listening(launch, is_ours, timeout=30)
        try:
            assert port != taken[0]
            assert _greeting(port) == b"ours"
            assert _greeting(taken[0]) == b"theirs"  # listening all along, never trusted
        finally:
            stop_process(ours)
    finally:
        for other in theirs:
            stop_process(other)
            assert other.stdout is not None
            other.stdout.close()
