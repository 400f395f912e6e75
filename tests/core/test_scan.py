"""Walking dropped files and folders, including the odd things people drop."""

from __future__ import annotations

import os
from pathlib import Path

from s3desk.core.transfer.upload.scan import FoundFile, Skipped, scan


def _files(items: list[FoundFile | Skipped]) -> dict[str, int]:
    return {i.relative: i.size for i in items if isinstance(i, FoundFile)}


def _skipped(items: list[FoundFile | Skipped]) -> dict[str, str]:
    return {i.relative: i.reason for i in items if isinstance(i, Skipped)}


def test_nested_folder_keeps_relative_paths(tmp_path: Path) -> None:
    root = tmp_path / "album"
    (root / "2024" / "june").mkdir(parents=True)
    (root / "cover.jpg").write_bytes(b"x" * 10)
    (root / "2024" / "june" / "beach.jpg").write_bytes(b"y" * 20)
    (root / "empty").mkdir()
    single = tmp_path / "notes.txt"
    single.write_bytes(b"")

    items = list(scan([root, single]))
    assert _files(items) == {
        "album/2024/june/beach.jpg": 20,
        "album/cover.jpg": 10,
        "notes.txt": 0,
    }
    assert _skipped(items) == {}


def test_symlink_loops_and_links_to_folders_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "file.txt").write_text("data")
    (root / "sub" / "loop").symlink_to(root)  # would recurse forever if followed
    (root / "self").symlink_to(root / "self")  # a link that points at itself
    (root / "dangling").symlink_to(tmp_path / "missing")
    (root / "file-link").symlink_to(root / "sub" / "file.txt")

    items = list(scan([root]))
    assert _files(items) == {"root/file-link": 4, "root/sub/file.txt": 4}
    skipped = _skipped(items)
    assert skipped["root/sub/loop"] == "Link to a folder (not followed)"
    assert skipped["root/dangling"] == "Broken link"
    assert "symbolic links" in skipped["root/self"].lower()


def test_special_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "real.txt").write_text("ok")
    items = list(scan([tmp_path]))
    name = tmp_path.name
    assert _files(items) == {f"{name}/real.txt": 2}
    assert "Not a regular file" in _skipped(items)[f"{name}/pipe"]


def test_vanished_path_is_reported(tmp_path: Path) -> None:
    items = list(scan([tmp_path / "gone.txt"]))
    assert _skipped(items) == {"gone.txt": "File no longer exists"}


def test_odd_unicode_names_survive(tmp_path: Path) -> None:
    names = ["naïve café.txt", "日本語.txt", "emoji 🎉.txt", "a+b %20 #1.txt"]
    for name in names:
        (tmp_path / name).write_text(name)
    found = _files(list(scan([tmp_path])))
    assert sorted(found) == sorted(f"{tmp_path.name}/{n}" for n in names)
