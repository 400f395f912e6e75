"""The Browse tab with a huge folder: how soon the first rows show, how long the whole
listing takes, how responsive the window stays meanwhile, and the memory it takes.

A prefix of --objects empty objects is made directly in the folder behind `rclone serve s3`
(so seeding takes seconds, not an upload of 100,000 objects), then the window opens that
prefix in its Browse tab, as a user does, in an offscreen Qt with the app's event loop.

    .venv/bin/python bench/browse.py [--objects 100000] [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from gui_upload import App, rss_mib  # noqa: E402
from tests.servers import RcloneS3Server  # noqa: E402

BUCKET, PREFIX = "huge", "many/"


def seed(root: Path, count: int) -> None:
    folder = root / BUCKET / PREFIX.rstrip("/")
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"object-{n:07d}.dat").touch()


async def one_run(app: App, window: Any) -> dict[str, float]:
    import asyncio

    from PySide6.QtCore import QTimer

    browser = window.browser
    marks: dict[str, float] = {}

    def first_page(_: int) -> None:
        marks["first_page"] = time.perf_counter()
        # The rows are painted on the next pass of the event loop after the model grew.
        QTimer.singleShot(0, lambda: marks.setdefault("painted", time.perf_counter()))

    browser.firstPageShown.connect(first_page)
    browser.listingDone.connect(lambda _: marks.setdefault("done", time.perf_counter()))
    rss_before = rss_mib()
    app.start_probe()
    start = time.perf_counter()
    browser.open_location(BUCKET, PREFIX)
    await app.wait_until(lambda: "done" in marks, 600, "the listing to finish")
    await asyncio.sleep(0.2)  # the paint after the last page
    lag = app.stop_probe()
    browser.firstPageShown.disconnect(first_page)
    loaded = browser.model.loaded_count()
    return {
        "first_rows_s": marks["painted"] - start,
        "all_loaded_s": marks["done"] - start,
        "entries": loaded,
        "lag_p50_ms": lag["p50_ms"],
        "lag_p99_ms": lag["p99_ms"],
        "lag_max_ms": lag["max_ms"],
        "rss_growth_mib": rss_mib() - rss_before,
        "rss_mib": rss_mib(),
    }


async def scenario(app: App, window: Any, runs: int) -> list[dict[str, float]]:
    results = []
    for _ in range(runs):
        results.append(await one_run(app, window))
        window.browser.open_location("", "")  # away, so the next run lists afresh
        await app.wait_until(lambda: window.browser.model.rowCount() >= 1, 60, "buckets")
    return results


def server_floor(endpoint: Any, runs: int = 5) -> dict[str, float]:
    """What any client waits for: one request for the first 200 entries, and one raw HTTP
    round trip of it without parsing, so the window's figure can be read against it."""
    import urllib.request

    from s3desk.core.storage.endpoint import make_client

    client = make_client(endpoint, 2)
    parsed, raw = [], []
    for _ in range(runs):
        started = time.perf_counter()
        client.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX, Delimiter="/", MaxKeys=200)
        parsed.append(time.perf_counter() - started)
        url = client.generate_presigned_url(
            "list_objects_v2",
            Params={"Bucket": BUCKET, "Prefix": PREFIX, "Delimiter": "/", "MaxKeys": 200},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
        raw.append(time.perf_counter() - started)
    return {"botocore_s": statistics.median(parsed), "http_s": statistics.median(raw)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from s3desk.core.storage.endpoint import custom_endpoint
    from s3desk.core.transfer.upload.engine import UploadEngine

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "server"
        started = time.perf_counter()
        seed(root, args.objects)
        print(f"{args.objects:,} objects made in {time.perf_counter() - started:.1f} s")
        with RcloneS3Server(root) as server:
            endpoint = replace(
                custom_endpoint(server.endpoint_url, region="us-east-1"),
                access_key=server.access_key, secret_key=server.secret_key,
            )  # fmt: skip
            floor = server_floor(endpoint)
            app = App()
            engine = UploadEngine(endpoint)
            from s3desk.ui.window.main_window import MainWindow

            window = MainWindow(engine, bucket=BUCKET)
            window.resize(1180, 700)
            window.show()
            window.tabs.setCurrentWidget(window.browser)
            try:
                with app.loop:
                    results = app.loop.run_until_complete(scenario(app, window, args.runs))
            finally:
                engine.shutdown()
    print(report(args, results, floor))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(
    args: argparse.Namespace, results: list[dict[str, float]], floor: dict[str, float]
) -> str:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in results)

    def spread(key: str, fmt: str) -> str:
        values = [r[key] for r in results]
        return f"{fmt.format(min(values))}-{fmt.format(max(values))}"

    first, done, p99 = "first_rows_s", "all_loaded_s", "lag_p99_ms"
    rows = [
        ("first rows painted", f"{median(first):.3f} s", spread(first, "{:.3f}")),
        ("the server's answer to one 200-entry request (raw HTTP)", f"{floor['http_s']:.3f} s", ""),
        ("the same through botocore (boto3's list_objects_v2)", f"{floor['botocore_s']:.3f} s", ""),
        ("whole folder loaded", f"{median(done):.2f} s", spread(done, "{:.2f}")),
        ("UI lag p50 while loading", f"{median('lag_p50_ms'):.1f} ms", ""),
        ("UI lag p99 while loading", f"{median(p99):.1f} ms", spread(p99, "{:.1f}")),
        ("UI lag max", f"{median('lag_max_ms'):.1f} ms", ""),
        ("app RSS with the folder loaded", f"{median('rss_mib'):.0f} MiB", ""),
    ]
    lines = [
        f"## Browsing a folder of {args.objects:,} objects (rclone serve s3, median of "
        f"{len(results)} runs)",
        "",
        "| measure | median | min-max |",
        "|---|---|---|",
        *(f"| {name} | {value} | {rng} |" for name, value, rng in rows),
        "",
        f"Entries listed each run: {int(results[0]['entries']):,}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
