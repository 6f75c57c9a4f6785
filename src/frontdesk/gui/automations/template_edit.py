"""A line edit for message templates (`Hello {{patient.first_name}}`): typing `{{` offers the
variables the rule's trigger provides, and the text is checked as it is typed — a template the
sandbox refuses, or a variable the trigger does not offer, turns the field red and says why."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from frontdesk.domain.rules import TemplateRefused, check_template, referenced_variables
from frontdesk.gui.automations.tones import problem_colour
from frontdesk.i18n import _


class TemplateLineEdit(QLineEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths: frozenset[str] = frozenset()
        self._problem = ""
        self._completions = QStringListModel(self)
        self._completer = QCompleter(self._completions, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert_completion)
        self.textEdited.connect(self._offer_completions)
        self.textChanged.connect(self._check)

    def set_variables(self, paths: Iterable[str]) -> None:
        """The variables the rule's trigger offers (completion and validation)."""
        self._paths = frozenset(paths)
        self._completions.setStringList(sorted(self._paths))
        self._check()

    def problem(self) -> str:
        return self._problem

    def _open_variable(self) -> tuple[int, str] | None:
        """Where the `{{` being typed starts, and what follows it, if the cursor is inside."""
        before = self.text()[: self.cursorPosition()]
        start = before.rfind("{{")
        if start < 0 or "}}" in before[start:]:
            return None
        return start, before[start + 2 :].strip()

    def _offer_completions(self) -> None:
        opened = self._open_variable()
        if opened is None:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(opened[1])
        self._completer.complete()

    def _insert_completion(self, path: str) -> None:
        opened = self._open_variable()
        if opened is None:
            return
        start, _ = opened
        cursor = self.cursorPosition()
        text = self.text()
        inserted = "{{" + path + "}}"
        self.setText(text[:start] + inserted + text[cursor:])
        self.setCursorPosition(start + len(inserted))

    def _check(self) -> None:
        self._problem = _template_problem(self.text(), self._paths)
        # A border only: the theme's text and background stay readable in light and dark.
        invalid = f"QLineEdit {{ border: 2px solid {problem_colour().name()}; }}"
        self.setStyleSheet(invalid if self._problem else "")
        self.setToolTip(self._problem)
        # Read out too: a red border alone says nothing to a screen reader.
        self.setAccessibleDescription(self._problem)


def _template_problem(text: str, paths: frozenset[str]) -> str:
    if "{{" not in text and "{%" not in text:
        return ""
    try:
        check_template(text)
        used = referenced_variables(text)
    except TemplateRefused as refused:
        return refused.errors[0].message
    unknown = sorted(used - paths) if paths else []
    if unknown:
        return _("not offered by this trigger: {names}").format(names=", ".join(unknown))
    return ""
