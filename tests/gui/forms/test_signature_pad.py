"""The signature pad: strokes from a mouse or a pen, clearing, and the SVG it hands over."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.domain.form_signature import check_signature_input
from frontdesk.gui.forms.signature_pad import SignaturePad
from tests.gui.forms.test_filler import draw


def make_pad(qtbot: QtBot) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 150)
    pad.show()
    return pad


def pen(pad: SignaturePad, kind: QEvent.Type, x: float, y: float, pressure: float) -> None:
    event = QTabletEvent(
        kind,
        QPointingDevice.primaryPointingDevice(),
        QPointF(x, y),
        QPointF(pad.mapToGlobal(QPointF(x, y))),
        pressure,
        0.0,
        0.0,
        0.0,
        0.0,
        0.0,
        Qt.KeyboardModifier.NoModifier,
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
    )
    QApplication.sendEvent(pad, event)


def test_mouse_strokes_become_an_svg_the_service_accepts(qtbot: QtBot) -> None:
    pad = make_pad(qtbot)
    assert pad.is_empty
    with qtbot.waitSignal(pad.sig_changed):
        draw(pad, [(10, 10), (50, 40), (51, 40), (90, 20)])
    draw(pad, [(120, 60), (120, 60)])  # a tap: a dot

    strokes = pad.strokes()
    # The point 1 px from the last kept one adds nothing visible and is dropped.
    assert strokes == [((10.0, 10.0), (50.0, 40.0), (90.0, 20.0)), ((120.0, 60.0),)]
    svg = pad.to_svg()
    assert 'viewBox="0 0 400 150"' in svg
    assert '<path d="M10.0 10.0 L50.0 40.0 L90.0 20.0"/>' in svg
    assert '<path d="M120.0 60.0 L120.0 60.0"/>' in svg
    assert check_signature_input("Ana", svg)[1] == svg


def test_pen_strokes_follow_pressure_and_stay_inside(qtbot: QtBot) -> None:
    pad = make_pad(qtbot)
    pen(pad, QEvent.Type.TabletPress, 5, 5, 0.4)
    pen(pad, QEvent.Type.TabletMove, 30, 30, 0.6)
    pen(pad, QEvent.Type.TabletMove, 60, 60, 0.0)  # hovering: no ink
    pen(pad, QEvent.Type.TabletMove, 900, 70, 0.5)  # off the pad: clamped to its edge
    pen(pad, QEvent.Type.TabletRelease, 900, 70, 0.0)

    assert pad.strokes() == [((5.0, 5.0), (30.0, 30.0), (400.0, 70.0))]


def test_clear_and_read_only(qtbot: QtBot) -> None:
    pad = make_pad(qtbot)
    draw(pad, [(10, 10), (50, 40)])
    with qtbot.waitSignal(pad.sig_changed):
        pad.clear()
    assert pad.is_empty
    pad.set_read_only(True)
    draw(pad, [(10, 10), (50, 40)])
    assert pad.is_empty


def test_the_keyboard_reaches_the_pad_and_clears_it(qtbot: QtBot) -> None:
    pad = make_pad(qtbot)
    assert pad.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert "Delete" in pad.accessibleDescription()
    draw(pad, [(10, 10), (50, 40)])
    with qtbot.waitSignal(pad.sig_changed):
        qtbot.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty
    draw(pad, [(10, 10), (50, 40)])
    qtbot.keyClick(pad, Qt.Key.Key_Backspace)
    assert pad.is_empty
    draw(pad, [(10, 10), (50, 40)])
    pad.set_read_only(True)
    qtbot.keyClick(pad, Qt.Key.Key_Delete)  # a signed form's pad keeps what it shows
    assert not pad.is_empty
