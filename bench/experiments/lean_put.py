"""Experiment: how fast can a lean SigV4 PutObject go in Python, with no botocore per request?

Uploads 2,000 files of 16 KiB to a local rclone server with our own signing (cached signing
key, UNSIGNED-PAYLOAD plus a signed x-amz-checksum-crc32) over urllib3, and prints files per
second and client CPU per file. It sizes the gain of a lean small-file path in the engine:
botocore costs about 2.5 ms of CPU per request on this kind of machine.

    .venv/bin/python bench/experiments/lean_put.py [THREADS]
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import os
import resource
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.servers import RcloneS3Server

REGION = "us-east-1"


def signing_key(secret: str, date: str) -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (REGION, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def put(
    pool: urllib3.HTTPConnectionPool,
    host: str,
    access_key: str,
    key_for: Callable[[str], bytes],
    bucket: str,
    key: str,
    data: bytes,
) -> None:
    amz_date = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    path = "/" + quote(bucket) + "/" + quote(key, safe="/~")
    headers = {
        "host": host,
        "x-amz-checksum-crc32": base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode(),
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        "x-amz-date": amz_date,
    }
    names = sorted(headers)
    signed = ";".join(names)
    canonical_headers = "".join(f"{name}:{headers[name]}\n" for name in names)
    canonical = "\n".join(["PUT", path, "", canonical_headers, signed, "UNSIGNED-PAYLOAD"])
    scope = f"{date}/{REGION}/s3/aws4_request"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, digest])
    signature = hmac.new(key_for(date), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    headers["Content-Type"] = "application/octet-stream"
    response = pool.urlopen("PUT", path, body=data, headers=headers, retries=False)
    assert response.status == 200, (response.status, response.data[:300])


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    source = Path(tempfile.mkdtemp())
    files = []
    for n in range(2000):
        path = source / f"f{n:04d}"
        path.write_bytes(os.urandom(16384))
        files.append(path)
    with RcloneS3Server(tempfile.mkdtemp()) as server:
        client = server.client()
        client.create_bucket(Bucket="leanbench")
        host = server.endpoint_url.split("//")[1]
        pool = urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=threads)
        keys: dict[str, bytes] = {}

        def key_for(date: str) -> bytes:
            return keys.setdefault(date, signing_key(server.secret_key, date))

        def upload(path: Path) -> None:
            data = path.read_bytes()
            put(pool, host, server.access_key, key_for, "leanbench", f"small/{path.name}", data)

        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool_of_threads:
            list(pool_of_threads.map(upload, files))
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        pages = client.get_paginator("list_objects_v2").paginate(Bucket="leanbench")
        stored = sum(len(page.get("Contents", [])) for page in pages)
        print(
            f"lean PUT, {threads} threads: {len(files) / wall:.0f} files/s, client CPU "
            f"{cpu:.2f} s ({cpu / len(files) * 1000:.2f} ms per file), {stored} objects stored"
        )


if __name__ == "__main__":
    main()
