"""Favourites: kept per account in a private file, and a broken file is never written over."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from s3desk.core.config.favourites import (
    Favourite,
    FavouritesFileError,
    FavouritesStore,
    favourites_path,
)
from s3desk.core.paths import config_dir


def test_favourites_round_trip_per_account_in_a_private_file() -> None:
    store = FavouritesStore()
    assert store.path == config_dir() / "favourites.toml" == favourites_path()
    holiday = Favourite("acc-1", "photos", "2024/holiday/", name="Holiday")
    assert store.add(holiday)
    assert store.add(Favourite("acc-1", "invoices"))
    assert store.add(Favourite("acc-2", "photos", "2024/holiday/"))
    assert not store.add(Favourite("acc-1", "photos", "2024/holiday/", name="Again"))

    again = FavouritesStore()
    again.load()
    assert again.favourites("acc-1") == [holiday, Favourite("acc-1", "invoices")]
    assert again.favourites("acc-2") == [Favourite("acc-2", "photos", "2024/holiday/")]
    assert again.favourites("acc-3") == []
    assert [f.label for f in again.favourites("acc-1")] == ["Holiday", "invoices"]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert "secret" not in store.path.read_text()

    again.rename(Favourite("acc-1", "invoices"), " Bills ")
    again.remove(holiday)
    third = FavouritesStore()
    third.load()
    assert third.favourites("acc-1") == [Favourite("acc-1", "invoices", name="Bills")]
    assert len(third.favourites("acc-2")) == 1  # another account's stays


def test_a_change_keeps_what_another_window_saved(tmp_path: Path) -> None:
    first, second = FavouritesStore(tmp_path / "f.toml"), FavouritesStore(tmp_path / "f.toml")
    first.load()
    second.load()
    first.add(Favourite("a", "one"))
    second.add(Favourite("a", "two"))
    assert [f.bucket for f in second.favourites("a")] == ["one", "two"]


@pytest.mark.parametrize(
    "text",
    [
        "version = 1\n[[favourites]\naccount = ",  # not TOML
        'version = 1\n[[favourites]]\naccount = "a"\n',  # no bucket
        'version = 1\nfavourites = "photos"\n',
        'version = 9\n[[favourites]]\naccount = "a"\nbucket = "b"\n',  # a newer s3desk's
    ],
)
def test_a_broken_file_is_reported_and_left_as_it_is(tmp_path: Path, text: str) -> None:
    path = tmp_path / "favourites.toml"
    path.write_text(text)
    store = FavouritesStore(path)
    with pytest.raises(FavouritesFileError, match=r"favourites\.toml"):
        store.load()
    assert store.favourites("a") == []
    with pytest.raises(FavouritesFileError):
        store.add(Favourite("a", "photos"))
    with pytest.raises(FavouritesFileError):
        store.remove(Favourite("a", "b"))
    assert path.read_text() == text
