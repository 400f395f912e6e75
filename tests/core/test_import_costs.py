"""What a light module loads: reading settings or accounts starts no transfer machinery.

Each check imports in a fresh interpreter, so modules other tests loaded do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Loaded only to move bytes: the engines and the AWS SDK.
HEAVY = (
    "s3desk.core.transfer.upload.engine",
    "s3desk.core.transfer.download.engine",
    "botocore",
    "boto3",
)


def _loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(result.stdout))


LIGHT = (
    "s3desk.core.config.engine_config",
    "s3desk.core.config.settings",
    "s3desk.core.config.managed",
    "s3desk.core.config.accounts",
    "s3desk.core.config.settings_store",
    "s3desk.core.config.account_store",
)


@pytest.mark.parametrize("module", LIGHT)
def test_configuration_modules_load_no_engine(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert module in loaded
    assert sorted(loaded.intersection(HEAVY)) == []
