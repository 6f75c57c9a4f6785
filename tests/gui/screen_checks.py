"""Checks a window's words and controls the same way on every screen: each mnemonic its own
key, and each control a name a screen reader says. Unlike the accessibility walks'
(`tests/gui/accessibility/checks.py`, whose name and mnemonic readers these share), they count
hidden controls too, so a screen's test sees every page of a wizard at once."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from tests.gui.accessibility.checks import accessible_name, mnemonic

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabWidget,
    QPlainTextEdit,
    QTextEdit,
)
"""What a person operates: buttons, inputs, combos, date/time edits, tables, lists, tabs."""


def _own(window: QWidget, widget: QWidget) -> bool:
    return widget.window() is window


def mnemonic_keys(window: QWidget) -> list[str]:
    """The keys of the mnemonics in `window` itself, not in the dialogs it opened."""
    texts = [b.text() for b in window.findChildren(QAbstractButton) if _own(window, b)]
    texts += [label.text() for label in window.findChildren(QLabel) if _own(window, label)]
    texts += [box.title() for box in window.findChildren(QGroupBox) if _own(window, box)]
    for tabs in window.findChildren(QTabWidget):
        if _own(window, tabs):
            texts += [tabs.tabText(n) for n in range(tabs.count())]
    return [key for key in map(mnemonic, texts) if key]


def controls(window: QWidget) -> list[QWidget]:
    """The controls of `window` a person reaches: not the parts Qt builds inside one (a
    combo's line edit, a table's headers and corner button, a tab bar's scroll arrows)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not (isinstance(widget, CONTROLS) and _own(window, widget)):
            continue
        if isinstance(widget, QHeaderView) or _inside_a_control(widget, window):
            continue
        found.append(widget)
    return found


def _inside_a_control(widget: QWidget, window: QWidget) -> bool:
    if isinstance(widget.parentWidget(), QTabBar):
        return True  # a tab bar's scroll arrows: the tabs name themselves
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        # A tab widget holds whole pages of controls; the others are one control each.
        if isinstance(parent, CONTROLS) and not isinstance(parent, QTabWidget):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(window: QWidget) -> list[str]:
    """The controls of `window` a screen reader would announce without a name."""
    return [
        f"{type(widget).__name__} {widget.objectName()!r}"
        for widget in controls(window)
        if not accessible_name(widget)
    ]
