"""Screenshots of the main window in its main states, for the README and for review.

Run with ``make screenshots`` (under Xvfb). Uses the local demo storage; one file goes to a
bucket that does not exist, so the failed state is shown too.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)

    import qasync

    from s3desk.core.config.engine_config import ConflictPolicy, EngineConfig
    from s3desk.core.storage.demo import DemoStorage
    from s3desk.core.transfer.upload.engine import UploadEngine
    from s3desk.ui.app import make_application
    from s3desk.ui.window.main_window import MainWindow

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    with DemoStorage() as endpoint, TemporaryDirectory() as tmp:
        files = _make_files(Path(tmp))
        # Few workers, so several rows are visibly in progress at once.
        engine = UploadEngine(endpoint, EngineConfig(concurrency=3, conflict=ConflictPolicy.ASK))
        window = MainWindow(engine, bucket="demo")
        # The account box as it looks with a couple of accounts set up.
        window.destination_box.set_account_choices(
            [("team", "Team archive (B2)"), ("sso", "AWS via SSO"), ("demo", "Local demo storage")],
            "demo",
        )
        window.resize(1180, 620)
        window.show()
        window.start()

        def save(name: str, widget: Any = None) -> None:
            path = out / f"{name}.png"
            (widget or window).grab().save(str(path))
            print(f"saved {path}")

        try:
            with loop:  # closing the loop also stops its executor threads
                loop.run_until_complete(_scenario(window, engine, files, save))
        finally:
            if window.transfers.has_downloads:
                window.transfers.downloads.shutdown()
            engine.shutdown(cancel=True)
            _release(window)
    return 0


async def _scenario(window: Any, engine: Any, files: dict[str, Any], save: Any) -> None:
    """Empty window, a failed upload, a batch mid-way and done, taken names, the cancel
    question, a pause and the quit question."""
    from s3desk.core.config.engine_config import ConflictPolicy

    await _settle()
    save("empty")
    window.destination_box.bucket_box.setEditText("archive-2019")  # does not exist
    window.add_paths([files["contract"]])
    await _until(engine.is_idle)
    window.destination_box.bucket_box.setEditText("demo")
    window.destination_box.prefix_edit.setText("projects/apollo")
    window.add_paths(files["batch"])
    await _until(lambda: any(0.15 < v.fraction < 0.85 for v in window.model.views()))
    save("uploading")
    await _until(engine.is_idle)
    await _settle()
    save("main-window")
    # The same folder again: its names are taken now, and the window asks.
    window.add_paths([files["batch"][-1]])
    await _until(lambda: engine.totals().files_asking == 3)
    await _settle()
    save("conflicts")
    window.queue.resolve_conflicts(ConflictPolicy.RENAME)
    await _until(engine.is_idle)
    # A big file (again, so kept as a copy) half-way: cancelling it asks; then it is paused.
    window.add_paths([files["batch"][0]])
    await _until(lambda: engine.totals().files_asking == 1)
    window.queue.resolve_conflicts(ConflictPolicy.RENAME)
    await _until(lambda: any(0.3 < v.fraction < 0.7 for v in window.model.views()))
    running = [v for v in window.model.views() if 0.3 < v.fraction < 0.7]
    await _question(save, "cancel-confirm", lambda: window.queue.ask_cancel(running))
    window.queue.pause_selected()
    await _until(engine.is_idle)
    await _settle()
    save("paused")
    # Quitting now would lose the paused upload (the demo storage keeps nothing): it asks.
    await _question(save, "quit-confirm", window.confirm_quit)
    await _browse(window, engine, save)


async def _question(save: Any, name: str, ask: Callable[[], object]) -> None:
    """Capture a question as the window asks it, shown without waiting for an answer (so
    no button is chosen and nothing happens)."""
    from PySide6.QtWidgets import QMessageBox

    boxes: list[QMessageBox] = []

    def show(box: QMessageBox) -> int:
        box.show()
        boxes.append(box)
        return 0

    exec_ = QMessageBox.exec
    QMessageBox.exec = show
    try:
        ask()
    finally:
        QMessageBox.exec = exec_
    await _settle()
    save(name, boxes[0])
    boxes[0].close()


async def _browse(window: Any, engine: Any, save: Any) -> None:
    """The Browse tab: a folder, the delete confirmation, and an object's versions."""
    # The Browse tab in the folder the batch went to.
    done: list[int] = []
    window.browser.listingDone.connect(done.append)
    window.tabs.setCurrentWidget(window.browser)
    await _until(lambda: bool(done))
    window.browser.open_location("demo", "projects/apollo/")
    await _until(lambda: len(done) >= 2)
    await _settle()
    save("browsing")
    # The delete confirmation for the folder and one file, counted as the app counts.
    from s3desk.core.bucket.deleting import plan_delete

    names = [e.name for e in window.browser.model.entries()]
    selection = window.browser.table.selectionModel()
    for name in ("Quarterly report", "b-roll.mp4"):
        index = window.browser.model.index(names.index(name), 0)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    entries = window.browser.selected_entries()
    keys = [e.key for e in entries]
    plan = await asyncio.get_running_loop().run_in_executor(
        None, lambda: plan_delete(engine.client, "demo", keys)
    )
    await _question(
        save,
        "delete-confirm",
        lambda: window.browser.deleting.confirm_delete("demo", entries, plan),
    )
    # The versions of a document in a versioned bucket.
    client = engine.client
    client.create_bucket(Bucket="archive")
    client.put_bucket_versioning(Bucket="archive", VersioningConfiguration={"Status": "Enabled"})
    for draft in (b"first draft", b"second draft, longer", b"final version of the text"):
        client.put_object(Bucket="archive", Key="contracts/supplier.txt", Body=draft)
    shown: list[int] = []
    window.browser.versionsShown.connect(shown.append)
    window.browser.open_location("archive", "contracts/")
    await _until(lambda: len(done) >= 3)
    window.browser.bar.versions_button.setChecked(True)
    window.browser.table.selectRow(0)
    await _until(lambda: bool(shown))
    window.browser.versions_box.versions_table.selectRow(1)
    await _settle()
    save("versions")
    await _download(window, done, save)


