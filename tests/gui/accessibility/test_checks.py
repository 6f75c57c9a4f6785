"""The walks' checks find what they look for (a walk that never fails proves nothing)."""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from frontdesk.gui.theme import LIGHT, apply_theme
from tests.gui.accessibility.checks import (
    ELIDED,
    clipped,
    focus_unseen,
    mnemonic,
    shared_mnemonics,
    tab_states,
    unnamed,
)


def _window(qtbot: QtBot, *widgets: QWidget) -> QDialog:
    window = QDialog()
    layout = QVBoxLayout(window)
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_control_without_a_name_is_found_and_a_buddy_names_one(qtbot: QtBot) -> None:
    bare, labelled, named = QLineEdit(), QLineEdit(), QLineEdit()
    bare.setObjectName("bare")
    named.setAccessibleName("Search")
    form = QWidget()
    QFormLayout(form).addRow("&Name", labelled)
    window = _window(qtbot, bare, form, named, QPushButton("&Save"))
    assert unnamed(window) == ["no accessible name: QLineEdit bare"]


def test_two_mnemonics_on_one_key_are_found() -> None:
    assert mnemonic("Check &in") == "i"
    assert mnemonic("Privacy && consent") is None
    assert mnemonic("A && B &x") == "x"


def test_shared_mnemonics_name_both_texts(qtbot: QtBot) -> None:
    window = _window(qtbot, QPushButton("&New patient…"), QPushButton("&Notes"))
    assert shared_mnemonics(window) == ["mnemonic 'n' shared by '&New patient…', '&Notes'"]
    hidden = QPushButton("&Next")
    other = _window(qtbot, QPushButton("&New"), hidden)
    hidden.hide()  # a hidden button's key does nothing
    assert shared_mnemonics(other) == []


def test_text_wider_than_its_widget_is_found(qtbot: QtBot) -> None:
    words = "A rather long sentence that cannot fit"
    cut, wraps, elided = QLabel(words), QLabel(words), QLabel(words)
    wraps.setWordWrap(True)
    elided.setProperty(ELIDED, True)
    button, box = QPushButton(words), QGroupBox(words)
    for widget in (cut, wraps, elided, button, box):
        widget.setFixedWidth(60)
    window = _window(qtbot, cut, wraps, elided, button, box)
    found = clipped(window)
    assert len(found) == 3
    assert any("QLabel" in problem for problem in found)
    assert any("QPushButton" in problem for problem in found)
    assert any("QGroupBox" in problem for problem in found)
    for widget in (cut, button, box):
        widget.setFixedWidth(600)
    QApplication.processEvents()
    assert clipped(window) == []


def test_tabs_that_do_not_fit_are_found_and_each_tab_is_walked(qtbot: QtBot) -> None:
    tabs = QTabWidget()
    for name in ("Appointments and history", "Forms to fill", "Dependents of the patient"):
        tabs.addTab(QWidget(), name)
    window = _window(qtbot, tabs)
    window.resize(800, 300)
    QApplication.processEvents()
    assert list(tab_states(window)) == [
        "",
        "tab 'Forms to fill'",
        "tab 'Dependents of the patient'",
    ]
    assert tabs.currentIndex() == 0
    window.setFixedWidth(120)
    QApplication.processEvents()
    assert any("do not fit" in problem for problem in clipped(window))


def test_a_control_whose_focus_does_not_show_is_found(
    qtbot: QtBot, qapp: QApplication, restore_look: None
) -> None:
    apply_theme(qapp, LIGHT)
    plain = QListView()
    plain.setObjectName("plain")
    plain.setAccessibleName("Plain")
    plain.setModel(QStandardItemModel(plain))
    plain.setStyleSheet("QListView, QListView:focus { border: none; }")
    window = _window(qtbot, plain)
    assert focus_unseen(window) == ["QListView shows no focus: QListView plain"]
    plain.setStyleSheet("")  # the theme's: a frame in the focus colour
    assert focus_unseen(window) == []
