"""Which storage the app starts on when nothing is chosen explicitly."""

from __future__ import annotations

import os
from pathlib import Path

NO_STORAGE_HINT = (
    "Add an account (Accounts…, or 's3desk accounts add'), or set AWS credentials "
    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and restart s3desk, or "
    "install s3desk[demo] to try the local demo storage."
)


def aws_configured() -> bool:
    """True if the standard AWS chain has something to offer, judged without network calls
    (resolving it fully could query instance metadata, which takes seconds off EC2)."""
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE"):
        return True
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or env.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        return True
    home = Path.home()
    candidates = [
        env.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials",
        env.get("AWS_CONFIG_FILE") or home / ".aws" / "config",
    ]
    return any(_non_empty(Path(c)) for c in candidates)


def aws_profiles() -> list[str]:
    """The profiles of the shared AWS config (~/.aws/config and credentials), for a picker."""
    try:
        import botocore.session  # only when asked: reading settings loads no SDK

        return sorted(botocore.session.Session().available_profiles)
    except Exception:  # a malformed config file: typing a name still works
        return []


def _non_empty(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False
