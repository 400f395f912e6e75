"""The History tab with a big audit log: how long 100,000 entries take to load, the longest
the UI thread stood still meanwhile, and how long filtering them takes (on the UI thread).

The log is written in three files (two rotated ones and the current one), as a long-used
installation has it; the tab is opened in an offscreen Qt with the app's event loop.

    .venv/bin/python bench/history.py [--entries 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

T0 = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)
PER_FILE = 40_000


def write_log(folder: Path, count: int) -> Path:
    lines = []
    for i in range(count):
        failed = i % 97 == 0
        entry = {
            "time": (T0 + datetime.timedelta(seconds=i)).isoformat(timespec="milliseconds"),
            "user": "alice", "action": "upload" if i % 3 else "download", "account": "Work",
            "bucket": "team-uploads", "key": f"projects/{i // 100}/file-{i:06d}.dat",
            "size": i * 1000, "checksum": "CRC32:AAAAAA==",
            "result": "failed" if failed else "ok", "error": "AccessDenied" if failed else None,
        }  # fmt: skip
        lines.append(json.dumps(entry) + "\n")
    path = folder / "audit.jsonl"
    for n, start in enumerate(range(0, count, PER_FILE)):
        name = f"audit-2025030{n + 1}T000000.jsonl" if start + PER_FILE < count else path.name
        (folder / name).write_text("".join(lines[start : start + PER_FILE]))
    return path


async def one_run(path: Path) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    from s3desk.core.compliance.audit import AuditLog
    from s3desk.ui.history.view import HistoryView

    view = HistoryView(AuditLog(path))
    view.resize(1000, 600)
    loaded = asyncio.get_running_loop().create_future()
    view.loaded.connect(lambda n: loaded.done() or loaded.set_result(n))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    started = time.perf_counter()
    view.show()  # opening the tab reads the log
    await asyncio.wait_for(loaded, 600)
    load = time.perf_counter() - started
    timer.stop()
    started = time.perf_counter()
    view.filter_edit.setText("file-0424")
    filtering = time.perf_counter() - started
    view.close()
    view.deleteLater()
    return {"load_s": load, "longest_stall_ms": max(gaps) * 1000, "filter_ms": filtering * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        path = write_log(Path(folder), args.entries)
        results = [qasync.run(one_run(path)) for _ in range(args.runs)]
    del app
    print(f"{args.entries:,} entries, {args.runs} runs (median, worst):")
    for key in ("load_s", "longest_stall_ms", "filter_ms"):
        values = [r[key] for r in results]
        print(f"  {key:17} {statistics.median(values):9.2f} {max(values):9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
