"""The desktop app's upload path: UI responsiveness and memory with many files.

  lag:    --files small files added to the main window (real engine, rclone S3 server on
          127.0.0.1): how late a 10 ms UI timer fires while they upload, wall time and files/s,
          against ``s3desk upload`` (the CLI) on the same files and server.
  memory: --queued files added to the window while the engine talks to a port that accepts
          connections and never answers, so all stay queued: resident memory before and after,
          and the time until every row is in the table model. Then shutdown with cancel.

Each part runs in a fresh child process (offscreen Qt), so neither sees the other's memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.servers import RcloneS3Server  # noqa: E402
from upload import client_env, list_bucket, process_cpu_seconds, run_timed  # noqa: E402

TICK_MS = 10


# ---------------------------------------------------------------------------- helpers


def rss_mib(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def app_rss_mib(engine: Any) -> float:
    """The app's memory: the window's process plus the engine's, where it has one."""
    pid = getattr(engine, "pid", None)
    return rss_mib() + (rss_mib(pid) if pid else 0.0)


def lag_stats(lags_ms: list[float], elapsed_s: float) -> dict[str, float]:
    """Per-tick percentiles, plus the share of the time the UI was behind: a frozen second
    is one late tick, so percentiles alone understate it."""
    if not lags_ms:
        return {"ticks": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0, "behind_pct": 0.0}
    ordered = sorted(lags_ms)
    return {
        "ticks": len(ordered),
        "behind_pct": 100 * sum(ordered) / 1000 / elapsed_s if elapsed_s else 0.0,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "max_ms": ordered[-1],
    }


def make_files(folder: Path, count: int, size: int, per_folder: int = 0) -> None:
    """``count`` files of random bytes; in subfolders of ``per_folder`` files if given."""
    width = len(str(count))
    block = os.urandom(max(size, 1) * 64)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        sub = folder / f"d{i // per_folder:04d}" if per_folder else folder
        if per_folder and i % per_folder == 0:
            sub.mkdir()
        offset = (i * 7919) % (len(block) - size + 1)  # varied content without urandom per file
        (sub / f"file-{i:0{width}d}.bin").write_bytes(block[offset : offset + size])


class BlackHole:
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.1)  # so the accept loop notices close()
        self.port = int(self.sock.getsockname()[1])
        self.conns: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="black-hole").start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)  # held open, never read from or written to

    def close(self) -> None:
        self._closed.set()
        self.sock.close()
        for conn in self.conns:
            conn.close()


# ---------------------------------------------------------------------------- child side


