"""One editor per form field type (`frontdesk.domain.form_fields`). Each editor gives back
the raw answer in the shape the domain normalises (text as typed, a bool, an option value,
a list of option values) and None for "no answer", so validation has one source: the domain.

Where a plain widget has no "no answer" state, the editor adds one: a blank first choice in
lists, "not answered" below a scale's minimum, "—" for a yes/no question. A disclaimer's
yes/no is a check box: ticking it is agreeing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from babel.numbers import get_decimal_symbol
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import FieldType, FormType
from frontdesk.domain.form_fields import FieldSpec
from frontdesk.i18n import N_, _
from frontdesk.i18n.formats import format_number, locale

NOT_ANSWERED = N_("not answered")


class FieldEditor(ABC):
    """The widget for one field, and its answer."""

    def __init__(self, spec: FieldSpec, widget: QWidget) -> None:
        self.spec = spec
        self.widget = widget
        widget.setObjectName(f"field-{spec.key}")
        widget.setAccessibleName(spec.label)

    @abstractmethod
    def value(self) -> Any:
        """The raw answer, or None for "no answer"."""

    @abstractmethod
    def set_value(self, value: Any) -> None:
        """Show a stored answer (None: no answer)."""

    def set_read_only(self, read_only: bool) -> None:
        self.widget.setEnabled(not read_only)

    @abstractmethod
    def on_change(self, callback: Callable[[], None]) -> None:
        """Call `callback` whenever the person changes the answer."""


class _LineEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, placeholder: str = "") -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        super().__init__(spec, self.edit)

    def value(self) -> Any:
        text = self.edit.text()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def set_read_only(self, read_only: bool) -> None:
        # Read-only, not disabled: a signed answer stays readable and selectable.
        self.edit.setReadOnly(read_only)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textEdited.connect(lambda _text: callback())


class _NumberEditor(_LineEditor):
    """A number written as the language writes it ("72,5" in Romanian) goes to the domain
    in its one notation ("72.5"); a stored number is shown back the language's way."""

    def value(self) -> Any:
        text = super().value()
        mark = get_decimal_symbol(locale())
        if text is None or mark == "." or "." in text:
            return text
        return text.replace(mark, ".")

    def set_value(self, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.edit.setText(str(value).replace(".", get_decimal_symbol(locale())))
        else:
            super().set_value(value)


class _TextAreaEditor(FieldEditor):
    def __init__(self, spec: FieldSpec) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(80)
        super().__init__(spec, self.edit)

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.edit.textChanged.connect(callback)


class _ChoiceEditor(FieldEditor):
    """A list with a blank first entry for "no answer"; yes/no questions use it too. The
    values stay in Python (by position), not in Qt's item data: some PySide6 releases read
    None and booleans back from it with a broken reference count (see pyproject.toml)."""

    def __init__(self, spec: FieldSpec, options: list[tuple[str, Any]]) -> None:
        self.combo = QComboBox()  # named by its question (FieldEditor), not its choice
        self.values: list[Any] = [None]
        self.combo.addItem("—")
        for label, value in options:
            self.combo.addItem(label)
            self.values.append(value)
        super().__init__(spec, self.combo)

    def value(self) -> Any:
        return self.values[max(self.combo.currentIndex(), 0)]

    def set_value(self, value: Any) -> None:
        for index, option in enumerate(self.values):
            if index and type(option) is type(value) and option == value:
                self.combo.setCurrentIndex(index)
                return
        self.combo.setCurrentIndex(0)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.combo.activated.connect(lambda _index: callback())


class _MultiChoiceEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, options: list[tuple[str, Any]]) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[tuple[QCheckBox, Any]] = []
        for label, value in options:
            check = QCheckBox(label)
            layout.addWidget(check)
            self.boxes.append((check, value))
        super().__init__(spec, box)

    def value(self) -> Any:
        chosen = [value for check, value in self.boxes if check.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        chosen = list(value) if isinstance(value, list | tuple) else []
        for check, option in self.boxes:
            check.setChecked(any(type(c) is type(option) and c == option for c in chosen))

    def on_change(self, callback: Callable[[], None]) -> None:
        for check, _value in self.boxes:
            check.toggled.connect(lambda _on: callback())


class _AgreementEditor(FieldEditor):
    """A disclaimer's yes/no: ticked is "yes", unticked is "no"."""

    def __init__(self, spec: FieldSpec) -> None:
        self.check = QCheckBox(spec.label)
        super().__init__(spec, self.check)

    def value(self) -> Any:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(value is True)

    def on_change(self, callback: Callable[[], None]) -> None:
        self.check.toggled.connect(lambda _on: callback())


class _ScaleEditor(FieldEditor):
    """A spin box whose step below the minimum means "not answered"."""

    def __init__(self, spec: FieldSpec) -> None:
        low = int(spec.minimum if spec.minimum is not None else 0)
        high = int(spec.maximum if spec.maximum is not None else 10)
        self.spin = QSpinBox()
        self.spin.setRange(low - 1, high)
        self.spin.setSpecialValueText(_(NOT_ANSWERED))
        self.spin.setValue(low - 1)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addStretch(1)
        super().__init__(spec, row)
        self.spin.setAccessibleName(
            _("{label} (from {low} to {high})").format(
                label=spec.label, low=format_number(low), high=format_number(high)
            )
        )

    def value(self) -> Any:
        value = self.spin.value()
        return None if value == self.spin.minimum() else value

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value) if isinstance(value, int | float) else self.spin.minimum())

    def on_change(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


def _options(definition: Mapping[str, Any]) -> list[tuple[str, Any]]:
    labelled = []
    for option in definition.get("options") or ():
        if isinstance(option, Mapping):
            labelled.append((str(option.get("label") or option.get("value")), option.get("value")))
        else:
            labelled.append((str(option), option))
    return labelled


def _range_hint(spec: FieldSpec) -> str:
    bounds = [b for b in (spec.minimum, spec.maximum) if b is not None]
    if len(bounds) == 2:
        return _("a number from {minimum} to {maximum}").format(
            minimum=format_number(bounds[0]), maximum=format_number(bounds[1])
        )
    return _("a number")


def editor_for(definition: Mapping[str, Any], form_type: FormType) -> FieldEditor:
    """The editor for one field definition of a form of `form_type`."""
    spec = FieldSpec.from_definition(definition)
    match spec.type:
        case FieldType.TEXTAREA:
            return _TextAreaEditor(spec)
        case FieldType.NUMBER | FieldType.INTEGER:
            return _NumberEditor(spec, _range_hint(spec))
        case FieldType.SCALE:
            return _ScaleEditor(spec)
        case FieldType.DATE:
            return _LineEditor(spec, _("YYYY-MM-DD"))
        case FieldType.EMAIL:
            return _LineEditor(spec, _("name@example.com"))
        case FieldType.PHONE:
            return _LineEditor(spec, "+40 721 000 000")
        case FieldType.BOOLEAN if form_type == FormType.DISCLAIMER:
            return _AgreementEditor(spec)
        case FieldType.BOOLEAN:
            return _ChoiceEditor(spec, [(_("Yes"), True), (_("No"), False)])
        case FieldType.CHOICE:
            return _ChoiceEditor(spec, _options(definition))
        case FieldType.MULTI_CHOICE:
            return _MultiChoiceEditor(spec, _options(definition))
        case _:
            return _LineEditor(spec)
