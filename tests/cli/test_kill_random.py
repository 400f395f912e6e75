"""SIGKILL ``s3desk upload`` at a seeded random moment, run the same command again: every
file arrives whole, under its one key, and no multipart upload is left open.

The moments range from before the first request to while CompleteMultipartUpload is in
flight (the fault proxy holds it, then forwards or drops it). Each seed uploads either one
big file (multipart, 5 MiB parts) or a folder of small files with two multipart ones,
with ``--if-exists`` overwrite, rename or skip by turns. A file the killed run sent but had
not noted done (its journal entry is left) must not come back as "name (1).ext", nor be
reported skipped; only one it had noted done is new to the rerun, so rename keeps both
(identical) and skip skips it, as asked.
``make test`` runs a few seeds against each server; ``make soak`` runs many
(``S3DESK_SOAK_ROUNDS``), always the same list.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from s3desk.core.paths import journal_path
from s3desk.core.storage.keys import numbered_key
from s3desk.core.storage.parts import MiB
from tests.cli_runner import ROOT
from tests.conftest import Server
from tests.faultproxy import FaultProxy, Rule
from tests.helpers import list_keys, read_object, wait_for

ROUNDS = int(os.environ.get("S3DESK_SOAK_ROUNDS", "3"))
SEEDS = list(range(1, ROUNDS + 1))
# By turns, so that the quick rounds try each once (the seed's random moment stays its own).
POLICIES = ("skip", "overwrite", "rename")


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


def _noted_done(s3: Any, bucket: str, source: Path) -> set[str]:
    """The keys the killed run sent and noted done: in the bucket, no longer in its journal.
    (Read before the bucket: an entry goes only once its object is there.)"""
    queued: set[Path] = set()
    if journal_path().exists():
        with contextlib.closing(sqlite3.connect(journal_path())) as db:
            rows = db.execute("SELECT source FROM jobs WHERE bucket = ?", (bucket,))
            queued = {Path(row[0]).resolve() for row in rows}
    return {k for k in list_keys(s3, bucket) if (source / k).resolve() not in queued}


def _check_policy(policy: str, files: dict[str, bytes], noted: set[str], s3: Any, bucket: str,
                  source: Path, stdout: str, where: str) -> None:  # fmt: skip
    """Each file under its key; besides, what the policy does with the files noted done."""
    expected = set(files)
    if policy == "rename":  # asked to keep both: the noted ones again, numbered
        expected |= {numbered_key(k, 1) for k in noted}
        for key in noted:
            assert read_object(s3, bucket, numbered_key(key, 1)) == files[key], where
    skipped = sorted(line for line in stdout.splitlines() if line.startswith("SKIPPED: "))
    if policy == "skip":
        assert skipped == sorted(f"SKIPPED: {source / k}: {_ALREADY}" for k in noted), where
    else:
        assert skipped == [], where
    assert list_keys(s3, bucket) == sorted(expected), where


_ALREADY = "Already in the bucket (skipped)"


@pytest.mark.parametrize("seed", SEEDS)
def test_killed_at_a_random_moment_then_run_again(
    server: Server, server_bucket: str, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    policy = POLICIES[seed % len(POLICIES)]
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
            "--if-exists", policy,
        ]  # fmt: skip
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        moment = _kill_at_random(first, proxy, rng, files)
        noted = _noted_done(server.client, server_bucket, source)
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        requests = proxy.requests()

    where = f"seed {seed}, --if-exists {policy}, killed at {moment!r} (exit {first.returncode})"
    assert again.returncode == 0, f"{where}:\n{again.stdout}\n{again.stderr}"
    _check_policy(policy, files, noted, server.client, server_bucket, source, again.stdout,
                  f"{where}, {len(noted)} noted done:\n{again.stdout}")  # fmt: skip
    for key, data in files.items():
        assert read_object(server.client, server_bucket, key) == data, f"{where}: {key}"
    created = [t for m, t in requests if m == "POST" and t.endswith("?uploads")]
    assert created, where  # so an empty listing below is rclone's answer, not its refusal
    assert _open_uploads(server.client, server_bucket) == [], where
