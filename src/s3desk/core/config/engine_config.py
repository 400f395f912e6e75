"""How a transfer engine is set up: the configuration the upload and download engines take,
and the connection limits they share.

Settings, the managed configuration and the command line build an EngineConfig without
loading an engine, so this module imports nothing that moves bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from s3desk.core.compliance.upload_options import UploadOptions
from s3desk.core.config.conflict import ConflictPolicy
from s3desk.core.storage.parts import MiB

if TYPE_CHECKING:  # rules load on their own when a table is given (settings_store.with_account)
    from s3desk.core.compliance.rules import UploadRules

__all__ = ["MAX_CONCURRENCY", "ConflictPolicy", "EngineConfig", "pool_size"]


MAX_CONCURRENCY = 256  # parallel requests the settings allow


def pool_size(concurrency: int) -> int:
    """Connections kept open for reuse: enough for any concurrency chosen later, since the
    setting may change while the engine runs (a limit on idle connections, not an
    allocation)."""
    return max(concurrency, MAX_CONCURRENCY) + 2


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Both engines take it. Downloads read the fields up to ``read_timeout``; those from
    ``conflict`` on are for uploads only (downloads get their conflict answer per batch)."""

    concurrency: int = 10
    multipart_threshold: int = 16 * MiB
    part_size: int = 8 * MiB
    max_attempts: int = 8  # per request, the first one included
    backoff_base: float = 0.5  # seconds before the first retry (then doubling, with jitter)
    backoff_cap: float = 20.0
    bandwidth_limit: float = 0  # bytes per second, uploads and downloads each; 0 = unlimited
    connect_timeout: float = 10
    read_timeout: float = 120
    # Uploads only from here on.
    conflict: ConflictPolicy = ConflictPolicy.OVERWRITE  # when the key exists already
    # Encryption, storage class, headers, metadata and tags of every object.
    options: UploadOptions = field(default_factory=UploadOptions)
    # Which files may go and under which keys (None: every file, under its relative path).
    rules: UploadRules | None = None
    user: str = ""  # fills {user} in key templates; "" is the OS user
    # Also store each audit entry as an object here (the local log stays the record).
    audit_bucket: str = ""
    audit_prefix: str = ""
