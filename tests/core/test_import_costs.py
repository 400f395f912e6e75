"""What a light module loads: reading settings or accounts starts no transfer machinery.

Each check imports in a fresh interpreter, so modules other tests loaded do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Loaded only to move bytes: the engines and the AWS SDK.
HEAVY = ("s3desk.core.engine", "s3desk.core.downloads", "botocore", "boto3")


def _loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(result.stdout))


LIGHT = (
    "s3desk.core.engine_config", "s3desk.core.settings", "s3desk.core.managed",
    "s3desk.core.accounts", "s3desk.core.settings_store", "s3desk.core.account_store",
)  # fmt: skip


@pytest.mark.parametrize("module", LIGHT)
def test_configuration_modules_load_no_engine(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert module in loaded
    assert sorted(loaded.intersection(HEAVY)) == []
