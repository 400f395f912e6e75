"""The chart of report.py's table: one group of bars per case, s3desk and each peer,
relative to the best peer (1.0, the dashed line); speed above, client CPU below.

Drawn with matplotlib's Agg canvas, never pyplot: no GUI toolkit is looked for or loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

S3DESK = "s3desk"
S3DESK_COLOUR = "#d62728"
PEER_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def speed_bars(row: dict[str, Any], tools: list[str]) -> list[float | None]:
    """Each tool's speed over the fastest peer's (for times, the peer's time over the tool's)."""
    best = row["best_peer"]
    if best is None:
        return [None] * len(tools)
    base = row["tools"][best]["value"]
    out: list[float | None] = []
    for tool in tools:
        cell = row["tools"].get(tool)
        if not cell or cell["status"] != "ok" or not cell["value"]:
            out.append(None)
        elif row["higher_is_better"]:
            out.append(cell["value"] / base)
        else:
            out.append(base / cell["value"])
    return out


def cpu_bars(row: dict[str, Any], tools: list[str]) -> list[float | None]:
    """Each tool's client CPU over the peer that used least."""
    lowest = row["lowest_cpu_peer"]
    if lowest is None:
        return [None] * len(tools)
    base = row["tools"][lowest]["cpu"]
    out: list[float | None] = []
    for tool in tools:
        cell = row["tools"].get(tool)
        ok = cell and cell["status"] == "ok" and cell.get("cpu")
        out.append(cell["cpu"] / base if ok and cell else None)
    return out


def _panel(
    axes: Axes,
    rows: list[dict[str, Any]],
    tools: list[str],
    values: list[list[float | None]],
    title: str,
    ylabel: str,
) -> None:
    width = 0.8 / max(1, len(tools))
    for i, tool in enumerate(tools):
        colour = S3DESK_COLOUR if tool == S3DESK else PEER_COLOURS[i % len(PEER_COLOURS)]
        for group, row_values in enumerate(values):
            x = group - 0.4 + width * (i + 0.5)
            value = row_values[i]
            if value is None:
                status = rows[group]["tools"].get(tool, {}).get("status")
                if status in ("skipped", "failed"):
                    axes.text(x, 0.02, status, rotation=90, ha="center", va="bottom", fontsize=7)
                continue
            axes.bar(x, value, width, color=colour, label=tool if group == 0 else None)
            if tool == S3DESK:
                axes.text(x, value, f"{value:.2f}", ha="center", va="bottom", fontsize=8)
    # Every tool in the legend, also one that has no bar in the first group.
    handles, labels = axes.get_legend_handles_labels()
    for i, tool in enumerate(tools):
        if tool not in labels:
            colour = S3DESK_COLOUR if tool == S3DESK else PEER_COLOURS[i % len(PEER_COLOURS)]
            handles.append(axes.bar([0], [0], 0, color=colour)[0])
            labels.append(tool)
    axes.axhline(1.0, color="black", linestyle="--", linewidth=1)
    axes.set_xticks(range(len(rows)))
    axes.set_xticklabels([f"{r['direction']} {r['case']}\n{r['title']}" for r in rows], fontsize=8)
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(ylabel)
    axes.legend(handles, labels, fontsize=8, ncols=min(len(tools), 6), loc="upper right")
    axes.set_ylim(0, max([1.35, *(v * 1.3 for vs in values for v in vs if v)]))


def draw(report: dict[str, Any], path: Path) -> None:
    """Write the chart of ``report`` (report.py's JSON) as a PNG at ``path``."""
    rows = report["rows"]
    tools: list[str] = report["tools"]
    cpu_rows = [r for r in rows if r["cpu_unit"]]
    figure = Figure(figsize=(max(8, 2.2 * len(rows)), 9), layout="constrained")
    FigureCanvasAgg(figure)
    speed_axes, cpu_axes = figure.subplots(2, 1)
    _panel(
        speed_axes,
        rows,
        tools,
        [speed_bars(r, tools) for r in rows],
        "Speed relative to the fastest peer (dashed line); higher is better",
        "x fastest peer",
    )
    _panel(
        cpu_axes,
        cpu_rows,
        tools,
        [cpu_bars(r, tools) for r in cpu_rows],
        "Client CPU per GiB or per 1,000 files, relative to the peer using least; lower is better",
        "x lowest-CPU peer",
    )
    verifying = sorted({p for r in rows for p in r.get("verifying_peers", [])})
    figure.suptitle(
        f"s3desk against its peers ({report.get('written', '')})\n"
        f"Peers that check MD5s as s3desk does: {', '.join(verifying) or 'none'}",
        fontsize=11,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
