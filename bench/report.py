"""One table of s3desk against its peers: runs ``upload.py`` and ``download.py`` (and
``startup.py`` where it exists) with the same options, each writing its JSON, then merges
them into one Markdown table of speeds, ratios to the best peer and client CPU, written
as ``latest.json`` beside a PNG chart. The run before is kept as ``previous.json``, and the
table shows how s3desk's own figures moved since. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # report_plot, beside this file
DEFAULT_RESULTS = HERE / "results"
GiB = 1024**3
S3DESK = "s3desk"
# s3desk's other forms (the engine in-process, an older checkout): columns, never peers.
OWN = ("s3desk", "s3desk-engine", "s3desk-base")
PEER_ORDER = ("s5cmd", "rclone", "aws", "boto3")
# The peers that check the bytes against an MD5 as s3desk does. Downloads: rclone compares
# each file with its ETag; s5cmd, the AWS CLI and boto3 do not (bench/README.md). Uploads:
# rclone sends each request's Content-MD5, which the server checks.
VERIFYING = {"upload": ("rclone",), "download": ("rclone",), "start-up": ()}
# startup.py's command names for s3desk's upload and its peers' (python itself is a floor,
# not a peer).
STARTUP_TOOLS = {"s3desk-upload": S3DESK, "s5cmd": "s5cmd", "aws": "aws"}


@dataclass
class Cell:
    """One tool's figures for one case: ``status`` is ok, skipped or failed."""

    status: str
    value: float | None = None  # throughput, or milliseconds where lower is better
    cpu: float | None = None  # client CPU seconds per GiB or per 1,000 files
    note: str = ""


@dataclass
class Row:
    direction: str  # upload, download, start-up
    case: str
    title: str
    unit: str
    cpu_unit: str | None
    higher_is_better: bool = True
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.direction} {self.case}"

    def ok(self, tool: str) -> Cell | None:
        cell = self.cells.get(tool)
        return cell if cell and cell.status == "ok" and cell.value else None

    def peers(self, verifying_only: bool = False) -> list[str]:
        allowed = VERIFYING.get(self.direction, ())
        return [
            t
            for t in self.cells
            if t not in OWN and self.ok(t) and (not verifying_only or t in allowed)
        ]

    def speed(self, tool: str) -> float | None:
        """Higher is faster, whatever the unit: times are turned round."""
        cell = self.ok(tool)
        if cell is None or cell.value is None:
            return None
        return cell.value if self.higher_is_better else 1 / cell.value

    def best_peer(self, verifying_only: bool = False) -> str | None:
        peers = self.peers(verifying_only)
        return max(peers, key=lambda t: self.speed(t) or 0.0) if peers else None

    def best_cpu_peer(self, verifying_only: bool = False) -> str | None:
        peers = [t for t in self.peers(verifying_only) if self.cells[t].cpu]
        return min(peers, key=lambda t: self.cells[t].cpu or 0.0) if peers else None

    def speed_ratio(self, tool: str, peer: str | None) -> float | None:
        """The tool's speed over the peer's: above 1, the tool is faster."""
        mine, theirs = self.speed(tool), self.speed(peer) if peer else None
        return mine / theirs if mine and theirs else None

    def cpu_ratio(self, tool: str, peer: str | None) -> float | None:
        """The tool's client CPU over the peer's: below 1, the tool uses less."""
        mine = self.cells[tool].cpu if self.ok(tool) else None
        theirs = self.cells[peer].cpu if peer and self.ok(peer) else None
        return mine / theirs if mine and theirs else None


# ---------------------------------------------------------------------------- reading


def transfer_rows(direction: str, doc: dict[str, Any]) -> list[Row]:
    """Rows from the JSON upload.py or download.py writes (``--json``)."""
    cases = doc.get("settings", {}).get("cases", {})
    skipped = doc.get("skipped", {})
    rows = []
    for case, summaries in sorted(doc.get("summary", {}).items()):
        info = cases.get(case, {})
        files, size = int(info.get("files", 1)), int(info.get("bytes", 0))
        whole_file = files == 1
        per = size / GiB if whole_file else files / 1000
        row = Row(
            direction,
            case,
            info.get("title", case),
            "MiB/s" if whole_file else "files/s",
            "CPU s per GiB" if whole_file else "CPU s per 1,000 files",
        )
        for tool, s in summaries.items():
            if s.get("ok_runs"):
                cpu = s["client_cpu_median_s"] / per if per else None
                row.cells[tool] = Cell("ok", s["throughput"], cpu)
            else:
                row.cells[tool] = Cell("failed", note=f"0/{s.get('runs', 0)} runs ok")
        for tool, reason in skipped.items():
            row.cells.setdefault(tool, Cell("skipped", note=str(reason)))
        rows.append(row)
    return rows


