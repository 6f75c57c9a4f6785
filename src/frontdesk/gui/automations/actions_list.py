"""The rule's ordered actions: a list reordered by drag and drop or from the keyboard
(Ctrl+Up / Ctrl+Down, or the Move buttons). Each item holds its action document."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from frontdesk.gui.automations.catalog_words import action_label
from frontdesk.i18n import _
from frontdesk.i18n.formats import format_number

ACTION_ROLE = Qt.ItemDataRole.UserRole


def summary(action: dict[str, Any]) -> str:
    """One line per action: what it does and its main setting."""
    words = action_label(str(action.get("type")))
    detail = (
        action.get("description")
        or action.get("email_template")
        or action.get("template")
        or action.get("message")
        or action.get("form_template_id")
        or action.get("segment_id")
        or ""
    )
    extras = []
    if action.get("delay_minutes"):
        minutes = int(action["delay_minutes"])
        extras.append(_("after {count} min").format(count=format_number(minutes)))
    if action.get("conditions"):
        extras.append(_("with conditions"))
    text = _("{action}: {detail}").format(action=words, detail=detail) if detail else words
    if extras:
        text = _("{summary} ({extras})").format(summary=text, extras=", ".join(extras))
    return text


class ActionsList(QListWidget):
    sig_remove_requested = Signal()
    """Delete was pressed on the selected action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actions-list")
        self.setAccessibleName(_("Actions, in order"))
        self.setAccessibleDescription(
            _("Ctrl+Up and Ctrl+Down move the selected action; Delete removes it")
        )
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.model().rowsMoved.connect(lambda *_: self._renumber())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
        if event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() in steps:
            self.move_current(steps[Qt.Key(event.key())])
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.sig_remove_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def add_action(self, action: dict[str, Any]) -> QListWidgetItem:
        item = QListWidgetItem(self)
        self.set_item_action(item, action)
        self._renumber()
        return item

    def set_item_action(self, item: QListWidgetItem, action: dict[str, Any]) -> None:
        item.setData(ACTION_ROLE, action)
        item.setText(f"{self.row(item) + 1}. {summary(action)}")
        item.setToolTip(summary(action))

    def actions(self) -> list[dict[str, Any]]:
        return [self.item(row).data(ACTION_ROLE) for row in range(self.count())]

    def set_actions(self, actions: list[dict[str, Any]]) -> None:
        self.clear()
        for action in actions:
            self.add_action(action)
        if actions:
            self.setCurrentRow(0)

    def move_current(self, step: int) -> None:
        row = self.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.count():
            return
        # Moved through the model, as a drop is: the item (and what edits it) stays the same.
        self.model().moveRow(self.rootIndex(), row, self.rootIndex(), target + (step > 0))
        self.setCurrentRow(target)

    def remove_current(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.takeItem(row)
            self._renumber()

    def _renumber(self) -> None:
        for row in range(self.count()):
            item = self.item(row)
            action = item.data(ACTION_ROLE) or {}
            item.setText(f"{row + 1}. {summary(action)}")
