"""The last few minutes of speed, one sample a second for uploads and one for downloads.

Fed the cumulative byte counters of each snapshot (``Totals.bytes_uploaded`` and
``bytes_downloaded``), it measures each direction with the one speed definition
(``rate.RateMeter``: bytes over the last seconds), so the graph agrees with the speed the
window prints. A second in which no snapshot came (nothing ran, the window polled nothing)
counts as nothing moved. A counter that goes back (a new engine after switching accounts
starts from zero, a retry takes bytes back) restarts the meter instead of reading as a
negative speed. The clock is the caller's (monotonic seconds), so tests need no sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from s3desk.core.transfer.rate import RateMeter

HISTORY_SECONDS = 180
# A snapshot later than this after the previous one follows a pause in polling: the meter
# measures from it rather than spreading the bytes of the whole pause over its window.
GAP_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Sample:
    """Bytes per second in one second, per direction."""

    upload: float
    download: float


class ThroughputHistory:
    """A ring of ``seconds`` samples, the newest last; older ones fall off the start."""

    def __init__(self, seconds: int = HISTORY_SECONDS) -> None:
        if seconds < 2:
            raise ValueError("a history needs at least two seconds")
        self.seconds = seconds
        self._samples: deque[Sample] = deque([Sample(0.0, 0.0)] * seconds, maxlen=seconds)
        self._second: int | None = None  # the second the newest sample stands for
        self._meters = (RateMeter(), RateMeter())
        self._last_seen: float | None = None
        self._counters = (0, 0)
        self.ever_moved = False  # bytes moved between two snapshots, at any time

    def record(self, now: float, uploaded: int, downloaded: int) -> None:
        """Take one snapshot's counters, seen at ``now``."""
        if now < (self._last_seen if self._last_seen is not None else now):
            return  # the clock never goes back; a stray late call changes nothing
        self.advance(now)
        paused = self._last_seen is None or now - self._last_seen > GAP_SECONDS
        self._last_seen = now
        rates = []
        for meter, counter in zip(self._meters, (uploaded, downloaded), strict=True):
            if paused:
                meter.start(counter, now)
            rates.append(meter.update(counter, now))
        sample = Sample(*rates)
        self._samples[-1] = sample
        if uploaded > self._counters[0] or downloaded > self._counters[1]:
            self.ever_moved = True  # bytes moved, though too briefly for a speed to show
        self._counters = (uploaded, downloaded)

    def advance(self, now: float) -> None:
        """Move the newest second to ``now``'s: the seconds in between moved nothing."""
        second = math.floor(now)
        if self._second is None:
            self._second = second
            return
        missed = second - self._second
        if missed <= 0:
            return
        for _ in range(min(missed, self.seconds)):
            self._samples.append(Sample(0.0, 0.0))
        self._second = second

    def samples(self) -> list[Sample]:
        """Oldest first; the last is the current second's."""
        return list(self._samples)

    @property
    def current(self) -> Sample:
        return self._samples[-1]

    @property
    def peak(self) -> Sample:
        """The highest speed per direction in the samples held."""
        return Sample(max(s.upload for s in self._samples), max(s.download for s in self._samples))

    def highest_shown(self) -> float:
        """The highest speed of either direction in the samples held: the graph's scale."""
        return max(max(s.upload, s.download) for s in self._samples)

    def quiet(self) -> bool:
        """Every sample held is zero: there is nothing left to scroll."""
        return not self.highest_shown()
