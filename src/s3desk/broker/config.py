"""broker.toml: where the service listens, the storage it signs for, policies and tokens.

Every key is checked (unknown keys are errors, to catch typos), sizes take units ("5 GiB",
"500 MB", or bytes) and durations take suffixes ("15m", "1h", "90s", or seconds). Relative
paths are relative to the configuration file. The AWS secret key is never written in the file:
it comes from an environment variable or a file only the service can read (docs/broker.md).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from s3desk.broker.auth import Policy, TokenEntry
from s3desk.broker.names import check_prefix_template, check_user_name
from s3desk.core.compliance import rules
from s3desk.core.compliance.sniff import ANY_TYPE
from s3desk.core.storage.endpoint import AWS_LABEL, S3Endpoint, custom_endpoint
from s3desk.core.storage.parts import MAX_OBJECT_SIZE, MAX_PART_SIZE, MIN_PART_SIZE

MAX_SINGLE_PUT = 5 * 1024**3  # S3's limit for one PutObject
MAX_URL_LIFETIME = 7 * 24 * 3600  # SigV4's limit for pre-signed URLs

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why."""


def parse_size(value: object, what: str) -> int:
    try:
        return rules.parse_size(value, what)  # shared with the app's upload rules
    except rules.RulesError as exc:
        raise ConfigError(str(exc)) from None


