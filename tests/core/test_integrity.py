"""Integrity: checksums S3 verifies on every request, and the compatibility mode."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.config.engine_config import EngineConfig
from s3desk.core.storage import checksums
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.storage.parts import MiB
from s3desk.core.transfer.jobs import JobState
from s3desk.core.transfer.upload.engine import UploadEngine
from tests.helpers import read_object

PARTS = EngineConfig(concurrency=3, multipart_threshold=5 * MiB, part_size=5 * MiB)


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_composite_checksum_matches_s3s_definition() -> None:
    parts = [b"a" * 10, b"b" * 20]
    raw = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)
    expected = base64.b64encode(zlib.crc32(raw).to_bytes(4, "big")).decode() + "-2"
    assert checksums.composite_crc32([_crc32(p) for p in parts]) == expected


def test_verify_response_catches_a_different_checksum() -> None:
    fields, crc = checksums.request_fields(checksums.CRC32, b"hello")
    assert fields == {"ChecksumAlgorithm": "CRC32", "ChecksumCRC32": crc}
    checksums.verify_response(checksums.CRC32, crc, {"ChecksumCRC32": crc})
    checksums.verify_response(checksums.CRC32, crc, {})  # a service that reports none
    with pytest.raises(checksums.IntegrityError):
        checksums.verify_response(checksums.CRC32, crc, {"ChecksumCRC32": _crc32(b"hellO")})
    _, md5 = checksums.request_fields(checksums.MD5, b"hello")
    checksums.verify_response(checksums.MD5, md5, {"ETag": f'"{md5}"'})
    checksums.verify_response(checksums.MD5, md5, {"ETag": '"abc-3"'})  # not an MD5 ETag
    with pytest.raises(checksums.IntegrityError):
        checksums.verify_response(checksums.MD5, md5, {"ETag": '"' + "0" * 32 + '"'})


@pytest.mark.parametrize("size", [1000, 12 * MiB], ids=["single", "multipart"])
def test_objects_carry_the_checksum_s3_verified(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path, size: int
) -> None:
    data = os.urandom(size)
    (tmp_path / "f.bin").write_bytes(data)
    engine = UploadEngine(moto_endpoint, PARTS)
    try:
        job_id = engine.submit_file(tmp_path / "f.bin", bucket, "f.bin")
        assert engine.wait(60)
        assert engine.job(job_id).state is JobState.DONE
    finally:
        engine.shutdown()
    head = s3.head_object(Bucket=bucket, Key="f.bin", ChecksumMode="ENABLED")
    if size < PARTS.multipart_threshold:
        assert head["ChecksumCRC32"] == _crc32(data)
    else:
        chunks = [data[i : i + 5 * MiB] for i in range(0, size, 5 * MiB)]
        composite = checksums.composite_crc32([_crc32(c) for c in chunks])
        # AWS reports "<crc>-<parts>"; moto leaves out the part count.
        assert head["ChecksumCRC32"].split("-")[0] == composite.split("-")[0]
    assert read_object(s3, bucket, "f.bin") == data


@pytest.mark.parametrize("size", [1000, 12 * MiB], ids=["single", "multipart"])
def test_md5_mode_sends_content_md5_and_no_flexible_checksums(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path, size: int
) -> None:
    from tests.faultproxy import FaultPlan, FaultProxy

    data = os.urandom(size)
    (tmp_path / "f.bin").write_bytes(data)
    assert moto_endpoint.endpoint_url
    # The proxy sees what went over the wire, whichever path the engine sent it by.
    with FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan()) as proxy:
        endpoint = replace(moto_endpoint, endpoint_url=proxy.url, checksum_mode="md5")
        engine = UploadEngine(endpoint, PARTS)
        try:
            job_id = engine.submit_file(tmp_path / "f.bin", bucket, "f.bin")
            assert engine.wait(60)
            assert engine.job(job_id).state is JobState.DONE
        finally:
            engine.shutdown()
        headers = proxy.request_headers()
    bodies = [h for h in headers if "content-md5" in h]
    assert bodies, "every body carries Content-MD5"
    assert not any(
        k.startswith(("x-amz-checksum", "x-amz-sdk-checksum")) for h in headers for k in h
    )
    first = data[: min(size, 5 * MiB)]
    assert base64.b64encode(hashlib.md5(first).digest()).decode() in {
        h["content-md5"] for h in bodies
    }
    assert read_object(s3, bucket, "f.bin") == data


def test_a_service_refusing_checksum_headers_gets_md5_mode(
    moto_endpoint: S3Endpoint, s3: Any, bucket: str, tmp_path: Path
) -> None:
    from tests.faultproxy import FaultPlan, FaultProxy

    small, big = os.urandom(1000), os.urandom(12 * MiB)
    (tmp_path / "small.bin").write_bytes(small)
    (tmp_path / "big.bin").write_bytes(big)
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url, FaultPlan(reject_checksums=True)) as proxy:
        engine = UploadEngine(replace(moto_endpoint, endpoint_url=proxy.url), PARTS)
        try:
            engine.submit_file(tmp_path / "small.bin", bucket, "small.bin")
            engine.submit_file(tmp_path / "big.bin", bucket, "big.bin")
            assert engine.wait(60)
            update = engine.drain()
        finally:
            engine.shutdown()
        assert proxy.stats()["checksum_rejected"] >= 1  # it really refused first
    assert [(j.key, j.error) for j in engine.jobs() if j.state is not JobState.DONE] == []
    assert engine.endpoint.checksum_mode == "md5"
    assert "Content-MD5" in update.warning
    assert read_object(s3, bucket, "small.bin") == small
    assert read_object(s3, bucket, "big.bin") == big
