"""Screenshots of what IT and compliance see: refused files in the transfer table, the
History tab, and the settings dialog with the organisation's locked settings.

Run under Xvfb: ``xvfb-run -a -s "-screen 0 1280x800x24" python tools/screenshot_compliance.py``.
A managed configuration in a temporary folder locks two settings; the uploads go to the
local demo storage, which is gone when the script ends; the audit log is a temporary one.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

MANAGED = """
[settings]
concurrency = 6
encryption = "SSE-S3"
require_encryption = true

[locked]
settings = ["concurrency", "encryption", "require_encryption"]
"""
RULES = {
    "allowed_types": ["pdf", "png", "jpg", "docx", "txt"],
    "blocked_types": ["programs"],
    "max_size": "20 MiB",
    "key_template": "inbox/{date}/{path}",
}
sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import _settle, _until  # noqa: E402  (the same waits as the main views')

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(400)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(60)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="s3desk-shots-"))
    (scratch / "managed.toml").write_text(MANAGED)
    os.environ["S3DESK_MANAGED_CONFIG"] = str(scratch / "managed.toml")
    os.environ["S3DESK_CONFIG_DIR"] = str(scratch / "config")
    os.environ["S3DESK_DATA_DIR"] = str(scratch / "data")

    import qasync

    from s3desk.core.compliance.rules import UploadRules
    from s3desk.core.compliance.upload_options import UploadOptions
    from s3desk.core.config.engine_config import EngineConfig
    from s3desk.core.storage.demo import DemoStorage
    from s3desk.core.transfer.upload.engine import UploadEngine
    from s3desk.ui.app import make_application
    from s3desk.ui.window.main_window import MainWindow

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    files = _make_files(scratch / "drop")
    with DemoStorage() as endpoint:
        config = EngineConfig(
            concurrency=3, rules=UploadRules.from_dict(RULES),
            options=UploadOptions(encryption="SSE-S3", require_encryption=True),
        )  # fmt: skip
        from s3desk.core.compliance.audit import AuditLog

        engine = UploadEngine(endpoint, config, audit=AuditLog())
        window = MainWindow(engine, bucket="demo")
        window.resize(1180, 620)
        window.show()

        def save(name: str, widget: Any = None) -> None:
            path = out / f"{name}.png"
            (widget or window).grab().save(str(path))
            print(f"saved {path}")

        try:
            with loop:
                loop.run_until_complete(_scenario(window, engine, files, save))
        finally:
            engine.shutdown(cancel=True)
            _release(window)
    return 0


async def _scenario(window: Any, engine: Any, files: list[Path], save: Any) -> None:
    window.add_paths(files)
    await _until(engine.is_idle)
    await _settle()
    save("refused-files")
    window.tabs.setCurrentWidget(window.history)
    await _until(lambda: window.history.model.rowCount() > 0)
    await _settle()
    save("history")
    dialog = window.dialogs.open_settings()
    await _settle()
    save("settings-locked", dialog)
    dialog.close()
    await _content_type_editor(window, engine, files[0].parent.parent, save)


async def _content_type_editor(window: Any, engine: Any, root: Path, save: Any) -> None:
    """A waiting upload's Type cell being edited (a slow link keeps the later files
    waiting)."""
    from s3desk.core.transfer.jobs import JobState
    from s3desk.ui.transfers.model import TransferModel

    window.tabs.setCurrentIndex(0)
    window.model.remove_finished(frozenset(JobState))  # this is a new drop
    window.transfers.set_bandwidth_limit(1024)
    folder = root / "handover"
    folder.mkdir()
    for name, data in {
        "handover-notes.txt": b"Handover notes for the site team\n" * 1200,
        "drawing-A1.pdf": PDF + bytes(40_000),
        "drawing-A2.pdf": PDF + bytes(40_000),
        "drawing-A3.pdf": PDF + bytes(40_000),
        "photo-north.png": PNG + bytes(40_000),
        "photo-south.png": PNG + bytes(40_000),
        "photo-east.png": PNG + bytes(40_000),
        "site-log.txt": b"07:30 gate opened\n" * 2000,
    }.items():
        (folder / name).write_bytes(data)
    window.add_paths([folder])
    model = window.model
    await _until(lambda: sum(v.content_type_editable for v in model.views()) >= 2)
    await _settle()
    row = max(r for r in range(model.rowCount()) if model.job_at(r).content_type_editable)
    index = model.index(row, TransferModel.TYPE)
    window.queue.table.setCurrentIndex(index)
    window.queue.table.edit(index)
    await _settle()
    save("content-type-edit")
    window.queue.table.closePersistentEditor(index)
    engine.cancel_all()


def _make_files(root: Path) -> list[Path]:
    root.mkdir(parents=True)
    contents = {
        "Quarterly report.pdf": PDF + bytes(90_000),
        "site-plan.png": PNG,
        "invoice.pdf.exe": b"MZ" + bytes(4000),
        "holiday.jpg": ELF,
        "board minutes\\draft.txt": b"Minutes of the board meeting",
        "scan-archive.pdf": PDF,
    }
    for name, data in contents.items():
        (root / name).write_bytes(data)
    big = root / "raw-footage.pdf"
    with big.open("wb") as f:
        f.write(PDF)
        f.truncate(64 * 1024 * 1024)
    return sorted(root.iterdir())


def _release(window: object) -> None:
    import gc

    import shiboken6

    shiboken6.delete(window)
    gc.collect()


if __name__ == "__main__":
    raise SystemExit(main())
