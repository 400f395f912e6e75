"""Bytes uploaded and downloaded per day, from audit log entries: what the History's chart
draws. Days are local calendar days; only transfers that happened (result "ok") count."""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from s3desk.core.compliance.audit import entry_time


@dataclass(frozen=True, slots=True)
class DayTotal:
    day: datetime.date
    uploaded: int = 0
    downloaded: int = 0


def first_moment(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in local time (timezone-aware)."""
    return datetime.datetime.combine(day, datetime.time()).astimezone()


def daily_totals(
    entries: Iterable[Mapping[str, Any]], last_day: datetime.date, days: int
) -> list[DayTotal]:
    """The ``days`` days up to ``last_day`` (local dates), oldest first, each with the
    bytes of the uploads and downloads that were stored that day; days without any are
    there with zeros. Other entries, and entries outside those days, are left out."""
    if days <= 0:
        return []
    first_day = last_day - datetime.timedelta(days=days - 1)
    # Where each day starts and the last one ends, as timestamps: a day found by bisection,
    # not by converting every entry's time to local time (the UI thread runs this).
    starts = [first_moment(first_day + datetime.timedelta(days=n)).timestamp()
              for n in range(days + 1)]  # fmt: skip
    uploaded = [0] * days
    downloaded = [0] * days
    for entry in entries:
        action = entry.get("action")
        if action not in ("upload", "download") or entry.get("result") != "ok":
            continue
        size = entry.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            continue
        when = entry_time(entry)
        if when is None:
            continue
        index = bisect.bisect_right(starts, when.timestamp()) - 1
        if not 0 <= index < days:
            continue
        if action == "upload":
            uploaded[index] += size
        else:
            downloaded[index] += size
    return [
        DayTotal(first_day + datetime.timedelta(days=n), uploaded[n], downloaded[n])
        for n in range(days)
    ]