def startup_rows(doc: dict[str, Any]) -> list[Row]:
    """One row from startup.py's JSON: ``s3desk upload`` of one small file against the
    peers' same command, start-up included (milliseconds, lower is better)."""
    summary = doc.get("summary", {})
    commands = doc.get("commands", {})
    size = doc.get("settings", {}).get("file_bytes", 1024)
    row = Row("start-up", "upload", f"one {size:,} B file, with start-up", "ms", None, False)
    for name, tool in STARTUP_TOOLS.items():
        skipped = commands.get(name, {}).get("skipped")
        if name in summary and "median_s" in summary[name]:
            row.cells[tool] = Cell("ok", summary[name]["median_s"] * 1000)
        elif skipped:
            row.cells[tool] = Cell("skipped", note=str(skipped))
        elif name in commands:
            row.cells[tool] = Cell("failed", note="no run finished")
    return [row] if row.cells else []


def merge(
    upload: dict[str, Any] | None,
    download: dict[str, Any] | None,
    startup: dict[str, Any] | None = None,
) -> list[Row]:
    rows: list[Row] = []
    if upload:
        rows += transfer_rows("upload", upload)
    if download:
        rows += transfer_rows("download", download)
    if startup:
        rows += startup_rows(startup)
    return rows


def tool_columns(rows: list[Row]) -> list[str]:
    """s3desk and its other forms first, then the usual peers, then any other tool."""
    seen = {t for row in rows for t in row.cells}
    known = [t for t in (*OWN, *PEER_ORDER) if t in seen]
    return known + sorted(seen - set(known))


# ---------------------------------------------------------------------------- results


