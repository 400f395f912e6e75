"""SIGKILL ``s3desk upload`` at a seeded random moment, run the same command again: every
file arrives whole, under its one key, and no multipart upload is left open.

The moments range from before the first request to while CompleteMultipartUpload is in
flight (the fault proxy holds it, then forwards or drops it). Each seed uploads either one
big file (multipart, 5 MiB parts) or a folder of small files with two multipart ones.
``make test`` runs a few seeds against each server; ``make soak`` runs many
(``S3DESK_SOAK_ROUNDS``), always the same list.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.parts import MiB
from tests.cli_runner import ROOT
from tests.conftest import Server
from tests.faultproxy import FaultProxy, Rule
from tests.helpers import list_keys, read_object, wait_for

ROUNDS = int(os.environ.get("S3DESK_SOAK_ROUNDS", "3"))
SEEDS = list(range(1, ROUNDS + 1))


def _files(rng: random.Random, root: Path) -> dict[str, bytes]:
    """The seed's files under ``root``, by key."""
    files: dict[str, bytes] = {}
    if rng.random() < 0.5:
        files["big.bin"] = rng.randbytes(rng.randint(24 * MiB, 40 * MiB))
    else:
        for n in range(rng.randint(20, 40)):
            files[f"docs/{n:02d}.txt"] = rng.randbytes(rng.randint(0, 200_000))
        for n in range(2):
            files[f"docs/video{n}.bin"] = rng.randbytes(rng.randint(17 * MiB, 22 * MiB))
    for key, data in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)
    return files


def _kill_at_random(process: subprocess.Popen[bytes], proxy: FaultProxy, rng: random.Random,
                    files: dict[str, bytes]) -> str:  # fmt: skip
    """SIGKILL ``process`` at the seed's moment; returns which kind of moment it was."""
    moment = rng.choice(["start", "requests", "requests", "complete"])
    if moment == "start":  # before or around the first request
        wait_for(lambda: process.poll() is not None or proxy.requests(), timeout=60)
    elif moment == "requests":
        parts = sum(-(-len(d) // (5 * MiB)) + 2 for d in files.values() if len(d) >= 16 * MiB)
        small = sum(1 for d in files.values() if len(d) < 16 * MiB)
        after = rng.randint(1, parts + small)
        wait_for(lambda: process.poll() is not None or len(proxy.requests()) >= after, 120)
    else:
        held = proxy.add_rule(Rule("POST", "uploadId=", "hold", drop=rng.random() < 0.5))
        wait_for(lambda: process.poll() is not None or held.reached.is_set(), 120)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    proxy.clear_rules()  # a held completion now goes on to the server, or is dropped
    return moment


def _open_uploads(s3: Any, bucket: str) -> list[dict[str, Any]]:
    """Every multipart upload open in ``bucket``. Only for a bucket that had one: rclone
    answers NoSuchUpload for a bucket that never had any, which must not pass as none."""
    return list(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_at_a_random_moment_then_run_again(
    server: Server, server_bucket: str, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    source = tmp_path / "src"
    files = _files(rng, source)
    (Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml").write_text(
        f"version = 2\npart_size = {5 * MiB}\n"
    )
    endpoint = server.endpoint
    assert endpoint.endpoint_url
    env = {**os.environ, "AWS_ACCESS_KEY_ID": endpoint.access_key or "testing",
           "AWS_SECRET_ACCESS_KEY": endpoint.secret_key or "testing"}  # fmt: skip
    with FaultProxy.for_url(endpoint.endpoint_url) as proxy:
        command = [
            sys.executable, str(ROOT / "tools" / "without_qt.py"), "-m", "s3desk", "upload",
            *(str(source / name) for name in sorted({k.split("/")[0] for k in files})),
            f"s3://{server_bucket}/", "--endpoint-url", proxy.url, "--concurrency", "4",
        ]  # fmt: skip
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        moment = _kill_at_random(first, proxy, rng, files)
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        requests = proxy.requests()

    where = f"seed {seed}, killed at {moment!r} (exit {first.returncode})"
    assert again.returncode == 0, f"{where}:\n{again.stdout}\n{again.stderr}"
    assert list_keys(server.client, server_bucket) == sorted(files), where
    for key, data in files.items():
        assert read_object(server.client, server_bucket, key) == data, f"{where}: {key}"
    created = [t for m, t in requests if m == "POST" and t.endswith("?uploads")]
    assert created, where  # so an empty listing below is rclone's answer, not its refusal
    assert _open_uploads(server.client, server_bucket) == [], where
