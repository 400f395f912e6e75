"""Feedback outside the window: a tray icon whose tooltip shows the progress, and a
notification when a batch ends (how many went, which failed).

``messageShown`` carries every notification, whether or not the platform has a tray to show
it in (tests, and desktops without one).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from s3desk.core.transfer.jobs import JobState, Totals
from s3desk.ui.common.units import human_rate, human_size
from s3desk.ui.transfers.model import TransferModel

_NAMES_SHOWN = 3


class Notifier(QObject):
    # (title, message) of each notification.
    messageShown = Signal(str, str)

    def __init__(self, model: TransferModel, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.enabled = True  # the "notifications" preference
        self._done_before = 0
        self._bytes_before = 0
        self._reported_failures: set[int] = set()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("s3desk")  # notr: the name
            self.tray.show()

    def restart(self) -> None:
        """Another engine (account): its totals start from zero."""
        self._done_before = self._bytes_before = 0
        self._reported_failures.clear()

    def show_progress(self, totals: Totals) -> None:
        """The tray tooltip: how far the transfers are."""
        if self.tray is None:
            return
        if totals.files_active:
            fraction = totals.bytes_done / totals.bytes_total if totals.bytes_total else 0.0
            text = self.tr("s3desk — {done} of {total} files, {percent} ({speed})").format(
                done=totals.files_done, total=totals.files_total, percent=f"{fraction:.0%}",
                speed=human_rate(totals.speed),
            )  # fmt: skip
        else:
            text = "s3desk"  # notr: the name
        self.tray.setToolTip(text)

    def batch_finished(self, totals: Totals) -> None:
        """The queue ran dry: say what this batch did."""
        done = totals.files_done - self._done_before
        failed_views = [
            v
            for v in self.model.views()
            if v.state is JobState.FAILED and v.id not in self._reported_failures
        ]
        batch_bytes = totals.bytes_done - self._bytes_before
        self._done_before, self._bytes_before = totals.files_done, totals.bytes_done
        self._reported_failures.update(v.id for v in failed_views)
        if (done <= 0 and not failed_views) or not self.enabled:
            return
        if failed_views:
            names = ", ".join(v.name for v in failed_views[:_NAMES_SHOWN])
            more = "…" if len(failed_views) > _NAMES_SHOWN else ""
            title = self.tr("%n file(s) failed", "", len(failed_views))
            message = names + more
            if done > 0:
                message = self.tr("%n file(s) done; failed: {names}", "", done).format(
                    names=message
                )
            icon = QSystemTrayIcon.MessageIcon.Warning
        else:
            title = self.tr("Transfers finished")
            message = self.tr("%n file(s) done ({size})", "", done).format(
                size=human_size(batch_bytes)
            )
            icon = QSystemTrayIcon.MessageIcon.Information
        self.messageShown.emit(title, message)
        if self.tray is not None:
            self.tray.showMessage(title, message, icon, 8000)
