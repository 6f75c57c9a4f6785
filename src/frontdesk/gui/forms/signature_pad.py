"""A pad the patient signs on, with a mouse, a finger or a pen on a tablet. The signature is
kept as strokes (lists of points) and handed to the forms service as an SVG drawing of them:
vector, small, and the same on every screen it is shown on."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from frontdesk.i18n import _

INK = QColor("#1a1a2e")
STROKE_WIDTH = 2.2
MIN_STEP = 1.5
"""Points closer than this (in pixels) to the last one kept add nothing a reader can see;
dropping them keeps a long signature well under the service's size limit."""

Stroke = tuple[tuple[float, float], ...]


class SignaturePad(QWidget):
    sig_changed = Signal()
    """The drawing changed: a stroke was finished or the pad was cleared."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[list[QPointF]] = []
        self._drawing = False
        self._read_only = False
        self.setObjectName("signature-pad")
        self.setAccessibleName(_("Signature pad"))
        self.setAccessibleDescription(
            _(
                "Sign here: hold the mouse button down (or touch with a finger or a pen) and "
                "write the signature. With the keyboard, Delete or Backspace clears it and Tab "
                "moves on."
            )
        )
        # Reached with Tab like any control, so the keyboard can clear it and a screen reader
        # reads how to sign.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))
        self.setPalette(palette)

    def sizeHint(self) -> QSize:
        return QSize(480, 160)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 120)

    # --- what was drawn --------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        return not self._strokes

    def strokes(self) -> list[Stroke]:
        """The strokes in widget pixels, each a tuple of (x, y) points."""
        return [tuple((p.x(), p.y()) for p in stroke) for stroke in self._strokes]

    def clear(self) -> None:
        if self._strokes:
            self._strokes.clear()
            self.update()
            self.sig_changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.setCursor(Qt.CursorShape.ArrowCursor if read_only else Qt.CursorShape.CrossCursor)

    def to_svg(self) -> str:
        """The signature as the forms service stores it: an SVG of the strokes, sized like
        the pad, ink only (no scripts, no external references)."""
        width, height = max(self.width(), 1), max(self.height(), 1)
        paths = "".join(f'<path d="{_path_data(stroke)}"/>' for stroke in self.strokes() if stroke)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><g fill="none" stroke="{INK.name()}" '
            f'stroke-width="{STROKE_WIDTH}" stroke-linecap="round" stroke-linejoin="round">'
            f"{paths}</g></svg>"
        )

    # --- input: mouse, touch (as mouse) and pen ------------------------------------------

    def _begin(self, point: QPointF) -> None:
        if self._read_only:
            return
        self._drawing = True
        self._strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if not self._drawing:
            return
        last = self._strokes[-1][-1]
        if math.hypot(point.x() - last.x(), point.y() - last.y()) >= MIN_STEP:
            self._strokes[-1].append(self._inside(point))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.sig_changed.emit()

    def _inside(self, point: QPointF) -> QPointF:
        return QPointF(
            min(max(point.x(), 0.0), float(self.width())),
            min(max(point.y(), 0.0), float(self.height())),
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self._read_only:
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        # Accepting the pen's events stops Qt from also sending them as mouse events.
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and event.pressure() > 0:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    # --- drawing ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        baseline = self.height() - 28
        painter.setPen(QPen(QColor("#c8c8d0"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(16, baseline, self.width() - 16, baseline)
        if self.is_empty and not self._read_only:
            painter.setPen(QColor("#9a9aa8"))
            painter.drawText(20, baseline - 8, _("Sign here"))
        pen = QPen(INK, STROKE_WIDTH)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self._strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            for point in stroke[1:]:
                path.lineTo(point)
            painter.drawPath(path)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
        painter.end()


def _path_data(stroke: Stroke) -> str:
    """SVG path data: a move to the first point, lines to the rest (a dot for a tap)."""
    points = [f"{x:.1f} {y:.1f}" for x, y in stroke]
    if len(points) == 1:
        points.append(points[0])
    return "M" + points[0] + "".join(f" L{p}" for p in points[1:])
