"""What to do when an object with the key already exists: a module of its own, so that
the command line can offer the choices without loading the engine's configuration."""

from __future__ import annotations

import enum


class ConflictPolicy(enum.Enum):
    """What to do when an object with the key already exists."""

    OVERWRITE = "overwrite"
    SKIP = "skip"
    RENAME = "rename"  # keep both: upload as "name (1).ext"
    ASK = "ask"