def parse_duration(value: object, what: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(f'{what}: {value!r} is not a duration (e.g. 900, "15m", "1h")')
    return float(match[1]) * _SECONDS[match[2]]


@dataclass(frozen=True)
class BrokerConfig:
    endpoint: S3Endpoint = field(default_factory=S3Endpoint)
    policies: dict[str, Policy] = field(default_factory=dict)
    tokens: tuple[TokenEntry, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8740
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    url_lifetime: float = 900.0
    state_db: Path = Path("broker-state.sqlite3")
    audit_log: Path = Path("broker-audit.jsonl")
    request_log: Path | None = None  # None: standard error
    multipart_threshold: int = 16 * 1024**2
    part_size: int = 8 * 1024**2
    verify_download_limit: int = 64 * 1024**2
    abandon_after: float = 24 * 3600.0
    sweep_interval: float = 300.0
    # The storage refuses an upload whose bytes do not match its x-amz-checksum-* header (AWS
    # S3 does). Where it does not (moto), reported checksums prove nothing: download instead.
    verifies_checksums: bool = True
    # If-None-Match: * on uploads, so a name taken meanwhile is never overwritten.
    conditional_writes: bool = True

    def with_overrides(self, **changes: Any) -> BrokerConfig:
        return replace(self, **changes)


def load(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> BrokerConfig:
    """Read and check ``path``; raise ConfigError saying what is wrong."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return parse(data, base=path.parent, environ=os.environ if environ is None else environ)


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return value


def _check_keys(table: dict[str, Any], where: str, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _str(table: dict[str, Any], key: str, where: str, default: str | None = None) -> str | None:
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where} {key}: expected a string")
    return value


def _bool(table: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where} {key}: expected true or false")
    return value


def parse(data: dict[str, Any], base: Path, environ: Mapping[str, str]) -> BrokerConfig:
    _check_keys(data, "broker.toml", {"server", "storage", "policies", "tokens"})
    config = BrokerConfig()
    config = _parse_server(_table(data, "server"), base, config)
    config = replace(config, **_parse_storage(_table(data, "storage"), base, environ))
    policies = _parse_policies(_table(data, "policies"))
    tokens = _parse_tokens(data.get("tokens", []), policies)
    return replace(config, policies=policies, tokens=tokens)


def _path(value: object, base: Path, what: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{what}: expected a path")
    return base / Path(value).expanduser()


def _parse_server(table: dict[str, Any], base: Path, config: BrokerConfig) -> BrokerConfig:
    where = "[server]"
    _check_keys(table, where, {
        "host", "port", "tls_certfile", "tls_keyfile", "url_lifetime", "state_db", "audit_log",
        "request_log", "multipart_threshold", "part_size", "verify_download_limit",
        "abandon_after", "sweep_interval",
    })  # fmt: skip
    changes: dict[str, Any] = {}
    if "host" in table:
        changes["host"] = _str(table, "host", where)
    if "port" in table:
        port = table["port"]
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigError(f"{where} port: expected a port number")
        changes["port"] = port
    for key in ("tls_certfile", "tls_keyfile", "state_db", "audit_log"):
        if key in table:
            changes[key] = _path(table[key], base, f"{where} {key}")
    for key in ("state_db", "audit_log"):  # the defaults, too, go next to the file
        changes.setdefault(key, base / getattr(config, key))
    if (changes.get("tls_certfile") is None) != (changes.get("tls_keyfile") is None):
        raise ConfigError(f"{where}: tls_certfile and tls_keyfile go together")
    if "request_log" in table:
        value = table["request_log"]
        changes["request_log"] = (
            None if value == "-" else _path(value, base, f"{where} request_log")
        )
    for key in ("multipart_threshold", "part_size", "verify_download_limit"):
        if key in table:
            changes[key] = parse_size(table[key], f"{where} {key}")
    for key in ("url_lifetime", "abandon_after", "sweep_interval"):
        if key in table:
            changes[key] = parse_duration(table[key], f"{where} {key}")
    return _check_server(replace(config, **changes))


def _check_server(config: BrokerConfig) -> BrokerConfig:
    where = "[server]"
    if not 1 <= config.url_lifetime <= MAX_URL_LIFETIME:
        raise ConfigError(f"{where} url_lifetime: must be between 1 second and 7 days")
    if not MIN_PART_SIZE <= config.part_size <= MAX_PART_SIZE:
        raise ConfigError(f"{where} part_size: must be between 5 MiB and 5 GiB")
    if not 0 <= config.multipart_threshold <= MAX_SINGLE_PUT:
        raise ConfigError(f"{where} multipart_threshold: must be at most 5 GiB")
    if config.sweep_interval < 1:
        raise ConfigError(f"{where} sweep_interval: must be at least 1 second")
    return config


def _secret(table: dict[str, Any], name: str, base: Path, environ: Mapping[str, str]) -> str | None:
    """``name`` from ``<name>_env`` (an environment variable) or ``<name>_file``."""
    where = "[storage]"
    env_name = _str(table, f"{name}_env", where)
    file_name = table.get(f"{name}_file")
    if env_name and file_name:
        raise ConfigError(f"{where}: give {name}_env or {name}_file, not both")
    if env_name:
        value = environ.get(env_name)
        if not value:
            raise ConfigError(f"{where} {name}_env: environment variable {env_name} is not set")
        return value.strip()
    if file_name is None:
        return None
    path = _path(file_name, base, f"{where} {name}_file")
    try:
        info = path.stat()
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{where} {name}_file: cannot read {path}: {exc.strerror}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{where} {name}_file: {path} can be read by other users; run chmod 600 {path}"
        )
    if not value:
        raise ConfigError(f"{where} {name}_file: {path} is empty")
    return value


def _parse_storage(table: dict[str, Any], base: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    where = "[storage]"
    secrets = ("secret_access_key", "session_token")
    if any(name in table for name in secrets):
        raise ConfigError(
            f"{where}: secrets do not go into the configuration file; use secret_access_key_env "
            "(an environment variable) or secret_access_key_file (a file only the service can "
            "read)"
        )
    _check_keys(table, where, {
        "endpoint_url", "region", "profile", "path_style", "access_key_id", "access_key_id_env",
        "secret_access_key_env", "secret_access_key_file", "session_token_env",
        "session_token_file", "verifies_checksums", "conditional_writes",
    })  # fmt: skip
    url = _str(table, "endpoint_url", where)
    region = _str(table, "region", where)
    profile = _str(table, "profile", where)
    try:
        endpoint = (
            custom_endpoint(url, region=region, profile=profile)
            if url
            else S3Endpoint(label=AWS_LABEL, region=region, profile=profile)
        )
    except ValueError as exc:
        raise ConfigError(f"{where} endpoint_url: {exc}") from None
    if "path_style" in table:
        endpoint = replace(endpoint, path_style=_bool(table, "path_style", where, False))
    access_key = _str(table, "access_key_id", where)
    if table.get("access_key_id_env"):
        if access_key:
            raise ConfigError(f"{where}: give access_key_id or access_key_id_env, not both")
        access_key = _secret(table, "access_key_id", base, environ)
    secret_key = _secret(table, "secret_access_key", base, environ)
    if bool(access_key) != bool(secret_key):
        raise ConfigError(
            f"{where}: an access key id needs its secret key, and the other way round"
        )
    if access_key and profile:
        raise ConfigError(f"{where}: use either a profile or keys, not both")
    endpoint = replace(
        endpoint,
        access_key=access_key,
        secret_key=secret_key,
        session_token=_secret(table, "session_token", base, environ),
    )
    return {
        "endpoint": endpoint,
        "verifies_checksums": _bool(table, "verifies_checksums", where, True),
        "conditional_writes": _bool(table, "conditional_writes", where, True),
    }


def _parse_policies(table: dict[str, Any]) -> dict[str, Policy]:
    policies: dict[str, Policy] = {}
    for name, body in table.items():
        where = f"[policies.{name}]"
        if not isinstance(body, dict):
            raise ConfigError(f"{where} must be a table")
        _check_keys(body, where, {"bucket", "prefix", "max_size", "allowed_types"})
        bucket = _str(body, "bucket", where)
        if not bucket:
            raise ConfigError(f"{where} bucket: required")
        prefix = _str(body, "prefix", where, "uploads/{user}/") or ""
        try:
            check_prefix_template(prefix)
        except ValueError as exc:
            raise ConfigError(f"{where} {exc}") from None
        if "max_size" not in body:
            raise ConfigError(f'{where} max_size: required (e.g. "5 GiB")')
        max_size = parse_size(body["max_size"], f"{where} max_size")
        if max_size > MAX_OBJECT_SIZE:
            raise ConfigError(f"{where} max_size: S3 stores objects of at most 5 TiB")
        types = body.get("allowed_types")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            raise ConfigError(
                f'{where} allowed_types: required, a list of extensions such as ["jpg", '
                '"pdf"], or ["*"] for any'
            )
        allowed = frozenset(t.strip().lstrip(".").lower() for t in types)
        if ANY_TYPE in allowed and len(allowed) > 1:
            raise ConfigError(f'{where} allowed_types: "*" already allows every type')
        policies[name] = Policy(name, bucket, prefix, max_size, allowed)
    return policies


def _parse_tokens(entries: object, policies: dict[str, Policy]) -> tuple[TokenEntry, ...]:
    if not isinstance(entries, list):
        raise ConfigError("[[tokens]] must be an array of tables")
    tokens: list[TokenEntry] = []
    seen: set[bytes] = set()
    for number, entry in enumerate(entries, 1):
        where = f"[[tokens]] #{number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table")
        _check_keys(entry, where, {"user", "policy", "sha256"})
        user, policy, digest = entry.get("user"), entry.get("policy"), entry.get("sha256")
        if not isinstance(user, str):
            raise ConfigError(f"{where} user: required")
        try:
            check_user_name(user)
        except ValueError as exc:
            raise ConfigError(f"{where} {exc}") from None
        if policy not in policies:
            raise ConfigError(f"{where} policy: {policy!r} is not one of the [policies.*] tables")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            raise ConfigError(
                f"{where} sha256: expected the 64 hex digits `s3desk-broker hash-token` prints"
            )
        raw = bytes.fromhex(digest)
        if raw in seen:
            raise ConfigError(f"{where} sha256: the same token is listed twice")
        seen.add(raw)
        tokens.append(TokenEntry(user, str(policy), raw))
    return tuple(tokens)
