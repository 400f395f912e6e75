"""Polls the transfer engines on a timer and turns what changed into model updates and signals.

Workers never touch Qt: they update the core's counters, and this object, living on the UI
thread, takes one snapshot every ``interval_ms``. The timer stops when the engine is idle.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from s3desk.core.transfer.jobs import Totals
from s3desk.core.transfer.queue_api import TransferQueue
from s3desk.ui.common.core_phrases import shown
from s3desk.ui.transfers.model import TransferModel

SNAPSHOT_INTERVAL_MS = 150


class EngineBridge(QObject):
    totalsChanged = Signal(object)  # Totals
    # Emitted once each time the queue runs dry (every file done, failed, cancelled or skipped).
    idle = Signal(object)  # Totals
    # (blocked, warning): why the queue waits (e.g. expired credentials), or a problem that
    # does not stop uploads (e.g. the journal cannot be written). Empty strings when clear.
    problemChanged = Signal(str, str)

    def __init__(
        self,
        engine: TransferQueue,
        model: TransferModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.model = model
        self._timer = QTimer(self)
        self._timer.setInterval(SNAPSHOT_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh)
        self._was_busy = False
        self._problem = ("", "")

    def set_engine(self, engine: TransferQueue) -> None:
        """Follow another engine (the user switched accounts)."""
        self._timer.stop()
        self.engine = engine
        self._was_busy = False
        self._problem = ("", "")

    def wake(self) -> None:
        """Call after handing the engine work: snapshots run until it is idle again."""
        self._was_busy = True
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> Totals:
        idle = self.engine.is_idle()  # checked first, so no change made before it is missed
        update = self.engine.drain()
        self.model.apply(update.jobs)
        self.totalsChanged.emit(update.totals)
        problem = (update.blocked, update.warning)
        if problem != self._problem:
            self._problem = problem
            # Shown here: a signal's str arguments arrive as plain text.
            self.problemChanged.emit(shown(update.blocked), shown(update.warning))
        if idle and self._was_busy:
            self._was_busy = False
            self._timer.stop()
            self.idle.emit(update.totals)
        return update.totals
