"""The throughput graph's history: one sample a second per direction, from the snapshots'
cumulative counters, on a fake clock."""

from __future__ import annotations

import pytest

from s3desk.core.transfer.rate import RateMeter
from s3desk.core.transfer.throughput_history import Sample, ThroughputHistory

TICK = 0.15  # as often as the window takes a snapshot


def _run(
    history: ThroughputHistory,
    start: float,
    seconds: float,
    up_rate: float,
    down_rate: float,
    counters: tuple[float, float] = (0.0, 0.0),
) -> tuple[float, float, float]:
    """Snapshots every TICK for ``seconds`` with the counters growing at the given rates;
    returns the clock and the counters at the end."""
    now, up, down = start, *counters
    for _ in range(round(seconds / TICK)):
        now += TICK
        up += up_rate * TICK
        down += down_rate * TICK
        history.record(now, int(up), int(down))
    return now, up, down


def test_samples_come_from_the_counters_and_agree_with_the_speed_meter() -> None:
    history = ThroughputHistory(seconds=60)
    meter = RateMeter()  # what the window prints for the uploads, fed the same snapshots
    now, up = 100.0, 0.0
    history.record(now, 0, 0)
    meter.update(0, now)
    for _ in range(round(20 / TICK)):
        now += TICK
        up += 4000 * TICK
        history.record(now, int(up), int(up / 4))
        shown = meter.update(int(up), now)
    assert history.current.upload == pytest.approx(shown)
    assert history.current.upload == pytest.approx(4000, rel=0.02)
    assert history.current.download == pytest.approx(1000, rel=0.02)
    assert history.ever_moved


def test_faster_seconds_have_larger_samples_and_the_peak_is_the_highest() -> None:
    history = ThroughputHistory(seconds=60)
    now, up, down = _run(history, 0.0, 10, 1000, 0)
    _run(history, now, 10, 9000, 500, (up, down))
    samples = history.samples()
    assert samples[-1].upload > 5 * samples[-12].upload > 0
    assert history.peak.upload == max(s.upload for s in samples) == samples[-1].upload
    assert history.peak.download == pytest.approx(500, rel=0.05)


def test_the_ring_keeps_only_the_last_seconds() -> None:
    history = ThroughputHistory(seconds=30)
    now, up, down = _run(history, 0.0, 20, 8000, 0)
    _run(history, now, 40, 1000, 0, (up, down))  # wraps: the fast spell falls off
    samples = history.samples()
    assert len(samples) == 30
    assert max(s.upload for s in samples) == pytest.approx(1000, rel=0.05)


def test_seconds_without_snapshots_are_zeros() -> None:
    history = ThroughputHistory(seconds=60)
    now, up, _down = _run(history, 0.0, 10, 5000, 0)
    assert history.current.upload > 0
    history.advance(now + 20)  # idle: the window took no snapshot for 20 s
    samples = history.samples()
    assert [s.upload for s in samples[-20:]] == [0.0] * 20
    assert samples[-21].upload > 0
    # Polling again after the gap: the bytes of the gap are not spread over the window.
    history.record(now + 20.5, int(up) + 1000, 0)
    assert history.current == Sample(0.0, 0.0)
    history.advance(now + 200)
    assert history.quiet()


def test_a_new_engine_counting_from_zero_makes_no_negative_spike() -> None:
    history = ThroughputHistory(seconds=60)
    now, _, _ = _run(history, 0.0, 10, 50_000, 2000)
    # The user switched accounts: the new engine's counters start again from zero.
    now, _, _ = _run(history, now, 10, 3000, 1000, (0, 0))
    samples = history.samples()
    assert min(min(s.upload, s.download) for s in samples) >= 0.0
    assert history.current.upload == pytest.approx(3000, rel=0.05)
    assert history.current.download == pytest.approx(1000, rel=0.05)


def test_a_late_snapshot_from_the_past_changes_nothing() -> None:
    history = ThroughputHistory(seconds=60)
    now, _, _ = _run(history, 0.0, 10, 5000, 0)
    before = history.samples()
    history.record(now - 5, 0, 0)
    assert history.samples() == before


def test_bytes_moved_too_briefly_for_a_speed_still_count_as_moved() -> None:
    history = ThroughputHistory(seconds=60)
    history.record(10.0, 0, 0)
    history.record(10.15, 0, 0)
    assert not history.ever_moved  # snapshots alone are not movement
    history.record(10.3, 0, 700)  # one small download, done within a snapshot
    assert history.ever_moved
    assert history.quiet()  # a speed needs a second of watching (rate.py): none shown
