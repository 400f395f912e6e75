"""Speed and ETA, one definition for every row and total: bytes moved over a sliding window.

The speed is the bytes counted during the last ``window`` seconds divided by those seconds,
or, for a meter started less than ``window`` seconds ago, by the time since it started. It
is measured from the first sample that saw bytes move, and told only once it has watched
them move for ``settle`` seconds: what the first moments of a transfer count (a throttle's
burst allowance, buffers filling at once) says little about the rest. The ETA is what is
left divided by that speed. A row and the totals sampled at the same moments, with one
job moving, give the same speed and, with the same bytes left, the same ETA.
"""

from __future__ import annotations

from collections import deque

WINDOW_SECONDS = 5.0
SETTLE_SECONDS = 1.0


class RateMeter:
    """Feed it cumulative byte counts with their times; it tells the rate over ``window``.

    The clock is the caller's (monotonic seconds), so tests can drive it without sleeping.
    """

    __slots__ = ("_moving", "_rate", "_samples", "settle", "window")

    def __init__(self, window: float = WINDOW_SECONDS, settle: float = SETTLE_SECONDS) -> None:
        self.window = window
        self.settle = min(settle, window)
        self._samples: deque[tuple[float, int]] = deque()
        self._moving = False
        self._rate = 0.0

    @property
    def started(self) -> bool:
        return bool(self._samples)

    def start(self, total_bytes: int, now: float) -> None:
        """Watch from ``now`` on, forgetting what came before."""
        self._samples.clear()
        self._samples.append((now, total_bytes))
        self._moving = False
        self._rate = 0.0

    def stop(self) -> None:
        """Nothing moves any more: no speed until the next start."""
        self._samples.clear()
        self._rate = 0.0

    def update(self, total_bytes: int, now: float) -> float:
        """Take a sample (the first one starts the meter); returns the rate."""
        samples = self._samples
        if not samples:
            self.start(total_bytes, now)
            return self._rate
        if now < samples[-1][0]:
            return self._rate
        if total_bytes < samples[-1][1]:
            self.start(total_bytes, now)  # bytes taken back (a retry): measure from here
            return self._rate
        if not self._moving:
            if total_bytes > samples[0][1]:
                self.start(total_bytes, now)  # the first bytes seen: measured from here
                self._moving = True
            return self._rate
        if now == samples[-1][0]:
            samples.pop()
        samples.append((now, total_bytes))
        # Keep one sample at or before the window's start: the window is measured from it.
        while len(samples) > 2 and samples[1][0] <= now - self.window:
            samples.popleft()
        since, counted = samples[0]
        span = now - since
        if span < self.settle:
            self._rate = 0.0
        else:
            moved = max(0, total_bytes - counted)
            self._rate = moved / span
        return self._rate

    @property
    def rate(self) -> float:
        return self._rate

    def eta(self, remaining: int) -> float | None:
        return eta(remaining, self._rate)


def eta(remaining: int, rate: float) -> float | None:
    """Seconds until ``remaining`` bytes are moved at ``rate``; None when unknown."""
    if remaining <= 0:
        return 0.0
    if rate <= 1.0:
        return None
    return remaining / rate
