"""Light and dark: every text the palette and the style sheet colour reads at a WCAG
contrast of at least 4.5 on its background, and the window really is drawn dark."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyle
from pytestqt.qtbot import QtBot

from s3desk.core.config.settings import Appearance
from s3desk.core.resources import resource_text
from s3desk.core.storage.endpoint import S3Endpoint
from s3desk.core.transfer.upload.engine import UploadEngine
from s3desk.ui.common.theme import (
    DARK,
    LIGHT,
    STATE_COLOURS,
    apply_theme,
    current_scheme,
    palette,
    state_colour,
    style_sheet,
)
from s3desk.ui.window.main_window import MainWindow

Role = QPalette.ColorRole
BODY_TEXT = 4.5  # WCAG AA for body text


def luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(autouse=True)
def back_to_system(qapp: QApplication) -> Iterator[None]:
    yield
    apply_theme(qapp, Appearance.SYSTEM)


def test_contrast_of_the_formula_itself() -> None:
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21)
    assert contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
@pytest.mark.parametrize(
    ("text", "background"),
    [
        (Role.Text, Role.Base),
        (Role.Text, Role.AlternateBase),
        (Role.WindowText, Role.Window),
        (Role.ButtonText, Role.Button),
        (Role.HighlightedText, Role.Highlight),
        (Role.ToolTipText, Role.ToolTipBase),
        (Role.PlaceholderText, Role.Base),
        (Role.PlaceholderText, Role.Window),
        (Role.Link, Role.Base),
        (Role.LinkVisited, Role.Base),
    ],
)
def test_palette_text_reads_on_its_background(scheme: str, text: Role, background: Role) -> None:
    colours = palette(scheme)
    ratio = contrast(colours.color(text), colours.color(background))
    assert ratio >= BODY_TEXT, f"{scheme}: {text.name} on {background.name} is {ratio:.2f}"


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
def test_disabled_text_is_dimmer_but_still_there(scheme: str) -> None:
    colours = palette(scheme)
    for text, background in ((Role.WindowText, Role.Window), (Role.Text, Role.Base)):
        normal = contrast(colours.color(text), colours.color(background))
        disabled = contrast(
            colours.color(QPalette.ColorGroup.Disabled, text),
            colours.color(QPalette.ColorGroup.Disabled, background),
        )
        assert 2.5 <= disabled < normal, f"{scheme}: disabled {text.name} is {disabled:.2f}"


def test_the_dark_palette_is_dark_and_the_light_one_light() -> None:
    assert palette(DARK).color(Role.Window).lightness() < 60
    assert palette(DARK).color(Role.Base).lightness() < 60
    assert palette(LIGHT).color(Role.Window).lightness() > 200
    assert palette(LIGHT).color(Role.Base).lightness() > 200


def test_the_style_sheet_writes_no_colour_of_its_own() -> None:
    """Every colour is a palette role or a named role the schemes fill in: a colour written
    out would be the same in light and dark."""
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b(?![\w-]*\s*[{,])", _without_comments()) == []
    assert re.findall(r"rgba?\(", resource_text("style.qss")) == []


def _without_comments() -> str:
    return re.sub(r"/\*.*?\*/", "", resource_text("style.qss"), flags=re.S)


def _rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
        properties = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                properties[name.strip()] = value.strip()
        rules.append((" ".join(selector.split()), properties))
    return rules


def _colour(value: str, colours: QPalette) -> QColor:
    role = re.fullmatch(r"palette\(([a-z-]+)\)", value)
    if role:
        name = "".join(part.capitalize() for part in role[1].split("-"))
        name = {"Placeholdertext": "PlaceholderText"}.get(name, name)
        return colours.color(getattr(Role, name))
    colour = QColor(value)
    assert colour.isValid(), value
    return colour


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
def test_every_coloured_rule_of_the_style_sheet_reads_in_both_schemes(scheme: str) -> None:
    """Text on a coloured box, or coloured text on the window: the text colour a rule sets
    (or the palette's window text) on the background it sets (or the window's)."""
    colours = palette(scheme)
    checked = []
    for selector, properties in _rules(style_sheet(scheme)):
        text, background = properties.get("color"), properties.get("background")
        if text is None and background is None:
            continue
        fore = _colour(text, colours) if text else colours.color(Role.WindowText)
        back = _colour(background, colours) if background else colours.color(Role.Window)
        ratio = contrast(fore, back)
        assert ratio >= BODY_TEXT, f"{scheme}: {selector} reads at {ratio:.2f}"
        checked.append(selector)
    # The coloured labels are among them: demo and warning notes, problems, verdicts.
    for selector in (
        '#storageLabel[demo="true"]',
        '#storageLabel[warning="true"]',
        "#problemLabel",
        "#conflictBar",
        '#dropHint[dragging="true"]',
        '#accountMessage[state="ok"], #connectionVerdict[state="ok"]',
    ):
        assert selector in checked


def _lightness(image: QImage, x: int, y: int) -> int:
    return image.pixelColor(x, y).lightness()


def test_the_window_is_drawn_dark_with_light_text(qtbot: QtBot, window: MainWindow) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    assert apply_theme(qapp, Appearance.DARK) == DARK
    assert current_scheme(qapp) == DARK
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()
    width, height = image.width(), image.height()
    samples = [_lightness(image, x, y) for x in range(0, width, 7) for y in range(0, height, 7)]
    dark_share = sum(1 for s in samples if s < 80) / len(samples)
    assert dark_share > 0.8, f"only {dark_share:.0%} of the window is dark"

    title = window.findChild(QLabel, "dropTitle")
    assert title is not None and title.isVisible() and title.text()
    label = title.grab().toImage()
    values = [_lightness(label, x, y) for x in range(label.width()) for y in range(label.height())]
    assert max(values) > 200, "no light text pixels in the label"
    assert sorted(values)[len(values) // 2] < 80, "the label's background is not dark"

    # Light again, at once: the same label is dark text on light.
    assert apply_theme(qapp, Appearance.LIGHT) == LIGHT
    label = title.grab().toImage()
    values = [_lightness(label, x, y) for x in range(label.width()) for y in range(label.height())]
    assert min(values) < 60 and sorted(values)[len(values) // 2] > 200


def test_the_demo_storage_note_is_a_dark_box_in_dark_mode(qtbot: QtBot, window: MainWindow) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    apply_theme(qapp, Appearance.DARK)
    note = window.destination_box.storage_label
    note.setText("Local demo storage — cleared when the app quits")
    note.setProperty("demo", "true")
    note.style().unpolish(note)
    note.style().polish(note)
    window.show()
    qtbot.waitExposed(window)
    image = note.grab().toImage()
    values = [_lightness(image, x, y) for x in range(image.width()) for y in range(image.height())]
    assert sorted(values)[len(values) // 2] < 80, "a light box is left in dark mode"
    assert max(values) > 150, "no light text on the note"


def _address_colour(window: MainWindow) -> QColor:
    """The colour the storage line writes the storage's address in."""
    found = re.search(r"color:\s*(#[0-9a-fA-F]{3,6})", window.destination_box.storage_label.text())
    assert found, "the address has a colour of its own"
    return QColor(found[1])


