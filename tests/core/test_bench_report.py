"""bench/report.py: the upload and download benchmarks' JSON merged into one table of
s3desk against its peers, the change since the previous report, and the chart. No server:
the JSON documents are written here in the shape upload.py and download.py give them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
GiB = 1024**3


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


report = _load("report")


def summary(throughput: float, cpu: float, unit: str) -> dict[str, Any]:
    """A tool's summary as upload.summarize() writes it (3 runs, all ok)."""
    return {
        "ok_runs": 3,
        "runs": 3,
        "wall_median_s": 1.0,
        "wall_min_s": 1.0,
        "wall_max_s": 1.0,
        "client_cpu_median_s": cpu,
        "server_cpu_median_s": 1.0,
        "client_peak_rss_mib": 50.0,
        "throughput": throughput,
        "throughput_unit": unit,
    }


def transfer_doc(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> dict:  # type: ignore[type-arg]
    """upload.py's --json: A is one 1 GiB file, B 2,000 files; aws was not installed and
    every boto3 run failed."""
    return {
        "settings": {
            "cases": {
                "A": {"title": "one 1024 MiB file", "files": 1, "bytes": GiB},
                "B": {"title": "2,000 files of 16 KiB", "files": 2000, "bytes": 2000 * 16384},
            },
            "runs": 3,
        },
        "versions": {},
        "skipped": {"aws": "AWS CLI not installed: run bench/setup-peers.sh"},
        "summary": {
            "A": {
                **{t: summary(v, c, "MiB/s") for t, (v, c) in a.items()},
                "boto3": {"ok_runs": 0, "runs": 3},
            },
            "B": {t: summary(v, c, "files/s") for t, (v, c) in b.items()},
        },
        "runs": [],
    }


UPLOAD = transfer_doc(
    # MiB/s, client CPU seconds for 1 GiB
    a={"s3desk": (300.0, 2.0), "s5cmd": (400.0, 0.5), "rclone": (250.0, 1.0)},
    # files/s, client CPU seconds for 2,000 files
    b={"s3desk": (900.0, 3.0), "s5cmd": (600.0, 2.0), "rclone": (450.0, 6.0)},
)
DOWNLOAD = transfer_doc(
    a={"s3desk": (500.0, 1.5), "s5cmd": (800.0, 1.0), "rclone": (400.0, 3.0)},
    b={"s3desk": (1000.0, 2.0), "s5cmd": (1250.0, 1.0), "rclone": (500.0, 4.0)},
)


def rows_by_key(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in doc["rows"]}


def test_ratios_against_the_fastest_peer_and_the_fastest_verifying_one() -> None:
    built = report.build_report(report.merge(UPLOAD, DOWNLOAD), None, {})
    rows = rows_by_key(built)
    assert list(rows) == ["upload A", "upload B", "download A", "download B"]

    up_a = rows["upload A"]
    assert up_a["best_peer"] == "s5cmd"
    assert up_a["speed_x_best_peer"] == pytest.approx(300 / 400)
    # s5cmd is faster but does not check MD5s: rclone is the peer doing the same work.
    assert up_a["best_verifying_peer"] == "rclone"
    assert up_a["speed_x_best_verifying_peer"] == pytest.approx(300 / 250)
    # CPU per GiB, against the peer using least, and the least among those verifying.
    assert up_a["tools"]["s3desk"]["cpu"] == pytest.approx(2.0)
    assert up_a["lowest_cpu_peer"] == "s5cmd"
    assert up_a["cpu_x_lowest_peer"] == pytest.approx(2.0 / 0.5)
    assert up_a["lowest_cpu_verifying_peer"] == "rclone"
    assert up_a["cpu_x_lowest_verifying_peer"] == pytest.approx(2.0 / 1.0)

    up_b = rows["upload B"]
    assert up_b["unit"] == "files/s"
    assert up_b["cpu_unit"] == "CPU s per 1,000 files"
    assert up_b["tools"]["s3desk"]["cpu"] == pytest.approx(3.0 / 2)  # 3 s for 2,000 files
    assert up_b["speed_x_best_peer"] == pytest.approx(900 / 600)
    assert up_b["speed_x_best_verifying_peer"] == pytest.approx(900 / 450)

    down_b = rows["download B"]
    assert (down_b["best_peer"], down_b["best_verifying_peer"]) == ("s5cmd", "rclone")
    assert down_b["speed_x_best_peer"] == pytest.approx(1000 / 1250)
    assert down_b["cpu_x_lowest_verifying_peer"] == pytest.approx(2.0 / 4.0)


def test_skipped_and_failed_peers_are_shown_and_never_the_best() -> None:
    built = report.build_report(report.merge(UPLOAD, None), None, {})
    up_a = rows_by_key(built)["upload A"]
    assert up_a["tools"]["aws"]["status"] == "skipped"
    assert up_a["tools"]["boto3"]["status"] == "failed"
    assert built["tools"] == ["s3desk", "s5cmd", "rclone", "aws", "boto3"]

    table = report.markdown(built).splitlines()
    head = [c.strip() for c in table[0].strip("|").split("|")]
    first = [c.strip() for c in table[2].strip("|").split("|")]
    assert first[0] == "upload A: one 1024 MiB file"
    assert first[head.index("aws")] == "skipped"
    assert first[head.index("aws CPU")] == "skipped"
    assert first[head.index("boto3")] == "failed"
    assert first[head.index("s3desk")] == "300.0"
    assert first[head.index("s3desk x best peer")] == "0.75 (s5cmd)"
    assert first[head.index("s3desk x best verifying peer")] == "1.20 (rclone)"
    assert first[head.index("CPU x lowest peer")] == "4.00 (s5cmd)"
    assert first[head.index("s3desk change vs previous")] == "no previous run"
    assert len(first) == len(head)


def test_a_case_with_no_verifying_peer_gives_no_such_ratio() -> None:
    upload = transfer_doc(a={"s3desk": (300.0, 2.0), "s5cmd": (400.0, 0.5)}, b={})
    upload["skipped"]["rclone"] = "not installed"
    row = rows_by_key(report.build_report(report.merge(upload, None), None, {}))["upload A"]
    assert row["best_peer"] == "s5cmd"
    assert row["best_verifying_peer"] is None
    assert row["speed_x_best_verifying_peer"] is None
    line = report.markdown({"tools": ["s3desk", "s5cmd", "rclone"], "rows": [row]})
    assert "| 0.75 (s5cmd) | - |" in line


def test_change_against_the_previous_report() -> None:
    previous = report.build_report(
        report.merge(
            transfer_doc(
                a={"s3desk": (250.0, 2.5), "s5cmd": (400.0, 0.5)},
                b={"s3desk": (1000.0, 3.0)},
            ),
            None,
        ),
        None,
        {"written": "2026-01-01T00:00:00+00:00"},
    )
    # B's data was another size then: its figures cannot be compared.
    rows_by_key(previous)["upload B"]["title"] = "500 files of 16 KiB"
    built = report.build_report(report.merge(UPLOAD, None), previous, {})
    rows = rows_by_key(built)
    assert rows["upload A"]["change"]["speed_pct"] == pytest.approx(20.0)  # 250 -> 300 MiB/s
    assert rows["upload A"]["change"]["cpu_pct"] == pytest.approx(-20.0)  # 2.5 -> 2.0 s/GiB
    assert rows["upload B"]["change"] is None
    table = report.markdown(built)
    assert "| speed +20.0%, CPU -20.0% |" in table
    assert table.splitlines()[3].endswith("| - |")


def test_a_start_up_row_compares_times_the_other_way_round() -> None:
    startup = {
        "settings": {"runs": 7, "file_bytes": 1024},
        "commands": {
            "s3desk-upload": {"argv": [], "skipped": ""},
            "s5cmd": {"argv": [], "skipped": ""},
            "aws": {"argv": [], "skipped": "AWS CLI not installed"},
        },
        "summary": {"s3desk-upload": {"median_s": 0.2}, "s5cmd": {"median_s": 0.05}},
    }
    row = rows_by_key(report.build_report(report.merge(None, None, startup), None, {}))[
        "start-up upload"
    ]
    assert row["unit"] == "ms"
    assert row["tools"]["s3desk"]["value"] == pytest.approx(200.0)
    assert row["tools"]["aws"]["status"] == "skipped"
    assert row["speed_x_best_peer"] == pytest.approx(0.05 / 0.2)  # s3desk takes 4x as long
    assert row["cpu_x_lowest_peer"] is None


def test_a_run_keeps_the_previous_report_and_writes_table_json_and_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")  # the bench extra
    results = tmp_path / "results"
    results.mkdir()
    (results / "upload.json").write_text(json.dumps(UPLOAD))
    (results / "download.json").write_text(json.dumps(DOWNLOAD))
    older = transfer_doc(a={"s3desk": (250.0, 2.5)}, b={})
    (results / "latest.json").write_text(
        json.dumps(report.build_report(report.merge(older, None), None, {"written": "before"}))
    )

    def fake_run(
        only: list[str], results_dir: Path, passthrough: list[str]
    ) -> tuple[dict[str, Path], int]:
        assert passthrough == ["--runs", "1"]  # the benchmarks' own options go through
        return {n: results_dir / f"{n}.json" for n in ("upload", "download")}, 0

    monkeypatch.setattr(report, "run_benchmarks", fake_run)
    png = tmp_path / "chart.png"
    assert report.main(["--results", str(results), "--png", str(png), "--runs", "1"]) == 0

    previous = json.loads((results / "previous.json").read_text())
    assert previous["written"] == "before"
    latest = json.loads((results / "latest.json").read_text())
    assert latest["previous_written"] == "before"
    assert rows_by_key(latest)["upload A"]["change"]["speed_pct"] == pytest.approx(20.0)
    out = capsys.readouterr().out
    assert "| upload A: one 1024 MiB file | MiB/s | 300.0 |" in out
    assert "| download B: 2,000 files of 16 KiB | files/s | 1000 |" in out

    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image

    with Image.open(png) as image:
        width, height = image.size
        assert width >= 800 and height >= 800
        # Not a blank canvas: bars in s3desk's red are drawn.
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert any(rgb == (0xD6, 0x27, 0x28) for _, rgb in colours)


def test_the_chart_needs_no_gui_toolkit(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    plot = _load("report_plot")
    built = report.build_report(report.merge(UPLOAD, DOWNLOAD), None, {"written": "now"})
    png = tmp_path / "bench.png"
    plot.draw(built, png)
    assert png.stat().st_size > 10_000
    # The Agg canvas only: pyplot, which looks for a GUI backend, is never imported.
    assert "matplotlib.pyplot" not in sys.modules
    assert not [m for m in sys.modules if m.startswith("matplotlib.backends.backend_qt")]
