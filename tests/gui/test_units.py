"""Sizes, rates and durations in the window: the core's rules, the user's number format."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from s3desk.core import units as core
from s3desk.ui.common.units import human_duration, human_rate, human_size

KiB, MiB, GiB = 1024, 1024**2, 1024**3


@pytest.fixture
def locale(qapp: QApplication) -> Iterator[None]:
    """Restores the default locale the test changes."""
    before = QLocale()
    yield
    QLocale.setDefault(before)


@pytest.mark.parametrize(
    "n",
    [0, 1, 1023, KiB, 1536, 99.9 * KiB, 99.96 * KiB, 100 * KiB, 1023.9 * KiB, 5 * MiB, 3.5 * GiB],
)
def test_in_plain_english_the_window_says_what_the_command_line_says(
    locale: None, n: float
) -> None:
    QLocale.setDefault(QLocale.c())
    assert human_size(n) == core.human_size(n)
    assert human_rate(n) == core.human_rate(n)


@pytest.mark.parametrize("seconds", [0, 5, 65, 3599, 3725, 86400 * 2])
def test_durations_match_the_command_line_in_plain_english(locale: None, seconds: float) -> None:
    QLocale.setDefault(QLocale.c())
    assert human_duration(seconds) == core.human_duration(seconds)


def test_numbers_follow_the_regional_format(locale: None) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert human_size(5.5 * MiB) == "5,5 MiB"
    assert human_rate(1.5 * KiB) == "1,5 KiB/s"
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert human_size(1000) == "1,000 B"
    assert human_size(250 * GiB) == "250 GiB"  # no decimal from 100 on, as the core does
