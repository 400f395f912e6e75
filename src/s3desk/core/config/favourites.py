"""Favourites: places in buckets the user bookmarked, per account.

They live in ``favourites.toml`` in the user's config folder, each with the id of the account
it belongs to (never a secret), its bucket and folder, and an optional name:

    version = 1
    [[favourites]]
    account = "3f2a…"
    bucket = "photos"
    prefix = "2024/holiday/"
    name = "Holiday"

Every change reads the file again first, so that what another window saved is kept; a file
that cannot be read is never written over: the change is refused with the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w

from s3desk.core.config.file_format import version_problem, write_privately
from s3desk.core.paths import config_dir

FILE_VERSION = 1


class FavouritesFileError(Exception):
    """favourites.toml cannot be read or written; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class Favourite:
    account: str  # the account's id (or the key of the storage that is not an account)
    bucket: str
    prefix: str = ""
    name: str = ""  # shown instead of the place when set

    @property
    def place(self) -> str:
        """bucket/folder/, as the user reads it."""
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket

    @property
    def label(self) -> str:
        return self.name or self.place

    def is_at(self, other: Favourite) -> bool:
        """The same place of the same account, whatever its name."""
        return (self.account, self.bucket, self.prefix) == (other.account, other.bucket,
                                                            other.prefix)  # fmt: skip


def favourites_path() -> Path:
    return config_dir() / "favourites.toml"


class FavouritesStore:
    """The favourites of every account, as last read (``load``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or favourites_path()
        self._favourites: list[Favourite] = []

    def load(self) -> None:
        """Read the file again; FavouritesFileError (and the last list kept) if it cannot be."""
        self._favourites = _read(self.path)

    def favourites(self, account: str) -> list[Favourite]:
        return [f for f in self._favourites if f.account == account]

    def add(self, favourite: Favourite) -> bool:
        """False if that place is a favourite of its account already."""
        current = _read(self.path)
        if any(f.is_at(favourite) for f in current):
            self._favourites = current
            return False
        self._save([*current, favourite])
        return True

    def remove(self, favourite: Favourite) -> None:
        current = _read(self.path)
        self._save([f for f in current if not f.is_at(favourite)])

    def rename(self, favourite: Favourite, name: str) -> None:
        current = _read(self.path)
        self._save([replace(f, name=name.strip()) if f.is_at(favourite) else f for f in current])

    def _save(self, favourites: list[Favourite]) -> None:
        document: dict[str, Any] = {"version": FILE_VERSION, "favourites": [
            {k: v for k, v in (("account", f.account), ("bucket", f.bucket),
                               ("prefix", f.prefix), ("name", f.name)) if v}
            for f in favourites
        ]}  # fmt: skip
        _write_privately(self.path, tomli_w.dumps(document))
        self._favourites = favourites


def _read(path: Path) -> list[Favourite]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise FavouritesFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FavouritesFileError(
            f"{path} is not valid TOML: {exc}. The file is left as it is."
        ) from exc
    problem = version_problem(data.get("version", 1), FILE_VERSION)
    if problem is not None:
        raise FavouritesFileError(f"{path}: {problem}. The file is left as it is.")
    entries = data.get("favourites", [])
    if not isinstance(entries, list):
        raise FavouritesFileError(f"{path}: 'favourites' must be a list of tables")
    return [_favourite(path, number, entry) for number, entry in enumerate(entries, 1)]


def _favourite(path: Path, number: int, entry: object) -> Favourite:
    if not isinstance(entry, dict):
        raise FavouritesFileError(f"{path}: favourite {number} is not a table")
    values = {name: entry.get(name, "") for name in ("account", "bucket", "prefix", "name")}
    wrong = [name for name, value in values.items() if not isinstance(value, str)]
    if wrong or not values["account"] or not values["bucket"]:
        raise FavouritesFileError(
            f"{path}: favourite {number} needs an account and a bucket, as text. "
            "The file is left as it is."
        )
    return Favourite(**values)


def _write_privately(path: Path, text: str) -> None:
    try:
        write_privately(path, text)
    except OSError as exc:
        raise FavouritesFileError(f"Cannot write {path}: {exc.strerror or exc}") from exc
