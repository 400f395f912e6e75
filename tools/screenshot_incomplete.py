"""A screenshot of the Incomplete uploads dialog: three uploads left half-way in a bucket.

Run under Xvfb: ``xvfb-run -a -s "-screen 0 1280x800x24" python tools/screenshot_incomplete.py``.
The uploads go to the local demo storage, which is gone when the script ends.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

# Part sizes of the three uploads, in MiB (every part but the last is at least 5 MiB).
_UPLOADS = (
    ("projects/apollo/launch-film.mov", (8, 8, 8)),
    ("projects/apollo/interview raw.mp4", (5, 5)),
    ("backups/2024-05-laptop.tar.zst", (6,)),
)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)

    import qasync

    from s3desk.core.storage.demo import DemoStorage
    from s3desk.core.storage.endpoint import make_client
    from s3desk.ui.app import make_application
    from s3desk.ui.browser.incomplete_uploads import IncompleteUploadsDialog

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    with DemoStorage() as endpoint:
        client = make_client(endpoint, 2)
        _start_uploads(client, "demo")
        client.put_object(Bucket="demo", Key="projects/apollo/b-roll.mp4", Body=b"done")
        dialog = IncompleteUploadsDialog(lambda: client, "demo", account="Local demo storage")
        try:
            with loop:  # closing the loop also stops its executor threads
                loop.run_until_complete(_capture(dialog, out / "incomplete-uploads.png"))
        finally:
            _release(dialog)
    return 0


def _start_uploads(client: Any, bucket: str) -> None:
    for key, parts in _UPLOADS:
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        for number, mib in enumerate(parts, start=1):
            client.upload_part(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                Body=bytes(mib * 1024 * 1024),
            )  # fmt: skip


async def _capture(dialog: Any, path: Path) -> None:
    from PySide6.QtWidgets import QApplication

    listed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.listed.connect(lambda n: listed.done() or listed.set_result(n))
    dialog.failed.connect(lambda m: listed.done() or listed.set_exception(RuntimeError(m)))
    dialog.show()
    await asyncio.wait_for(listed, 60)
    # Two rows selected, as just before "Abort selected…".
    dialog.table.selectRow(0)
    dialog.table.selectionModel().select(
        dialog.table.model().index(1, 0),
        dialog.table.selectionModel().SelectionFlag.Select
        | dialog.table.selectionModel().SelectionFlag.Rows,
    )
    QApplication.processEvents()  # lay out and paint before grabbing
    dialog.grab().save(str(path))
    print(f"saved {path}")


def _release(widget: object) -> None:
    """Destroy the dialog while the QApplication still exists (see tools/screenshots.py)."""
    import gc

    import shiboken6

    shiboken6.delete(widget)
    gc.collect()


if __name__ == "__main__":
    raise SystemExit(main())
