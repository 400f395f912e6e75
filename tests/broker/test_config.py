"""broker.toml: the documented example loads, mistakes are named, secrets stay out of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from s3desk.broker.config import ConfigError, load, parse_duration, parse_size

ROOT = Path(__file__).resolve().parents[2]
DIGEST = "ab" * 32

MINIMAL = f"""
[storage]
endpoint_url = "http://127.0.0.1:9000"

[policies.staff]
bucket = "team"
max_size = "5 GiB"
allowed_types = ["jpg"]

[[tokens]]
user = "alice"
policy = "staff"
sha256 = "{DIGEST}"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_loads(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "broker.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```toml\n(.*?)```", text, re.DOTALL)
    config = load(_write(tmp_path, example), environ={"S3DESK_BROKER_SECRET_KEY": "s3cr3t-key"})
    assert config.url_lifetime == 900
    assert config.multipart_threshold == 16 * 1024**2
    assert config.endpoint.secret_key == "s3cr3t-key"
    assert config.endpoint.region == "eu-central-1"
    assert config.policies["staff"].max_size == 5 * 1024**3
    assert config.policies["scanners"].max_size == 200 * 1000**2
    assert config.policies["scanners"].prefix == "scans/{user}/{date}/"
    assert [(t.user, t.policy) for t in config.tokens] == [
        ("alice", "staff"),
        ("scanner-3rd-floor", "scanners"),
    ]
    assert config.request_log == Path("/var/log/s3desk-broker/requests.jsonl")


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    config = load(_write(tmp_path, MINIMAL))
    assert config.url_lifetime == 15 * 60
    assert config.state_db == tmp_path / "broker-state.sqlite3"
    assert config.request_log is None
    assert config.endpoint.path_style is True  # an IP address
    assert config.tokens[0].digest == bytes.fromhex(DIGEST)
    assert config.policies["staff"].prefix == "uploads/{user}/"


def test_sizes_and_durations() -> None:
    assert parse_size(1000, "x") == 1000
    assert parse_size("5 GiB", "x") == 5 * 1024**3
    assert parse_size("5GB", "x") == 5 * 1000**3
    assert parse_size("16M", "x") == 16 * 1024**2
    assert parse_size("1.5 KiB", "x") == 1536
    assert parse_duration("15m", "x") == 900
    assert parse_duration("1h", "x") == 3600
    assert parse_duration(2, "x") == 2
    for bad in ("five", "-1", "5 XB", True):
        with pytest.raises(ConfigError, match="is not a size"):
            parse_size(bad, "x")
    with pytest.raises(ConfigError, match="is not a duration"):
        parse_duration("soon", "x")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("[storage]", '[storage]\nsecret_access_key = "abc"'), "secrets do not go into"),
        (("[storage]", "[storage]\nsecret_acess_key_env = 'X'"), "unknown key(s) secret_acess"),
        (("[storage]", "[storage]\nsecret_access_key_env = 'NOT_SET_ANYWHERE'"), "is not set"),
        (('max_size = "5 GiB"', 'max_size = "5 GiB"\nprefix = "../{user}/"'), "'.' or '..'"),
        (('max_size = "5 GiB"', 'max_size = "5 GiB"\nprefix = "/abs/{user}/"'), "relative"),
        (('max_size = "5 GiB"', 'max_size = "5 GiB"\nprefix = "u/{name}/"'), "can be filled"),
        (('max_size = "5 GiB"', 'max_size = "6 TiB"'), "at most 5 TiB"),
        (('allowed_types = ["jpg"]', "allowed_types = []"), "allowed_types: required"),
        (('user = "alice"', 'user = "../alice"'), "may contain only"),
        (('policy = "staff"', 'policy = "other"'), "not one of the"),
        ((f'sha256 = "{DIGEST}"', 'sha256 = "abc"'), "64 hex digits"),
        (("[storage]", "[server]\nurl_lifetime = '8d'\n[storage]"), "between 1 second"),
        (("[storage]", "[server]\npart_size = '1 MiB'\n[storage]"), "5 MiB and 5 GiB"),
        (("[storage]", "[server]\ntls_certfile = 'c.pem'\n[storage]"), "go together"),
        (("[storage]", "[storage]\naccess_key_id = 'AKIAX'"), "needs its secret key"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str], words: str) -> None:
    old, new = change
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    with pytest.raises(ConfigError) as caught:
        load(_write(tmp_path, text), environ={})
    assert words in str(caught.value)


def test_the_same_token_twice_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + f'\n[[tokens]]\nuser = "bob"\npolicy = "staff"\nsha256 = "{DIGEST}"\n'
    with pytest.raises(ConfigError, match="the same token is listed twice"):
        load(_write(tmp_path, text))


def test_the_secret_key_from_a_private_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret-key"
    secret.write_text("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    text = MINIMAL.replace(
        "[storage]",
        '[storage]\naccess_key_id = "AKIAEXAMPLE"\nsecret_access_key_file = "secret-key"',
    )
    secret.chmod(0o644)
    with pytest.raises(ConfigError, match="can be read by other users; run chmod 600"):
        load(_write(tmp_path, text))
    secret.chmod(0o600)
    config = load(_write(tmp_path, text))
    assert config.endpoint.access_key == "AKIAEXAMPLE"
    assert config.endpoint.secret_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert "wJalr" not in repr(config)


def test_key_id_and_secret_from_the_environment(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "[storage]",
        '[storage]\naccess_key_id_env = "KEY_ID"\nsecret_access_key_env = "SECRET"\n'
        'session_token_env = "TOKEN"',
    )
    config = load(_write(tmp_path, text), environ={"KEY_ID": "AKIA1", "SECRET": "s", "TOKEN": "t"})
    assert (config.endpoint.access_key, config.endpoint.secret_key) == ("AKIA1", "s")
    assert config.endpoint.session_token == "t"
