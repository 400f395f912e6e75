"""Light or dark: the application's style, palette and style sheet for the appearance chosen
in the settings, applied at once to every open window.

Light and Dark are Qt's Fusion style with palettes of our own, the same on every platform.
System is the platform's style and palette; where the platform says it is dark (Qt's colour
scheme hint) but its style only draws light (Windows' native style does), Dark's look is used.

The style sheet (resources/style.qss) names its colours by role (``@warning-text``); each
scheme gives every role a colour, chosen so that text on its background reads at a WCAG
contrast of at least 4.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QWidget,
)

from s3desk.core.config.settings import Appearance
from s3desk.core.resources import resource_text

LIGHT, DARK = "light", "dark"
Role = QPalette.ColorRole
Group = QPalette.ColorGroup

# The style sheet's colour roles in each scheme.
SHEET_COLOURS: dict[str, dict[str, str]] = {
    LIGHT: {
        "panel-background": "palette(base)",
        "notice-background": "#fff4d6",
        "notice-border": "#e8c766",
        "notice-text": "#5c4400",
        "warning-background": "#fde7e6",
        "warning-border": "#e6a29d",
        "warning-text": "#7a1c15",
        "ok-background": "#e5f4e9",
        "ok-border": "#9ccfa9",
        "ok-text": "#1d5a2c",
        "drop-border": "#2f7de1",
        "drop-background": "#eaf2fd",
    },
    DARK: {
        "panel-background": "#33363b",
        "notice-background": "#3a3018",
        "notice-border": "#8a6d1f",
        "notice-text": "#f6d783",
        "warning-background": "#46201d",
        "warning-border": "#a3463f",
        "warning-text": "#ffb4ab",
        "ok-background": "#173a23",
        "ok-border": "#3f7f52",
        "ok-text": "#a6e3b5",
        "drop-border": "#6ea8fe",
        "drop-background": "#1c2b40",
    },
}

# Text colours of the tables' rows by state, on the base colour: the Transfers and History
# models colour a failed or finished row with state_colour("failed"), ...
STATE_COLOURS: dict[str, dict[str, str]] = {
    LIGHT: {
        "failed": "#b3261e",
        "done": "#1b6e3a",
        "cancelled": "#6b6b6b",
        "waiting": "#8a5a00",  # skipped, retrying
        "paused": "#44546a",
    },
    DARK: {
        "failed": "#ff8a80",
        "done": "#7fd49a",
        "cancelled": "#a0a4aa",
        "waiting": "#f0b65a",
        "paused": "#a8b8cc",
    },
}

# Palette colours: role -> (active and inactive, disabled).
_PALETTES: dict[str, dict[Role, tuple[str, str]]] = {
    LIGHT: {
        Role.Window: ("#efefef", "#efefef"),
        Role.WindowText: ("#1f1f1f", "#8c8c8c"),
        Role.Base: ("#ffffff", "#f4f4f4"),
        Role.AlternateBase: ("#f5f5f5", "#f4f4f4"),
        Role.Text: ("#1f1f1f", "#8c8c8c"),
        Role.PlaceholderText: ("#5f6368", "#9a9a9a"),
        Role.Button: ("#efefef", "#efefef"),
        Role.ButtonText: ("#1f1f1f", "#8c8c8c"),
        Role.BrightText: ("#ffffff", "#ffffff"),
        Role.Light: ("#ffffff", "#ffffff"),
        Role.Midlight: ("#e3e3e3", "#e3e3e3"),
        Role.Mid: ("#b8b8b8", "#c8c8c8"),
        Role.Dark: ("#9f9f9f", "#bebebe"),
        Role.Shadow: ("#767676", "#b1b1b1"),
        Role.Highlight: ("#1f62c8", "#c8c8c8"),
        Role.HighlightedText: ("#ffffff", "#5f5f5f"),
        Role.Accent: ("#1f62c8", "#c8c8c8"),
        Role.Link: ("#0b57d0", "#7f8fb0"),
        Role.LinkVisited: ("#7b3fb5", "#a58fb9"),
        Role.ToolTipBase: ("#ffffdc", "#ffffdc"),
        Role.ToolTipText: ("#1f1f1f", "#1f1f1f"),
    },
    DARK: {
        Role.Window: ("#2a2c30", "#2a2c30"),
        Role.WindowText: ("#e8eaed", "#7d8289"),
        Role.Base: ("#1a1b1e", "#222326"),
        Role.AlternateBase: ("#222428", "#222326"),
        Role.Text: ("#e8eaed", "#7d8289"),
        Role.PlaceholderText: ("#a3a8af", "#6b7077"),
        Role.Button: ("#33363a", "#2c2e32"),
        Role.ButtonText: ("#e8eaed", "#7d8289"),
        Role.BrightText: ("#ffffff", "#ffffff"),
        Role.Light: ("#4a4d52", "#3a3d41"),
        Role.Midlight: ("#3c3f44", "#33363a"),
        Role.Mid: ("#5c6066", "#44474c"),
        Role.Dark: ("#151618", "#151618"),
        Role.Shadow: ("#000000", "#000000"),
        Role.Highlight: ("#3f74c8", "#3a3d41"),
        Role.HighlightedText: ("#ffffff", "#9aa0a6"),
        Role.Accent: ("#3f74c8", "#3a3d41"),
        Role.Link: ("#8ab4f8", "#6f7f99"),
        Role.LinkVisited: ("#c58af9", "#8f7aa3"),
        Role.ToolTipBase: ("#3c4043", "#3c4043"),
        Role.ToolTipText: ("#e8eaed", "#e8eaed"),
    },
}


@dataclass
class _State:
    platform_style: str = ""  # the style the application started with, for System
    choice: Appearance = Appearance.SYSTEM
    watching: bool = False  # following the platform's colour scheme changes


_state = _State()


def palette(scheme: str) -> QPalette:
    """The palette of ``scheme`` (LIGHT or DARK), every group and role set."""
    result = QPalette()
    for role, (normal, disabled) in _PALETTES[scheme].items():
        for group in (Group.Active, Group.Inactive):
            result.setColor(group, role, QColor(normal))
        result.setColor(Group.Disabled, role, QColor(disabled))
    return result


def style_sheet(scheme: str) -> str:
    """resources/style.qss with the colours of ``scheme``."""
    colours = SHEET_COLOURS[scheme]
    return re.sub(r"@([a-z-]+)", lambda m: colours[m[1]], resource_text("style.qss"))


def apply_theme(app: QApplication, choice: Appearance | str) -> str:
    """Give ``app`` the look of ``choice`` (an Appearance or its value); returns the scheme
    in effect, LIGHT or DARK. Open windows repaint at once; with System, a later change of
    the platform's scheme is followed too."""
    _state.choice = Appearance(choice)
    if not _state.platform_style:
        _state.platform_style = app.style().name() or "fusion"  # no name under a style sheet
    hints = QGuiApplication.styleHints()
    if not _state.watching:
        hints.colorSchemeChanged.connect(lambda _scheme: _follow_system(app))
        _state.watching = True
    if _state.choice is Appearance.SYSTEM:
        hints.unsetColorScheme()
        app.setStyle(QStyleFactory.create(_state.platform_style) or QStyleFactory.create("Fusion"))
        app.setPalette(QPalette())  # the platform's
        shown_dark = _is_dark(app.palette())
        if hints.colorScheme() == Qt.ColorScheme.Dark and not shown_dark:
            scheme = DARK  # the platform is dark, its style cannot draw it
        else:
            scheme = DARK if shown_dark else LIGHT
            app.setStyleSheet(style_sheet(scheme))
            return scheme
    else:
        scheme = DARK if _state.choice is Appearance.DARK else LIGHT
        # Where the platform lets apps choose, title bars and native dialogs follow.
        hints.setColorScheme(Qt.ColorScheme.Dark if scheme == DARK else Qt.ColorScheme.Light)
    app.setStyle(LightPictures("Fusion") if scheme == DARK else QStyleFactory.create("Fusion"))
    app.setPalette(palette(scheme))
    app.setStyleSheet(style_sheet(scheme))
    return scheme


