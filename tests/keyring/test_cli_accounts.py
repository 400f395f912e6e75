"""``s3desk accounts`` and ``s3desk upload --account`` with the real OS keyring.

Each command is a new process: the secret it needs can only come from the keyring, and
rclone (which checks every signature) accepts the upload only with the right one.
"""

from __future__ import annotations

import os
from pathlib import Path

from s3desk.core.config.secrets import SecretStore, default_backend
from tests.cli_runner import run_cli
from tests.conftest import Server
from tests.helpers import read_object


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(path)
    return found


def test_account_lifecycle_from_the_command_line(
    rclone_server: Server, rclone_bucket: str, tmp_path: Path, private_data_dir: Path
) -> None:
    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key and endpoint.secret_key
    secret = endpoint.secret_key
    outputs: list[str] = []

    def run(*args: str, stdin: str | None = None) -> str:
        result = run_cli(*args, stdin=stdin)
        outputs.extend((result.stdout, result.stderr))
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(
        "accounts", "add", "Local rclone", "--kind", "s3-compatible",
        "--endpoint-url", endpoint.endpoint_url, "--region", "us-east-1",
        "--access-key-id", endpoint.access_key, "--bucket", rclone_bucket, "--secret-stdin",
        stdin=secret + "\n",
    )  # fmt: skip
    assert "Local rclone" in run("accounts", "list")
    assert "Connected" in run("accounts", "test", "Local rclone")

    (tmp_path / "report.txt").write_text("sent with an account")
    run("upload", str(tmp_path / "report.txt"), f"s3://{rclone_bucket}/in/", "--account",
        "Local rclone")  # fmt: skip
    assert read_object(rclone_server.client, rclone_bucket, "in/report.txt") == (
        b"sent with an account"
    )

    # The secret is in the keyring and nowhere else: not in any file s3desk wrote, not in
    # anything it printed.
    config_dir = Path(os.environ["S3DESK_CONFIG_DIR"])
    assert (config_dir / "accounts.toml").is_file()
    for root in (config_dir, private_data_dir):
        assert _files_containing(root, secret.encode()) == []
    assert not any(secret in text for text in outputs)

    names = _secret_names(config_dir)
    store = SecretStore(default_backend())
    assert [store.get(n) for n in names] == [secret]
    run("accounts", "remove", "Local rclone")
    assert "No accounts yet" in run("accounts", "list")
    assert [store.get(n) for n in names] == [None]


def _secret_names(config_dir: Path) -> list[str]:
    import tomllib

    data = tomllib.loads((config_dir / "accounts.toml").read_text())
    return [f"{a['id']}/secret_access_key" for a in data.get("accounts", [])]


def test_a_wrong_stored_secret_is_reported_by_test_and_upload(
    rclone_server: Server, tmp_path: Path
) -> None:
    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key
    result = run_cli(
        "accounts", "add", "Wrong", "--kind", "s3-compatible",
        "--endpoint-url", endpoint.endpoint_url, "--access-key-id", endpoint.access_key,
        "--secret-stdin", stdin="not-the-secret\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    tested = run_cli("accounts", "test", "Wrong")
    assert tested.returncode == 1
    assert "secret" in tested.stdout.lower()
    (tmp_path / "a.txt").write_text("a")
    uploaded = run_cli("upload", str(tmp_path / "a.txt"), "s3://anything/", "--account", "Wrong")
    assert uploaded.returncode == 1
    assert "secret access key is wrong" in uploaded.stdout + uploaded.stderr


def test_the_app_starts_on_the_default_account_with_its_secret_from_the_keyring(
    rclone_server: Server,
) -> None:
    """What a restart does: nothing but accounts.toml and the keyring, read by a new run."""
    from s3desk.ui.app import choose_storage

    endpoint = rclone_server.endpoint
    assert endpoint.endpoint_url and endpoint.access_key and endpoint.secret_key
    added = run_cli(
        "accounts", "add", "Daily", "--kind", "s3-compatible",
        "--endpoint-url", endpoint.endpoint_url, "--access-key-id", endpoint.access_key,
        "--bucket", "daily", "--default", "--secret-stdin", stdin=endpoint.secret_key + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    storage = choose_storage(demo=False, endpoint_url=None)
    assert storage.account is not None and storage.account.name == "Daily"
    assert storage.endpoint is not None
    assert storage.endpoint.secret_key == endpoint.secret_key
    assert storage.endpoint.endpoint_url == endpoint.endpoint_url
    assert storage.problem == ""