def test_the_storage_address_reads_on_the_demo_note_in_either_appearance(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The address after the storage's name is quieter, yet reads on the demo note's box and
    on the panel; it follows an appearance changed while the window is open."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    demo = S3Endpoint(label="Local demo storage", endpoint_url="http://127.0.0.1:9000",
                      note="cleared when the app quits")  # fmt: skip
    window.destination_box.show_storage(demo)
    for choice, scheme in ((Appearance.DARK, DARK), (Appearance.LIGHT, LIGHT)):
        apply_theme(qapp, choice)
        colours, sheet = palette(scheme), dict(_rules(style_sheet(scheme)))
        address = _address_colour(window)
        for box in ('#storageLabel[demo="true"]', "#destination"):
            background = _colour(sheet[box]["background"], colours)
            ratio = contrast(address, background)
            assert ratio >= BODY_TEXT, f"{scheme}: the address on {box} reads at {ratio:.2f}"


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
def test_text_inside_the_destination_panel_reads(scheme: str) -> None:
    """The destination panel has a background of its own; its preview line and labels are
    drawn on it."""
    colours = palette(scheme)
    panel = dict(_rules(style_sheet(scheme)))["#destination"]["background"]
    for role in (Role.WindowText, Role.PlaceholderText):
        ratio = contrast(colours.color(role), _colour(panel, colours))
        assert ratio >= BODY_TEXT, f"{scheme}: {role.name} on the panel is {ratio:.2f}"


def _picture_lightness(icon: QIcon) -> float:
    image = icon.pixmap(32).toImage()
    opaque = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 128
    ]
    assert opaque
    return sum(c.lightness() for c in opaque) / len(opaque)


