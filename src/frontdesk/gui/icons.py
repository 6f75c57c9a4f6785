"""The desk's icons: SVG files of `ui/icons/` (Tabler Icons, MIT, see its LICENSE), drawn in
the colour asked for (their strokes are `currentColor`, which Qt would draw black)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from frontdesk.project_paths import UI_DIR

ICONS_DIR = UI_DIR / "icons"
_SIZE = 48  # drawn large once; Qt scales the pixmap down for the widget


def icon(name: str, colour: QColor | str) -> QIcon:
    """`ui/icons/<name>.svg` drawn in `colour` (raises FileNotFoundError for an unknown
    name: an icon is chosen in code, not by a user)."""
    return QIcon(_pixmap(name, QColor(colour).name()))


def _pixmap(name: str, colour: str) -> QPixmap:
    svg = (ICONS_DIR / f"{name}.svg").read_text(encoding="utf-8").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    if not renderer.isValid():
        raise ValueError(f"ui/icons/{name}.svg is not a drawing Qt can read")
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, _SIZE, _SIZE))
    painter.end()
    return pixmap
