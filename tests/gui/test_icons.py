"""The window's icons: each name it asks for is bundled, drawn sharp at 200 %, in the
palette's text colour, and shown where the desktop has no icon theme (as offscreen)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from s3desk.core.config.settings import Appearance
from s3desk.ui.common.icons import bundled_icon, icon
from s3desk.ui.common.theme import apply_theme
from s3desk.ui.window.main_window import MainWindow

UI = Path(__file__).resolve().parents[2] / "src" / "s3desk" / "ui"
# icon("name") and the browser bar's self._tool("name", ...)
ICON_CALL = re.compile(r'\b(?:icon|_tool)\(\s*"([a-z-]+)"')


def _names_used() -> set[str]:
    names: set[str] = set()
    for path in UI.rglob("*.py"):
        names.update(ICON_CALL.findall(path.read_text(encoding="utf-8")))
    names.update(
        name
        for path in UI.rglob("*.py")
        for pair in re.findall(r'icon\("([a-z-]+)" if \w+ else "([a-z-]+)"\)', path.read_text())
        for name in pair
    )
    return names


@pytest.fixture
def palette(qapp: QApplication) -> Iterator[QPalette]:
    """The application's palette, put back after the test changed it."""
    before = QGuiApplication.palette()
    yield QPalette(before)
    QApplication.setPalette(before)


def _ink(image: QImage) -> list[int]:
    """The alpha of every pixel drawn on."""
    return [
        image.pixelColor(x, y).alpha()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha()
    ]


def _solid(image: QImage) -> set[str]:
    """The colours of the pixels drawn on fully."""
    return {
        image.pixelColor(x, y).name()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    }


def test_every_icon_the_window_asks_for_is_bundled() -> None:
    used = _names_used()
    # What the toolbars, the rows and the empty state show: found by the scan.
    assert {"media-playback-pause", "edit-delete", "folder", "go-down", "folder-open"} <= used
    for name in sorted(used):
        image = bundled_icon(name).pixmap(QSize(24, 24), 1.0).toImage()
        assert _ink(image), f"{name}.svg draws nothing"


def test_without_an_icon_theme_the_bundled_drawing_is_shown(qapp: QApplication) -> None:
    assert not QIcon.themeName()  # the offscreen platform has no desktop theme
    for name in ("edit-delete", "view-refresh", "process-stop"):
        shown = icon(name).pixmap(QSize(24, 24), 1.0).toImage()
        assert _ink(shown), f"{name} is blank"
        assert shown == bundled_icon(name).pixmap(QSize(24, 24), 1.0).toImage()


def test_at_200_percent_the_icon_is_drawn_with_twice_the_pixels_not_scaled_up() -> None:
    name = "go-up"
    small = bundled_icon(name).pixmap(QSize(24, 24), 1.0)
    large = bundled_icon(name).pixmap(QSize(24, 24), 2.0)
    assert large.devicePixelRatio() == 2.0
    assert (large.width(), large.height()) == (48, 48)
    upscaled = small.toImage().scaled(48, 48, mode=Qt.TransformationMode.SmoothTransformation)
    drawn = large.toImage()
    assert drawn != upscaled
    # Sharp edges: of the pixels drawn on, more are solid (the stroke's inside) and fewer
    # half-covered (its edges) than when the 24-pixel picture is blown up.
    solid = [sum(a == 255 for a in _ink(i)) / len(_ink(i)) for i in (drawn, upscaled)]
    assert solid[0] > solid[1] + 0.15


def test_icons_take_the_palettes_text_colour_and_grey_out_when_disabled(
    palette: QPalette,
) -> None:
    for text in ("#000000", "#f0f0f0"):
        palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, "#808080")
        QApplication.setPalette(palette)
        for mode, expected in ((QIcon.Mode.Normal, text), (QIcon.Mode.Disabled, "#808080")):
            image = bundled_icon("list-add").pixmap(QSize(24, 24), 2.0, mode).toImage()
            assert _solid(image) == {expected}


def test_the_toolbars_show_the_bundled_icons(qtbot: QtBot, window: MainWindow) -> None:
    shown = {
        window.commands.pause_action: "media-playback-pause",
        window.commands.clear_action: "edit-clear",
        window.browser.bar.delete_button: "edit-delete",
        window.browser.bar.share_button: "insert-link",
    }
    for holder, name in shown.items():
        picture = holder.icon().pixmap(QSize(24, 24), 2.0).toImage()
        assert picture == bundled_icon(name).pixmap(QSize(24, 24), 2.0).toImage(), name


def test_the_drop_hints_picture_follows_an_appearance_change(
    qtbot: QtBot, window: MainWindow, qapp: QApplication
) -> None:
    picture = window.queue.drop_hint._picture
    try:
        for choice in (Appearance.DARK, Appearance.LIGHT, Appearance.DARK):
            apply_theme(qapp, choice)
            text = qapp.palette().color(QPalette.ColorRole.WindowText).name()
            qtbot.waitUntil(lambda text=text: _solid(picture.pixmap().toImage()) == {text})
    finally:
        apply_theme(qapp, Appearance.SYSTEM)


def _icon_area(button: QWidget) -> QImage:
    """The middle of ``button`` as drawn: where its picture is."""
    assert isinstance(button, QToolButton)
    size = button.iconSize()
    image = button.grab().toImage()
    top = (image.height() - size.height() * image.devicePixelRatio()) // 2
    return image.copy(2, int(top), int(size.width() * image.devicePixelRatio()), size.height())


@pytest.mark.parametrize("choice", [Appearance.DARK, Appearance.LIGHT])
def test_a_toolbar_icon_is_drawn_anew_after_the_appearance_changes(
    qtbot: QtBot, window: MainWindow, qapp: QApplication, choice: Appearance
) -> None:
    """Switched while the window is open, without a restart: the icons are drawn in the new
    text colour (light in dark, dark in light)."""
    other = Appearance.LIGHT if choice is Appearance.DARK else Appearance.DARK
    try:
        apply_theme(qapp, other)
        toolbar = window.findChild(QToolBar)
        assert toolbar is not None
        button = toolbar.widgetForAction(window.commands.add_files_action)
        assert button is not None and button.isVisible()
        _icon_area(button)  # drawn once in the other appearance
        scheme = apply_theme(qapp, choice)
        text = qapp.palette().color(QPalette.ColorRole.ButtonText).lightness()
        lightness = [
            colour.lightness()
            for image in [_icon_area(button)]
            for colour in (
                image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())
            )
        ]
        inked = [value for value in lightness if abs(value - text) < 40]
        assert len(inked) >= 20, f"{scheme}: the icon is not drawn in the text's colour"
    finally:
        apply_theme(qapp, Appearance.SYSTEM)