async def _download(window: Any, done: list[int], save: Any) -> None:
    """A folder and a video downloading, in the Transfers tab beside the finished uploads."""
    import tempfile

    window.browser.bar.versions_button.setChecked(False)
    window.browser.open_location("demo", "projects/apollo/")
    await _until(lambda: len(done) >= 4)
    dest = tempfile.mkdtemp(prefix="s3desk-screenshot-")
    window.browser.downloading.choose_download_folder = lambda: dest
    names = [e.name for e in window.browser.model.entries()]
    selection = window.browser.table.selectionModel()
    selection.clear()
    for name in ("Quarterly report", "launch-film.mov", "interview raw.mp4"):
        index = window.browser.model.index(names.index(name), 0)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    window.queue.clear_finished()  # so the download rows show at the top
    window.browser.downloading.download_selected()
    await _until(lambda: any(v.target and 0.2 < v.fraction < 0.8 for v in window.model.views()))
    window.tabs.setCurrentIndex(0)
    await _settle()
    save("downloading")


def _release(window: object) -> None:
    """Destroy the window while the QApplication still exists; left to the garbage collector
    at exit, PySide6 may free it after the application and crash."""
    import gc

    import shiboken6

    shiboken6.delete(window)
    gc.collect()


def _make_files(root: Path) -> dict[str, Path | list[Path]]:
    report = root / "Quarterly report"
    (report / "figures").mkdir(parents=True)
    (report / "summary.docx").write_bytes(os.urandom(180_000))
    (report / "figures" / "revenue.png").write_bytes(os.urandom(420_000))
    (report / "figures" / "growth.png").write_bytes(os.urandom(380_000))
    videos = []
    for name, size in (("launch-film.mov", 700), ("interview raw.mp4", 500), ("b-roll.mp4", 400)):
        path = root / name
        with path.open("wb") as f:
            f.truncate(size * 1024 * 1024)
        videos.append(path)
    contract = root / "contract-signed.pdf"
    contract.write_bytes(os.urandom(90_000))
    return {"contract": contract, "batch": [*videos, report]}


async def _settle() -> None:
    await asyncio.sleep(0.4)  # let the window paint and the snapshot timer tick


async def _until(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the window never reached the state to capture")
        await asyncio.sleep(0.02)


if __name__ == "__main__":
    raise SystemExit(main())
