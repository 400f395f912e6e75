"""The installed package's tests: they run when ``make test-package`` names a built .deb in
``S3DESK_DEB``, and are not collected otherwise (``make test`` builds no package)."""

from __future__ import annotations

import os

collect_ignore_glob = [] if os.environ.get("S3DESK_DEB") else ["test_*.py"]