def row_result(row: Row, previous: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The row as written to the JSON: every tool's figures, the best peers and s3desk's
    ratios to them, and the change of s3desk's figures since the previous report."""
    best, best_verifying = row.best_peer(), row.best_peer(verifying_only=True)
    cpu_best, cpu_verifying = row.best_cpu_peer(), row.best_cpu_peer(verifying_only=True)
    result: dict[str, Any] = {
        "key": row.key,
        "direction": row.direction,
        "case": row.case,
        "title": row.title,
        "unit": row.unit,
        "cpu_unit": row.cpu_unit,
        "higher_is_better": row.higher_is_better,
        "tools": {t: vars(c) for t, c in row.cells.items()},
        "verifying_peers": list(VERIFYING.get(row.direction, ())),
        "best_peer": best,
        "speed_x_best_peer": row.speed_ratio(S3DESK, best),
        "best_verifying_peer": best_verifying,
        "speed_x_best_verifying_peer": row.speed_ratio(S3DESK, best_verifying),
        "lowest_cpu_peer": cpu_best,
        "cpu_x_lowest_peer": row.cpu_ratio(S3DESK, cpu_best),
        "lowest_cpu_verifying_peer": cpu_verifying,
        "cpu_x_lowest_verifying_peer": row.cpu_ratio(S3DESK, cpu_verifying),
        "change": change(row, previous.get(row.key)),
    }
    return result


def change(row: Row, before: dict[str, Any] | None) -> dict[str, Any] | None:
    """s3desk's speed and CPU against the previous report's same case, in percent (speed:
    above 0 is faster; CPU: above 0 is more). None when there is nothing to compare: no
    previous report, another size of data, or s3desk did not run either time."""
    if not before or before.get("title") != row.title or before.get("unit") != row.unit:
        return None
    old = before.get("tools", {}).get(S3DESK, {})
    now = row.ok(S3DESK)
    if now is None or old.get("status") != "ok" or not old.get("value"):
        return None
    old_speed = old["value"] if row.higher_is_better else 1 / old["value"]
    speed_pct = ((row.speed(S3DESK) or 0) / old_speed - 1) * 100
    cpu_pct = (now.cpu / old["cpu"] - 1) * 100 if now.cpu and old.get("cpu") else None
    return {"speed_pct": speed_pct, "cpu_pct": cpu_pct}


def build_report(
    rows: list[Row], previous_doc: dict[str, Any] | None, meta: dict[str, Any]
) -> dict[str, Any]:
    previous = {r["key"]: r for r in (previous_doc or {}).get("rows", []) if "key" in r}
    return {
        "format": 1,
        **meta,
        "tools": tool_columns(rows),
        "rows": [row_result(row, previous) for row in rows],
        "previous_written": (previous_doc or {}).get("written"),
    }


# ---------------------------------------------------------------------------- table


def markdown(report: dict[str, Any]) -> str:
    tools = report["tools"]
    head = ["case", "unit", *tools, "s3desk x best peer", "s3desk x best verifying peer"]
    head += ["CPU", *(f"{t} CPU" for t in tools), "CPU x lowest peer"]
    head += ["CPU x lowest verifying peer", "s3desk change vs previous"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in report["rows"]:
        cells = r["tools"]
        speed = [_value(cells.get(t), "value", r["unit"]) for t in tools]
        cpu = [_value(cells.get(t), "cpu", r["unit"]) if r["cpu_unit"] else "" for t in tools]
        line = [
            f"{r['direction']} {r['case']}: {r['title']}",
            r["unit"],
            *speed,
            _ratio(r["speed_x_best_peer"], r["best_peer"]),
            _ratio(r["speed_x_best_verifying_peer"], r["best_verifying_peer"]),
            (r["cpu_unit"] or "").removeprefix("CPU "),
            *cpu,
            _ratio(r["cpu_x_lowest_peer"], r["lowest_cpu_peer"]),
            _ratio(r["cpu_x_lowest_verifying_peer"], r["lowest_cpu_verifying_peer"]),
            _change(r["change"], report.get("previous_written")),
        ]
        lines.append("| " + " | ".join(line) + " |")
    return "\n".join(lines)


def _value(cell: dict[str, Any] | None, key: str, unit: str) -> str:
    if cell is None:
        return ""
    if cell["status"] != "ok":
        return str(cell["status"])
    value = cell.get(key)
    if value is None:
        return "-"
    if key == "cpu":
        return f"{value:.2f}"
    return f"{value:.1f}" if unit == "MiB/s" else f"{value:.0f}"


def _ratio(value: float | None, peer: str | None) -> str:
    return "-" if value is None or peer is None else f"{value:.2f} ({peer})"


def _change(change: dict[str, Any] | None, previous_written: str | None) -> str:
    if change is None:
        return "-" if previous_written else "no previous run"
    text = f"speed {change['speed_pct']:+.1f}%"
    if change.get("cpu_pct") is not None:
        text += f", CPU {change['cpu_pct']:+.1f}%"
    return text


LEGEND = (
    "Speeds are medians. s3desk x best peer: s3desk's speed over the fastest peer's "
    "(above 1: s3desk is faster; for start-up, the peer's time over s3desk's). Verifying peers "
    "check the bytes against an MD5 as s3desk does ({verifying}). CPU: the client's user+sys "
    "seconds per GiB (one large file) or per 1,000 files; CPU x lowest peer: s3desk's over "
    "the peer using least (below 1: s3desk uses less). Change vs previous: s3desk's own "
    "speed and CPU against the previous report's same case (speed: + is faster; CPU: + is "
    "more)."
)


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        description="Run the upload and download benchmarks and report them in one table "
        "and one chart. Options not listed here go to upload.py and download.py alike.",
    )
    parser.add_argument(
        "--results", type=Path, default=DEFAULT_RESULTS, help="folder for the JSON files"
    )
    parser.add_argument(
        "--png", type=Path, help="where the chart goes (default: RESULTS/bench.png)"
    )
    parser.add_argument(
        "--from-json",
        action="store_true",
        help="run nothing: report RESULTS' upload.json, download.json and startup.json again",
    )
    parser.add_argument(
        "--only",
        default="upload,download,startup",
        help="which benchmarks to run (default: upload,download,startup)",
    )
    parser.add_argument(
        "--previous", type=Path, help="the report to compare with (default: RESULTS/previous.json)"
    )
    return parser.parse_known_args(argv)


def run_benchmarks(
    only: list[str], results: Path, passthrough: list[str]
) -> tuple[dict[str, Path], int]:
    """Run each benchmark script with its --json in RESULTS; the worst exit code."""
    worst = 0
    written: dict[str, Path] = {}
    for name in only:
        script = HERE / f"{name}.py"
        if not script.exists():
            print(f"{script.name} is not here: skipped.")
            continue
        out = results / f"{name}.json"
        out.unlink(missing_ok=True)
        # startup.py has options of its own: the transfer options are not for it.
        args = [] if name == "startup" else passthrough
        print(f"\n>>> {script.name} {' '.join(args)}", flush=True)
        code = subprocess.run([sys.executable, str(script), *args, "--json", str(out)]).returncode
        worst = max(worst, code)
        if out.exists():
            written[name] = out
        else:
            print(f"{script.name} wrote no results (exit {code}).")
    return written, worst


def load(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse_args(argv)
    results: Path = args.results
    results.mkdir(parents=True, exist_ok=True)
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    latest, previous_path = results / "latest.json", args.previous or results / "previous.json"
    code = 0
    if args.from_json:
        if passthrough:
            print(f"note: --from-json runs nothing, so {' '.join(passthrough)} is not used")
        docs = {n: results / f"{n}.json" for n in only}
    else:
        docs, code = run_benchmarks(only, results, passthrough)
    rows = merge(load(docs.get("upload")), load(docs.get("download")), load(docs.get("startup")))
    if not rows:
        print("No results to report.")
        return code or 1
    meta = {
        "written": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}",
        },
        "sources": {name: str(path) for name, path in docs.items() if path.exists()},
    }
    if not args.from_json and args.previous is None and latest.exists():
        # This run's report replaces the latest, which becomes the one to compare with.
        latest.replace(previous_path)
    report = build_report(rows, load(previous_path), meta)
    latest.write_text(json.dumps(report, indent=2) + "\n")
    verifying = ", ".join(sorted({p for ps in VERIFYING.values() for p in ps})) or "none"
    print("\n## s3desk against its peers\n")
    print(LEGEND.format(verifying=verifying) + "\n")
    print(markdown(report) + "\n")
    png = args.png or results / "bench.png"
    try:
        from report_plot import draw
    except ImportError as error:  # matplotlib is in the bench extra
        print(f"No chart: {error}")
    else:
        draw(report, png)
        print(f"Chart: {png}")
    print(f"Report: {latest}")
    return code


if __name__ == "__main__":
    sys.exit(main())
