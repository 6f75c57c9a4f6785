"""What the accessibility walks look for in a shown window: controls without an accessible
name, two mnemonics on one key, focus that does not show, and text cut by its widget.

Each check returns the problems it found, in words that say which widget (empty: none)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from PySide6 import QtGui
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAccessible, QFontMetrics, QImage, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QWidget,
)

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
    QAbstractSlider,
    QPlainTextEdit,
    QTextEdit,
)
# Parts another control draws and names for itself: a combo's or spin box's line edit, a line
# edit's clear button, a tab bar's scroll arrows, a view's headers and scroll bars.
COMPOSITE = (QComboBox, QAbstractSpinBox, QLineEdit, QTabBar, QAbstractItemView)
ELIDED = "elided"
"""A QLabel with this property set shortens its text by design (it is not clipped)."""
SLACK_PX = 1
"""Rounding between text measured and widgets laid out."""
MNEMONIC = re.compile(r"&(.)")
FOCUS_WAIT_S = 2.0


def shown(window: QWidget) -> list[QWidget]:
    """The widgets of `window` itself (not of the dialogs it opened) that can be seen."""
    return [
        widget
        for widget in window.findChildren(QWidget)
        if widget.window() is window and widget.isVisibleTo(window)
    ]


def _part_of_another(widget: QWidget) -> bool:
    if isinstance(widget, (QScrollBar, QHeaderView)):
        return True
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, COMPOSITE):
            return True
        parent = parent.parentWidget()
    return False


def controls(window: QWidget) -> list[QWidget]:
    """The controls a person operates in `window`."""
    return [
        widget
        for widget in shown(window)
        if isinstance(widget, INTERACTIVE) and not _part_of_another(widget)
    ]


def describe(widget: QWidget) -> str:
    """Enough to find the widget: its class, object name and what it shows."""
    hints = [widget.objectName()]
    for reader in ("text", "placeholderText", "toolTip", "title"):
        value = getattr(widget, reader, None)
        if callable(value):
            found = value()
            if isinstance(found, str) and found:
                hints.append(repr(found[:40]))
                break
    return " ".join([type(widget).__name__, *[hint for hint in hints if hint]])


# --- names -----------------------------------------------------------------------------------


def accessible_name(widget: QWidget) -> str:
    """What a screen reader says the control is (its own name, its text, or its buddy's)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed(window: QWidget) -> list[str]:
    return [
        f"no accessible name: {describe(w)}" for w in controls(window) if not accessible_name(w)
    ]


# --- mnemonics -------------------------------------------------------------------------------


def mnemonic(text: str) -> str | None:
    """The key `text` underlines ("&&" is an ampersand)."""
    found = MNEMONIC.findall(text.replace("&&", ""))
    return found[0].lower() if found else None


def mnemonic_texts(window: QWidget) -> list[str]:
    """The texts in `window` that carry a mnemonic Qt acts on: buttons, labels with a buddy,
    group box titles and tabs."""
    texts: list[str] = []
    for widget in shown(window):
        labelled = isinstance(widget, QLabel) and widget.buddy() is not None
        if isinstance(widget, QAbstractButton) or labelled:
            texts.append(widget.text())  # type: ignore[attr-defined]
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(n) for n in range(widget.count()) if widget.isTabVisible(n)]
    return [text for text in texts if mnemonic(text)]


def mnemonic_keys(window: QWidget) -> list[str]:
    return [key for key in map(mnemonic, mnemonic_texts(window)) if key]


def shared_mnemonics(window: QWidget) -> list[str]:
    by_key: dict[str, list[str]] = defaultdict(list)
    for text in mnemonic_texts(window):
        by_key[mnemonic(text) or ""].append(text)
    return [
        f"mnemonic {key!r} shared by {', '.join(map(repr, texts))}"
        for key, texts in by_key.items()
        if len(texts) > 1
    ]


# --- focus -----------------------------------------------------------------------------------


def _kind(widget: QWidget) -> str:
    """The Qt class a widget is (a desk's own subclass counts as the Qt class it extends)."""
    for cls in type(widget).__mro__:
        if cls.__module__.startswith("PySide6"):
            return cls.__name__
    return type(widget).__name__


def focusable_kinds(window: QWidget) -> dict[str, QWidget]:
    """One enabled control of each kind that the Tab key reaches."""
    found: dict[str, QWidget] = {}
    for widget in controls(window):
        if widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.setdefault(_kind(widget), widget)
    return found


def _activate(window: QWidget) -> None:
    window.activateWindow()
    window.raise_()
    _until(lambda: QApplication.activeWindow() is window)


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + FOCUS_WAIT_S
    while not condition() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
    QCoreApplication.processEvents()


def _picture(widget: QWidget) -> QImage:
    QCoreApplication.processEvents()
    return widget.grab().toImage()


