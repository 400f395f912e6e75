"""Fixtures of the command-line tests that run several s3desk processes against one server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3desk.core.storage.endpoint import S3Endpoint
from tests.faultproxy import FaultProxy
from tests.processes import SIZE


@pytest.fixture
def proxy(moto_endpoint: S3Endpoint) -> Iterator[FaultProxy]:
    assert moto_endpoint.endpoint_url
    with FaultProxy.for_url(moto_endpoint.endpoint_url) as proxy:
        yield proxy


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(SIZE))
    return path
