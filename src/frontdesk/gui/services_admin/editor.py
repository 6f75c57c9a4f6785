"""Adding or changing a service: every field, who performs it, and the forms its appointments
need in the order patients fill them. Saved through `services.service_setup`; a refusal names
each field at fault, in the desk's language, and the first one takes the focus."""

from __future__ import annotations

import uuid
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.enums import AppointmentType
from frontdesk.domain.errors import InvalidInput
from frontdesk.gui.appointments.problem_label import problem_label
from frontdesk.gui.desk import Desk
from frontdesk.gui.messages import explain
from frontdesk.gui.operations import run_operation
from frontdesk.i18n import _
from frontdesk.i18n.formats import CURRENCY
from frontdesk.services import service_setup
from frontdesk.services.context import Outcome, ServiceContext
from frontdesk.services.service_setup import (
    MAX_MINUTES,
    MAX_REFERENCE,
    MIN_MINUTES,
    ServiceChoices,
    ServiceDraft,
    ServiceRecord,
)
from frontdesk.store.models import Service

VALUE_ROLE = Qt.ItemDataRole.UserRole + 1


class ServiceEditor(QDialog):
    sig_saved = Signal(object)
    """The service was saved: carries its id."""

    def __init__(
        self,
        desk: Desk,
        choices: ServiceChoices,
        record: ServiceRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.record = record
        self.choices = choices
        self.setObjectName("service-editor")
        self.setWindowTitle(
            _("Service — {name}").format(name=record.name) if record else _("New service")
        )
        self._build_fields()
        self._build_performers()
        self._build_forms()
        self.problem = problem_label("service-problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        for text, widget in (
            (_("&Name *"), self.name),
            (_("Nu&mber"), self.reference),
            (_("&Description"), self.description),
            (_("Dura&tion *"), self.duration),
            (_("&Video or in clinic"), self.mode),
            (_("&Price"), self.price),
            (_("&Currency"), self.currency),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", self.public)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._performers_label)
        layout.addWidget(self.performers)
        layout.addWidget(self._forms_label)
        layout.addLayout(self._forms_grid)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._fill(record)

    # --- building ----------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.name = QLineEdit(self)
        self.name.setObjectName("service-name")
        self.name.setAccessibleName(_("Name"))
        self.name.setMaxLength(service_setup.MAX_NAME)
        self.reference = QSpinBox(self)
        self.reference.setObjectName("service-reference")
        self.reference.setAccessibleName(_("Number rules cite"))
        self.reference.setRange(0, MAX_REFERENCE)
        # 0 is shown as words: the next free number is given when saving.
        self.reference.setSpecialValueText(_("next free number"))
        self.reference.setToolTip(
            _("The short number rules cite, e.g. appointment.service_id = 10")
        )
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("service-description")
        self.description.setAccessibleName(_("Description"))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(70)
        self.duration = QSpinBox(self)
        self.duration.setObjectName("service-duration")
        self.duration.setAccessibleName(_("Duration in minutes"))
        self.duration.setRange(MIN_MINUTES, MAX_MINUTES)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(_(" min"))
        self.mode = QComboBox(self)
        self.mode.setObjectName("service-mode")
        self.mode.setAccessibleName(_("Video or in clinic"))
        for kind in (AppointmentType.IN_CLINIC, AppointmentType.VIDEO):
            self.mode.addItem(kind.label, kind.value)
        self.price = QLineEdit(self)
        self.price.setObjectName("service-price")
        self.price.setAccessibleName(_("Price"))
        self.price.setPlaceholderText(_("empty: no price shown"))
        self.currency = QLineEdit(self)
        self.currency.setObjectName("service-currency")
        self.currency.setAccessibleName(_("Currency"))
        self.currency.setMaxLength(3)
        self.currency.setPlaceholderText(_("e.g. RON, EUR"))
        self.public = QCheckBox(_("&Offered on the public booking page"), self)
        self.public.setObjectName("service-public")
        self.public.setAccessibleName(_("Offered on the public booking page"))

    def _build_performers(self) -> None:
        self._performers_label = QLabel(_("P&erformers"))
        self.performers = QListWidget(self)
        self.performers.setObjectName("service-performers")
        self.performers.setAccessibleName(_("Performers"))
        self.performers.setMaximumHeight(110)
        self._performers_label.setBuddy(self.performers)
        for choice in self.choices.specialists:
            item = QListWidgetItem(choice.label)
            item.setData(VALUE_ROLE, choice.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.performers.addItem(item)

    def _build_forms(self) -> None:
        self._forms_label = QLabel(_("&Forms, in the order they are filled"))
        self.forms = QListWidget(self)
        self.forms.setObjectName("service-forms")
        self.forms.setAccessibleName(_("Forms, in order"))
        self.forms.setMaximumHeight(110)
        self._forms_label.setBuddy(self.forms)
        self.form_choice = QComboBox(self)
        self.form_choice.setObjectName("service-form-choice")
        self.form_choice.setAccessibleName(_("Form to add"))
        for choice in self.choices.forms:
            self.form_choice.addItem(choice.label, choice.value)
        self.add_form = QPushButton(_("&Add form"), self)
        self.add_form.setObjectName("service-add-form")
        self.up = QPushButton(_("Move &up"), self)
        self.up.setObjectName("service-form-up")
        self.down = QPushButton(_("Move do&wn"), self)
        self.down.setObjectName("service-form-down")
        self.remove_form = QPushButton(_("&Remove form"), self)
        self.remove_form.setObjectName("service-remove-form")
        self.add_form.clicked.connect(lambda: self.add_form_key(self.form_choice.currentData()))
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.remove_form.clicked.connect(self._remove)
        grid = QGridLayout()
        grid.addWidget(self.forms, 0, 0, 4, 1)
        grid.addWidget(self.up, 0, 1)
        grid.addWidget(self.down, 1, 1)
        grid.addWidget(self.remove_form, 2, 1)
        grid.addWidget(self.form_choice, 4, 0)
        grid.addWidget(self.add_form, 4, 1)
        self._forms_grid = grid

    def _fill(self, record: ServiceRecord | None) -> None:
        if record is None:
            self.duration.setValue(30)
            self.currency.setText(CURRENCY)
            self.public.setChecked(True)
            return
        self.name.setText(record.name)
        self.reference.setValue(record.reference or 0)
        self.description.setPlainText(record.description)
        self.duration.setValue(record.duration_minutes)
        self.mode.setCurrentIndex(self.mode.findData(record.appointment_type.value))
        if record.price_cents is not None:
            self.price.setText(str(Decimal(record.price_cents) / 100))
        self.currency.setText(record.currency or CURRENCY)
        self.public.setChecked(record.is_public)
        chosen = {str(i) for i in record.specialist_ids}
        for row in range(self.performers.count()):
            item = self.performers.item(row)
            if item.data(VALUE_ROLE) in chosen:
                item.setCheckState(Qt.CheckState.Checked)
        for key in record.form_keys:
            self.add_form_key(key)

    # --- the ordered forms -------------------------------------------------------------------

    def add_form_key(self, key: str | None) -> None:
        if not key or key in self.form_keys():
            return
        title = next((c.label for c in self.choices.forms if c.value == key), key)
        item = QListWidgetItem(title)
        item.setData(VALUE_ROLE, key)
        self.forms.addItem(item)
        self.forms.setCurrentItem(item)

    def form_keys(self) -> list[str]:
        return [self.forms.item(row).data(VALUE_ROLE) for row in range(self.forms.count())]

    def _move(self, step: int) -> None:
        row = self.forms.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.forms.count():
            return
        item = self.forms.takeItem(row)
        self.forms.insertItem(target, item)
        self.forms.setCurrentRow(target)

    def _remove(self) -> None:
        row = self.forms.currentRow()
        if row >= 0:
            self.forms.takeItem(row)

    # --- saving ------------------------------------------------------------------------------

    def set_performers(self, names: list[str]) -> None:
        """Tick exactly these performers (by name)."""
        for row in range(self.performers.count()):
            item = self.performers.item(row)
            checked = item.text() in names
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def draft(self) -> ServiceDraft:
        performers = [
            uuid.UUID(self.performers.item(row).data(VALUE_ROLE))
            for row in range(self.performers.count())
            if self.performers.item(row).checkState() == Qt.CheckState.Checked
        ]
        return ServiceDraft(
            name=self.name.text(),
            reference=self.reference.value() or None,
            description=self.description.toPlainText(),
            duration_minutes=self.duration.value(),
            appointment_type=self.mode.currentData(),
            price=self.price.text(),
            currency=self.currency.text(),
            is_public=self.public.isChecked(),
            specialist_ids=performers,
            form_keys=self.form_keys(),
        )

    def save(self) -> None:
        draft = self.draft()
        service_id = self.record.id if self.record else None

        def work(ctx: ServiceContext) -> Outcome[Service]:
            if service_id is None:
                return service_setup.create_service(ctx, draft)
            return service_setup.update_service(ctx, service_id, draft)

        self.buttons.setEnabled(False)
        run_operation(self.desk, work, parent=self, on_done=self._saved, on_error=self._refused)

    def _saved(self, outcome: Outcome[Service]) -> None:
        self.sig_saved.emit(outcome.value.id)
        self.accept()

    def _refused(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, InvalidInput):
            self._say(explain(error))
            return
        lines = []
        for problem in error.errors:
            if problem.translated:  # a whole sentence naming its field
                lines.append(problem.message)
                continue
            label = self._field(problem.field)[0]
            lines.append(_("{field}: {message}").format(field=label, message=problem.message))
        self._say(_("Please check:") + "\n" + "\n".join(f"• {line}" for line in lines))
        self._field(error.errors[0].field)[1].setFocus()

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def _field(self, name: str) -> tuple[str, QWidget]:
        """The label a person reads for a service field, and its widget."""
        base = name.split("[")[0]
        fields: dict[str, tuple[str, QWidget]] = {
            "name": (_("Name"), self.name),
            "reference": (_("Number"), self.reference),
            "description": (_("Description"), self.description),
            "duration_minutes": (_("Duration"), self.duration),
            "appointment_type": (_("Video or in clinic"), self.mode),
            "price": (_("Price"), self.price),
            "currency": (_("Currency"), self.currency),
            "specialist_ids": (_("Performers"), self.performers),
            "form_keys": (_("Forms"), self.forms),
        }
        return fields.get(base, (name, self.name))