def focus_unseen(window: QWidget) -> list[str]:
    """Controls that look the same with and without keyboard focus."""
    _activate(window)
    # What Qt notes when focus moves by keyboard: some styles draw focus only then.
    window.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange, True)
    problems = []
    for kind, widget in focusable_kinds(window).items():
        widget.clearFocus()
        window.setFocus(Qt.FocusReason.OtherFocusReason)
        _until(lambda w=widget: not w.hasFocus())
        without = _picture(widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        _until(lambda w=widget: w.hasFocus())
        if not widget.hasFocus():
            problems.append(f"{kind} does not take focus: {describe(widget)}")
        elif _picture(widget) == without:
            problems.append(f"{kind} shows no focus: {describe(widget)}")
    return problems


# --- clipping --------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _text_width(widget: QWidget, text: str, rich: bool) -> int:
    if rich:
        document = QTextDocument()
        document.setDefaultFont(widget.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        return int(document.idealWidth() + 0.999)
    metrics = QFontMetrics(widget.font())
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))


def _label_clipped(label: QLabel) -> str | None:
    text = label.text()
    if not text or label.wordWrap() or label.property(ELIDED) or not label.pixmap().isNull():
        return None
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    needed = _text_width(label, text if rich else _plain(text) if label.buddy() else text, rich)
    room = label.contentsRect().width() - 2 * label.margin() - max(label.indent(), 0)
    return f"{needed} > {room}" if needed > room + SLACK_PX else None


def _icon_room(button: QAbstractButton) -> int:
    if button.icon().isNull():
        return 0
    return button.iconSize().width() + 4


def _button_clipped(button: QAbstractButton) -> str | None:
    text = _plain(button.text())
    if not text:
        return None
    if isinstance(button, QToolButton):
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return None
        room = button.contentsRect().width() - 6 - _icon_room(button)
    else:
        option = QStyleOptionButton()
        button.initStyleOption(option)  # type: ignore[attr-defined]
        element = QStyle.SubElement.SE_PushButtonContents
        for cls, sub in (
            (QCheckBox, QStyle.SubElement.SE_CheckBoxContents),
            (QRadioButton, QStyle.SubElement.SE_RadioButtonContents),
        ):
            if isinstance(button, cls):
                element = sub
        room = button.style().subElementRect(element, option, button).width()
        room -= _icon_room(button)
        if isinstance(button, QPushButton) and button.menu() is not None:
            room -= button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator)
    needed = QFontMetrics(button.font()).horizontalAdvance(text)
    return f"{needed} > {room}" if needed > room + SLACK_PX else None


def _group_clipped(box: QGroupBox) -> str | None:
    title = _plain(box.title())
    if not title:
        return None
    room = box.contentsRect().width() - 16  # the stylesheet's title offset and padding
    if box.isCheckable():
        room -= box.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + 4
    needed = QFontMetrics(box.font()).horizontalAdvance(title)
    return f"{needed} > {room}" if needed > room + SLACK_PX else None


def _tabs_clipped(bar: QTabBar) -> list[str]:
    problems = []
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisibleTo(bar)]
    if arrows:
        problems.append("tabs do not fit their bar: " + ", ".join(_tab_texts(bar)))
    for n in range(bar.count()):
        if bar.isTabVisible(n) and bar.tabRect(n).width() < bar.tabSizeHint(n).width():
            problems.append(f"tab {bar.tabText(n)!r} cut: {bar.tabRect(n).width()}px")
    return problems


def _tab_texts(bar: QTabBar) -> list[str]:
    return [repr(bar.tabText(n)) for n in range(bar.count())]


def clipped(window: QWidget) -> list[str]:
    problems = []
    for widget in shown(window):
        found: str | None = None
        if isinstance(widget, QLabel):
            found = _label_clipped(widget)
        elif isinstance(widget, QAbstractButton) and not _part_of_another(widget):
            found = _button_clipped(widget)
        elif isinstance(widget, QGroupBox):
            found = _group_clipped(widget)
        elif isinstance(widget, QTabBar):
            problems += _tabs_clipped(widget)
        if found:
            problems.append(f"text cut ({found} px): {describe(widget)}")
    return problems


# --- walking a window ------------------------------------------------------------------------


def tab_states(window: QWidget) -> Iterator[str]:
    """Shows each tab of the window's tab widgets in turn (then the first again), yielding
    what is shown: "" for the window as it opened."""
    yield ""
    for tabs in [t for t in window.findChildren(QTabWidget) if t.isVisibleTo(window)]:
        opened = tabs.currentIndex()
        for n in range(tabs.count()):
            if n == opened or not tabs.isTabEnabled(n):
                continue
            tabs.setCurrentIndex(n)
            QCoreApplication.processEvents()
            yield f"tab {_plain(tabs.tabText(n))!r}"
        tabs.setCurrentIndex(opened)
        QCoreApplication.processEvents()
