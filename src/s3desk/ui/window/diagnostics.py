"""What support needs, for "Copy diagnostic info": versions, settings and recent errors,
never a secret."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from s3desk.core.storage.endpoint import S3Endpoint


async def diagnostic_text(endpoint: S3Endpoint | None, extra: list[tuple[str, str]]) -> str:
    """The report, built off the UI thread: it reads the log and asks for the keyring
    backend (which may wait on D-Bus). The worker gets plain values, never a widget."""

    def report() -> str:
        from s3desk.core.config.settings_store import SettingsStore
        from s3desk.core.diagnostics import diagnostic_report

        settings: dict[str, Any] | None = None
        lines = list(extra)
        try:
            settings = asdict(SettingsStore().effective())  # settings hold no secrets
        except Exception as exc:
            lines.append(("settings", f"unreadable: {exc}"))
        return diagnostic_report(endpoint, settings=settings, extra=lines)

    return await asyncio.get_running_loop().run_in_executor(None, report)
