"""The window's icons by their freedesktop names, the desktop theme's first, else s3desk's own.

Where the desktop has an icon theme that holds the name (most Linux desktops; Qt also maps
these names to the system's symbols on recent Windows and macOS), that icon is shown, so
s3desk looks like the desktop around it. Where it has none, the bundled SVG of the same
name is (``resources/icons/<name>.svg``), drawn as line art in ``currentColor`` and painted
in the palette's text colour at the size and pixel density asked for: sharp at 200 %,
readable on light and dark palettes, greyed as the palette greys disabled text.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from s3desk.core.resources import resource_bytes


def icon(name: str) -> QIcon:
    """The icon named ``name`` (a freedesktop icon name, e.g. "edit-delete")."""
    return QIcon.fromTheme(name, bundled_icon(name))


def bundled_icon(name: str) -> QIcon:
    """s3desk's own drawing of ``name``, whatever the theme; raises if there is none."""
    return QIcon(SvgIconEngine(name, _svg(name)))


@cache
def _svg(name: str) -> bytes:
    return resource_bytes(f"icons/{name}.svg")


class SvgIconEngine(QIconEngine):
    """Paints a ``currentColor`` SVG in the palette's text colour for the icon's mode."""

    def __init__(self, name: str, svg: bytes) -> None:
        super().__init__()
        self._name = name
        self._svg = svg
        self._renderers: dict[str, QSvgRenderer] = {}  # by colour

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._name, self._svg)

    def iconName(self) -> str:
        return self._name

    def key(self) -> str:
        return "s3desk-svg"

    def isNull(self) -> bool:
        return False

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())  # square drawings
        return QSize(side, side)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        """Drawn at the device pixels of ``size`` times ``scale``, not scaled up after."""
        side = self.actualSize(size, mode, state)
        pixmap = QPixmap(round(side.width() * scale), round(side.height() * scale))
        pixmap.fill(Qt.GlobalColor.transparent)
        colour = _colour(mode)
        painter = QPainter(pixmap)
        painter.setOpacity(colour.alphaF())  # SVG's colours are opaque: the alpha goes here
        self._renderer(colour.name()).render(painter)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def _renderer(self, colour: str) -> QSvgRenderer:
        """The drawing in ``colour`` (#rrggbb); kept, for palettes change rarely."""
        renderer = self._renderers.get(colour)
        if renderer is None:
            svg = self._svg.replace(b"currentColor", colour.encode())
            renderer = self._renderers[colour] = QSvgRenderer(QByteArray(svg))
        return renderer


def _colour(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