class LightPictures(QProxyStyle):
    """A style whose grey pictures (arrows, pause, close) are drawn light: Fusion's own are
    dark grey, made for light windows, and all but vanish on a dark one. Coloured pictures
    (folders, a red cross) stay as they are."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self._icons: dict[QStyle.StandardPixmap, QIcon] = {}

    def standardIcon(
        self,
        standardIcon: QStyle.StandardPixmap,  # noqa: N803 (Qt's name, passed by keyword too)
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> QIcon:
        if standardIcon not in self._icons:
            icon = super().standardIcon(standardIcon, option, widget)
            self._icons[standardIcon] = _lightened(icon)
        return self._icons[standardIcon]


_ICON_SIZES = (16, 22, 24, 32, 48, 64, 128)


def _lightened(icon: QIcon) -> QIcon:
    """``icon`` with its pictures inverted where they are grey and dark; else ``icon``."""
    sizes = {QSize(n, n) for n in _ICON_SIZES} | set(icon.availableSizes())
    light = QIcon()
    for size in sorted(sizes, key=lambda s: s.width()):
        image = icon.pixmap(size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
        if image.isNull():
            continue
        if not _grey_and_dark(image):
            return icon
        image.invertPixels(QImage.InvertMode.InvertRgb)  # the alpha channel stays
        light.addPixmap(QPixmap.fromImage(image))
    return light if not light.isNull() else icon


def _grey_and_dark(image: QImage) -> bool:
    step = max(1, image.width() // 32)
    seen = [
        image.pixelColor(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    opaque = [c for c in seen if c.alpha() > 128]
    if not opaque or any(c.hsvSaturation() > 60 for c in opaque):
        return False
    return sum(c.lightness() for c in opaque) / len(opaque) < 110


def state_colour(state: str) -> QColor:
    """The text colour of a row in ``state`` (a key of STATE_COLOURS) in the scheme the
    application is drawn in now."""
    app = QApplication.instance()
    scheme = current_scheme(app) if isinstance(app, QApplication) else LIGHT
    return QColor(STATE_COLOURS[scheme][state])


def current_scheme(app: QApplication) -> str:
    """LIGHT or DARK, as ``app`` is drawn now."""
    return DARK if _is_dark(app.palette()) else LIGHT


def _follow_system(app: QApplication) -> None:
    if _state.choice is Appearance.SYSTEM:
        apply_theme(app, Appearance.SYSTEM)


def _is_dark(colours: QPalette) -> bool:
    window, text = colours.color(Role.Window), colours.color(Role.WindowText)
    return window.lightness() < text.lightness()
