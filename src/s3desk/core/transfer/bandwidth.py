"""A global bandwidth limit shared by every upload: a leaky bucket on the bytes sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# How far ahead of the rate a burst may run; keeps short reads from stalling in lockstep.
_BURST_SECONDS = 0.25
# Sleep in slices so a paused or cancelled upload stops promptly even when throttled.
_SLICE_SECONDS = 0.1


class BandwidthLimiter:
    """``consume(n)`` blocks until ``n`` more bytes fit under ``rate`` bytes per second.

    A rate of 0 means unlimited. The rate may change at any time; the clock and the sleep are
    injectable so tests can run without waiting.
    """

    def __init__(
        self,
        rate: float = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_free = 0.0  # when the link is free again, on the clock's scale
        self._changes = 0  # bumped by every change of the rate

    @property
    def rate(self) -> float:
        return self._rate

    @rate.setter
    def rate(self, value: float) -> None:
        with self._lock:
            self._rate = max(0.0, float(value))
            self._next_free = 0.0
            self._changes += 1

    def consume(self, n: int, should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Wait for ``n`` bytes' worth of time; False if ``should_stop`` became true first."""
        while True:
            if self._rate <= 0:
                return True  # the common case, without taking the lock on every read
            with self._lock:
                rate, changes = self._rate, self._changes
                if rate <= 0 or n <= 0:
                    return True
                now = self._clock()
                start = max(self._next_free, now - _BURST_SECONDS)
                self._next_free = start + n / rate
                wait = start - now
            while wait > 0 and changes == self._changes:
                if should_stop():
                    return False
                step = min(wait, _SLICE_SECONDS)
                self._sleep(step)
                wait -= step
            if changes == self._changes:
                return True
            # The limit was changed (or lifted) while waiting: wait as the new one says.
