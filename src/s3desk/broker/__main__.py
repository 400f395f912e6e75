"""``python -m s3desk.broker``: the same as the ``s3desk-broker`` command."""

from __future__ import annotations

from s3desk.broker.cli import main

raise SystemExit(main())
