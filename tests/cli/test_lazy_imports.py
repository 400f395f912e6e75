"""Short commands load only what they use: ``s3desk --help`` loads no engine, and
``s3desk upload`` with keys from the environment to a path-style service sends its
requests without botocore (nor boto3), the OS keyring or Qt. What is loaded, not how long
it takes: bench/startup.py measures the time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Server
from tests.helpers import read_object

# What no upload with plain keys needs, and what --help needs even less.
NOT_FOR_UPLOAD = ("boto3", "botocore", "s3transfer", "keyring", "PySide6", "shiboken6")
NOT_FOR_HELP = (
    *NOT_FOR_UPLOAD,
    "s3desk.core.transfer.upload.engine",
    "s3desk.core.transfer.download.engine",
    "s3desk.core.transfer.scheduler",
    "s3desk.core.config.engine_config",
    "dataclasses",
)

# Runs the s3desk command as the installed script does, then lists sys.modules.
_RUN = """
import json, sys
from s3desk.cli import main
out = sys.argv.pop(1)
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
with open(out, "w") as f:
    json.dump(sorted(sys.modules), f)
sys.exit(code)
"""


def _modules_after(tmp_path: Path, env: dict[str, str], *argv: str) -> tuple[set[str], str]:
    """The modules loaded once ``s3desk ARGV`` is done, and its output."""
    listing = tmp_path / "modules.json"
    # Plain Python, Qt importable: an import of it shows up rather than failing.
    run = subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), *argv],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return set(json.loads(listing.read_text())), run.stdout


def _plain_environment(server: Server) -> dict[str, str]:
    """The server's keys and region in the environment, as a script would set them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=server.endpoint.access_key or "",
        AWS_SECRET_ACCESS_KEY=server.endpoint.secret_key or "",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def test_help_loads_no_engine_no_sdk_and_no_keyring(tmp_path: Path) -> None:
    modules, out = _modules_after(tmp_path, dict(os.environ), "--help")
    assert "usage: s3desk" in out
    assert "s3desk.cli.upload" in modules  # the listing is there to read
    assert sorted(set(NOT_FOR_HELP) & modules) == []


def test_an_upload_with_keys_from_the_environment_loads_no_sdk_and_no_keyring(
    rclone_server: Server, rclone_bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "one.txt"
    source.write_bytes(b"one kibibyte or so" * 57)
    assert rclone_server.endpoint.endpoint_url
    modules, out = _modules_after(
        tmp_path, _plain_environment(rclone_server), "upload", str(source),
        f"s3://{rclone_bucket}/lazy/", "--endpoint-url", rclone_server.endpoint.endpoint_url,
    )  # fmt: skip
    assert "1 uploaded, 0 failed" in out
    # rclone checks the signature: the keys from the environment signed the request.
    assert read_object(rclone_server.client, rclone_bucket, "lazy/one.txt") == source.read_bytes()
    assert "s3desk.core.storage.lean_s3" in modules  # the listing is there to read
    assert sorted(set(NOT_FOR_UPLOAD) & modules) == []
    assert "s3desk.core.transfer.download.engine" not in modules


# Runs a command as the program (main() reads sys.argv) or as a library call (main(argv)),
# then says how many objects were frozen out of the garbage collection at exit.
_FREEZE = """
import gc, sys
from s3desk.cli import main
as_program = sys.argv.pop(1) == "program"
code = main() if as_program else main(sys.argv[1:])
print("frozen", gc.get_freeze_count())
sys.exit(code)
"""


def _frozen_after(how: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _FREEZE, how, "admin", "policy", "--bucket", "some-bucket"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert '"Version": "2012-10-17"' in run.stdout  # the command did its work first
    return int(run.stdout.rsplit("frozen", 1)[1])


def test_a_command_that_ends_the_process_skips_the_last_collection() -> None:
    assert _frozen_after("program") > 10_000
    # Called with arguments (tests, other programs), it leaves the caller's objects alone.
    assert _frozen_after("library") == 0
