"""Speed and ETA from an exponentially weighted moving average of byte counts over time."""

from __future__ import annotations

import math


class RateMeter:
    """Feed it cumulative byte counts with their times; it smooths the rate over ``window`` s.

    The clock is the caller's (monotonic seconds), so tests can drive it without sleeping.
    """

    __slots__ = ("_last_bytes", "_last_time", "_rate", "window")

    def __init__(self, window: float = 3.0) -> None:
        self.window = window
        self._last_time: float | None = None
        self._last_bytes = 0
        self._rate = 0.0

    def update(self, total_bytes: int, now: float) -> float:
        if self._last_time is None:
            self._last_time, self._last_bytes = now, total_bytes
            return self._rate
        elapsed = now - self._last_time
        if elapsed <= 0:
            return self._rate
        instant = max(0, total_bytes - self._last_bytes) / elapsed
        # Weight by elapsed time so irregular sampling still averages over ``window`` seconds.
        alpha = 1.0 - math.exp(-elapsed / self.window)
        self._rate = instant if self._rate == 0.0 else self._rate + alpha * (instant - self._rate)
        self._last_time, self._last_bytes = now, total_bytes
        return self._rate

    @property
    def rate(self) -> float:
        return self._rate

    def eta(self, remaining: int) -> float | None:
        if remaining <= 0:
            return 0.0
        if self._rate <= 1.0:
            return None
        return remaining / self._rate
