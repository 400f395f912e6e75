"""Sizes and rates typed by people: one reading for the settings, the dialog and the
command line, and a form shown back that reads the same again."""

from __future__ import annotations

import pytest

from s3desk.core.config.settings import Settings
from s3desk.core.units import exact_rate, exact_size, parse_amount

KiB, MiB = 1024, 1024 * 1024


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20M", 20 * MiB),
        ("20m", 20 * MiB),
        ("10 MiB/s", 10 * MiB),
        ("10MiB/sec", 10 * MiB),
        ("1.5 MB/s", 1536 * KiB),  # binary, as rclone reads "MB"
        ("500K", 500 * KiB),
        ("500 KB", 500 * KiB),
        ("2G", 2 * 1024 * MiB),
        ("100 B/s", 100),
        (" 0 ", 0),
    ],
)
def test_rates_in_the_forms_people_type(text: str, rate: int) -> None:
    assert parse_amount(text, rate=True) == rate


def test_a_number_alone_counts_in_the_unit_asked_for() -> None:
    assert parse_amount("10", rate=True) == 10  # the command line: bytes per second
    assert parse_amount("10", bare=KiB, rate=True) == 10 * KiB  # the dialog: KiB/s
    assert parse_amount("1.5", bare=KiB, rate=True) == 1536


@pytest.mark.parametrize("text", ["", "fast", "10 MiB/s/s", "-5M", "10 X", "5 Mbit/s"])
def test_what_is_no_rate_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match="10 MiB/s"):
        parse_amount(text, rate=True)


def test_a_size_has_no_per_second() -> None:
    assert parse_amount("8 MiB") == 8 * MiB
    with pytest.raises(ValueError, match="8 MiB"):
        parse_amount("8 MiB/s")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5 * MiB, "5 MiB/s"),
        (1536 * KiB, "1.5 MiB/s"),
        (5 * MiB + KiB, "5121 KiB/s"),  # exact, not "5.0 MiB/s"
        (1000, "1000 B/s"),
        (3 * 1024 * MiB // 2, "1.5 GiB/s"),
    ],
)
def test_rates_are_shown_exactly_and_read_back_the_same(value: int, text: str) -> None:
    assert exact_rate(value) == text
    assert parse_amount(text, rate=True) == value
    assert exact_size(value) == text.removesuffix("/s")


def test_the_settings_take_a_rate_as_the_command_line_writes_it() -> None:
    assert Settings(bandwidth_limit="10 MiB/s").bandwidth_limit == 10 * MiB  # type: ignore[arg-type]
    assert Settings(bandwidth_limit="20M").bandwidth_limit == 20 * MiB  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bandwidth_limit"):
        Settings(bandwidth_limit="fast")  # type: ignore[arg-type]