def test_grey_pictures_are_light_in_dark_and_coloured_ones_kept(qapp: QApplication) -> None:
    """Fusion's arrows and pause sign are dark grey: on a dark window they are drawn light."""
    arrow, folder = QStyle.StandardPixmap.SP_ArrowUp, QStyle.StandardPixmap.SP_DirIcon
    apply_theme(qapp, Appearance.LIGHT)
    assert _picture_lightness(qapp.style().standardIcon(arrow)) < 110
    light_folder = qapp.style().standardIcon(folder).pixmap(32).toImage()
    apply_theme(qapp, Appearance.DARK)
    assert _picture_lightness(qapp.style().standardIcon(arrow)) > 150
    assert qapp.style().standardIcon(folder).pixmap(32).toImage() == light_folder


@pytest.mark.parametrize("scheme", [LIGHT, DARK])
def test_row_state_colours_read_on_the_tables_rows(scheme: str) -> None:
    colours = palette(scheme)
    for state, colour in STATE_COLOURS[scheme].items():
        for row in (Role.Base, Role.AlternateBase):
            ratio = contrast(QColor(colour), colours.color(row))
            assert ratio >= BODY_TEXT, f"{scheme}: {state} on {row.name} is {ratio:.2f}"


def test_a_row_state_colour_follows_the_scheme_in_effect(qapp: QApplication) -> None:
    apply_theme(qapp, Appearance.DARK)
    assert state_colour("failed") == QColor(STATE_COLOURS[DARK]["failed"])
    apply_theme(qapp, Appearance.LIGHT)
    assert state_colour("failed") == QColor(STATE_COLOURS[LIGHT]["failed"])


def test_system_is_dark_where_the_platform_says_it_is(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform's colour scheme hint, where it gives one: dark there is our dark look
    when the platform's own style draws only light (as the offscreen one does)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStyleHints

    assert apply_theme(qapp, Appearance.SYSTEM) == LIGHT  # offscreen gives no hint
    monkeypatch.setattr(QStyleHints, "colorScheme", lambda _hints: Qt.ColorScheme.Dark)
    assert apply_theme(qapp, Appearance.SYSTEM) == DARK
    assert current_scheme(qapp) == DARK
    assert qapp.styleSheet() == style_sheet(DARK)


def test_the_window_starts_in_the_appearance_the_settings_choose(
    qapp: QApplication, window_for: Callable[[Any], MainWindow], engine: UploadEngine
) -> None:
    from s3desk.ui.app import settings_appearance

    settings = Path(os.environ["S3DESK_CONFIG_DIR"]) / "settings.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('version = 2\nappearance = "dark"\n')
    assert settings_appearance() == "dark"  # what the app starts with
    window_for(engine)
    assert current_scheme(qapp) == DARK
    assert qapp.palette().color(Role.Window) == palette(DARK).color(Role.Window)


def test_failed_and_done_rows_read_after_the_appearance_changes(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The Transfers status and a failed History entry take their colour from the
    appearance in effect: switched while the window is open, they read on the new rows."""
    from s3desk.core.transfer.jobs import JobState, JobView
    from s3desk.ui.history.model import HistoryModel, HistoryRow
    from s3desk.ui.transfers.model import TransferModel

    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    jobs = [
        JobView(
            id=n,
            source=f"/data/f{n}.bin",
            bucket="b",
            key=f"f{n}.bin",
            size=10,
            bytes_done=10,
            state=state,
            error="",
            note="",
            speed=0.0,
            eta=None,
        )
        for n, state in enumerate((JobState.FAILED, JobState.DONE), start=1)
    ]
    window.model.apply(jobs)
    history = HistoryModel()
    failed = {"action": "upload", "result": "failed", "key": "k", "error": "AccessDenied"}
    history.set_rows([HistoryRow(failed, 0.0, "k")])
    for choice in (Appearance.DARK, Appearance.LIGHT):
        apply_theme(qapp, choice)
        rows = window.queue.table.palette().color(Role.Base)
        shown = [window.model.index(row, TransferModel.STATUS) for row in range(2)]
        colours = [index.data(Qt.ItemDataRole.ForegroundRole) for index in shown]
        colours.append(history.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).color())
        for colour in colours:
            ratio = contrast(QColor(colour), rows)
            assert ratio >= BODY_TEXT, f"{choice.value}: {colour.name()} reads at {ratio:.2f}"
