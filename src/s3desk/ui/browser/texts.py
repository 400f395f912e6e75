"""The Browse tab's texts made outside its widgets: how long a share link is valid, and
what a download or a delete did. They keep the context "BrowserView" in the catalogue."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from s3desk.core.bucket.deleting import DeleteResult
from s3desk.core.transfer.download.plan import DownloadPlan
from s3desk.ui.common.units import human_duration, human_size


def plural(count: int, one: str, many: str, **fields: str) -> str:
    """``one`` or ``many`` (translated templates with ``{n}``) for ``count``: the English
    source stays grammatical without a translation installed."""
    return (one if count == 1 else many).format(n=f"{count:,}", **fields)


def expiry_words(seconds: int) -> str:
    """3600 -> "1 hour", 604800 -> "7 days"; other lengths as a duration."""
    translate = QCoreApplication.translate
    if seconds % 86400 == 0:
        return plural(
            seconds // 86400,
            translate("BrowserView", "{n} day"),
            translate("BrowserView", "{n} days"),
        )
    if seconds % 3600 == 0:
        return plural(
            seconds // 3600,
            translate("BrowserView", "{n} hour"),
            translate("BrowserView", "{n} hours"),
        )
    return human_duration(seconds)


def download_summary(plan: DownloadPlan, dest: str) -> str:
    translate = QCoreApplication.translate
    text = plural(
        len(plan.items),
        translate("BrowserView", "Downloading {n} file ({size}) to {folder}"),
        translate("BrowserView", "Downloading {n} files ({size}) to {folder}"),
        size=human_size(plan.total_size),
        folder=dest,
    )
    return text + refused_note(plan) + "."


def refused_note(plan: DownloadPlan) -> str:
    """What of the selection cannot be saved here, to follow a summary ("" if nothing)."""
    translate = QCoreApplication.translate
    if not plan.refused:
        return ""
    return plural(
        len(plan.refused),
        translate(
            "BrowserView", "; {n} object cannot be saved under its name here (see the tooltip)"
        ),
        translate(
            "BrowserView",
            "; {n} objects cannot be saved under their name here (see the tooltip)",
        ),
    )


def downloaded_summary(done: int, size: int, failed: int, dest: str, note: str = "") -> str:
    """ "Downloaded 4 files (11.0 MiB) to /home/me/Downloads; 1 failed (see Transfers)"."""
    translate = QCoreApplication.translate
    if not done and not failed:
        return translate("BrowserView", "Nothing was downloaded") + note + "."
    text = plural(
        done,
        translate("BrowserView", "Downloaded {n} file ({size}) to {folder}"),
        translate("BrowserView", "Downloaded {n} files ({size}) to {folder}"),
        size=human_size(size),
        folder=dest,
    )
    if failed:
        text += translate("BrowserView", "; {n} failed (see the Transfers tab)").format(
            n=f"{failed:,}"
        )
    return text + note + "."


def delete_summary(result: DeleteResult) -> str:
    """ "Deleted 2,497 objects; 3 could not be deleted (e.g. big.iso: Access Denied)"."""
    translate = QCoreApplication.translate
    text = plural(
        len(result.deleted),
        translate("BrowserView", "Deleted {n} object"),
        translate("BrowserView", "Deleted {n} objects"),
    )
    if result.failed:
        first = result.failed[0]
        text += translate(
            "BrowserView", "; {n} could not be deleted (e.g. {key}: {reason})"
        ).format(n=f"{len(result.failed):,}", key=first.key, reason=first.message or first.code)
    if result.cancelled:
        text += translate("BrowserView", "; stopped before the rest")
    return text