class App:
    """Offscreen QApplication, qasync loop and a 10 ms tick probe, as the app runs them."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        import asyncio

        import qasync
        from PySide6.QtCore import Qt, QTimer

        from s3desk.ui.app import make_application

        self.qt_app = make_application()  # name, icon and style sheet, as the app has them
        self.loop = qasync.QEventLoop(self.qt_app)
        asyncio.set_event_loop(self.loop)
        self._ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(lambda: self._ticks.append(time.perf_counter()))

    def start_probe(self) -> None:
        self._ticks = [time.perf_counter()]
        self._timer.start()

    def stop_probe(self) -> dict[str, float]:
        """Lag of each tick: how much later than TICK_MS after the previous one it fired."""
        self._timer.stop()
        ticks = [*self._ticks, time.perf_counter()]
        lags = [max(0.0, (b - a) * 1000 - TICK_MS) for a, b in itertools.pairwise(ticks)]
        return lag_stats(lags, ticks[-1] - ticks[0])

    async def wait_until(self, predicate: Any, timeout: float, what: str) -> None:
        import asyncio

        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(0.02)

    async def idle_baseline(self, seconds: float = 1.0) -> dict[str, float]:
        import asyncio

        self.start_probe()
        await asyncio.sleep(seconds)
        return self.stop_probe()


def app_engine(endpoint: Any, conflict: str = "ask") -> Any:
    """The engine exactly as the app builds it (s3desk.ui.app.make_engine): in a process of
    its own, taken names asked about, a journal (here in S3DESK_DATA_DIR, a temporary folder)."""
    from s3desk.core.config.engine_config import ConflictPolicy
    from s3desk.ui.app import make_engine

    return make_engine(endpoint, resumable=True, conflict=ConflictPolicy(conflict))


def make_window(engine: Any, bucket: str) -> Any:
    from s3desk.ui.window.main_window import MainWindow

    window = MainWindow(engine, bucket=bucket)
    window.show()
    return window


async def lag_part(app: App, args: argparse.Namespace) -> dict[str, Any]:
    from s3desk.core.storage.endpoint import custom_endpoint

    engine = app_engine(custom_endpoint(os.environ["AWS_ENDPOINT_URL"]), args.window_conflict)
    window = make_window(engine, args.bucket)
    idle = await app.idle_baseline()
    done = threading.Event()
    window.bridge.idle.connect(lambda _totals: done.set())

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    engine_pid = getattr(engine, "pid", None)  # the engine's own process, where it has one
    engine_before = process_cpu_seconds(engine_pid) if engine_pid else 0.0
    server_before = process_cpu_seconds(args.server_pid)
    app.start_probe()
    start = time.perf_counter()
    window.add_paths([args.source])
    await app.wait_until(done.is_set, args.part_timeout, "the uploads to finish")
    wall = time.perf_counter() - start
    lag = app.stop_probe()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    engine_cpu = (process_cpu_seconds(engine_pid) - engine_before) if engine_pid else 0.0
    server_cpu = process_cpu_seconds(args.server_pid) - server_before
    totals = engine.totals()
    rows = window.model.rowCount()
    engine.shutdown(cancel=True)
    window.hide()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    cpu += engine_cpu
    return {
        "files_done": totals.files_done,
        "files_failed": totals.files_failed,
        "rows": rows,
        "wall_s": wall,
        "app_cpu_s": cpu,
        "server_cpu_s": server_cpu,
        "rss_mib": app_rss_mib(engine),
        "lag_idle": idle,
        "lag": lag,
    }


async def memory_part(app: App, args: argparse.Namespace) -> dict[str, Any]:
    from s3desk.core.storage.endpoint import custom_endpoint

    hole = BlackHole()
    engine = app_engine(custom_endpoint(f"http://127.0.0.1:{hole.port}"))
    window = make_window(engine, "queued")
    await app.idle_baseline(0.5)  # let the window settle before the first reading
    before = app_rss_mib(engine)

    app.start_probe()
    start = time.perf_counter()
    window.add_paths([args.source])
    await app.wait_until(
        lambda: window.model.rowCount() >= args.expect, args.part_timeout, "every row"
    )
    fill = time.perf_counter() - start
    lag = app.stop_probe()
    after = app_rss_mib(engine)
    totals = engine.totals()

    # Quitting with uploads stuck on a silent server: what the app does on close.
    start = time.perf_counter()
    engine.shutdown(cancel=True, timeout=args.shutdown_timeout)
    shutdown = time.perf_counter() - start
    stuck = sum(t.name.startswith("s3desk-upload") for t in threading.enumerate())
    window.hide()  # close() would ask to confirm in a modal box while uploads are stuck
    hole.close()
    return {
        "rows": window.model.rowCount(),
        "files_total": totals.files_total,
        "files_active": totals.files_active,
        "connections_held": len(hole.conns),
        "fill_s": fill,
        "rss_before_mib": before,
        "rss_after_mib": after,
        "lag": lag,
        "shutdown_s": shutdown,
        "workers_alive_after_shutdown": stuck,
    }


def child_main(args: argparse.Namespace) -> int:
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    app = App()
    part = lag_part if args.child == "lag" else memory_part
    with app.loop:
        result = app.loop.run_until_complete(part(app, args))
    Path(args.out).write_text(json.dumps(result))
    sys.stdout.flush()
    # Skip interpreter teardown: workers stuck on the silent server may still be running.
    os._exit(0)


# ---------------------------------------------------------------------------- parent side


def run_child(
    part: str, extra: list[str], env: dict[str, str], work: Path, timeout: float
) -> dict[str, Any]:
    out = work / f"{part}.json"
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", part, "--out", str(out)]
    # A last resort: each part gives up by itself after --part-timeout.
    proc = subprocess.run([*argv, *extra], env=env, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"the {part} part failed (exit code {proc.returncode})")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def run_lag(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    source = work / "small"
    make_files(source, args.files, args.file_kib * 1024)
    with RcloneS3Server(work / "server") as server:
        s3 = server.client()
        env = client_env(server, work)
        env["QT_QPA_PLATFORM"] = "offscreen"
        assert server.pid is not None
        runs: dict[str, list[dict[str, Any]]] = {"gui": [], "cli": [], "cli_skip": []}
        exe = shutil.which("s3desk", path=str(Path(sys.executable).parent)) or "s3desk"
        for number in range(1, args.runs + 1):
            # The CLI overwrites by default; --if-exists skip checks each name first, as the
            # window's "ask" does, so that row compares like with like.
            for label, policy in (("cli", "overwrite"), ("cli_skip", "skip")):
                bucket = f"{label.replace('_', '-')}-{number}"
                s3.create_bucket(Bucket=bucket)
                os.sync()
                argv = [exe, "upload", str(source), f"s3://{bucket}/", "--quiet"]
                argv += ["--endpoint-url", server.endpoint_url, "--if-exists", policy]
                code, wall, cpu, server_cpu, rss, output = run_timed(
                    argv, env, server.pid, args.part_timeout
                )
                if code != 0:
                    raise SystemExit(f"s3desk upload failed ({code}): {output[-500:]}")
                uploaded = len(list_bucket(s3, bucket)[0])
                runs[label].append(
                    {"wall_s": wall, "cpu_s": cpu, "server_cpu_s": server_cpu, "rss_mib": rss,
                     "uploaded": uploaded}
                )  # fmt: skip
                print(f"  CLI --if-exists {policy} run {number}: {wall:.1f} s")

            bucket = f"gui-{number}"
            s3.create_bucket(Bucket=bucket)
            os.sync()
            extra = ["--source", str(source), "--bucket", bucket]
            extra += ["--switch-interval", str(args.switch_interval or 0)]
            extra += ["--window-conflict", args.window_conflict]
            extra += ["--server-pid", str(server.pid), "--part-timeout", str(args.part_timeout)]
            gui = run_child("lag", extra, env, work, args.part_timeout + 120)
            gui["uploaded"] = len(list_bucket(s3, bucket)[0])
            runs["gui"].append(gui)
            lag = gui["lag"]
            print(f"  window run {number}: {gui['wall_s']:.1f} s, lag p99 {lag['p99_ms']:.0f} ms")
    return runs


def run_memory(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    source = work / "queued"
    started = time.perf_counter()
    make_files(source, args.queued, 64, per_folder=1000)
    print(f"  {args.queued:,} files written in {time.perf_counter() - started:.0f} s")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="queued", AWS_SECRET_ACCESS_KEY="queued",
        AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true",
        QT_QPA_PLATFORM="offscreen", S3DESK_DATA_DIR=str(work / "s3desk-data-queued"),
    )  # fmt: skip
    extra = ["--source", str(source), "--expect", str(args.queued)]
    extra += ["--part-timeout", str(args.part_timeout)]
    extra += ["--shutdown-timeout", str(args.shutdown_timeout)]
    return run_child("memory", extra, env, work, args.part_timeout + 120)


def report(args: argparse.Namespace, lag: dict[str, Any] | None, mem: dict[str, Any] | None) -> str:
    lines = ["## GUI upload path", ""]
    if lag:
        gui, cli, skip = lag["gui"], lag["cli"], lag["cli_skip"]
        n = args.files

        def med(rows: list[dict[str, Any]], key: str) -> float:
            return statistics.median(r[key] for r in rows)

        def lag_med(key: str, which: str = "lag") -> float:
            return statistics.median(r[which][key] for r in gui)

        lines += [
            f"### {n:,} files of {args.file_kib} KiB, main window vs CLI "
            f"(median of {args.runs} run{'s' * (args.runs > 1)})",
            "",
            "Policies other than overwrite look up each name (HEAD) before writing it.",
            "",
            "| path | wall (s) | files/s | process CPU (s) | server CPU (s) | uploaded |",
            "|---|---|---|---|---|---|",
            f"| main window (taken names: {args.window_conflict}) | {med(gui, 'wall_s'):.1f} "
            f"| {n / med(gui, 'wall_s'):.0f} "
            f"| {med(gui, 'app_cpu_s'):.1f} | {med(gui, 'server_cpu_s'):.1f} "
            f"| {min(r['uploaded'] for r in gui):,} |",
            f"| s3desk upload --if-exists skip | {med(skip, 'wall_s'):.1f} "
            f"| {n / med(skip, 'wall_s'):.0f} | {med(skip, 'cpu_s'):.1f} "
            f"| {med(skip, 'server_cpu_s'):.1f} | {min(r['uploaded'] for r in skip):,} |",
            f"| s3desk upload (overwrite) | {med(cli, 'wall_s'):.1f} "
            f"| {n / med(cli, 'wall_s'):.0f} | {med(cli, 'cpu_s'):.1f} "
            f"| {med(cli, 'server_cpu_s'):.1f} | {min(r['uploaded'] for r in cli):,} |",
            "",
            f"UI timer every {TICK_MS} ms; lag = how much later than that each tick fired; "
            "time behind = all lag / elapsed time.",
            "",
            "| UI lag | ticks | p50 (ms) | p99 (ms) | max (ms) | time behind |",
            "|---|---|---|---|---|---|",
            f"| idle window (1 s) | {gui[0]['lag_idle']['ticks']} "
            f"| {lag_med('p50_ms', 'lag_idle'):.1f} | {lag_med('p99_ms', 'lag_idle'):.1f} "
            f"| {lag_med('max_ms', 'lag_idle'):.1f} "
            f"| {lag_med('behind_pct', 'lag_idle'):.0f}% |",
            f"| while uploading | {gui[0]['lag']['ticks']} | {lag_med('p50_ms'):.1f} "
            f"| {lag_med('p99_ms'):.1f} | {lag_med('max_ms'):.1f} "
            f"| {lag_med('behind_pct'):.0f}% |",
            "",
        ]
    if mem:
        grown = mem["rss_after_mib"] - mem["rss_before_mib"]
        per_file = grown * 1024 * 1024 / max(1, mem["rows"])
        lines += [
            f"### {args.queued:,} files queued (server accepts, never answers)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| rows in the table model | {mem['rows']:,} (engine: {mem['files_total']:,} "
            f"files, {mem['files_active']} uploading) |",
            f"| time until every row is in the model | {mem['fill_s']:.1f} s |",
            f"| RSS before adding | {mem['rss_before_mib']:.0f} MiB |",
            f"| RSS with every row in the model | {mem['rss_after_mib']:.0f} MiB |",
            f"| growth | {grown:.0f} MiB ({per_file / 1024:.1f} KiB per file) |",
            f"| UI lag while filling: p50 / p99 / max | {mem['lag']['p50_ms']:.1f} / "
            f"{mem['lag']['p99_ms']:.1f} / {mem['lag']['max_ms']:.1f} ms "
            f"({mem['lag']['ticks']} ticks, {mem['lag']['behind_pct']:.0f}% of the time behind) |",
            f"| shutdown(cancel=True, timeout={args.shutdown_timeout:g}) | "
            f"{mem['shutdown_s']:.1f} s, {mem['workers_alive_after_shutdown']} workers "
            f"still blocked |",
            "",
        ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="lag,memory", help="lag, memory or both (default)")
    parser.add_argument("--files", type=int, default=10_000, help="files to upload (10000)")
    parser.add_argument("--file-kib", type=int, default=4, help="size of each (4)")
    parser.add_argument("--queued", type=int, default=100_000, help="files to queue (100000)")
    parser.add_argument("--runs", type=int, default=1, help="GUI and CLI runs (1)")
    parser.add_argument("--part-timeout", type=float, default=300, help="seconds (300)")
    parser.add_argument("--shutdown-timeout", type=float, default=10, help="as the app (10)")
    parser.add_argument(
        "--window-conflict",
        choices=["ask", "overwrite", "skip", "rename"],
        default="ask",
        help="the window's policy for taken names (default: ask, as the app)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        help="sys.setswitchinterval() in the app process, to try its effect on UI lag "
        "(default: Python's, 0.005 s)",
    )
    parser.add_argument("--workdir", type=Path, help="where the files go (a temp folder)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    # Internal: one part in this process.
    parser.add_argument("--child", choices=["lag", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not parts <= {"lag", "memory"}:
        raise SystemExit("--parts takes lag, memory or lag,memory")
    work = Path(tempfile.mkdtemp(prefix="s3desk-gui-bench-", dir=args.workdir))
    started = time.perf_counter()
    try:
        lag = mem = None
        if "lag" in parts:
            print(f"Uploading {args.files:,} files through the main window and the CLI…")
            lag = run_lag(args, work)
        if "memory" in parts:
            print(f"Queueing {args.queued:,} files in the main window…")
            mem = run_memory(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(report(args, lag, mem))
    print(f"Total time {time.perf_counter() - started:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps({"lag": lag, "memory": mem}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
