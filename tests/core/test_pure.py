"""Pure functions of the core: sizes, part sizes, keys, rates, error wording."""

from __future__ import annotations

import pytest

from s3desk.core.storage.keys import MAX_KEY_BYTES, InvalidKey, check_key, join_key
from s3desk.core.storage.parts import (
    MAX_OBJECT_SIZE,
    MAX_PART_SIZE,
    MAX_PARTS,
    MIN_PART_SIZE,
    MiB,
    choose_part_size,
    part_count,
)
from s3desk.core.transfer.jobs import Destination
from s3desk.core.transfer.rate import RateMeter
from s3desk.core.units import human_duration, human_size


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (5 * MiB, "5.0 MiB")],
)
def test_human_size(n: int, text: str) -> None:
    assert human_size(n) == text


def test_human_duration() -> None:
    assert human_duration(5) == "5s"
    assert human_duration(65) == "1m 05s"
    assert human_duration(3 * 3600 + 120) == "3h 02m"


@pytest.mark.parametrize(
    "size", [0, 1, MIN_PART_SIZE, 50 * 1024 * MiB, 80 * 1024 * MiB, 1024**4, MAX_OBJECT_SIZE]
)
def test_part_size_fits_s3_limits(size: int) -> None:
    part = choose_part_size(size, 8 * MiB)
    assert MIN_PART_SIZE <= part <= MAX_PART_SIZE
    assert part_count(size, part) <= MAX_PARTS
    assert part % MiB == 0


def test_part_size_keeps_preference_when_it_fits() -> None:
    assert choose_part_size(100 * MiB, 8 * MiB) == 8 * MiB
    assert choose_part_size(100 * MiB, 1 * MiB) == MIN_PART_SIZE  # S3's minimum wins


def test_part_size_refuses_objects_over_5_tib() -> None:
    with pytest.raises(ValueError, match="5 TiB"):
        choose_part_size(MAX_OBJECT_SIZE + 1, 8 * MiB)


def test_join_key_places_relative_names_under_prefix() -> None:
    assert join_key("", "a/b.txt") == "a/b.txt"
    assert join_key("photos", "a.jpg") == "photos/a.jpg"
    assert join_key("/photos/", "a.jpg") == "photos/a.jpg"


def test_join_key_normalises_to_nfc() -> None:
    decomposed = "cafe\u0301.txt"  # how macOS stores "café"
    assert join_key("", decomposed) == "caf\u00e9.txt"


def test_check_key_limits() -> None:
    check_key("a" * MAX_KEY_BYTES)
    with pytest.raises(InvalidKey, match="1,025 bytes"):
        check_key("a" * (MAX_KEY_BYTES + 1))
    with pytest.raises(InvalidKey, match="1,026 bytes"):
        check_key("é" * 513)  # 513 two-byte characters: bytes count, not characters
    with pytest.raises(InvalidKey, match="not valid UTF-8"):
        check_key(b"bad\xff.txt".decode("utf-8", "surrogateescape"))


def test_destination_parse() -> None:
    assert Destination.parse("s3://bucket/a/b/") == Destination("bucket", "a/b/")
    assert Destination.parse("s3://bucket") == Destination("bucket", "")
    with pytest.raises(ValueError, match="s3://"):
        Destination.parse("bucket/a")
    with pytest.raises(ValueError, match="no bucket"):
        Destination.parse("s3:///a")


def test_rate_meter_converges_and_estimates() -> None:
    meter = RateMeter(window=1.0)
    for t in range(0, 21):
        meter.update(t * 1000, now=t * 0.5)  # 2,000 bytes per second
    assert meter.rate == pytest.approx(2000, rel=0.01)
    assert meter.eta(4000) == pytest.approx(2.0, rel=0.01)
    assert RateMeter().eta(100) is None  # no samples yet: no guess
