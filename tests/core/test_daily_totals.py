"""Bytes uploaded and downloaded per local day, as the History's chart draws them."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from typing import Any

import pytest

from s3desk.core.compliance.daily_totals import DayTotal, daily_totals, first_moment


@pytest.fixture(autouse=True)
def local_zone_minus_0800(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time eight hours behind UTC, so a UTC date and a local date differ."""
    monkeypatch.setenv("TZ", "PST+08:00")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _at(utc: str, **fields: Any) -> dict[str, Any]:
    return {"time": utc, "user": "alice", **fields}


def test_transfers_that_happened_are_summed_per_local_day() -> None:
    entries = [
        _at("2025-03-01T07:59:00.000+00:00", action="upload", size=100, result="ok"),  # Feb 28
        _at("2025-03-01T08:00:00.000+00:00", action="upload", size=200, result="ok"),  # Mar 1
        _at("2025-03-01T20:00:00.000+00:00", action="upload", size=300, result="ok"),
        _at("2025-03-01T21:00:00.000+00:00", action="download", size=50, result="ok"),
        _at("2025-03-01T22:00:00.000+00:00", action="upload", size=999, result="failed"),
        _at("2025-03-01T22:00:00.000+00:00", action="upload-start", size=999, result="queued"),
        _at("2025-03-01T22:00:00.000+00:00", action="delete", size=999, result="ok"),
        _at("2025-03-01T22:00:00.000+00:00", action="upload", size="9", result="ok"),
        _at("not a time", action="upload", size=999, result="ok"),
        _at("2025-03-03T09:00:00.000+00:00", action="download", size=7, result="ok"),
        _at("2025-03-04T09:00:00.000+00:00", action="download", size=7, result="ok"),  # after
        _at("2025-02-20T09:00:00.000+00:00", action="upload", size=7, result="ok"),  # before
    ]
    totals = daily_totals(entries, datetime.date(2025, 3, 3), 5)
    assert totals == [
        DayTotal(datetime.date(2025, 2, 27), 0, 0),
        DayTotal(datetime.date(2025, 2, 28), 100, 0),
        DayTotal(datetime.date(2025, 3, 1), 500, 50),
        DayTotal(datetime.date(2025, 3, 2), 0, 0),
        DayTotal(datetime.date(2025, 3, 3), 0, 7),
    ]


def test_no_days_asked_gives_none_and_a_day_starts_at_local_midnight() -> None:
    assert daily_totals([], datetime.date(2025, 3, 3), 0) == []
    start = first_moment(datetime.date(2025, 3, 1))
    assert start.astimezone(datetime.UTC).isoformat() == "2025-03-01T08:00:00+00:00"
