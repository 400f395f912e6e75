"""The settings dialog: typed values saved to settings.toml, and what the organisation
locked greyed out with the reason, unchangeable from the dialog and from the file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from s3desk.core.config.engine_config import ConflictPolicy
from s3desk.core.config.settings import SETTING_NAMES, Appearance
from s3desk.core.config.settings_store import SettingsStore
from s3desk.ui.settings.settings_dialog import SettingsDialog
from s3desk.ui.window.main_window import MainWindow

MANAGED = """
[settings]
concurrency = 4
encryption = "SSE-S3"

[locked]
settings = ["concurrency", "encryption"]
"""


@pytest.fixture
def managed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "managed.toml"
    path.write_text(MANAGED)
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    return path


def _settings_file() -> Path:
    return Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml"


def test_locked_settings_are_greyed_out_with_the_reason_and_the_rest_saves(
    qtbot: QtBot, managed: Path
) -> None:
    # A hand edit of a locked value is ignored, and the dialog says so.
    _settings_file().write_text("version = 2\nconcurrency = 64\n")
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    dialog.show()
    concurrency, encryption = dialog.fields["concurrency"], dialog.fields["encryption"]
    assert not concurrency.isEnabled() and not encryption.isEnabled()
    assert concurrency.toolTip() == "Set by your organisation"
    assert concurrency.value() == 4  # type: ignore[attr-defined]
    assert "set by your organisation" in dialog.note_label.text()
    assert "Parallel requests is set by" in dialog.note_label.text()  # the ignored hand edit

    dialog.fields["bandwidth_limit"].setText("512")  # type: ignore[attr-defined]
    conflict = dialog.fields["conflict"]
    conflict.setCurrentIndex(conflict.findData(ConflictPolicy.RENAME))  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    written = tomllib.loads(_settings_file().read_text())
    assert written["bandwidth_limit"] == 512 * 1024
    assert written["conflict"] == "rename"
    assert "concurrency" not in written and "encryption" not in written
    effective = SettingsStore().effective()
    assert (effective.concurrency, effective.encryption.value) == (4, "SSE-S3")


def test_a_value_over_the_organisations_limit_is_explained_and_nothing_is_written(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "managed.toml"
    path.write_text('[limits]\nmax_bandwidth = "1 MiB"\n')
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    dialog.fields["bandwidth_limit"].setText("2048")  # type: ignore[attr-defined]
    assert not dialog.save()
    assert "limit" in dialog.error_label.text()
    assert not _settings_file().exists()


def test_the_window_opens_settings_and_applies_notifications_at_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.notifier.enabled
    dialog = window.dialogs.open_settings()
    assert dialog is not None
    dialog.fields["notifications"].setChecked(False)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    assert not window.notifier.enabled


def test_transfer_settings_reach_the_running_engine_at_once(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = window.dialogs.open_settings()
    assert dialog is not None
    dialog.fields["concurrency"].setValue(3)  # type: ignore[attr-defined]
    dialog.fields["part_size"].setValue(64)  # type: ignore[attr-defined]
    conflict = dialog.fields["conflict"]
    conflict.setCurrentIndex(conflict.findData(ConflictPolicy.SKIP))  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    assert window.transfers is not None
    config = window.transfers.uploads.config  # type: ignore[union-attr]
    assert (config.concurrency, config.part_size, config.conflict) == (
        3, 64 * 1024 * 1024, ConflictPolicy.SKIP,
    )  # fmt: skip


def test_the_appearance_applies_at_once_when_saved(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    def choose(appearance: Appearance) -> None:
        dialog = window.dialogs.open_settings()
        assert dialog is not None
        box = dialog.fields["appearance"]
        assert box.accessibleName() == "Appearance"
        box.setCurrentIndex(box.findData(appearance))  # type: ignore[attr-defined]
        with qtbot.waitSignal(dialog.saved):
            assert dialog.save()

    def window_lightness() -> int:
        return QApplication.palette().color(QPalette.ColorRole.Window).lightness()

    try:
        choose(Appearance.DARK)
        assert window_lightness() < 60
        assert tomllib.loads(_settings_file().read_text())["appearance"] == "dark"
        choose(Appearance.LIGHT)
        assert window_lightness() > 200
    finally:
        choose(Appearance.SYSTEM)


def test_an_appearance_the_organisation_set_is_locked(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "managed.toml"
    path.write_text('[settings]\nappearance = "dark"\n[locked]\nsettings = ["appearance"]\n')
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    box = dialog.fields["appearance"]
    assert not box.isEnabled() and box.toolTip() == "Set by your organisation"
    assert box.currentData() == Appearance.DARK  # type: ignore[attr-defined]
    assert box.currentText() == "Dark"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("typed", "stored", "shown_back"),
    [
        ("20M", 20 * 1024 * 1024, "20 MiB/s"),
        ("10 MiB/s", 10 * 1024 * 1024, "10 MiB/s"),
        ("1.5 MB/s", 1536 * 1024, "1.5 MiB/s"),
        ("500K", 500 * 1024, "500 KiB/s"),
        ("10", 10 * 1024, "10 KiB/s"),  # a number alone: KiB/s, as the field always read it
        ("", 0, ""),  # unlimited
    ],
)
def test_the_bandwidth_limit_takes_what_the_command_line_takes_and_shows_it_back(
    qtbot: QtBot, typed: str, stored: int, shown_back: str
) -> None:
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    field = dialog.fields["bandwidth_limit"]
    field.setText(typed)  # type: ignore[attr-defined]
    field.editingFinished.emit()  # type: ignore[attr-defined]
    assert field.text() == shown_back  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.saved):
        assert dialog.save()
    assert SettingsStore().effective().bandwidth_limit == stored
    again = SettingsDialog(SettingsStore())
    qtbot.addWidget(again)
    assert again.fields["bandwidth_limit"].text() == shown_back  # type: ignore[attr-defined]


def test_a_bandwidth_limit_that_is_no_rate_is_explained_and_nothing_written(
    qtbot: QtBot,
) -> None:
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    dialog.fields["bandwidth_limit"].setText("fast")  # type: ignore[attr-defined]
    assert not dialog.save()
    text = dialog.error_label.text()
    assert "Bandwidth limit" in text and "fast" in text and "10 MiB/s" in text
    assert not _settings_file().exists()


def test_notes_and_errors_name_settings_as_the_dialog_labels_them(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "managed.toml"
    path.write_text(
        '[settings]\nbandwidth_limit = "5M"\n[locked]\nsettings = ["bandwidth_limit"]\n'
        "[limits]\nmax_concurrency = 6\n"
    )
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    _settings_file().write_text("version = 2\nbandwidth_limit = 5243904\n")
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    note = dialog.note_label.text()
    assert "Bandwidth limit is set by your organisation" in note
    assert "(5121 KiB/s) is ignored" in note and "5243904" not in note
    assert dialog.fields["bandwidth_limit"].text() == "5 MiB/s"  # type: ignore[attr-defined]

    dialog.fields["concurrency"].setValue(8)  # type: ignore[attr-defined]
    assert not dialog.save()
    assert dialog.error_label.text() == (
        "Parallel requests can be at most 6 (a limit set by your organisation)"
    )


def test_notes_about_the_file_never_show_its_keys_or_raw_bytes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "managed.toml"
    path.write_text(
        '[settings]\nappearance = "light"\n[locked]\nsettings = ["appearance"]\n'
        "[limits]\nmax_concurrency = 6\n"
    )
    monkeypatch.setenv("S3DESK_MANAGED_CONFIG", str(path))
    _settings_file().write_text(
        "version = 2\npart_size = 1024\nconcurrency = 8\nnotifications = 3\n"
        'appearance = "dark"\ncache_control = "né"\naudit_bucket = "s3://logs"\n'
    )
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    lines = dialog.note_label.text().splitlines()
    assert (
        "settings.toml: Appearance is set by your organisation; the value there (dark) is ignored"
    ) in lines
    assert (
        "settings.toml: Part size for large files must be from 5 MiB to 5 GiB (S3's limits), "
        "not '1 KiB'; using the default instead"
    ) in lines
    assert (
        "settings.toml: Parallel requests can be at most 6 (a limit set by your "
        "organisation); using the limit"
    ) in lines
    assert (
        "settings.toml: Notify me when a batch finishes must be true or false, not 3; "
        "using the default instead"
    ) in lines
    assert any(line.startswith("settings.toml: Cache-Control may hold only") for line in lines)
    assert any(line.startswith("settings.toml: Audit log bucket is a bucket's") for line in lines)
    text = "\n".join(lines)
    assert "1024" not in text
    # Keys are words joined by "_"; one-word keys are caught by the lines above.
    assert [name for name in SETTING_NAMES if "_" in name and name in text] == []


def test_a_value_the_core_refuses_is_named_by_its_label(qtbot: QtBot) -> None:
    dialog = SettingsDialog(SettingsStore())
    qtbot.addWidget(dialog)
    dialog.fields["kms_key_id"].setText("clé")  # type: ignore[attr-defined]
    assert not dialog.save()
    assert dialog.error_label.text().startswith("KMS key may hold only printable ASCII")
    assert not _settings_file().exists()
